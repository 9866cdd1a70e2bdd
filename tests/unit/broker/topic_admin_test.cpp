// Replica assignment and CreateTopics validation, without ZooKeeper.
#include "broker/cluster/topic_admin.h"

#include <gtest/gtest.h>

#include <set>

#include "broker/config/broker_config.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace sluice::broker::cluster {
namespace {

using protocol::KafkaErrc;

TEST(PlanAssignment, SpreadsLeadersAndReplicasEvenly) {
  std::mt19937 rng(42);
  auto a = plan_assignment({{1, {}}, {2, {}}, {3, {}}}, 6, 3, 0, rng);
  ASSERT_EQ(a.size(), 6u);
  std::map<int32_t, int> leaders, replicas;
  for (auto& [p, r] : a) {
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(std::set<int32_t>(r.begin(), r.end()).size(), 3u) << "duplicate replica in " << p;
    ++leaders[r[0]];
    for (int32_t b : r) ++replicas[b];
  }
  for (int32_t b : {1, 2, 3}) {
    EXPECT_EQ(leaders[b], 2) << "broker " << b;
    EXPECT_EQ(replicas[b], 6);
  }
}

TEST(PlanAssignment, PutsReplicasOnDistinctRacks) {
  std::mt19937 rng(7);
  auto a =
      plan_assignment({{1, "a"}, {2, "a"}, {3, "b"}, {4, "b"}, {5, "c"}, {6, "c"}}, 12, 3, 0, rng);
  std::map<int32_t, std::string> rack = {{1, "a"}, {2, "a"}, {3, "b"},
                                         {4, "b"}, {5, "c"}, {6, "c"}};
  for (auto& [p, r] : a) {
    std::set<std::string> racks;
    for (int32_t b : r) racks.insert(rack[b]);
    EXPECT_EQ(racks.size(), 3u) << "partition " << p;
  }
}

TEST(PlanAssignment, NumbersNewPartitionsAfterExistingOnes) {
  std::mt19937 rng(1);
  auto a = plan_assignment({{1, {}}, {2, {}}}, 2, 2, 3, rng);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.begin()->first, 3);
  EXPECT_EQ(a.rbegin()->first, 4);
}

class PrepareTopic : public ::testing::Test {
 protected:
  PrepareTopic() {
    config::BrokerConfig::Inputs in;
    in.overrides = {"broker.id=1", "zookeeper.connect=127.0.0.1:2181", "num.partitions=3"};
    config = std::move(config::BrokerConfig::load(in)).value();
    for (int32_t id : {1, 2}) {
      coordination::znodes::BrokerRegistration reg;
      reg.id = id;
      snapshot.brokers[id] = reg;
    }
    snapshot.topics["exists"] = TopicInfo{"exists", "", {}, {}};
  }
  KafkaErrc code(TopicCreation t) {
    auto e = prepare_new_topic(t, snapshot, config, rng);
    return e ? e->code : KafkaErrc::none;
  }
  config::BrokerConfig config;
  Snapshot snapshot;
  std::mt19937 rng{3};
};

TEST_F(PrepareTopic, FillsDefaultsAndPlans) {
  TopicCreation t{.name = "orders"};
  ASSERT_FALSE(prepare_new_topic(t, snapshot, config, rng).has_value());
  EXPECT_EQ(t.num_partitions, 3);
  EXPECT_EQ(t.replication_factor, 1);
  EXPECT_EQ(t.assignment.size(), 3u);
}

TEST_F(PrepareTopic, RejectsWhatKafkaRejects) {
  EXPECT_EQ(code({.name = "bad name"}), KafkaErrc::invalid_topic_exception);
  EXPECT_EQ(code({.name = "exists"}), KafkaErrc::topic_already_exists);
  EXPECT_EQ(code({.name = "t", .num_partitions = 0}), KafkaErrc::invalid_partitions);
  EXPECT_EQ(code({.name = "t", .replication_factor = 3}), KafkaErrc::invalid_replication_factor);
  EXPECT_EQ(code({.name = "t", .configs = {{"retention.ms", "x"}}}), KafkaErrc::invalid_config);
  EXPECT_EQ(code({.name = "t", .assignment = {{0, {1, 9}}}}),
            KafkaErrc::invalid_replica_assignment);
  EXPECT_EQ(code({.name = "t", .assignment = {{0, {1, 1}}}}),
            KafkaErrc::invalid_replica_assignment);
  EXPECT_EQ(code({.name = "t", .assignment = {{1, {1}}}}), KafkaErrc::invalid_replica_assignment);
  EXPECT_EQ(code({.name = "t", .assignment = {{0, {1, 2}}, {1, {2, 1}}}}), KafkaErrc::none);
}

// The text written into /brokers/topics/<t> must be the canonical form of 16 bytes: the same
// id Metadata returns (it decodes the text and re-encodes the bytes), so the last of the 22
// characters carries 4 zero padding bits (one of A, Q, g, w).
TEST(RandomTopicId, IsCanonicalBase64Of16RandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = random_topic_id();
    ASSERT_EQ(id.size(), 22u) << id;
    auto bytes = protocol::Uuid::from_base64(id);
    ASSERT_TRUE(bytes.has_value()) << id;
    EXPECT_EQ(bytes->to_base64(), id);
    EXPECT_FALSE(bytes->is_zero());
    EXPECT_NE(std::string("AQgw").find(id.back()), std::string::npos) << id;
    EXPECT_NE(id.front(), '-') << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

}  // namespace
}  // namespace sluice::broker::cluster
