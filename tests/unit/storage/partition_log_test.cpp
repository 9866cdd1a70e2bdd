// PartitionLog: appends as leader and follower, reads as file regions across segment rolls,
// index and time lookups, truncation, flush policy and concurrent readers.
#include "broker/storage/partition_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "batch_test_util.h"
#include "broker/storage/storage_error.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using protocol::Bytes;
using testing::BatchOptions;
using testing::decode_batches;
using testing::FakeClock;
using testing::make_batch;
using testing::region_bytes;
using testing::simple_batch;
using testing::StoredBatch;
using testing::TempDir;
using testing::TestRecord;

class LogTest : public ::testing::Test {
 protected:
  LogTest() { env_.clock = clock_.fn(); }

  std::shared_ptr<PartitionLog> open_log(const LogLoadOptions& load = {
                                             .had_clean_shutdown = true}) {
    auto log = PartitionLog::open(dir_ / "orders-0", {"orders", 0}, config_, env_, load);
    EXPECT_TRUE(log.ok()) << log.error().to_string();
    return log.ok() ? *log : nullptr;
  }

  AppendInfo append(PartitionLog& log, Bytes batch, int32_t epoch = 0) {
    auto info = log.append(batch, epoch);
    EXPECT_TRUE(info.ok()) << info.error().to_string();
    return info.ok() ? *info : AppendInfo{};
  }

  std::vector<StoredBatch> read_all(const PartitionLog& log, int64_t from = -1) {
    std::vector<StoredBatch> out;
    int64_t offset = from >= 0 ? from : log.log_start_offset();
    while (offset < log.log_end_offset()) {
      auto read = log.read(offset, {.max_bytes = 1 << 20});
      EXPECT_TRUE(read.ok()) << read.error().to_string();
      if (!read.ok() || read->region.length == 0) break;
      for (auto& b : decode_batches(region_bytes(read->region))) out.push_back(std::move(b));
      offset = read->next_offset;
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  LogConfig config_;
  LogEnv env_;
};

TEST_F(LogTest, AppendAssignsConsecutiveOffsetsByRewritingOnlyTheBaseOffsetAndEpoch) {
  auto log = open_log();
  Bytes first = simple_batch(3);
  Bytes second = simple_batch(2);
  auto a = append(*log, first, 7);
  auto b = append(*log, second, 7);
  EXPECT_EQ(a.first_offset, 0);
  EXPECT_EQ(a.last_offset, 2);
  EXPECT_EQ(a.log_append_time, -1);
  EXPECT_EQ(b.first_offset, 3);
  EXPECT_EQ(b.last_offset, 4);
  EXPECT_EQ(log->log_end_offset(), 5);

  auto read = log->read(0);
  ASSERT_TRUE(read.ok());
  auto bytes = region_bytes(read->region);
  Bytes expected_first = simple_batch(3);
  expected_first[15] = 7;  // leader epoch, big-endian int32 at 12
  expected_first[12] = expected_first[13] = expected_first[14] = 0;
  Bytes expected_second = simple_batch(2);
  expected_second[7] = 3;  // base offset
  expected_second[15] = 7;
  expected_second[12] = expected_second[13] = expected_second[14] = 0;
  Bytes expected = expected_first;
  expected.insert(expected.end(), expected_second.begin(), expected_second.end());
  EXPECT_EQ(bytes, expected);
}

TEST_F(LogTest, AppendOfSeveralBatchesAtOnceNumbersThemInOrder) {
  auto log = open_log();
  Bytes buffer = simple_batch(2);
  Bytes more = simple_batch(4);
  buffer.insert(buffer.end(), more.begin(), more.end());
  auto info = append(*log, buffer);
  EXPECT_EQ(info.first_offset, 0);
  EXPECT_EQ(info.last_offset, 5);
  EXPECT_EQ(info.batches, 2);
  auto batches = read_all(*log);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].base_offset, 2);
  EXPECT_EQ(batches[1].records[3].offset, 5);
}

TEST_F(LogTest, AppendRejectsInvalidBatchesWithoutChangingTheLog) {
  auto log = open_log();
  append(*log, simple_batch(1));
  Bytes bad = simple_batch(2);
  bad[bad.size() - 1] ^= 0x01;  // breaks the CRC
  auto result = log->append(bad, 0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), StorageErrc::invalid_records);
  Bytes torn = simple_batch(2);
  torn.pop_back();
  EXPECT_EQ(log->append(torn, 0).error().code(), StorageErrc::invalid_records);
  Bytes empty;
  EXPECT_EQ(log->append(empty, 0).error().code(), StorageErrc::invalid_records);
  EXPECT_EQ(log->log_end_offset(), 1);
  EXPECT_FALSE(log->offline());
}

TEST_F(LogTest, LeaderAppendRequiresConsecutiveOffsetDeltasButFollowersAcceptGaps) {
  auto log = open_log();
  // What a compacted leader sends: offset deltas 0 and 2.
  Bytes gappy = make_batch({{"a", "1", 1000, 0}, {"b", "2", 1000, 2}});
  auto rejected = log->append(gappy, 0);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code(), StorageErrc::invalid_records);
  EXPECT_EQ(log->log_end_offset(), 0);
  Bytes replicated = make_batch({{"a", "1", 1000, 0}, {"b", "2", 1000, 2}});
  auto accepted = log->append_as_follower(replicated);
  ASSERT_TRUE(accepted.ok()) << accepted.error().to_string();
  EXPECT_EQ(accepted->last_offset, 2);
  EXPECT_EQ(log->log_end_offset(), 3);
}

TEST_F(LogTest, AppendLargerThanASegmentIsRejected) {
  config_.segment_bytes = 200;
  auto log = open_log();
  Bytes big = simple_batch(1, 1000, 300);
  auto result = log->append(big, 0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), StorageErrc::batch_too_large);
}

TEST_F(LogTest, ConfigsTheIndexesCannotRepresentAreRefused) {
  config_.segment_bytes = 1LL << 31;
  auto log = PartitionLog::open(dir_ / "orders-0", {"orders", 0}, config_, env_);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code(), StorageErrc::invalid_argument);
  config_.segment_bytes = 1 << 20;
  auto opened = open_log();
  config_.segment_index_bytes = 2;
  EXPECT_EQ(opened->update_config(config_).error().code(), StorageErrc::invalid_argument);
}

TEST_F(LogTest, ReadsRoundTripAcrossSegmentRolls) {
  config_.segment_bytes = 1000;
  auto log = open_log();
  std::vector<AppendInfo> appended;
  for (int i = 0; i < 40; ++i)
    appended.push_back(append(*log, simple_batch(1 + i % 4, 1000 + i, 50)));
  EXPECT_GT(log->segment_count(), 5);
  // Segment files are named by their base offset, 20 digits.
  for (int64_t base : log->segment_base_offsets()) {
    char name[32];
    std::snprintf(name, sizeof name, "%020lld.log", static_cast<long long>(base));
    EXPECT_TRUE(std::filesystem::exists(dir_ / "orders-0" / name)) << name;
  }
  auto batches = read_all(*log);
  ASSERT_EQ(batches.size(), appended.size());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(batches[i].base_offset, appended[i].first_offset);
    EXPECT_EQ(batches[i].last_offset, appended[i].last_offset);
    ASSERT_EQ(batches[i].records.size(), static_cast<std::size_t>(1 + i % 4));
    EXPECT_EQ(batches[i].records[0].key, "k0");
  }
  // Every segment but the active one is within segment.bytes.
  auto bases = log->segment_base_offsets();
  for (std::size_t i = 0; i + 1 < bases.size(); ++i) {
    auto size =
        std::filesystem::file_size(dir_ / "orders-0" / (segment_file_name(bases[i], ".log")));
    EXPECT_LE(size, 1000u);
  }
}

TEST_F(LogTest, ReadFromEveryOffsetStartsAtTheBatchHoldingIt) {
  config_.segment_bytes = 700;
  config_.index_interval_bytes = 0;  // an index entry for every batch
  auto log = open_log();
  std::vector<AppendInfo> appended;
  for (int i = 0; i < 30; ++i) appended.push_back(append(*log, simple_batch(1 + i % 3, 1000, 20)));
  for (const auto& info : appended) {
    for (int64_t offset = info.first_offset; offset <= info.last_offset; ++offset) {
      auto read = log->read(offset, {.max_bytes = 1});
      ASSERT_TRUE(read.ok());
      auto batches = decode_batches(region_bytes(read->region));
      ASSERT_EQ(batches.size(), 1u) << "offset " << offset;
      EXPECT_EQ(batches[0].base_offset, info.first_offset) << "offset " << offset;
      EXPECT_EQ(read->next_offset, info.last_offset + 1);
    }
  }
}

TEST_F(LogTest, OffsetIndexHasAnEntryPerIntervalPointingAtBatchStarts) {
  config_.index_interval_bytes = 0;
  auto log = open_log();
  std::vector<int64_t> positions;
  std::vector<int64_t> last_offsets;
  int64_t position = 0;
  for (int i = 0; i < 10; ++i) {
    Bytes batch = simple_batch(2);
    positions.push_back(position);
    position += static_cast<int64_t>(batch.size());
    last_offsets.push_back(append(*log, batch).last_offset);
  }
  ASSERT_TRUE(log->close().ok());
  auto index = OffsetIndex::open(dir_ / "orders-0" / "00000000000000000000.index", 0, 0);
  ASSERT_TRUE(index.ok());
  // The first batch needs no entry; every later one has (last offset, position).
  ASSERT_EQ((*index)->entries(), 9);
  for (int i = 1; i < 10; ++i) {
    EXPECT_EQ((*index)->entry(i - 1), (OffsetPosition{last_offsets[i], positions[i]}));
  }
}

TEST_F(LogTest, SparseIndexStillFindsEveryOffset) {
  config_.index_interval_bytes = 300;
  auto log = open_log();
  std::vector<AppendInfo> appended;
  for (int i = 0; i < 50; ++i) appended.push_back(append(*log, simple_batch(3, 1000, 10)));
  for (const auto& info : appended) {
    auto read = log->read(info.first_offset + 1, {.max_bytes = 1});
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(decode_batches(region_bytes(read->region)).at(0).base_offset, info.first_offset);
  }
}

TEST_F(LogTest, ReadHonoursMaxBytesWithWholeBatchesAndAlwaysReturnsOneBatch) {
  auto log = open_log();
  Bytes batch = simple_batch(2, 1000, 100);
  const auto size = static_cast<int64_t>(batch.size());
  for (int i = 0; i < 10; ++i) append(*log, batch);
  auto read = log->read(0, {.max_bytes = size * 3 + size / 2});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->region.length, size * 3);
  EXPECT_EQ(read->next_offset, 6);
  // Smaller than one batch: the batch comes anyway (minOneMessage)...
  read = log->read(4, {.max_bytes = 10});
  EXPECT_EQ(read->region.length, size);
  EXPECT_EQ(read->region.position, size * 2);
  // ...unless the caller asks for strict limits.
  read = log->read(4, {.max_bytes = 10, .min_one_batch = false});
  EXPECT_EQ(read->region.length, 0);
}

TEST_F(LogTest, ReadStopsBeforeTheMaxOffset) {
  auto log = open_log();
  for (int i = 0; i < 5; ++i) append(*log, simple_batch(2));  // offsets 0-1, 2-3, ... 8-9
  auto read = log->read(0, {.max_offset = 6});
  ASSERT_TRUE(read.ok());
  auto batches = decode_batches(region_bytes(read->region));
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches.back().last_offset, 5);
  // A batch that straddles the max offset is not returned.
  read = log->read(0, {.max_offset = 5});
  EXPECT_EQ(decode_batches(region_bytes(read->region)).size(), 2u);
  read = log->read(4, {.max_offset = 5});
  EXPECT_EQ(read->region.length, 0);
  read = log->read(6, {.max_offset = 6});
  EXPECT_EQ(read->region.length, 0);
}

TEST_F(LogTest, ReadOutsideTheLogIsOffsetOutOfRangeAndAtTheEndIsEmpty) {
  auto log = open_log();
  append(*log, simple_batch(3));
  auto read = log->read(3);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->region.length, 0);
  EXPECT_EQ(read->log_end_offset, 3);
  EXPECT_EQ(log->read(4).error().code(), StorageErrc::offset_out_of_range);
  EXPECT_EQ(log->read(-1).error().code(), StorageErrc::offset_out_of_range);
}

TEST_F(LogTest, RollsWhenTheSegmentIsOlderThanSegmentMs) {
  config_.segment_ms = 1000;
  auto log = open_log();
  append(*log, simple_batch(1));
  clock_.now += 999;
  append(*log, simple_batch(1));
  EXPECT_EQ(log->segment_count(), 1);
  clock_.now += 1;
  append(*log, simple_batch(1));
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{0, 2}));
  // An empty active segment does not roll however old it is.
  auto empty = PartitionLog::open(dir_ / "other-0", {"other", 0}, config_, env_,
                                  {.had_clean_shutdown = true});
  clock_.now += 5000;
  Bytes one = simple_batch(1);
  ASSERT_TRUE((*empty)->append(one, 0).ok());
  EXPECT_EQ((*empty)->segment_count(), 1);
}

TEST_F(LogTest, RollsWhenAnIndexIsFull) {
  config_.index_interval_bytes = 0;
  config_.segment_index_bytes = 8 * 3;  // three offset-index entries
  auto log = open_log();
  for (int i = 0; i < 10; ++i) append(*log, simple_batch(1));
  EXPECT_GT(log->segment_count(), 2);
  EXPECT_EQ(read_all(*log).size(), 10u);
}

TEST_F(LogTest, RolledSegmentsHaveTrimmedIndexesAndAreFlushed) {
  config_.segment_bytes = 500;
  config_.index_interval_bytes = 0;
  auto log = open_log();
  for (int i = 0; i < 12; ++i) append(*log, simple_batch(1, 1000 + i, 50));
  auto bases = log->segment_base_offsets();
  ASSERT_GE(bases.size(), 2u);
  auto index_size =
      std::filesystem::file_size(dir_ / "orders-0" / segment_file_name(bases[0], ".index"));
  EXPECT_EQ(index_size % 8, 0u);
  EXPECT_LT(index_size, 80u);
  // The active segment's index is preallocated.
  EXPECT_EQ(
      std::filesystem::file_size(dir_ / "orders-0" / segment_file_name(bases.back(), ".index")),
      static_cast<uintmax_t>(config_.segment_index_bytes / 8 * 8));
  // The recovery point follows the rolls (default flush policy: never otherwise).
  EXPECT_EQ(log->recovery_point(), bases.back());
}

TEST_F(LogTest, FlushMessagesMovesTheRecoveryPointAfterEachAppend) {
  config_.flush_messages = 1;
  auto log = open_log();
  append(*log, simple_batch(3));
  EXPECT_EQ(log->recovery_point(), 3);
  config_.flush_messages = INT64_MAX;
  config_.flush_ms = 1000;
  ASSERT_TRUE(log->update_config(config_).ok());
  append(*log, simple_batch(1));
  EXPECT_EQ(log->recovery_point(), 3);
  clock_.now += 1000;
  append(*log, simple_batch(1));
  EXPECT_EQ(log->recovery_point(), 5);
  append(*log, simple_batch(1));
  clock_.now += 1000;
  ASSERT_TRUE(log->flush_if_due(clock_.now).ok());
  EXPECT_EQ(log->recovery_point(), 6);
}

TEST_F(LogTest, TimestampLookupFindsTheFirstRecordAtOrAfterTheTime) {
  config_.index_interval_bytes = 0;
  config_.segment_bytes = 400;
  auto log = open_log();
  // Batch i holds records with timestamps 1000*i + {0, 10, 20}; one batch is compressed
  // and one has out-of-order timestamps.
  for (int i = 0; i < 12; ++i) {
    std::vector<TestRecord> records;
    for (int j = 0; j < 3; ++j) {
      int64_t ts = 1000 * i + 10 * j;
      if (i == 5) ts = 1000 * i + 10 * (2 - j);
      records.push_back({"k", "v", ts});
    }
    BatchOptions options;
    if (i == 7) options.codec = protocol::Compression::lz4;
    append(*log, make_batch(records, options));
  }
  ASSERT_GT(log->segment_count(), 2);
  for (int i = 0; i < 12; ++i) {
    for (int j = 0; j < 3; ++j) {
      int64_t ts = 1000 * i + 10 * j;
      auto found = log->offset_for_timestamp(ts);
      ASSERT_TRUE(found.ok()) << found.error().to_string();
      ASSERT_TRUE(found->has_value()) << ts;
      int64_t expected = 3 * i + j;
      if (i == 5) expected = 3 * i;  // its first record has the largest timestamp
      EXPECT_EQ((*found)->offset, expected) << ts;
      EXPECT_EQ((*found)->leader_epoch, 0);
    }
  }
  auto between = log->offset_for_timestamp(2015);
  EXPECT_EQ((*between)->offset, 8);
  EXPECT_EQ((*between)->timestamp, 2020);
  EXPECT_EQ((*log->offset_for_timestamp(-5))->offset, 0);
  EXPECT_FALSE(log->offset_for_timestamp(11021)->has_value());
  auto max = log->offset_of_max_timestamp();
  ASSERT_TRUE(max.ok() && max->has_value());
  EXPECT_EQ((*max)->offset, 35);
  EXPECT_EQ((*max)->timestamp, 11020);
}

TEST_F(LogTest, LogAppendTimeStampsBatchesWithTheAppendTime) {
  config_.log_append_time = true;
  auto log = open_log();
  auto info = append(*log, simple_batch(3, 5));
  EXPECT_EQ(info.log_append_time, clock_.now);
  auto batches = read_all(*log);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].max_timestamp, clock_.now);
  EXPECT_TRUE(batches[0].attributes & 0x08);
  for (const auto& r : batches[0].records) EXPECT_EQ(r.timestamp, clock_.now);
  EXPECT_EQ((*log->offset_for_timestamp(clock_.now))->offset, 0);
  // The CRC was recomputed: a recovery scan accepts the batch.
  log.reset();
  auto reopened = open_log({.had_clean_shutdown = false});
  EXPECT_EQ(reopened->log_end_offset(), 3);
}

TEST_F(LogTest, TruncateToDropsBatchesAtAndAfterTheOffset) {
  config_.segment_bytes = 400;
  auto log = open_log();
  std::vector<AppendInfo> appended;
  for (int i = 0; i < 20; ++i) appended.push_back(append(*log, simple_batch(2, 1000 + i, 30)));
  int segments_before = log->segment_count();
  ASSERT_GT(segments_before, 3);
  log->set_high_watermark(40);
  // Truncating inside a batch drops the whole batch.
  ASSERT_TRUE(log->truncate_to(15).ok());
  EXPECT_EQ(log->log_end_offset(), 14);
  EXPECT_EQ(log->high_watermark(), 14);
  EXPECT_LT(log->segment_count(), segments_before);
  auto batches = read_all(*log);
  ASSERT_EQ(batches.size(), 7u);
  EXPECT_EQ(batches.back().last_offset, 13);
  // Appends continue from the new end; removed segments' files are gone or ".deleted".
  EXPECT_EQ(append(*log, simple_batch(1)).first_offset, 14);
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "orders-0")) {
    auto name = entry.path().filename().string();
    if (auto base = parse_segment_file_name(name, ".log")) {
      EXPECT_LE(*base, 14) << name;
    }
  }
  // Truncating at or past the end does nothing.
  ASSERT_TRUE(log->truncate_to(100).ok());
  EXPECT_EQ(log->log_end_offset(), 15);
  // Everything survives a reopen.
  ASSERT_TRUE(log->close().ok());
  log.reset();
  auto reopened = open_log();
  EXPECT_EQ(reopened->log_end_offset(), 15);
  EXPECT_EQ(read_all(*reopened).size(), 8u);
}

TEST_F(LogTest, TruncateAtASegmentBaseEmptiesThatSegment) {
  config_.segment_bytes = 300;
  auto log = open_log();
  for (int i = 0; i < 10; ++i) append(*log, simple_batch(1, 1000, 50));
  auto bases = log->segment_base_offsets();
  ASSERT_GE(bases.size(), 3u);
  ASSERT_TRUE(log->truncate_to(bases[1]).ok());
  EXPECT_EQ(log->log_end_offset(), bases[1]);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{bases[0], bases[1]}));
  EXPECT_EQ(append(*log, simple_batch(1)).first_offset, bases[1]);
  EXPECT_EQ(read_all(*log).size(), static_cast<std::size_t>(bases[1] + 1));
}

TEST_F(LogTest, TruncateFullyRestartsTheLogAtTheOffset) {
  auto log = open_log();
  for (int i = 0; i < 5; ++i) append(*log, simple_batch(2));
  ASSERT_TRUE(log->leader_epochs().assign(0, 0).ok());
  ASSERT_TRUE(log->truncate_fully_and_start_at(100).ok());
  EXPECT_EQ(log->log_start_offset(), 100);
  EXPECT_EQ(log->log_end_offset(), 100);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{100}));
  EXPECT_TRUE(log->leader_epochs().entries().empty());
  EXPECT_EQ(log->read(50).error().code(), StorageErrc::offset_out_of_range);
  EXPECT_EQ(append(*log, simple_batch(1)).first_offset, 100);
  // Truncating below the log start is a full truncation too.
  ASSERT_TRUE(log->truncate_to(10).ok());
  EXPECT_EQ(log->log_start_offset(), 10);
  EXPECT_EQ(log->log_end_offset(), 10);
}

TEST_F(LogTest, FollowerAppendKeepsTheLeadersOffsetsAndEpochs) {
  auto log = open_log();
  Bytes batch = simple_batch(3, 1000, 0, {.base_offset = 0, .leader_epoch = 4});
  auto info = log->append_as_follower(batch);
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->last_offset, 2);
  // Gaps are allowed (a compacted leader), going backwards is not.
  Bytes gap = simple_batch(2, 1000, 0, {.base_offset = 10, .leader_epoch = 6});
  ASSERT_TRUE(log->append_as_follower(gap).ok());
  EXPECT_EQ(log->log_end_offset(), 12);
  Bytes behind = simple_batch(1, 1000, 0, {.base_offset = 11, .leader_epoch = 6});
  auto rejected = log->append_as_follower(behind);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code(), StorageErrc::invalid_offset);
  EXPECT_EQ(log->log_end_offset(), 12);
  auto batches = read_all(*log);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].base_offset, 10);
  EXPECT_EQ(batches[1].leader_epoch, 6);
  EXPECT_EQ(log->leader_epochs().entries(), (std::vector<EpochEntry>{{4, 0}, {6, 10}}));
  // A read of an offset inside the gap returns the next batch.
  auto read = log->read(5);
  EXPECT_EQ(decode_batches(region_bytes(read->region)).at(0).base_offset, 10);
}

TEST_F(LogTest, LeaderAppendsRecordEpochStartsForOffsetForLeaderEpoch) {
  auto log = open_log();
  append(*log, simple_batch(5), 1);
  append(*log, simple_batch(5), 1);
  append(*log, simple_batch(5), 3);
  EXPECT_EQ(log->leader_epochs().entries(), (std::vector<EpochEntry>{{1, 0}, {3, 10}}));
  EXPECT_EQ(log->end_offset_for_epoch(1), (EpochEndOffset{1, 10}));
  EXPECT_EQ(log->end_offset_for_epoch(2), (EpochEndOffset{1, 10}));
  EXPECT_EQ(log->end_offset_for_epoch(3), (EpochEndOffset{3, 15}));
  // Truncation drops the epochs that start past the new end.
  ASSERT_TRUE(log->truncate_to(10).ok());
  EXPECT_EQ(log->leader_epochs().entries(), (std::vector<EpochEntry>{{1, 0}}));
  EXPECT_EQ(log->end_offset_for_epoch(1), (EpochEndOffset{1, 10}));
}

TEST_F(LogTest, CleanCloseAndReopenKeepsOffsetsAndData) {
  config_.segment_bytes = 500;
  auto log = open_log();
  for (int i = 0; i < 15; ++i) append(*log, simple_batch(2, 1000 + i, 40));
  auto bases = log->segment_base_offsets();
  ASSERT_TRUE(log->close().ok());
  Bytes late = simple_batch(1);
  EXPECT_FALSE(log->append(late, 0).ok());
  log.reset();
  // The active segment's indexes were trimmed on close.
  auto active_index = dir_ / "orders-0" / segment_file_name(bases.back(), ".index");
  EXPECT_LT(std::filesystem::file_size(active_index),
            static_cast<uintmax_t>(config_.segment_index_bytes));
  auto reopened = open_log();
  EXPECT_EQ(reopened->segment_base_offsets(), bases);
  EXPECT_EQ(reopened->log_end_offset(), 30);
  EXPECT_EQ(read_all(*reopened).size(), 15u);
  EXPECT_EQ(append(*reopened, simple_batch(1)).first_offset, 30);
  // Batch 13 holds offsets 26-27 at 1013-1014, batch 14 offsets 28-29 at 1014-1015.
  EXPECT_EQ((*reopened->offset_for_timestamp(1014))->offset, 27);
}

TEST_F(LogTest, FileRegionStaysReadableAfterItsSegmentIsDeleted) {
  auto log = open_log();
  for (int i = 0; i < 3; ++i) append(*log, simple_batch(2, 1000, 100));
  auto read = log->read(0);
  ASSERT_TRUE(read.ok());
  auto expected = region_bytes(read->region);
  ASSERT_TRUE(log->truncate_fully_and_start_at(50).ok());
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "orders-0")) {
    EXPECT_NE(entry.path().filename().string(), "00000000000000000000.log");
  }
  EXPECT_EQ(region_bytes(read->region), expected);
  EXPECT_EQ(decode_batches(expected).size(), 3u);
}

TEST_F(LogTest, ConcurrentReadersSeeOnlyWholeCommittedBatches) {
  config_.segment_bytes = 4000;
  config_.index_interval_bytes = 200;
  auto log = open_log();
  constexpr int kBatches = 300;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int64_t end = log->log_end_offset();
        int64_t offset = log->log_start_offset();
        while (offset < end) {
          auto read = log->read(offset, {.max_bytes = 1000});
          if (!read.ok()) {
            ADD_FAILURE() << read.error().to_string();
            failures++;
            break;
          }
          if (read->region.length == 0) break;
          auto batches = decode_batches(region_bytes(read->region));
          if (batches.empty() || batches.front().base_offset > offset ||
              batches.front().last_offset < offset) {
            ADD_FAILURE() << "offset " << offset << " got " << batches.size();
            failures++;
            break;
          }
          for (std::size_t i = 1; i < batches.size(); ++i) {
            if (batches[i].base_offset != batches[i - 1].last_offset + 1) failures++;
          }
          offset = read->next_offset;
        }
      }
    });
  }
  for (int i = 0; i < kBatches; ++i) append(*log, simple_batch(1 + i % 5, 1000 + i, 30));
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(read_all(*log).size(), static_cast<std::size_t>(kBatches));
}

// The log manager moves a deleted log's directory (set_dir) while a checkpoint or cleaner
// pass may still be asking for it (dir()): dir() returns a copy taken under the log's lock,
// never a path halfway through being reassigned (a data race clang's -Wthread-safety found).
TEST_F(LogTest, DirCanBeReadWhileTheDirectoryMoves) {
  auto log = open_log();
  const auto original = log->dir();
  const auto moved = dir_ / (std::string(200, 'm') + ".deleted-orders-0");
  std::atomic<bool> done{false};
  std::atomic<int> unexpected{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto dir = log->dir();
      if (dir != original && dir != moved) unexpected++;
    }
  });
  for (int i = 0; i < 2000; ++i) log->set_dir(i % 2 == 0 ? moved : original);
  done = true;
  reader.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(log->dir(), original);
}

}  // namespace
}  // namespace sluice::broker::storage
