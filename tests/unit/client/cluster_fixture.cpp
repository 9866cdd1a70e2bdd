// ThreeBrokerCluster: see cluster_fixture.h.
#include "tests/unit/client/cluster_fixture.h"

#include <unistd.h>

#include <atomic>
#include <map>
#include <stdexcept>

namespace sluice::test {

ThreeBrokerCluster::ThreeBrokerCluster()
    : dir_(std::make_unique<TempDir>("sluice-client-test")), zk_(std::make_unique<ZkServer>()) {
  // Replicated by default (as a production cluster would be) so leader-kill tests can fail
  // over; a short session timeout makes a killed broker's leadership move quickly.
  const std::map<std::string, std::string> env = {
      {"SLUICE_DEFAULT_REPLICATION_FACTOR", "3"},
      {"SLUICE_NUM_PARTITIONS", "3"},
      {"SLUICE_MIN_INSYNC_REPLICAS", "2"},
      {"SLUICE_OFFSETS_TOPIC_NUM_PARTITIONS", "6"},
  };
  for (int id = 1; id <= 3; ++id) {
    brokers_.push_back(std::make_unique<BrokerProcess>(id, zk_->connect_string() + "/sluice",
                                                       dir_->path() + "/b" + std::to_string(id), env));
  }
  for (auto& b : brokers_) b->start();
}

ThreeBrokerCluster::~ThreeBrokerCluster() {
  for (auto& b : brokers_) b->stop();
}

std::string ThreeBrokerCluster::bootstrap() const {
  std::string out;
  for (const auto& b : brokers_) out += (out.empty() ? "" : ",") + b->bootstrap();
  return out;
}

std::vector<std::string> ThreeBrokerCluster::bootstrap_list() const {
  std::vector<std::string> out;
  for (const auto& b : brokers_) out.push_back(b->bootstrap());
  return out;
}

void ThreeBrokerCluster::restart(int id) { broker(id).start(); }

std::string ThreeBrokerCluster::unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

std::unique_ptr<ThreeBrokerCluster> ClusterTest::cluster_;
std::string ClusterTest::start_error_;

void ClusterTest::SetUpTestSuite() {
  if (cluster_) return;
  try {
    cluster_ = std::make_unique<ThreeBrokerCluster>();
    start_error_.clear();
  } catch (const std::exception& e) {
    start_error_ = e.what();
  }
}

ThreeBrokerCluster& ClusterTest::cluster() {
  if (!cluster_) throw std::runtime_error("the test cluster did not start: " + start_error_);
  return *cluster_;
}

void ClusterTest::TearDownTestSuite() { cluster_.reset(); }

}  // namespace sluice::test
