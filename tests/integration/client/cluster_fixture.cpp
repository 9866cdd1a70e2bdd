// ThreeBrokerCluster: see cluster_fixture.h.
#include "tests/integration/client/cluster_fixture.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <stdexcept>
#include <thread>

#include "protocol/messages/metadata.h"
#include "tests/support/raw_client.h"

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
    brokers_.push_back(std::make_unique<BrokerProcess>(
        id, zk_->connect_string() + "/sluice", dir_->path() + "/b" + std::to_string(id), env));
  }
  for (auto& b : brokers_) b->start();
  wait_until_every_broker_sees_all();
}

// A broker learns of the brokers registered after it through a ZooKeeper watch: until then it
// would refuse a replication-factor-3 topic (INVALID_REPLICATION_FACTOR), so the cluster is
// handed to the tests only once every broker's Metadata lists all three.
void ThreeBrokerCluster::wait_until_every_broker_sees_all() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (auto& b : brokers_) {
    int32_t corr = 0;
    while (true) {
      std::size_t seen = 0;
      try {
        testing::RawClient client(static_cast<uint16_t>(b->port()));
        protocol::MetadataRequest request;
        protocol::ByteWriter body;
        protocol::encode(request, body, 1);
        client.send(3, 1, ++corr, body.bytes());
        if (auto reply = client.receive()) {
          protocol::ByteReader r(*reply);
          (void)r.read_i32();  // correlation id
          protocol::MetadataResponse response;
          if (protocol::decode(response, r, 1).ok()) seen = response.brokers.size();
        }
      } catch (const std::exception&) {
        // not accepting yet: ask again
      }
      if (seen == brokers_.size()) break;
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("broker " + b->bootstrap() + " still lists " +
                                 std::to_string(seen) + " brokers after 30 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
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
