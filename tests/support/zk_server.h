// Real ZooKeeper servers for tests: Debian's zookeeper package run as child processes on free
// loopback ports, each with its own data dir, stopped by pid (SIGTERM, then SIGKILL) when the
// object goes away — also when a test fails or throws. Start-up failures throw
// std::runtime_error with the tail of the server's log.
//
//   sluice::test::ZkServer zk;                 // standalone, serving when constructed
//   ZkOptions{zk.connect_string() + "/sluice"}
//
//   sluice::test::ZkEnsemble ensemble(3);      // QuorumPeerMain x3
//   ensemble.stop(ensemble.leader());          // lose a node; ensemble.start(i) brings it back
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

// Creates a fresh directory under $TMPDIR (or /tmp); removed by the destructor unless
// SLUICE_KEEP_TEST_DIRS is set.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "sluice-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A port on 127.0.0.1 that was free a moment ago.
int free_loopback_port();

// Asks a ZooKeeper server for its mode with the "srvr" four-letter word: "standalone",
// "leader", "follower", or "" when it does not answer.
std::string zk_mode(const std::string& host, int port,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

// One ZooKeeper server process (standalone or one peer of an ensemble).
class ZkProcess {
 public:
  // `config` is the zoo.cfg text; `dir` holds zoo.cfg, data/ and zookeeper.log.
  // `detached`: survive this process (for sluice-test-zk start); otherwise the server gets
  // SIGKILL if the test process dies without cleaning up.
  ZkProcess(std::string dir, std::string config, int client_port, bool detached = false);
  ~ZkProcess();  // stop()
  ZkProcess(const ZkProcess&) = delete;
  ZkProcess& operator=(const ZkProcess&) = delete;

  void start();
  // Waits until the server answers "srvr" with a mode; throws after `timeout`.
  void wait_serving(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // SIGTERM, then SIGKILL after 10 s; reaps the child. No-op when not running.
  void stop();
  void kill9();   // SIGKILL at once (a crash)
  void pause();   // SIGSTOP: the server stops answering, connections stay open
  void resume();  // SIGCONT
  // Forgets the process without stopping it (sluice-test-zk start leaves it running).
  pid_t release() { return std::exchange(pid_, -1); }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int client_port() const { return client_port_; }
  const std::string& dir() const { return dir_; }
  std::string log_tail(std::size_t bytes = 4000) const;

 private:
  std::string dir_;
  int client_port_;
  bool detached_;
  pid_t pid_ = -1;
  bool paused_ = false;
};

// zoo.cfg for a standalone server on 127.0.0.1:client_port keeping data in data_dir.
std::string standalone_config(const std::string& data_dir, int client_port, int tick_ms);

// A standalone ZooKeeper server (ZooKeeperServerMain), serving when constructed.
class ZkServer {
 public:
  // tick_ms sets ZooKeeper's tickTime: sessions may time out between 2 and 20 ticks.
  explicit ZkServer(int tick_ms = 250);
  ~ZkServer();
  std::string connect_string() const;  // "127.0.0.1:<port>"
  int port() const { return process_->client_port(); }
  ZkProcess& process() { return *process_; }
  // Stops and starts the same server (same port and data): sessions survive a short restart.
  void restart();

 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ZkProcess> process_;
};

// An ensemble of QuorumPeerMain servers on loopback, serving (with a leader) when constructed.
class ZkEnsemble {
 public:
  explicit ZkEnsemble(int size = 3, int tick_ms = 250);
  ~ZkEnsemble();
  int size() const { return static_cast<int>(nodes_.size()); }
  // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
  std::string connect_string() const;
  ZkProcess& node(int i) { return *nodes_.at(static_cast<std::size_t>(i)); }
  // Index of the current leader, -1 if none answers as leader.
  int leader() const;
  void stop(int i) { node(i).stop(); }
  void start(int i);  // restarts node i and waits until it serves
  // Waits until a running majority serves with one leader.
  void wait_quorum(std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

 private:
  std::unique_ptr<TempDir> dir_;
  std::vector<std::unique_ptr<ZkProcess>> nodes_;
};

}  // namespace sluice::test
