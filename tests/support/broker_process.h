// Real sluice-broker processes for integration, compatibility and fault tests: started with
// environment-variable configuration (as the compose file does), on a free loopback port
// with their own log dir, and stopped by pid (SIGTERM, or SIGKILL for crash tests).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>

namespace sluice::test {

// Path of the sluice-broker binary of this build (set by CMake), or $SLUICE_BROKER_BIN.
std::string broker_binary();

class BrokerProcess {
 public:
  // `env` adds or overrides SLUICE_* variables (e.g. {"SLUICE_NUM_PARTITIONS", "3"}).
  BrokerProcess(int32_t id, std::string zk_connect, std::string dir,
                std::map<std::string, std::string> env = {});
  ~BrokerProcess();  // stop()
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // Starts and waits until the listener accepts connections; throws with the log tail if
  // the process exits or does not listen within the timeout. The port was free when chosen,
  // but a test running in parallel may bind it first: a first start that finds it taken
  // moves to another port (restarts keep theirs).
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM and wait (clean shutdown); SIGKILL after 20 s. Returns the exit status.
  int stop();
  void kill9();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& log_dir() const { return log_dir_; }
  std::string log_tail(std::size_t bytes = 6000) const;

 private:
  int32_t id_;
  std::string zk_connect_;
  std::string dir_;
  std::string log_dir_;
  std::map<std::string, std::string> env_;
  void start_once(std::chrono::milliseconds timeout);

  int port_;
  bool started_before_ = false;
  pid_t pid_ = -1;
};

}  // namespace sluice::test
