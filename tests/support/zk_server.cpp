// ZooKeeper servers as child processes for tests. The JVM is started directly with
// Debian's jar (no wrapper scripts), so the pid we hold is the server's own pid.
#include "tests/support/zk_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sluice::test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const char* kZooKeeperJar = "/usr/share/java/zookeeper.jar";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// Shared zoo.cfg lines. The admin server (an HTTP port) is off so parallel tests do not
// fight over port 8080; all four-letter words are allowed for zk_mode() and operators.
std::string base_config(const std::string& data_dir, int client_port, int tick_ms) {
  std::ostringstream c;
  c << "tickTime=" << tick_ms << "\n"
    << "dataDir=" << data_dir << "\n"
    << "clientPort=" << client_port << "\n"
    << "clientPortAddress=127.0.0.1\n"
    << "maxClientCnxns=0\n"
    << "admin.enableServer=false\n"
    << "4lw.commands.whitelist=*\n"
    << "initLimit=20\n"
    << "syncLimit=10\n";
  return c.str();
}

}  // namespace

std::string standalone_config(const std::string& data_dir, int client_port, int tick_ms) {
  return base_config(data_dir, client_port, tick_ms);
}

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (std::getenv("SLUICE_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

// Binds a loopback TCP socket to `port` (0: any) and returns the port bound, or -1.
int try_bind_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  return ok ? ntohs(addr.sin_port) : -1;
}

// First port of the kernel's ephemeral range (outgoing connections take theirs from it).
int ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (in >> low && low > 2048) return low;
  return 32768;
}

}  // namespace

int free_loopback_port() {
  // Chosen below the ephemeral range: the tests' own outgoing connections (clients, brokers,
  // ZooKeeper sessions) take ephemeral ports, and one of them could otherwise take a port
  // between being chosen here and the server's bind. Random, so parallel tests rarely pick
  // the same one (and callers retry on EADDRINUSE).
  const int high = ephemeral_low();
  const int low = std::max(1024, high - 12000);
  static std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(low, high - 1);
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (int port = try_bind_loopback(pick(rng)); port > 0) return port;
  }
  int port = try_bind_loopback(0);
  if (port < 0) throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
  return port;
}

std::string zk_mode(const std::string& host, int port, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  std::string reply;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto wait = [&](short events) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) == 1;
  };
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ||
            (errno == EINPROGRESS && wait(POLLOUT));
  int so_error = 0;
  socklen_t len = sizeof so_error;
  if (ok && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0 && so_error == 0 &&
      ::send(fd, "srvr", 4, MSG_NOSIGNAL) == 4) {
    char buf[2048];
    while (wait(POLLIN)) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      reply.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  auto pos = reply.find("Mode: ");
  if (pos == std::string::npos) return "";
  auto end = reply.find('\n', pos);
  return reply.substr(pos + 6, end == std::string::npos ? std::string::npos : end - pos - 6);
}

ZkProcess::ZkProcess(std::string dir, std::string config, int client_port, bool detached)
    : dir_(std::move(dir)), client_port_(client_port), detached_(detached) {
  fs::create_directories(dir_ + "/data");
  write_file(dir_ + "/zoo.cfg", config);
}

ZkProcess::~ZkProcess() { stop(); }

void ZkProcess::start() {
  if (pid_ > 0) return;
  const bool quorum = read_file(dir_ + "/zoo.cfg").find("server.") != std::string::npos;
  // Everything the child needs is prepared before fork(): after it, only exec-safe calls.
  std::vector<std::string> args = {"java",
                                   "-Xmx256m",
                                   "-XX:+UseSerialGC",
                                   "-XX:TieredStopAtLevel=1",
                                   "-Dzookeeper.admin.enableServer=false",
                                   "-Dzookeeper.4lw.commands.whitelist=*",
                                   "-Dzookeeper.jmx.log4j.disable=true",
                                   "-cp",
                                   kZooKeeperJar,
                                   quorum ? "org.apache.zookeeper.server.quorum.QuorumPeerMain"
                                          : "org.apache.zookeeper.server.ZooKeeperServerMain",
                                   dir_ + "/zoo.cfg"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_ + "/zookeeper.log";
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (detached_) {
      ::setsid();
    } else {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
    }
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::execvp("java", argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  paused_ = false;
}

void ZkProcess::wait_serving(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pid_ <= 0) throw std::runtime_error("ZooKeeper in " + dir_ + " is not running");
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("ZooKeeper in " + dir_ + " exited during start-up:\n" + log_tail());
    }
    if (!zk_mode("127.0.0.1", client_port_, 500ms).empty()) return;
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("ZooKeeper on port " + std::to_string(client_port_) +
                           " did not serve within " + std::to_string(timeout.count()) + " ms:\n" +
                           log_tail());
}

void ZkProcess::stop() {
  if (pid_ <= 0) return;
  if (paused_) resume();
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return;
    }
    if (detached_ && ::kill(pid_, 0) != 0) {  // not our child (sluice-test-zk stop)
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(100ms);
  }
  kill9();
}

void ZkProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  paused_ = false;
}

void ZkProcess::pause() {
  if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void ZkProcess::resume() {
  if (pid_ > 0 && ::kill(pid_, SIGCONT) == 0) paused_ = false;
}

std::string ZkProcess::log_tail(std::size_t bytes) const {
  std::string log = read_file(dir_ + "/zookeeper.log");
  return log.size() > bytes ? log.substr(log.size() - bytes) : log;
}

ZkServer::ZkServer(int tick_ms) {
  // A port can be taken between free_loopback_port() and the server's bind: retry.
  for (int attempt = 0;; ++attempt) {
    dir_ = std::make_unique<TempDir>("sluice-zk");
    int port = free_loopback_port();
    process_ = std::make_unique<ZkProcess>(
        dir_->path(), base_config(dir_->path() + "/data", port, tick_ms), port);
    try {
      process_->start();
      process_->wait_serving();
      return;
    } catch (const std::exception&) {
      process_.reset();
      if (attempt == 2) throw;
    }
  }
}

ZkServer::~ZkServer() { process_.reset(); }

std::string ZkServer::connect_string() const {
  return "127.0.0.1:" + std::to_string(process_->client_port());
}

void ZkServer::restart() {
  process_->stop();
  process_->start();
  process_->wait_serving();
}

ZkEnsemble::ZkEnsemble(int size, int tick_ms)
    : dir_(std::make_unique<TempDir>("sluice-zk-ensemble")) {
  struct Ports {
    int client, quorum, election;
  };
  std::vector<Ports> ports;
  for (int i = 0; i < size; ++i) {
    ports.push_back({free_loopback_port(), free_loopback_port(), free_loopback_port()});
  }
  std::ostringstream servers;
  for (int i = 0; i < size; ++i) {
    servers << "server." << (i + 1) << "=127.0.0.1:" << ports[static_cast<std::size_t>(i)].quorum
            << ":" << ports[static_cast<std::size_t>(i)].election << "\n";
  }
  for (int i = 0; i < size; ++i) {
    std::string dir = dir_->path() + "/node" + std::to_string(i + 1);
    const auto& p = ports[static_cast<std::size_t>(i)];
    std::string config = base_config(dir + "/data", p.client, tick_ms) + servers.str();
    auto node = std::make_unique<ZkProcess>(dir, config, p.client);
    write_file(dir + "/data/myid", std::to_string(i + 1) + "\n");
    nodes_.push_back(std::move(node));
  }
  for (auto& n : nodes_) n->start();
  for (auto& n : nodes_) n->wait_serving();
  wait_quorum();
}

ZkEnsemble::~ZkEnsemble() { nodes_.clear(); }

std::string ZkEnsemble::connect_string() const {
  std::string out;
  for (const auto& n : nodes_) {
    if (!out.empty()) out += ",";
    out += "127.0.0.1:" + std::to_string(n->client_port());
  }
  return out;
}

int ZkEnsemble::leader() const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->running() && zk_mode("127.0.0.1", nodes_[i]->client_port()) == "leader") {
      return static_cast<int>(i);
    }
  }
  return -1;
}

void ZkEnsemble::start(int i) {
  node(i).start();
  node(i).wait_serving();
}

void ZkEnsemble::wait_quorum(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int serving = 0;
    bool has_leader = false;
    for (const auto& n : nodes_) {
      if (!n->running()) continue;
      std::string mode = zk_mode("127.0.0.1", n->client_port(), 500ms);
      if (mode == "leader") has_leader = true;
      if (mode == "leader" || mode == "follower") ++serving;
    }
    if (has_leader && serving * 2 > size()) return;
    std::this_thread::sleep_for(200ms);
  }
  throw std::runtime_error("ZooKeeper ensemble found no quorum within " +
                           std::to_string(timeout.count()) + " ms:\n" + nodes_.front()->log_tail());
}

}  // namespace sluice::test
