// Cluster (metadata cache, connections, coordinators) against a real three-broker cluster.
#include "client/src/cluster.h"

#include <gtest/gtest.h>

#include "client/src/runtime.h"
#include "protocol/error_codes.h"
#include "tests/integration/client/cluster_fixture.h"

namespace sluice::client::detail {
namespace {

class ClusterCore : public test::ClusterTest {
 protected:
  ClientConfig config() {
    ClientConfig c;
    c.bootstrap_servers = cluster().bootstrap_list();
    c.request_timeout = std::chrono::milliseconds(10000);
    return c;
  }
};

awaitable<Result<int>> close_cluster(std::shared_ptr<Cluster> c) {
  c->close();
  co_return 0;
}

TEST_F(ClusterCore, MetadataListsEveryBrokerAndAutoCreatesTopics) {
  Runtime rt;
  auto c = std::make_shared<Cluster>(rt.executor(), config());
  const std::string name = test::ThreeBrokerCluster::unique_name("core");
  // Without auto-creation an unknown topic is reported as such, not as a failure.
  auto unknown =
      rt.block_on<std::shared_ptr<const TopicMetadata>>([&] { return c->topic(name, false); });
  ASSERT_TRUE(unknown) << unknown.error().to_string();
  EXPECT_EQ((*unknown)->error_code,
            static_cast<int16_t>(protocol::KafkaErrc::unknown_topic_or_partition));
  // With it, the topic appears with 3 partitions (the cluster's num.partitions), each with
  // a leader once the controller has elected one.
  std::shared_ptr<const TopicMetadata> topic;
  for (int i = 0; i < 100; ++i) {
    auto r =
        rt.block_on<std::shared_ptr<const TopicMetadata>>([&] { return c->topic(name, true); });
    ASSERT_TRUE(r) << r.error().to_string();
    topic = *r;
    bool led = topic->error_code == 0 && topic->partitions.size() == 3 &&
               std::all_of(topic->partitions.begin(), topic->partitions.end(),
                           [](const PartitionMetadata& p) { return p.leader >= 1; });
    if (led) break;
    c->invalidate(name);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(topic->partitions.size(), 3u);
  for (const auto& p : topic->partitions) {
    EXPECT_GE(p.leader, 1);
    EXPECT_EQ(p.replicas.size(), 3u);
  }
  EXPECT_EQ(c->brokers().size(), 3u);
  EXPECT_GE(c->controller_id(), 1);
  EXPECT_TRUE(c->cluster_id().has_value());
  // A connection to each partition leader by node id.
  for (const auto& p : topic->partitions) {
    auto conn = rt.block_on<std::shared_ptr<Connection>>([&] { return c->broker(p.leader); });
    ASSERT_TRUE(conn) << conn.error().to_string();
    EXPECT_EQ((*conn)->address().node_id, p.leader);
  }
  rt.block_on<int>([c] { return close_cluster(c); }).value();
}

TEST_F(ClusterCore, FindsTheGroupCoordinator) {
  Runtime rt;
  auto c = std::make_shared<Cluster>(rt.executor(), config());
  auto conn =
      rt.block_on<std::shared_ptr<Connection>>([&] { return c->coordinator("core-group"); });
  ASSERT_TRUE(conn) << conn.error().to_string();
  EXPECT_GE((*conn)->address().node_id, 1);
  // Cached: the same connection again.
  auto again =
      rt.block_on<std::shared_ptr<Connection>>([&] { return c->coordinator("core-group"); });
  ASSERT_TRUE(again);
  EXPECT_EQ(conn->get(), again->get());
  rt.block_on<int>([c] { return close_cluster(c); }).value();
}

TEST_F(ClusterCore, ABootstrapListWithADeadServerStillWorks) {
  Runtime rt;
  auto cfg = config();
  cfg.bootstrap_servers.insert(cfg.bootstrap_servers.begin(), "127.0.0.1:1");
  cfg.connect_timeout = std::chrono::milliseconds(1000);
  auto c = std::make_shared<Cluster>(rt.executor(), cfg);
  for (int i = 0; i < 5; ++i) {
    auto st = rt.block_on<int>([&]() -> awaitable<Result<int>> {
      std::vector<std::string> none;
      auto s = co_await c->refresh(std::move(none));
      if (!s) co_return std::move(s).error();
      co_return 0;
    });
    ASSERT_TRUE(st) << st.error().to_string();
  }
  EXPECT_EQ(c->brokers().size(), 3u);
  rt.block_on<int>([c] { return close_cluster(c); }).value();
}

}  // namespace
}  // namespace sluice::client::detail
