// Crash recovery: torn and corrupted tails cut at every byte, the recovery point, index
// rebuilds and leftovers of interrupted work.
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
using testing::region_bytes;
using testing::simple_batch;
using testing::StoredBatch;
using testing::TempDir;

// Batch i: 1 + i % 3 records with values of a few bytes.
Bytes batch_for(int i) { return simple_batch(1 + i % 3, 1000 + 10 * i, 5 + i % 7); }

class RecoveryTest : public ::testing::Test {
 protected:
  RecoveryTest() {
    env_.clock = clock_.fn();
    config_.segment_bytes = 600;
    config_.index_interval_bytes = 100;
  }

  std::filesystem::path log_dir(const TempDir& dir) const { return dir / "t-0"; }

  std::shared_ptr<PartitionLog> open(const TempDir& dir, const LogLoadOptions& load) {
    auto log = PartitionLog::open(log_dir(dir), {"t", 0}, config_, env_, load);
    EXPECT_TRUE(log.ok()) << log.error().to_string();
    return log.ok() ? *log : nullptr;
  }

  // Writes `count` batches and "crashes" (drops the log without closing it). Returns each
  // batch's (segment base, position, size, first offset).
  struct Written {
    int64_t segment;
    int64_t position;
    int64_t size;
    int64_t first_offset;
  };
  std::vector<Written> write_and_crash(const TempDir& dir, int count) {
    auto log = open(dir, {.had_clean_shutdown = true});
    std::vector<Written> out;
    for (int i = 0; i < count; ++i) {
      Bytes batch = batch_for(i);
      auto info = log->append(batch, 0);
      EXPECT_TRUE(info.ok());
      int64_t segment = log->segment_base_offsets().back();
      int64_t position =
          out.empty() || out.back().segment != segment ? 0 : out.back().position + out.back().size;
      out.push_back({segment, position, static_cast<int64_t>(batch.size()), info->first_offset});
    }
    return out;
  }

  std::vector<StoredBatch> read_all(const PartitionLog& log) {
    std::vector<StoredBatch> out;
    int64_t offset = log.log_start_offset();
    while (offset < log.log_end_offset()) {
      auto read = log.read(offset, {.max_bytes = 1 << 20});
      EXPECT_TRUE(read.ok());
      if (!read.ok() || read->region.length == 0) break;
      for (auto& b : decode_batches(region_bytes(read->region))) out.push_back(std::move(b));
      offset = read->next_offset;
    }
    return out;
  }

  // The log holds exactly batches 0..count-1 as written, and accepts the next append.
  void expect_exactly(PartitionLog& log, const std::vector<Written>& written, int count,
                      const std::string& what) {
    int64_t end = count == 0 ? 0 : written[count - 1].first_offset + 1 + (count - 1) % 3;
    EXPECT_EQ(log.log_end_offset(), end) << what;
    auto batches = read_all(log);
    ASSERT_EQ(batches.size(), static_cast<std::size_t>(count)) << what;
    for (int i = 0; i < count; ++i) {
      EXPECT_EQ(batches[i].base_offset, written[i].first_offset) << what;
      EXPECT_EQ(batches[i].records.size(), static_cast<std::size_t>(1 + i % 3)) << what;
    }
    Bytes next = batch_for(count);
    auto appended = log.append(next, 0);
    ASSERT_TRUE(appended.ok()) << what;
    EXPECT_EQ(appended->first_offset, end) << what;
  }

  FakeClock clock_;
  LogConfig config_;
  LogEnv env_;
};

constexpr int kBatches = 12;

TEST_F(RecoveryTest, TornLastBatchIsCutAtEveryByteAndEarlierBatchesSurvive) {
  std::vector<Written> layout;
  {
    TempDir probe;
    layout = write_and_crash(probe, kBatches);
  }
  const Written& last = layout.back();
  ASSERT_GT(last.segment, 0) << "the test wants several segments";
  for (int64_t cut = last.position; cut < last.position + last.size; ++cut) {
    TempDir dir;
    auto written = write_and_crash(dir, kBatches);
    auto file = log_dir(dir) / segment_file_name(last.segment, ".log");
    std::filesystem::resize_file(file, static_cast<uintmax_t>(cut));
    auto log = open(dir, {.had_clean_shutdown = false, .recovery_point = 0});
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(std::filesystem::file_size(file), static_cast<uintmax_t>(last.position));
    expect_exactly(*log, written, kBatches - 1, "cut at " + std::to_string(cut));
  }
}

TEST_F(RecoveryTest, CorruptByteInLastBatchIsCutAtEveryPosition) {
  std::vector<Written> layout;
  {
    TempDir probe;
    layout = write_and_crash(probe, kBatches);
  }
  const Written& last = layout.back();
  // Every byte but the base offset (0-7) and partition leader epoch (12-15): RecordBatch v2
  // leaves those outside the CRC, as Kafka does, so they can be rewritten in place.
  for (int64_t at = 8; at < last.size; ++at) {
    if (at >= 12 && at < 16) continue;
    TempDir dir;
    auto written = write_and_crash(dir, kBatches);
    auto file = log_dir(dir) / segment_file_name(last.segment, ".log");
    std::string bytes = testing::read_text(file);
    bytes[static_cast<std::size_t>(last.position + at)] ^= 0x5a;
    testing::write_text(file, bytes);
    auto log = open(dir, {.had_clean_shutdown = false, .recovery_point = 0});
    ASSERT_NE(log, nullptr);
    expect_exactly(*log, written, kBatches - 1, "byte " + std::to_string(at) + " flipped");
  }
}

TEST_F(RecoveryTest, CorruptBatchInAnEarlierSegmentDropsEverythingAfterIt) {
  TempDir dir;
  auto written = write_and_crash(dir, kBatches);
  // The second batch of the second segment.
  auto second_segment =
      std::find_if(written.begin(), written.end(), [&](const Written& w) { return w.segment > 0; });
  ASSERT_NE(second_segment, written.end());
  auto victim = std::next(second_segment);
  ASSERT_EQ(victim->segment, second_segment->segment);
  auto file = log_dir(dir) / segment_file_name(victim->segment, ".log");
  std::string bytes = testing::read_text(file);
  bytes[static_cast<std::size_t>(victim->position + victim->size - 1)] ^= 1;
  testing::write_text(file, bytes);
  auto log = open(dir, {.had_clean_shutdown = false, .recovery_point = 0});
  ASSERT_NE(log, nullptr);
  int kept = static_cast<int>(victim - written.begin());
  EXPECT_EQ(log->segment_base_offsets().back(), victim->segment);
  expect_exactly(*log, written, kept, "corrupt middle batch");
}

TEST_F(RecoveryTest, SegmentsBeforeTheRecoveryPointAreNotScanned) {
  TempDir dir;
  auto written = write_and_crash(dir, kBatches);
  // Damage the first segment's first batch body and tear the last batch.
  auto first = log_dir(dir) / segment_file_name(0, ".log");
  std::string bytes = testing::read_text(first);
  bytes[static_cast<std::size_t>(written[0].size - 1)] ^= 1;
  testing::write_text(first, bytes);
  auto last = log_dir(dir) / segment_file_name(written.back().segment, ".log");
  std::filesystem::resize_file(last, std::filesystem::file_size(last) - 1);
  auto log = open(dir, {.had_clean_shutdown = false, .recovery_point = written.back().segment});
  ASSERT_NE(log, nullptr);
  // The tail was cut; the first segment was trusted as it is (its damage is only found by
  // a consumer's CRC check).
  EXPECT_EQ(log->log_end_offset(), written.back().first_offset);
  EXPECT_EQ(std::filesystem::file_size(first), testing::read_text(first).size());
  EXPECT_EQ(log->segment_base_offsets().front(), 0);
  auto read = log->read(0, {.max_bytes = 1});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->region.length, written[0].size);
}

TEST_F(RecoveryTest, CleanShutdownSkipsTheScanButRebuildsMissingIndexes) {
  TempDir dir;
  config_.index_interval_bytes = 0;
  {
    auto log = open(dir, {.had_clean_shutdown = true});
    for (int i = 0; i < kBatches; ++i) {
      Bytes batch = batch_for(i);
      ASSERT_TRUE(log->append(batch, 0).ok());
    }
    ASSERT_TRUE(log->close().ok());
  }
  auto index = log_dir(dir) / segment_file_name(0, ".index");
  auto time_index = log_dir(dir) / segment_file_name(0, ".timeindex");
  std::string index_before = testing::read_text(index);
  std::string time_before = testing::read_text(time_index);
  ASSERT_FALSE(index_before.empty());
  std::filesystem::remove(index);
  std::filesystem::remove(time_index);
  auto log = open(dir, {.had_clean_shutdown = true});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(testing::read_text(index), index_before);
  EXPECT_EQ(testing::read_text(time_index), time_before);
  EXPECT_EQ(read_all(*log).size(), static_cast<std::size_t>(kBatches));
  EXPECT_EQ((*log->offset_for_timestamp(1000 + 10 * 3))->offset, 6);  // batch 3 starts at 6
}

TEST_F(RecoveryTest, GarbageIndexIsRebuiltEvenAfterACleanShutdown) {
  TempDir dir;
  config_.index_interval_bytes = 0;
  {
    auto log = open(dir, {.had_clean_shutdown = true});
    for (int i = 0; i < 4; ++i) {
      Bytes batch = batch_for(i);
      ASSERT_TRUE(log->append(batch, 0).ok());
    }
    ASSERT_TRUE(log->close().ok());
  }
  auto index = log_dir(dir) / segment_file_name(0, ".index");
  std::string before = testing::read_text(index);
  testing::write_text(index, std::string(before.size(), '\x7f'));
  auto log = open(dir, {.had_clean_shutdown = true});
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->close().ok());
  EXPECT_EQ(testing::read_text(index), before);
}

TEST_F(RecoveryTest, CrashRecoveryRebuildsIndexesAndTheLeaderEpochCache) {
  TempDir dir;
  config_.index_interval_bytes = 0;
  std::string index_after_clean_close;
  {
    TempDir reference;
    auto log = open(reference, {.had_clean_shutdown = true});
    for (int i = 0; i < 3; ++i) {
      Bytes batch = batch_for(i);
      ASSERT_TRUE(log->append(batch, 0).ok());
    }
    ASSERT_TRUE(log->close().ok());
    index_after_clean_close =
        testing::read_text(log_dir(reference) / segment_file_name(0, ".index"));
  }
  {
    auto log = open(dir, {.had_clean_shutdown = true});
    for (int i = 0; i < 4; ++i) {
      Bytes batch = batch_for(i);
      ASSERT_TRUE(log->append(batch, i < 3 ? 1 : 2).ok());
    }
  }
  // Tear the last batch (written in epoch 2).
  auto file = log_dir(dir) / segment_file_name(0, ".log");
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 3);
  auto log = open(dir, {.had_clean_shutdown = false});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), 6);
  EXPECT_EQ(log->leader_epochs().entries(), (std::vector<EpochEntry>{{1, 0}}));
  EXPECT_EQ(log->recovery_point(), 6);
  ASSERT_TRUE(log->close().ok());
  EXPECT_EQ(testing::read_text(log_dir(dir) / segment_file_name(0, ".index")),
            index_after_clean_close);
}

TEST_F(RecoveryTest, LeftoversOfInterruptedWorkAreRemovedAtLoad) {
  TempDir dir;
  write_and_crash(dir, 3);
  for (const char* name : {"00000000000000000000.log.deleted", "00000000000000000000.index.deleted",
                           "00000000000000000000.log.cleaned", "leader-epoch-checkpoint.tmp",
                           "00000000000000000000.index.swap", "00000000000000000000.timeindex.swap",
                           "00000000000000000099.index", "00000000000000000099.timeindex"}) {
    testing::write_text(log_dir(dir) / name, "junk");
  }
  auto log = open(dir, {.had_clean_shutdown = false});
  ASSERT_NE(log, nullptr);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir(dir))) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{
                       "00000000000000000000.index", "00000000000000000000.log",
                       "00000000000000000000.timeindex", "leader-epoch-checkpoint"}));
  EXPECT_EQ(log->log_end_offset(), 6);
}

TEST_F(RecoveryTest, LogStartAndHighWatermarkComeFromTheCheckpointsClamped) {
  TempDir dir;
  write_and_crash(dir, kBatches);
  auto log = open(dir, {.had_clean_shutdown = false,
                        .recovery_point = 0,
                        .log_start_offset = 3,
                        .high_watermark = 1000});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_start_offset(), 3);
  EXPECT_EQ(log->high_watermark(), log->log_end_offset());
  EXPECT_EQ(log->read(2).error().code(), StorageErrc::offset_out_of_range);
}

}  // namespace
}  // namespace sluice::broker::storage
