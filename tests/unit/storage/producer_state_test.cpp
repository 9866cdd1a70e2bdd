// Idempotent producers: the producer state on its own (sequences, epochs, the cache of five
// batches, truncation) and through PartitionLog (retries answered with the original offsets,
// Kafka's errors, follower appends, rebuilding after reopen and truncation).
#include "broker/storage/producer_state.h"

#include <gtest/gtest.h>

#include <limits>

#include "batch_test_util.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/storage_error.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using protocol::Bytes;
using protocol::KafkaErrc;
using testing::decode_batches;
using testing::FakeClock;
using testing::region_bytes;
using testing::TempDir;

constexpr int64_t kPid = 4000;

// The header of a batch of `count` records by producer `pid`, as parse_batches gives it to
// the producer state (offsets from `base_offset`).
BatchInfo batch(int16_t epoch, int32_t first_seq, int32_t count, int64_t base_offset = 0,
                int64_t pid = kPid) {
  BatchInfo info;
  info.base_offset = base_offset;
  info.last_offset = base_offset + count - 1;
  info.records_count = count;
  info.max_timestamp = 1000 + base_offset;
  info.producer_id = pid;
  info.producer_epoch = epoch;
  info.base_sequence = first_seq;
  return info;
}

StorageErrc errc(const Error& e) { return static_cast<StorageErrc>(e.code().value()); }

// ---- the state on its own ----

TEST(ProducerState, ANewProducerMustStartAtSequenceZero) {
  ProducerStateMap state;
  auto first = state.check(batch(0, 0, 3));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
  auto later = state.check(batch(0, 7, 3));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(errc(later.error()), StorageErrc::unknown_producer_id);
  EXPECT_EQ(to_kafka_errc(StorageErrc::unknown_producer_id), KafkaErrc::unknown_producer_id);
}

TEST(ProducerState, BatchesWithoutProducerIdAlwaysPass) {
  ProducerStateMap state;
  BatchInfo plain;
  plain.last_offset = 4;
  auto checked = state.check(plain);
  ASSERT_TRUE(checked.ok());
  EXPECT_FALSE(checked->has_value());
  state.update(plain);
  EXPECT_EQ(state.size(), 0u);
}

TEST(ProducerState, RejectsAProducerIdWithoutSequence) {
  ProducerStateMap state;
  auto checked = state.check(batch(0, -1, 1));
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(errc(checked.error()), StorageErrc::invalid_records);
}

TEST(ProducerState, RecognisesRetriesOfTheLastFiveBatches) {
  ProducerStateMap state;
  // Seven batches of two records: sequences 0-1, 2-3, ..., 12-13 at offsets 100-101, ...
  for (int i = 0; i < 7; ++i) state.update(batch(0, 2 * i, 2, 100 + 2 * i));
  ASSERT_NE(state.find(kPid), nullptr);
  EXPECT_EQ(state.find(kPid)->batches.size(), kProducerBatchesCached);
  for (int i = 2; i < 7; ++i) {
    auto retry = state.check(batch(0, 2 * i, 2));
    ASSERT_TRUE(retry.ok()) << retry.error().to_string();
    ASSERT_TRUE(retry->has_value()) << "batch " << i;
    EXPECT_EQ((*retry)->first_offset, 100 + 2 * i);
    EXPECT_EQ((*retry)->last_offset, 101 + 2 * i);
    EXPECT_EQ((*retry)->timestamp, 1100 + 2 * i);
  }
  // Older than the cache: not recognised, and out of order.
  auto old = state.check(batch(0, 2, 2));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(errc(old.error()), StorageErrc::out_of_order_sequence);
  // The same first sequence with another length is not the same batch.
  auto other = state.check(batch(0, 12, 1));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(errc(other.error()), StorageErrc::out_of_order_sequence);
  // The next one goes on.
  auto next = state.check(batch(0, 14, 5));
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

TEST(ProducerState, RefusesGapsAndRewinds) {
  ProducerStateMap state;
  state.update(batch(0, 0, 5, 0));
  auto gap = state.check(batch(0, 6, 1));
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(errc(gap.error()), StorageErrc::out_of_order_sequence);
  EXPECT_EQ(to_kafka_errc(errc(gap.error())), KafkaErrc::out_of_order_sequence_number);
  auto rewind = state.check(batch(0, 3, 2));
  ASSERT_FALSE(rewind.ok());
  EXPECT_EQ(errc(rewind.error()), StorageErrc::out_of_order_sequence);
  EXPECT_TRUE(state.check(batch(0, 5, 1)).ok());
}

TEST(ProducerState, FencesOlderEpochsAndStartsNewEpochsAtZero) {
  ProducerStateMap state;
  state.update(batch(3, 0, 2, 0));
  auto older = state.check(batch(2, 2, 1));
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(errc(older.error()), StorageErrc::invalid_producer_epoch);
  EXPECT_EQ(to_kafka_errc(errc(older.error())), KafkaErrc::invalid_producer_epoch);
  auto newer_not_zero = state.check(batch(4, 2, 1));
  ASSERT_FALSE(newer_not_zero.ok());
  EXPECT_EQ(errc(newer_not_zero.error()), StorageErrc::out_of_order_sequence);
  auto newer = state.check(batch(4, 0, 1));
  ASSERT_TRUE(newer.ok());
  EXPECT_FALSE(newer->has_value());
  // A new epoch forgets the old one's batches: their retries are fenced.
  state.update(batch(4, 0, 1, 2));
  EXPECT_EQ(state.find(kPid)->epoch, 4);
  EXPECT_EQ(state.find(kPid)->batches.size(), 1u);
  auto retry_old = state.check(batch(3, 0, 2));
  ASSERT_FALSE(retry_old.ok());
  EXPECT_EQ(errc(retry_old.error()), StorageErrc::invalid_producer_epoch);
}

TEST(ProducerState, SequencesWrapPastIntMax) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  BatchInfo wrapping = batch(0, kMax - 1, 4, 10);
  EXPECT_EQ(last_sequence(wrapping), 1);
  ProducerStateMap state;
  state.update(batch(0, kMax - 2, 3, 0));  // ends at INT32_MAX
  auto next = state.check(batch(0, 0, 2));
  ASSERT_TRUE(next.ok()) << next.error().to_string();
  EXPECT_FALSE(next->has_value());
}

TEST(ProducerState, ProducersAreIndependent) {
  ProducerStateMap state;
  state.update(batch(0, 0, 1, 0, 1));
  state.update(batch(0, 0, 1, 1, 2));
  EXPECT_EQ(state.size(), 2u);
  auto retry = state.check(batch(0, 0, 1, 0, 2));
  ASSERT_TRUE(retry.ok());
  ASSERT_TRUE(retry->has_value());
  EXPECT_EQ((*retry)->first_offset, 1);
}

TEST(ProducerState, TruncationDropsBatchesAndAsksForARebuildWhenAProducerLostThemAll) {
  ProducerStateMap state;
  state.update(batch(0, 0, 2, 0, 1));   // offsets 0-1
  state.update(batch(0, 0, 2, 2, 2));   // offsets 2-3
  state.update(batch(0, 2, 2, 4, 1));   // offsets 4-5
  EXPECT_TRUE(state.truncate_from(4));  // producer 1 keeps its first batch
  EXPECT_EQ(state.find(1)->batches.size(), 1u);
  EXPECT_EQ(state.find(1)->batches.back().last_seq, 1);
  EXPECT_TRUE(state.check(batch(0, 2, 2, 0, 1)).ok());
  EXPECT_FALSE(state.truncate_from(2));  // producer 2 lost everything it had cached
  EXPECT_EQ(state.find(2), nullptr);
  EXPECT_TRUE(state.truncate_from(100));
}

// ---- through PartitionLog ----

Bytes producer_batch(int16_t epoch, int32_t first_seq, int count, int64_t pid = kPid,
                     int64_t base_offset = 0, int32_t leader_epoch = -1) {
  protocol::RecordBatchBuilder builder(protocol::Compression::none, base_offset);
  builder.producer(pid, epoch, first_seq).partition_leader_epoch(leader_epoch);
  for (int i = 0; i < count; ++i) {
    std::string value = "s" + std::to_string(first_seq + i);
    builder.add(protocol::Bytes{}, protocol::Bytes(value.begin(), value.end()), 1000 + i, {});
  }
  auto built = builder.build();
  EXPECT_TRUE(built.ok());
  return built.ok() ? std::move(built).value() : Bytes{};
}

class IdempotentLogTest : public ::testing::Test {
 protected:
  IdempotentLogTest() { env_.clock = clock_.fn(); }

  std::shared_ptr<PartitionLog> open_log(bool clean = true) {
    LogLoadOptions load;
    load.had_clean_shutdown = clean;
    auto log = PartitionLog::open(dir_ / "orders-0", {"orders", 0}, config_, env_, load);
    EXPECT_TRUE(log.ok()) << log.error().to_string();
    return log.ok() ? *log : nullptr;
  }

  Result<AppendInfo> append(PartitionLog& log, int16_t epoch, int32_t first_seq, int count,
                            int64_t pid = kPid) {
    Bytes bytes = producer_batch(epoch, first_seq, count, pid);
    return log.append(bytes, 0);
  }

  // Values of every record in the log, in offset order.
  std::vector<std::string> values(const PartitionLog& log) {
    std::vector<std::string> out;
    auto read = log.read(log.log_start_offset(), {.max_bytes = 1 << 20});
    EXPECT_TRUE(read.ok());
    if (!read.ok()) return out;
    for (const auto& b : decode_batches(region_bytes(read->region))) {
      for (const auto& r : b.records) out.push_back(r.value.value_or("null"));
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  LogConfig config_;
  LogEnv env_;
};

TEST_F(IdempotentLogTest, ARetriedBatchIsAnsweredWithItsOriginalOffsetsAndNotAppendedAgain) {
  auto log = open_log();
  Bytes plain = testing::simple_batch(2);  // no producer id: offsets 0-1
  ASSERT_TRUE(log->append(plain, 0).ok());
  auto first = append(*log, 0, 0, 3);  // offsets 2-4
  ASSERT_TRUE(first.ok());
  auto second = append(*log, 0, 3, 2);  // offsets 5-6
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(first->duplicate);

  auto retry = append(*log, 0, 0, 3);
  ASSERT_TRUE(retry.ok()) << retry.error().to_string();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_offset, 2);
  EXPECT_EQ(retry->last_offset, 4);
  EXPECT_EQ(retry->log_append_time, -1);
  EXPECT_EQ(log->log_end_offset(), 7);
  EXPECT_EQ(values(*log), (std::vector<std::string>{"v0", "v1", "s0", "s1", "s2", "s3", "s4"}));

  auto next = append(*log, 0, 5, 1);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->duplicate);
  EXPECT_EQ(next->first_offset, 7);
}

TEST_F(IdempotentLogTest, RefusesOutOfOrderFencedAndUnknownProducersWithoutAppending) {
  auto log = open_log();
  ASSERT_TRUE(append(*log, 1, 0, 2).ok());
  auto gap = append(*log, 1, 3, 1);
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(errc(gap.error()), StorageErrc::out_of_order_sequence);
  auto fenced = append(*log, 0, 2, 1);
  ASSERT_FALSE(fenced.ok());
  EXPECT_EQ(errc(fenced.error()), StorageErrc::invalid_producer_epoch);
  auto unknown = append(*log, 0, 9, 1, kPid + 1);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(errc(unknown.error()), StorageErrc::unknown_producer_id);
  EXPECT_EQ(log->log_end_offset(), 2);
  EXPECT_FALSE(log->offline());
  // The producer carries on where it was.
  ASSERT_TRUE(append(*log, 1, 2, 1).ok());
  EXPECT_EQ(log->log_end_offset(), 3);
}

TEST_F(IdempotentLogTest, AnIdempotentBatchMustBeAloneInItsAppend) {
  auto log = open_log();
  Bytes two = producer_batch(0, 0, 1);
  Bytes more = producer_batch(0, 1, 1);
  two.insert(two.end(), more.begin(), more.end());
  auto appended = log->append(two, 0);
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(errc(appended.error()), StorageErrc::invalid_records);
  EXPECT_EQ(log->log_end_offset(), 0);
}

TEST_F(IdempotentLogTest, LogAppendTimeRetriesGetTheOriginalAppendTime) {
  config_.log_append_time = true;
  auto log = open_log();
  auto first = append(*log, 0, 0, 1);
  ASSERT_TRUE(first.ok());
  int64_t stamped = first->log_append_time;
  clock_.now += 5000;
  auto retry = append(*log, 0, 0, 1);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->log_append_time, stamped);
}

TEST_F(IdempotentLogTest, ProducerStateIsRebuiltWhenTheLogReopens) {
  for (bool clean : {true, false}) {
    SCOPED_TRACE(clean ? "clean shutdown" : "crash");
    std::filesystem::remove_all(dir_ / "orders-0");
    {
      auto log = open_log();
      for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(*log, 2, 2 * i, 2).ok());
      ASSERT_TRUE(append(*log, 0, 0, 1, kPid + 1).ok());
      if (clean) {
        ASSERT_TRUE(log->close().ok());
      }
    }
    auto log = open_log(clean);
    EXPECT_EQ(log->producer_count(), 2u);
    auto state = log->producer_state(kPid);
    ASSERT_TRUE(state.has_value());
    EXPECT_EQ(state->epoch, 2);
    EXPECT_EQ(state->batches.back().last_seq, 7);
    auto retry = append(*log, 2, 4, 2);
    ASSERT_TRUE(retry.ok());
    EXPECT_TRUE(retry->duplicate);
    EXPECT_EQ(retry->first_offset, 4);
    auto fenced = append(*log, 1, 8, 1);
    ASSERT_FALSE(fenced.ok());
    EXPECT_EQ(errc(fenced.error()), StorageErrc::invalid_producer_epoch);
    auto next = append(*log, 2, 8, 1);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->first_offset, 9);
    ASSERT_TRUE(log->close().ok());
  }
}

TEST_F(IdempotentLogTest, TruncationForgetsTheBatchesItRemoves) {
  auto log = open_log();
  ASSERT_TRUE(append(*log, 0, 0, 2).ok());  // offsets 0-1
  ASSERT_TRUE(append(*log, 0, 2, 2).ok());  // offsets 2-3
  ASSERT_TRUE(append(*log, 0, 4, 2).ok());  // offsets 4-5
  ASSERT_TRUE(log->truncate_to(4).ok());
  // The truncated batch is new again; the one before it is still a duplicate.
  auto resent = append(*log, 0, 4, 2);
  ASSERT_TRUE(resent.ok());
  EXPECT_FALSE(resent->duplicate);
  EXPECT_EQ(resent->first_offset, 4);
  auto retry = append(*log, 0, 2, 2);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_offset, 2);
}

TEST_F(IdempotentLogTest, TruncationOfAProducersWholeCacheRebuildsItsStateFromTheLog) {
  auto log = open_log();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(append(*log, 0, i, 1).ok());  // offsets 0-2, epoch 0
  ASSERT_TRUE(append(*log, 1, 0, 1).ok());  // offset 3: epoch 1 clears the cache
  ASSERT_TRUE(log->truncate_to(3).ok());
  auto state = log->producer_state(kPid);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->epoch, 0);
  EXPECT_EQ(state->batches.size(), 3u);
  auto retry = append(*log, 0, 2, 1);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_offset, 2);
  ASSERT_TRUE(append(*log, 0, 3, 1).ok());

  ASSERT_TRUE(log->truncate_fully_and_start_at(50).ok());
  EXPECT_EQ(log->producer_count(), 0u);
  auto unknown = append(*log, 0, 4, 1);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(errc(unknown.error()), StorageErrc::unknown_producer_id);
}

TEST_F(IdempotentLogTest, FollowerAppendsFeedTheStateSoANewLeaderRecognisesRetries) {
  auto log = open_log();
  // What the old leader wrote: offsets 0-2 and 3-4 in leader epoch 5.
  Bytes replicated = producer_batch(0, 0, 3, kPid, 0, 5);
  Bytes more = producer_batch(0, 3, 2, kPid, 3, 5);
  replicated.insert(replicated.end(), more.begin(), more.end());
  ASSERT_TRUE(log->append_as_follower(replicated).ok());
  // This broker now leads; the producer resends what it never saw acknowledged.
  Bytes resend = producer_batch(0, 3, 2);
  auto retry = log->append(resend, 6);
  ASSERT_TRUE(retry.ok()) << retry.error().to_string();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_offset, 3);
  EXPECT_EQ(retry->last_offset, 4);
  Bytes next = producer_batch(0, 5, 1);
  auto appended = log->append(next, 6);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->first_offset, 5);
  EXPECT_EQ(values(*log), (std::vector<std::string>{"s0", "s1", "s2", "s3", "s4", "s5"}));
}

}  // namespace
}  // namespace sluice::broker::storage
