// Retention by time and size, DeleteRecords, and the two-step removal of deleted segments.
#include <gtest/gtest.h>

#include "batch_test_util.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/storage_error.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using protocol::Bytes;
using testing::decode_batches;
using testing::FakeClock;
using testing::make_batch;
using testing::region_bytes;
using testing::simple_batch;
using testing::TempDir;

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() {
    env_.clock = clock_.fn();
    config_.segment_bytes = 250;  // three 80-byte batches per segment
    config_.file_delete_delay_ms = 1000;
  }

  std::shared_ptr<PartitionLog> open_log() {
    auto log =
        PartitionLog::open(dir_ / "t-0", {"t", 0}, config_, env_, {.had_clean_shutdown = true});
    EXPECT_TRUE(log.ok()) << log.error().to_string();
    return *log;
  }

  // Batch i: one record at timestamp kT0 + i * 1000.
  void fill(PartitionLog& log, int batches) {
    for (int i = 0; i < batches; ++i) {
      Bytes batch = simple_batch(1, kT0 + i * 1000, 10);
      ASSERT_TRUE(log.append(batch, 0).ok());
    }
    log.set_high_watermark(log.log_end_offset());
  }

  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "t-0")) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static constexpr int64_t kT0 = 1'000'000;
  TempDir dir_;
  FakeClock clock_;
  LogConfig config_;
  LogEnv env_;
};

TEST_F(RetentionTest, DeletesSegmentsWhoseLargestTimestampIsOlderThanRetentionMs) {
  config_.retention_ms = 10'000;
  auto log = open_log();
  fill(*log, 12);  // segments [0-2] [3-5] [6-8] [9-11], max timestamps kT0 + 2000, 5000, ...
  ASSERT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{0, 3, 6, 9}));
  // Segment 0's largest timestamp (kT0 + 2000) is older than 10 s; segment 3's (kT0 + 5000) not
  // yet.
  auto result = log->apply_retention(kT0 + 2000 + 10'001);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->segments_deleted, 1);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{3, 6, 9}));
  EXPECT_EQ(log->log_start_offset(), 3);
  EXPECT_EQ(log->read(2).error().code(), StorageErrc::offset_out_of_range);
  EXPECT_EQ(decode_batches(region_bytes(log->read(3)->region)).front().base_offset, 3);
  // Exactly as old as the retention: kept.
  result = log->apply_retention(kT0 + 5000 + 10'000);
  EXPECT_EQ(result->segments_deleted, 0);
}

TEST_F(RetentionTest, DeletedSegmentsAreRenamedFirstAndRemovedAfterTheDelay) {
  config_.retention_ms = 10'000;
  auto log = open_log();
  fill(*log, 6);
  int64_t now = kT0 + 100'000;
  ASSERT_TRUE(log->apply_retention(now).ok());
  EXPECT_EQ(files(), (std::vector<std::string>{
                         "00000000000000000000.index.deleted", "00000000000000000000.log.deleted",
                         "00000000000000000000.timeindex.deleted", "00000000000000000003.index",
                         "00000000000000000003.log", "00000000000000000003.timeindex",
                         "leader-epoch-checkpoint"}));
  auto result = log->apply_retention(now + 999);
  EXPECT_EQ(result->files_removed, 0);
  result = log->apply_retention(now + 1000);
  EXPECT_EQ(result->files_removed, 3);
  EXPECT_EQ(files().size(), 4u);
}

TEST_F(RetentionTest, NeverDeletesTheActiveSegment) {
  config_.retention_ms = 1;
  auto log = open_log();
  fill(*log, 7);
  ASSERT_TRUE(log->apply_retention(kT0 + 1'000'000).ok());
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{6}));
  EXPECT_EQ(log->log_start_offset(), 6);
  EXPECT_EQ(log->log_end_offset(), 7);
  Bytes batch = simple_batch(1);
  EXPECT_EQ(log->append(batch, 0)->first_offset, 7);
}

TEST_F(RetentionTest, OnlyDeletesSegmentsWhollyBelowTheHighWatermark) {
  config_.retention_ms = 1;
  auto log = open_log();
  fill(*log, 12);
  log->set_high_watermark(5);
  ASSERT_TRUE(log->apply_retention(kT0 + 1'000'000).ok());
  // Segment 3 holds offset 5, which consumers cannot see yet.
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{3, 6, 9}));
  log->set_high_watermark(6);
  ASSERT_TRUE(log->apply_retention(kT0 + 1'000'000).ok());
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{6, 9}));
}

TEST_F(RetentionTest, RetentionMsMinusOneKeepsForever) {
  config_.retention_ms = -1;
  auto log = open_log();
  fill(*log, 12);
  ASSERT_TRUE(log->apply_retention(INT64_MAX / 2).ok());
  EXPECT_EQ(log->segment_count(), 4);
}

TEST_F(RetentionTest, SegmentWithoutTimestampsAgesByItsFileTime) {
  config_.retention_ms = 60'000;
  auto log = open_log();
  for (int i = 0; i < 4; ++i) {
    Bytes batch = make_batch({{"k", std::string(30, 'v'), -1}});
    ASSERT_TRUE(log->append(batch, 0).ok());
  }
  log->set_high_watermark(log->log_end_offset());
  ASSERT_EQ(log->segment_count(), 2);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  ASSERT_TRUE(log->apply_retention(now).ok());
  EXPECT_EQ(log->segment_count(), 2);
  auto first = dir_ / "t-0" / "00000000000000000000.log";
  std::filesystem::last_write_time(first,
                                   std::filesystem::last_write_time(first) - std::chrono::hours(1));
  ASSERT_TRUE(log->apply_retention(now).ok());
  EXPECT_EQ(log->segment_count(), 1);
}

TEST_F(RetentionTest, SizeRetentionDeletesOldestSegmentsUntilWithinRetentionBytes) {
  config_.retention_ms = -1;
  auto log = open_log();
  fill(*log, 12);
  int64_t segment_size = log->size_bytes() / 4;  // all batches are the same size
  config_.retention_bytes = segment_size * 2 + 1;
  ASSERT_TRUE(log->update_config(config_).ok());
  auto result = log->apply_retention(kT0);
  ASSERT_TRUE(result.ok());
  // Like Kafka, a segment goes only when the log stays at or above the limit without it:
  // deleting a second one would leave 2 * segment_size < the limit.
  EXPECT_EQ(result->segments_deleted, 1);
  EXPECT_EQ(result->bytes_deleted, segment_size);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{3, 6, 9}));
  EXPECT_EQ(log->log_start_offset(), 3);
  config_.retention_bytes = segment_size * 2;
  ASSERT_TRUE(log->update_config(config_).ok());
  result = log->apply_retention(kT0);
  EXPECT_EQ(result->segments_deleted, 1);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{6, 9}));
  EXPECT_EQ(log->log_start_offset(), 6);
  config_.retention_bytes = 0;
  ASSERT_TRUE(log->update_config(config_).ok());
  ASSERT_TRUE(log->apply_retention(kT0).ok());
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{9}));
}

TEST_F(RetentionTest, CompactOnlyLogsAreNotDeletedByAgeOrSize) {
  config_.retention_ms = 1;
  config_.retention_bytes = 0;
  config_.delete_policy = false;
  config_.compact = true;
  auto log = open_log();
  fill(*log, 12);
  ASSERT_TRUE(log->apply_retention(kT0 + 1'000'000).ok());
  EXPECT_EQ(log->segment_count(), 4);
}

TEST_F(RetentionTest, DeleteRecordsMovesTheLogStartAndDropsWholeSegmentsBelowIt) {
  config_.retention_ms = -1;
  auto log = open_log();
  for (int i = 0; i < 12; ++i) {
    Bytes batch = simple_batch(1, kT0 + i * 1000, 10);
    ASSERT_TRUE(log->append(batch, i / 4).ok());  // epochs 0, 1, 2 from offsets 0, 4, 8
  }
  log->set_high_watermark(10);
  EXPECT_EQ(log->delete_records_before(11).error().code(), StorageErrc::offset_out_of_range);
  auto start = log->delete_records_before(7);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(*start, 7);
  EXPECT_EQ(log->log_start_offset(), 7);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{6, 9}));
  EXPECT_EQ(log->read(6).error().code(), StorageErrc::offset_out_of_range);
  EXPECT_EQ(decode_batches(region_bytes(log->read(7)->region)).front().base_offset, 7);
  EXPECT_EQ(log->leader_epochs().entries(), (std::vector<EpochEntry>{{1, 7}, {2, 8}}));
  // Timestamp lookups skip the deleted records.
  EXPECT_EQ((*log->offset_for_timestamp(kT0))->offset, 7);
  // Moving backwards is a no-op.
  EXPECT_EQ(*log->delete_records_before(3), 7);
  // Retention honours the moved start after a restart too: the start stays where it was.
  EXPECT_EQ(log->delete_records_before(10).value(), 10);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{9}));
}

}  // namespace
}  // namespace sluice::broker::storage
