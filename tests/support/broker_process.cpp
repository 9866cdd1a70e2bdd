// sluice-broker as a child process (see broker_process.h).
#include "tests/support/broker_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/zk_server.h"

extern char** environ;

namespace sluice::test {
using namespace std::chrono_literals;

std::string broker_binary() {
  if (const char* bin = std::getenv("SLUICE_BROKER_BIN"); bin != nullptr && *bin) return bin;
#ifdef SLUICE_BROKER_BINARY
  return SLUICE_BROKER_BINARY;
#else
  return "sluice-broker";
#endif
}

namespace {

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

BrokerProcess::BrokerProcess(int32_t id, std::string zk_connect, std::string dir,
                             std::map<std::string, std::string> env)
    : id_(id),
      zk_connect_(std::move(zk_connect)),
      dir_(std::move(dir)),
      log_dir_(dir_ + "/data"),
      env_(std::move(env)),
      port_(free_loopback_port()) {
  std::filesystem::create_directories(log_dir_);
}

BrokerProcess::~BrokerProcess() { stop(); }

void BrokerProcess::start(std::chrono::milliseconds timeout) {
  if (pid_ > 0) return;
  for (int attempt = 1;; ++attempt) {
    try {
      start_once(timeout);
      started_before_ = true;
      return;
    } catch (const std::runtime_error& e) {
      const bool port_taken =
          std::string(e.what()).find("Address already in use") != std::string::npos;
      if (started_before_ || !port_taken || attempt == 3) throw;
      port_ = free_loopback_port();
    }
  }
}

void BrokerProcess::start_once(std::chrono::milliseconds timeout) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    // A test's configuration is exactly what it sets: no SLUICE_* leaks in from outside.
    if (kv.rfind("SLUICE_", 0) == 0 && kv.rfind("SLUICE_LOG_LEVEL=", 0) != 0) continue;
    auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  vars["SLUICE_BROKER_ID"] = std::to_string(id_);
  vars["SLUICE_ZOOKEEPER_CONNECT"] = zk_connect_;
  vars["SLUICE_LISTENERS"] = "PLAINTEXT://127.0.0.1:" + std::to_string(port_);
  vars["SLUICE_LOG_DIRS"] = log_dir_;
  vars["SLUICE_ZOOKEEPER_SESSION_TIMEOUT_MS"] = "6000";
  for (const auto& [k, v] : env_) vars[k] = v;
  std::vector<std::string> envs;
  for (const auto& [k, v] : vars) envs.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string bin = broker_binary();
  std::vector<char*> argv = {bin.data(), nullptr};
  const std::string log = dir_ + "/broker.log";
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execve(bin.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("sluice-broker " + std::to_string(id_) +
                               " exited during start-up:\n" + log_tail());
    }
    // Listening happens before registration; the log line says the broker is ready.
    if (accepts(port_) && log_tail(1 << 20).find("started in cluster") != std::string::npos) return;
    std::this_thread::sleep_for(50ms);
  }
  kill9();
  throw std::runtime_error("sluice-broker " + std::to_string(id_) + " did not start within " +
                           std::to_string(timeout.count()) + " ms:\n" + log_tail());
}

int BrokerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 400; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(50ms);
  }
  kill9();
  return -1;
}

void BrokerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string BrokerProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(dir_ + "/broker.log", std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  std::string s = out.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

}  // namespace sluice::test
