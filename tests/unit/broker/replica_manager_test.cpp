// ReplicaManager without ZooKeeper or sockets: snapshots built by hand, a fake clock, an ISR
// writer that records what it is asked to write. Covers the leader's high watermark over the
// ISR, ISR shrink and expansion, min.insync.replicas, leader-epoch fencing, leadership only on
// states newer than our registration, follower appends and truncation by leader epoch.
#include "broker/replication/replica_manager.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "broker/config/broker_config.h"
#include "protocol/error_codes.h"
#include "protocol/record_batch.h"

namespace sluice::protocol {
// Failures name the error ("NOT_LEADER_OR_FOLLOWER") instead of dumping its bytes.
void PrintTo(KafkaErrc e, std::ostream* os) { *os << kafka_error_name(to_wire(e)); }
}  // namespace sluice::protocol

namespace sluice::broker::replication {
namespace {

using protocol::KafkaErrc;

// A temp dir removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-rm-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

protocol::Bytes batch(int records, int64_t base_offset = 0, int32_t epoch = -1) {
  protocol::RecordBatchBuilder builder(protocol::Compression::none, base_offset);
  if (epoch >= 0) builder.partition_leader_epoch(epoch);
  for (int i = 0; i < records; ++i)
    builder.add(std::nullopt, protocol::Bytes{'v'}, 1'700'000'000'000);
  return *builder.build();
}

class ReplicaManagerTest : public ::testing::Test {
 protected:
  static constexpr int64_t kRegisteredAt = 100;  // our registration's czxid

  void SetUp() override { start(1); }

  void start(int32_t broker_id, std::vector<std::string> extra = {}) {
    replicas_.reset();
    logs_.reset();
    config::BrokerConfig::Inputs in;
    in.overrides = {"broker.id=" + std::to_string(broker_id), "zookeeper.connect=127.0.0.1:2181",
                    "replica.lag.time.max.ms=10000"};
    for (auto& e : extra) in.overrides.push_back(e);
    config_ = std::make_unique<config::BrokerConfig>(*config::BrokerConfig::load(in));
    storage::LogManagerOptions o;
    o.log_dirs = {dir_.path() / ("broker-" + std::to_string(broker_id))};
    o.default_config = log_config_for(*config_, {});
    logs_ = *storage::LogManager::open(std::move(o));
    replicas_ = std::make_unique<ReplicaManager>(broker_id, *logs_, *config_, notifier_,
                                                 [this] { return now_; });
    replicas_->set_isr_writer([this](IsrUpdate u) { writes_.push_back(std::move(u)); });
    replicas_->set_followed_listener(
        [this](std::vector<FollowedPartition> f) { followed_ = std::move(f); });
  }

  // One topic "t" with partition 0 on replicas {1, 2}, state as given, written at `mzxid`.
  cluster::Snapshot snapshot(int32_t leader, std::vector<int32_t> isr, int32_t epoch = 0,
                             int64_t mzxid = kRegisteredAt + 1,
                             std::map<std::string, std::string> config = {}) {
    cluster::Snapshot s;
    for (int32_t id : {1, 2}) {
      coordination::znodes::BrokerRegistration reg;
      reg.id = id;
      reg.czxid = kRegisteredAt;
      s.brokers[id] = reg;
    }
    cluster::TopicInfo t;
    t.name = "t";
    t.config = std::move(config);
    cluster::PartitionInfo p;
    p.partition = 0;
    p.replicas = {1, 2};
    p.state = coordination::znodes::PartitionState{leader, epoch, isr, 1};
    p.state_zk_version = zk_version_++;
    p.state_mzxid = mzxid;
    t.partitions[0] = p;
    s.topics["t"] = t;
    return s;
  }

  ProduceOutcome produce(int records, int16_t acks = -1) {
    auto b = batch(records);
    return replicas_->append("t", 0, std::span<uint8_t>(b), acks);
  }

  FetchOutcome follower_fetch(int64_t offset, int32_t replica = 2, int32_t last_epoch = -1) {
    return replicas_->read("t", 0, offset, 1 << 20, -1, replica, true, last_epoch);
  }

  int64_t hw() { return follower_fetch(0, -1).high_watermark; }
  int64_t hw_of_follower() {
    return logs_->get_or_create({"t", 0}, log_config_for(*config_, {})).value()->high_watermark();
  }

  TempDir dir_;
  int64_t now_ = 1'000'000;
  int32_t zk_version_ = 0;
  AppendNotifier notifier_;
  std::unique_ptr<config::BrokerConfig> config_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replicas_;
  std::vector<IsrUpdate> writes_;
  std::vector<FollowedPartition> followed_;
};

TEST_F(ReplicaManagerTest, HighWatermarkWaitsForEveryIsrMember) {
  replicas_->apply_metadata(snapshot(1, {1, 2}));
  auto r = produce(3);
  ASSERT_EQ(r.error, KafkaErrc::none);
  EXPECT_EQ(r.last_offset, 2);
  EXPECT_EQ(hw(), 0);
  EXPECT_EQ(replicas_->replicated("t", 0, 2, 0), Replication::pending);

  follower_fetch(0);  // the follower has nothing yet
  EXPECT_EQ(hw(), 0);
  follower_fetch(2);  // has offsets 0 and 1
  EXPECT_EQ(hw(), 2);
  EXPECT_EQ(replicas_->replicated("t", 0, 2, 0), Replication::pending);
  follower_fetch(3);
  EXPECT_EQ(hw(), 3);
  EXPECT_EQ(replicas_->replicated("t", 0, 2, 0), Replication::done);
  EXPECT_TRUE(writes_.empty()) << "a follower in the ISR stays there";
}

// Found by tests/faults/session_expiry_test.py: a leader frozen past its session appended a
// record after waking, then became follower, truncated it and fetched the new leader's records
// at the same offsets — and its waiting acks=all produce saw the high watermark pass the
// offset and acknowledged a record that no longer existed.
TEST_F(ReplicaManagerTest, AcksAllIsNeverCompletedAfterLeadershipMoved) {
  replicas_->apply_metadata(snapshot(1, {1, 2}, 0));
  auto r = produce(1);
  ASSERT_EQ(r.error, KafkaErrc::none);
  EXPECT_EQ(r.leader_epoch, 0);
  EXPECT_EQ(replicas_->replicated("t", 0, r.last_offset, r.leader_epoch), Replication::pending);
  // Broker 2 leads now; we follow, and our high watermark moves past the offset with its data.
  replicas_->apply_metadata(snapshot(2, {2}, 1));
  storage::TopicPartition tp{"t", 0};
  EXPECT_EQ(replicas_->truncate_follower(tp, 1, {0, 0}).error, KafkaErrc::none);
  auto theirs = batch(3, 0, 1);
  ASSERT_EQ(replicas_->append_as_follower(tp, 1, std::span<uint8_t>(theirs), 3).error,
            KafkaErrc::none);
  EXPECT_EQ(hw_of_follower(), 3);
  EXPECT_EQ(replicas_->replicated("t", 0, r.last_offset, r.leader_epoch),
            Replication::leadership_lost);
  // Losing the session is losing leadership too.
  replicas_->apply_metadata(snapshot(1, {1}, 2));
  auto again = produce(1);
  replicas_->on_session_lost();
  EXPECT_EQ(replicas_->replicated("t", 0, again.last_offset, again.leader_epoch),
            Replication::leadership_lost);
}

TEST_F(ReplicaManagerTest, ConsumersReadOnlyBelowTheHighWatermark) {
  replicas_->apply_metadata(snapshot(1, {1, 2}));
  produce(3);
  auto consumer = replicas_->read("t", 0, 0, 1 << 20, -1, -1, true);
  EXPECT_EQ(consumer.error, KafkaErrc::none);
  EXPECT_EQ(consumer.records.length, 0) << "nothing is committed yet";
  auto follower = follower_fetch(0);
  EXPECT_GT(follower.records.length, 0) << "followers read up to the log end";
}

TEST_F(ReplicaManagerTest, LaggingFollowerLeavesTheIsrOnlyOnceTheWriteSucceeds) {
  replicas_->apply_metadata(snapshot(1, {1, 2}));
  produce(5);
  follower_fetch(0);
  now_ += 5'000;
  replicas_->check_isr_lag();
  EXPECT_TRUE(writes_.empty()) << "not yet lagging for replica.lag.time.max.ms";
  now_ += 6'000;
  replicas_->check_isr_lag();
  ASSERT_EQ(writes_.size(), 1u);
  EXPECT_EQ(writes_[0].state.isr, (std::vector<int32_t>{1}));
  EXPECT_EQ(writes_[0].state.leader, 1);
  EXPECT_EQ(hw(), 0) << "until ZooKeeper has the smaller ISR, the follower still counts";
  replicas_->check_isr_lag();
  EXPECT_EQ(writes_.size(), 1u) << "one ISR change in flight at a time";

  replicas_->isr_write_done(writes_[0], writes_[0].zk_version + 1);
  EXPECT_EQ(hw(), 5);
}

TEST_F(ReplicaManagerTest, FailedIsrWriteKeepsTheIsr) {
  replicas_->apply_metadata(snapshot(1, {1, 2}));
  produce(5);
  now_ += 20'000;
  replicas_->check_isr_lag();
  ASSERT_EQ(writes_.size(), 1u);
  replicas_->isr_write_failed(writes_[0]);
  EXPECT_EQ(hw(), 0) << "a leader that cannot write the ISR cannot shrink its way to committing";
  replicas_->check_isr_lag();
  EXPECT_EQ(writes_.size(), 2u) << "and tries again";
}

TEST_F(ReplicaManagerTest, CaughtUpFollowerJoinsTheIsr) {
  replicas_->apply_metadata(snapshot(1, {1}));
  produce(4);
  EXPECT_EQ(hw(), 4);
  follower_fetch(2);
  EXPECT_TRUE(writes_.empty()) << "behind the high watermark";
  follower_fetch(4);
  ASSERT_EQ(writes_.size(), 1u);
  EXPECT_EQ(writes_[0].state.isr, (std::vector<int32_t>{1, 2}));
}

TEST_F(ReplicaManagerTest, FollowerInAControlledShutdownDoesNotRejoinTheIsr) {
  // KIP-841: the controller took broker 2 out of the ISR because it is shutting down; its
  // fetcher still runs and is caught up, but the leader must not undo the controller's move.
  auto leaving = snapshot(1, {1, 2});
  replicas_->apply_metadata(leaving);
  EXPECT_EQ(replicas_->leading_movable(), 1u) << "broker 2 could take over";
  leaving = snapshot(1, {1});
  leaving.shutting_down = {2};
  replicas_->apply_metadata(leaving);
  EXPECT_EQ(replicas_->leading_movable(), 0u);
  produce(4);
  follower_fetch(4);
  follower_fetch(4);
  EXPECT_TRUE(writes_.empty()) << "a broker in a controlled shutdown was proposed for the ISR";
  // An ISR whose only other member is leaving offers nobody to move to either.
  auto both = snapshot(1, {1, 2});
  both.shutting_down = {2};
  replicas_->apply_metadata(both);
  EXPECT_EQ(replicas_->leading_movable(), 0u);
  // Nor does one whose other member is no longer registered (the last broker of a cluster
  // stopping: the controller keeps the dead broker in its ISR rather than go offline).
  auto alone = snapshot(1, {1, 2});
  alone.brokers.erase(2);
  replicas_->apply_metadata(alone);
  EXPECT_EQ(replicas_->leading_movable(), 0u);
  // Back after its restart (the marker is an ephemeral of the old session): it rejoins.
  replicas_->apply_metadata(snapshot(1, {1}));
  follower_fetch(4);
  ASSERT_EQ(writes_.size(), 1u);
  EXPECT_EQ(writes_[0].state.isr, (std::vector<int32_t>{1, 2}));
}

TEST_F(ReplicaManagerTest, AcksAllNeedsMinInsyncReplicas) {
  replicas_->apply_metadata(snapshot(1, {1}, 0, kRegisteredAt + 1, {{"min.insync.replicas", "2"}}));
  auto all = produce(1, -1);
  EXPECT_EQ(all.error, KafkaErrc::not_enough_replicas);
  EXPECT_FALSE(all.error_message.empty());
  auto one = produce(1, 1);
  EXPECT_EQ(one.error, KafkaErrc::none);
  EXPECT_EQ(one.base_offset, 0);
}

TEST_F(ReplicaManagerTest, IsrShrinkingBelowMinInsyncFailsTheWaitingAcksAll) {
  replicas_->apply_metadata(
      snapshot(1, {1, 2}, 0, kRegisteredAt + 1, {{"min.insync.replicas", "2"}}));
  auto r = produce(2);
  ASSERT_EQ(r.error, KafkaErrc::none);
  now_ += 20'000;
  replicas_->check_isr_lag();
  ASSERT_EQ(writes_.size(), 1u);
  replicas_->isr_write_done(writes_[0], writes_[0].zk_version + 1);
  EXPECT_EQ(hw(), 2) << "the leader alone is the ISR now";
  EXPECT_EQ(replicas_->replicated("t", 0, r.last_offset, r.leader_epoch),
            Replication::too_few_replicas);
  EXPECT_EQ(produce(1).error, KafkaErrc::not_enough_replicas);
}

TEST_F(ReplicaManagerTest, StaleAndFutureLeaderEpochsAreFenced) {
  replicas_->apply_metadata(snapshot(1, {1, 2}, 5));
  EXPECT_EQ(replicas_->read("t", 0, 0, 100, 4, -1, true).error, KafkaErrc::fenced_leader_epoch);
  EXPECT_EQ(replicas_->read("t", 0, 0, 100, 6, -1, true).error, KafkaErrc::unknown_leader_epoch);
  EXPECT_EQ(replicas_->read("t", 0, 0, 100, 5, -1, true).error, KafkaErrc::none);
  EXPECT_EQ(replicas_->offset_for_leader_epoch("t", 0, 4, 5).error, KafkaErrc::fenced_leader_epoch);
}

TEST_F(ReplicaManagerTest, DoesNotLeadOnAStateOlderThanItsRegistration) {
  replicas_->apply_metadata(snapshot(1, {1, 2}, 3, kRegisteredAt - 1));
  EXPECT_EQ(produce(1, 1).error, KafkaErrc::not_leader_or_follower);
  EXPECT_TRUE(followed_.empty()) << "and does not fetch from itself";
  EXPECT_EQ(replicas_->leading(), 0u);
  // The controller elects again (a newer state): now it leads.
  replicas_->apply_metadata(snapshot(1, {1, 2}, 4, kRegisteredAt + 5));
  EXPECT_EQ(produce(1, 1).error, KafkaErrc::none);
  EXPECT_EQ(replicas_->leading(), 1u);
}

TEST_F(ReplicaManagerTest, LostSessionFencesUntilTheNextView) {
  replicas_->apply_metadata(snapshot(1, {1}));
  replicas_->on_session_lost();
  EXPECT_EQ(produce(1, 1).error, KafkaErrc::not_leader_or_follower);
  replicas_->apply_metadata(snapshot(1, {1}));
  EXPECT_EQ(produce(1, 1).error, KafkaErrc::none);
}

TEST_F(ReplicaManagerTest, NewLeaderEpochStartsInTheEpochCache) {
  replicas_->apply_metadata(snapshot(1, {1}, 0));
  produce(3);
  replicas_->apply_metadata(snapshot(1, {1}, 2));
  produce(2);
  auto e0 = replicas_->offset_for_leader_epoch("t", 0, -1, 0);
  EXPECT_EQ(e0.error, KafkaErrc::none);
  EXPECT_EQ(e0.leader_epoch, 0);
  EXPECT_EQ(e0.offset, 3);
  auto e1 = replicas_->offset_for_leader_epoch("t", 0, -1, 1);  // never used: ends where 2 starts
  EXPECT_EQ(e1.leader_epoch, 0);
  EXPECT_EQ(e1.offset, 3);
  auto e2 = replicas_->offset_for_leader_epoch("t", 0, -1, 2);
  EXPECT_EQ(e2.leader_epoch, 2);
  EXPECT_EQ(e2.offset, 5);
}

TEST_F(ReplicaManagerTest, FollowerWithADivergingEpochIsToldWhereToTruncate) {
  replicas_->apply_metadata(snapshot(1, {1, 2}, 0));
  produce(3);
  replicas_->apply_metadata(snapshot(1, {1, 2}, 2));
  produce(2);
  // The follower fetched epoch 1 records up to offset 6 (from a leader that lost them).
  auto r = follower_fetch(6, 2, 1);
  ASSERT_TRUE(r.diverging_epoch.has_value());
  EXPECT_EQ(r.diverging_epoch->epoch, 0);
  EXPECT_EQ(r.diverging_epoch->end_offset, 3);
  EXPECT_EQ(r.records.length, 0);
  // In step: no divergence.
  EXPECT_FALSE(follower_fetch(5, 2, 2).diverging_epoch.has_value());
}

class FollowerTest : public ReplicaManagerTest {
 protected:
  void SetUp() override { start(2); }
};

TEST_F(FollowerTest, AppendsTheLeadersBatchesAndTruncatesByLeaderEpoch) {
  replicas_->apply_metadata(snapshot(1, {1, 2}, 3));
  ASSERT_EQ(followed_.size(), 1u);
  EXPECT_EQ(followed_[0].leader_id, 1);
  EXPECT_EQ(followed_[0].leader_epoch, 3);
  storage::TopicPartition tp{"t", 0};

  auto first = batch(3, 0, 1);   // offsets 0-2 from epoch 1
  auto second = batch(2, 3, 2);  // offsets 3-4 from epoch 2
  auto third = batch(2, 5, 2);   // offsets 5-6 from epoch 2
  ASSERT_EQ(replicas_->append_as_follower(tp, 3, std::span<uint8_t>(first), 2).error,
            KafkaErrc::none);
  ASSERT_EQ(replicas_->append_as_follower(tp, 3, std::span<uint8_t>(second), 4).error,
            KafkaErrc::none);
  ASSERT_EQ(replicas_->append_as_follower(tp, 3, std::span<uint8_t>(third), 4).error,
            KafkaErrc::none);
  auto pos = replicas_->follower_position(tp, 3);
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->log_end_offset, 7);
  EXPECT_EQ(pos->latest_epoch, 2);
  EXPECT_EQ(produce(1, 1).error, KafkaErrc::not_leader_or_follower) << "followers take no produce";

  // The leader says epoch 2 ended at 5 there: our 5 and 6 go.
  EXPECT_EQ(replicas_->truncate_follower(tp, 3, {2, 5}).error, KafkaErrc::none);
  EXPECT_EQ(replicas_->follower_position(tp, 3)->log_end_offset, 5);
  // A leader that never had epoch 2 answers with epoch 1 ending at 3 (KIP-279): we cut
  // where our epoch 1 ends, which is also 3.
  EXPECT_EQ(replicas_->truncate_follower(tp, 3, {1, 3}).error, KafkaErrc::none);
  EXPECT_EQ(replicas_->follower_position(tp, 3)->log_end_offset, 3);
  EXPECT_EQ(replicas_->follower_position(tp, 3)->latest_epoch, 1);
  // Inside a batch, the whole batch goes (it is fetched again): never keep past the point.
  EXPECT_EQ(replicas_->truncate_follower(tp, 3, {1, 1}).error, KafkaErrc::none);
  EXPECT_LE(replicas_->follower_position(tp, 3)->log_end_offset, 1);

  // A stale epoch is refused: the fetcher works for a leadership that has moved on.
  EXPECT_NE(replicas_->append_as_follower(tp, 2, std::span<uint8_t>(first), 0).error,
            KafkaErrc::none);
  EXPECT_FALSE(replicas_->follower_position(tp, 2).has_value());
}

}  // namespace
}  // namespace sluice::broker::replication
