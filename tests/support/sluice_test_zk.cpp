// sluice-test-zk: the test ZooKeeper fixture for shell scripts.
//   sluice-test-zk start --dir DIR [--port P] [--tick-ms T]   prints "127.0.0.1:P"
//   sluice-test-zk stop --dir DIR
// start leaves a standalone server running (pid in DIR/zk.pid); stop ends it by that pid.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "tests/support/zk_server.h"

namespace {

int usage() {
  std::cerr << "usage: sluice-test-zk start --dir DIR [--port P] [--tick-ms T]\n"
               "       sluice-test-zk stop --dir DIR\n";
  return 2;
}

// The pid file may outlive its process; only signal a process whose command line names
// this directory's zoo.cfg (a recycled pid belongs to someone else).
bool is_our_server(pid_t pid, const std::string& dir) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return cmdline.find(dir + "/zoo.cfg") != std::string::npos;
}

int stop(const std::string& dir) {
  std::ifstream in(dir + "/zk.pid");
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) {
    std::cerr << "sluice-test-zk: no pid file in " << dir << "\n";
    return 1;
  }
  if (is_our_server(pid, dir)) {
    ::kill(pid, SIGCONT);
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0 && is_our_server(pid, dir); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (::kill(pid, 0) == 0 && is_our_server(pid, dir)) ::kill(pid, SIGKILL);
  }
  std::filesystem::remove(dir + "/zk.pid");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string command = argv[1];
  std::string dir;
  int port = 0;
  int tick_ms = 250;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dir") {
      dir = argv[i + 1];
    } else if (flag == "--port") {
      port = std::atoi(argv[i + 1]);
    } else if (flag == "--tick-ms") {
      tick_ms = std::atoi(argv[i + 1]);
    } else {
      return usage();
    }
  }
  if (dir.empty()) return usage();
  dir = std::filesystem::absolute(dir).lexically_normal().string();
  if (command == "stop") return stop(dir);
  if (command != "start") return usage();
  try {
    if (port == 0) port = sluice::test::free_loopback_port();
    std::filesystem::create_directories(dir);
    sluice::test::ZkProcess zk(dir, sluice::test::standalone_config(dir + "/data", port, tick_ms),
                               port, /*detached=*/true);
    zk.start();
    std::ofstream(dir + "/zk.pid") << zk.pid() << "\n";
    zk.wait_serving();
    zk.release();
    std::cout << "127.0.0.1:" << port << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sluice-test-zk: " << e.what() << "\n";
    return 1;
  }
}
