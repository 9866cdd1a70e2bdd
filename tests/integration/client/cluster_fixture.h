// A real three-broker Sluice cluster (one ZooKeeper server, brokers 1..3 as child processes)
// for the client's cluster tests. Brokers are stopped by pid when the fixture is destroyed,
// also when a test fails. One cluster per test suite (SetUpTestSuite) keeps the suite fast;
// tests use their own topics and groups so they do not see each other's data.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/broker_process.h"
#include "tests/support/zk_server.h"

namespace sluice::test {

class ThreeBrokerCluster {
 public:
  ThreeBrokerCluster();
  ~ThreeBrokerCluster();
  // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
  std::string bootstrap() const;
  std::vector<std::string> bootstrap_list() const;
  BrokerProcess& broker(int id) { return *brokers_.at(static_cast<std::size_t>(id - 1)); }
  // Restarts a broker stopped with stop()/kill9() (same id, port and log dir).
  void restart(int id);
  // A topic name unique in this process run ("<prefix>-<n>").
  static std::string unique_name(const std::string& prefix);

 private:
  void wait_until_every_broker_sees_all();

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ZkServer> zk_;
  std::vector<std::unique_ptr<BrokerProcess>> brokers_;
};

// Base for test suites sharing one cluster: ClusterTest::cluster().
class ClusterTest : public ::testing::Test {
 public:
  // A cluster that fails to start does not throw here: gtest would report the suite's tests
  // as skipped, which ctest counts as passed. cluster() throws instead, failing each test.
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  static ThreeBrokerCluster& cluster();

 private:
  static std::unique_ptr<ThreeBrokerCluster> cluster_;
  static std::string start_error_;
};

}  // namespace sluice::test
