// Log compaction: last record per key, tombstone expiry, offsets kept, the active segment
// untouched, codecs preserved, incremental passes and the crash-safe segment swap.
#include <gtest/gtest.h>

#include <map>

#include "batch_test_util.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/storage_error.h"
#include "protocol/crc32c.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using protocol::Bytes;
using protocol::Compression;
using testing::BatchOptions;
using testing::decode_batches;
using testing::FakeClock;
using testing::make_batch;
using testing::read_text;
using testing::region_bytes;
using testing::StoredBatch;
using testing::StoredRecord;
using testing::TempDir;
using testing::TestRecord;

class CleanerTest : public ::testing::Test {
 protected:
  CleanerTest() {
    env_.clock = clock_.fn();
    config_.compact = true;
    config_.delete_policy = false;
    config_.segment_bytes = 600;
    config_.min_cleanable_dirty_ratio = 0.0;
    config_.delete_retention_ms = 10'000;
    config_.file_delete_delay_ms = 0;
  }

  std::shared_ptr<PartitionLog> open_log(const std::filesystem::path& dir, bool clean = true) {
    auto log = PartitionLog::open(dir, {"c", 0}, config_, env_, {.had_clean_shutdown = clean});
    EXPECT_TRUE(log.ok()) << log.error().to_string();
    return log.ok() ? *log : nullptr;
  }

  void append(PartitionLog& log, const std::vector<TestRecord>& records,
              BatchOptions options = {}) {
    Bytes batch = make_batch(records, options);
    ASSERT_TRUE(log.append(batch, 0).ok());
  }

  static std::vector<StoredRecord> all_records(const PartitionLog& log, int64_t from = 0) {
    std::vector<StoredRecord> out;
    int64_t offset = std::max(from, log.log_start_offset());
    while (offset < log.log_end_offset()) {
      auto read = log.read(offset, {.max_bytes = 1 << 20});
      EXPECT_TRUE(read.ok());
      if (!read.ok() || read->region.length == 0) break;
      for (const auto& batch : decode_batches(region_bytes(read->region))) {
        for (const auto& r : batch.records) out.push_back(r);
      }
      offset = read->next_offset;
    }
    return out;
  }

  // What compaction must leave: below `end`, only the last record of each key (keyed
  // records only); from `end` on, everything.
  static std::vector<StoredRecord> compacted(const std::vector<StoredRecord>& records,
                                             int64_t end) {
    std::map<std::string, int64_t> last;
    for (const auto& r : records) {
      if (r.offset < end && r.key) last[*r.key] = r.offset;
    }
    std::vector<StoredRecord> out;
    for (const auto& r : records) {
      if (r.offset >= end || (r.key && last[*r.key] == r.offset)) out.push_back(r);
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  LogConfig config_;
  LogEnv env_;
};

TEST_F(CleanerTest, KeepsTheLastRecordOfEachKeyAtItsOriginalOffset) {
  auto log = open_log(dir_ / "c-0");
  // 60 records over 7 keys, 1-3 records per batch.
  int i = 0;
  while (i < 60) {
    std::vector<TestRecord> batch;
    for (int j = 0; j < 1 + i % 3 && i < 60; ++j, ++i) {
      batch.push_back({"k" + std::to_string(i % 7), "v" + std::to_string(i), clock_.now + i});
    }
    append(*log, batch);
  }
  log->set_high_watermark(log->log_end_offset());
  auto before = all_records(*log);
  int64_t active_base = log->segment_base_offsets().back();
  ASSERT_GT(log->segment_count(), 3);
  auto active_file = dir_ / "c-0" / segment_file_name(active_base, ".log");
  std::string active_bytes = read_text(active_file);

  auto stats = LogCleaner::clean(*log, clock_.now);
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(stats->logs_cleaned, 1);
  EXPECT_EQ(stats->records_read, active_base);
  auto after = all_records(*log);
  EXPECT_EQ(after, compacted(before, active_base));
  // The active segment is untouched; offsets and the log end did not move.
  EXPECT_EQ(read_text(active_file), active_bytes);
  EXPECT_EQ(log->segment_base_offsets().back(), active_base);
  EXPECT_EQ(log->log_end_offset(), 60);
  EXPECT_EQ(log->log_start_offset(), 0);
  // No cleaner leftovers; the replaced files are gone (file.delete.delay.ms = 0 on the
  // next retention pass).
  ASSERT_TRUE(log->apply_retention(clock_.now).ok());
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "c-0")) {
    auto name = entry.path().filename().string();
    EXPECT_EQ(name.find(".cleaned"), std::string::npos) << name;
    EXPECT_EQ(name.find(".swap"), std::string::npos) << name;
    EXPECT_EQ(name.find(".deleted"), std::string::npos) << name;
  }
  // Everything still holds after a restart with a full recovery scan.
  ASSERT_TRUE(log->close().ok());
  log.reset();
  auto reopened = open_log(dir_ / "c-0", /*clean=*/false);
  EXPECT_EQ(all_records(*reopened), after);
}

TEST_F(CleanerTest, SmallCleanedSegmentsAreMergedIntoOne) {
  config_.segment_ms = 1000;
  auto log = open_log(dir_ / "c-0");
  for (int i = 0; i < 8; ++i) {
    append(*log, {{"k" + std::to_string(i % 2), std::to_string(i), clock_.now}});
    clock_.now += 1000;  // every append rolls a new segment
  }
  log->set_high_watermark(log->log_end_offset());
  ASSERT_EQ(log->segment_count(), 8);
  auto before = all_records(*log);
  auto stats = LogCleaner::clean(*log, clock_.now);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->segments_cleaned, 7);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{0, 7}));
  EXPECT_EQ(all_records(*log), compacted(before, 7));
}

TEST_F(CleanerTest, ReadingAnOffsetRemovedByCompactionReturnsTheNextRecords) {
  auto log = open_log(dir_ / "c-0");
  for (int i = 0; i < 30; ++i) append(*log, {{"same", "v" + std::to_string(i), clock_.now}});
  log->set_high_watermark(log->log_end_offset());
  int64_t active_base = log->segment_base_offsets().back();
  ASSERT_TRUE(LogCleaner::clean(*log, clock_.now).ok());
  auto read = log->read(0);
  ASSERT_TRUE(read.ok());
  auto batches = decode_batches(region_bytes(read->region));
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches[0].records.at(0).offset, active_base - 1);
  EXPECT_EQ(batches[0].records.at(0).value, "v" + std::to_string(active_base - 1));
}

TEST_F(CleanerTest, TombstonesAreDroppedOnlyOnceOlderThanDeleteRetention) {
  auto log = open_log(dir_ / "c-0");
  int64_t old_time = clock_.now - 20'000;
  int64_t recent = clock_.now - 5'000;
  append(*log, {{"a", "1", old_time}, {"b", "1", old_time}, {"c", "1", old_time}});
  append(*log, {{"a", std::nullopt, old_time}});  // old tombstone: goes, with "a"
  append(*log, {{"b", std::nullopt, recent}});    // recent tombstone: stays
  append(*log, {{"c", "2", old_time}, {"d", std::nullopt, old_time}});
  for (int i = 0; i < 20; ++i) append(*log, {{"filler" + std::to_string(i), "x", clock_.now}});
  log->set_high_watermark(log->log_end_offset());
  int64_t active_base = log->segment_base_offsets().back();
  ASSERT_GT(active_base, 6);
  auto stats = LogCleaner::clean(*log, clock_.now);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->tombstones_dropped, 2);  // a and d
  auto records = all_records(*log);
  std::vector<StoredRecord> head(records.begin(), records.begin() + 2);
  EXPECT_EQ(head,
            (std::vector<StoredRecord>{{4, recent, "b", std::nullopt}, {5, old_time, "c", "2"}}));
  // Later, the remaining tombstone ages out too: a forced pass re-cleans the clean part
  // even without new writes.
  clock_.now += 10'000;
  ASSERT_TRUE(LogCleaner::clean(*log, clock_.now, /*force=*/true).ok());
  records = all_records(*log);
  EXPECT_EQ(records.front().key, "c");
}

TEST_F(CleanerTest, CompressedBatchesAreRewrittenWithTheirCodec) {
  auto log = open_log(dir_ / "c-0");
  std::vector<Compression> codecs = {Compression::gzip, Compression::snappy, Compression::lz4,
                                     Compression::zstd, Compression::none};
  for (int round = 0; round < 3; ++round) {
    for (std::size_t c = 0; c < codecs.size(); ++c) {
      std::vector<TestRecord> records;
      for (int k = 0; k < 4; ++k) {
        records.push_back({"key" + std::to_string(k + 4 * static_cast<int>(c)),
                           "round" + std::to_string(round), clock_.now});
      }
      append(*log, records, {.codec = codecs[c]});
    }
  }
  log->set_high_watermark(log->log_end_offset());
  auto before = all_records(*log);
  int64_t active_base = log->segment_base_offsets().back();
  ASSERT_TRUE(LogCleaner::clean(*log, clock_.now).ok());
  EXPECT_EQ(all_records(*log), compacted(before, active_base));
  // Every stored batch still has its original codec.
  auto read = log->read(0, {.max_bytes = 1 << 20});
  for (const auto& batch : decode_batches(region_bytes(read->region))) {
    int64_t index_in_round = (batch.base_offset / 4) % 5;
    EXPECT_EQ(batch.attributes & 7, static_cast<int>(codecs[index_in_round])) << batch.base_offset;
  }
}

TEST_F(CleanerTest, LogAppendTimeBatchesKeepTheirTimestampTypeWhenRewritten) {
  config_.log_append_time = true;
  auto log = open_log(dir_ / "c-0");
  append(*log, {{"a", "1", 5}, {"b", "1", 6}, {"a", "2", 7}});
  int64_t stamped = clock_.now;
  clock_.now += 1000;
  for (int i = 0; i < 20; ++i) append(*log, {{"f" + std::to_string(i), "x", 0}});
  log->set_high_watermark(log->log_end_offset());
  ASSERT_TRUE(LogCleaner::clean(*log, clock_.now).ok());
  auto read = log->read(0);
  auto batches = decode_batches(region_bytes(read->region));
  ASSERT_FALSE(batches.empty());
  EXPECT_TRUE(batches[0].attributes & 0x08);
  EXPECT_EQ(batches[0].max_timestamp, stamped);
  EXPECT_EQ(batches[0].records,
            (std::vector<StoredRecord>{{1, stamped, "b", "1"}, {2, stamped, "a", "2"}}));
}

TEST_F(CleanerTest, ControlBatchesAreCopiedUnchanged) {
  auto log = open_log(dir_ / "c-0");
  append(*log, {{"k", "old", clock_.now}});
  // A transaction marker: attributes bit 5, as a coordinator would write it.
  Bytes marker =
      make_batch({{std::string("\0\0\0\1", 4), std::string("\0\0\0\0\0\0", 6), clock_.now}},
                 {.base_offset = 1});
  marker[22] |= 0x20;
  uint32_t crc = protocol::crc32c(std::span<const uint8_t>(marker).subspan(21));
  for (int i = 0; i < 4; ++i) marker[17 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  ASSERT_TRUE(log->append_as_follower(marker).ok());
  Bytes copy = marker;
  for (int i = 0; i < 20; ++i) append(*log, {{"k", "new" + std::to_string(i), clock_.now}});
  log->set_high_watermark(log->log_end_offset());
  ASSERT_TRUE(LogCleaner::clean(*log, clock_.now).ok());
  auto read = log->read(0);
  auto bytes = region_bytes(read->region);
  ASSERT_GE(bytes.size(), copy.size());
  EXPECT_TRUE(
      std::equal(copy.begin() + 12, copy.end(), bytes.begin() + 12));  // all but offset/length
  EXPECT_EQ(decode_batches(bytes).front().base_offset, 1);
}

TEST_F(CleanerTest, RecordsWithoutAKeyAreDropped) {
  auto log = open_log(dir_ / "c-0");
  append(*log, {{std::nullopt, "keyless", clock_.now}, {"k", "v", clock_.now}});
  for (int i = 0; i < 20; ++i) append(*log, {{"f" + std::to_string(i), "x", clock_.now}});
  log->set_high_watermark(log->log_end_offset());
  ASSERT_TRUE(LogCleaner::clean(*log, clock_.now).ok());
  EXPECT_EQ(all_records(*log).front(), (StoredRecord{1, clock_.now, "k", "v"}));
}

TEST_F(CleanerTest, PassesAreIncrementalAndRespectTheDirtyRatio) {
  auto log = open_log(dir_ / "c-0");
  for (int i = 0; i < 40; ++i)
    append(*log, {{"k" + std::to_string(i % 5), std::to_string(i), clock_.now}});
  log->set_high_watermark(log->log_end_offset());
  auto first = LogCleaner::clean(*log, clock_.now);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->logs_cleaned, 1);
  int64_t cleaned_up_to = log->first_dirty_offset();
  EXPECT_EQ(cleaned_up_to, log->segment_base_offsets().back());
  // Nothing new: nothing to do.
  auto second = LogCleaner::clean(*log, clock_.now);
  EXPECT_EQ(second->logs_cleaned, 0);
  // A little new data against a large clean section stays below a high ratio...
  for (int i = 0; i < 12; ++i)
    append(*log, {{"k" + std::to_string(i % 5), "new" + std::to_string(i), clock_.now}});
  log->set_high_watermark(log->log_end_offset());
  config_.min_cleanable_dirty_ratio = 0.99;
  ASSERT_TRUE(log->update_config(config_).ok());
  EXPECT_EQ(LogCleaner::clean(*log, clock_.now)->logs_cleaned, 0);
  // ...and is cleaned when forced, together with the older records of the same keys.
  auto before = all_records(*log);
  ASSERT_EQ(LogCleaner::clean(*log, clock_.now, /*force=*/true)->logs_cleaned, 1);
  EXPECT_EQ(all_records(*log), compacted(before, log->segment_base_offsets().back()));
}

TEST_F(CleanerTest, SegmentsYoungerThanTheCompactionLagAreLeftAlone) {
  config_.min_compaction_lag_ms = 60'000;
  auto log = open_log(dir_ / "c-0");
  for (int i = 0; i < 20; ++i) append(*log, {{"k", std::to_string(i), clock_.now}});
  log->set_high_watermark(log->log_end_offset());
  EXPECT_EQ(LogCleaner::clean(*log, clock_.now)->logs_cleaned, 0);
  clock_.now += 60'000;
  EXPECT_EQ(LogCleaner::clean(*log, clock_.now)->logs_cleaned, 1);
}

TEST_F(CleanerTest, OnlySegmentsBelowTheHighWatermarkAreCleaned) {
  auto log = open_log(dir_ / "c-0");
  for (int i = 0; i < 30; ++i) append(*log, {{"k", std::to_string(i), clock_.now}});
  log->set_high_watermark(0);
  EXPECT_EQ(LogCleaner::clean(*log, clock_.now)->logs_cleaned, 0);
}

TEST_F(CleanerTest, InterruptedSwapIsCompletedWhenTheLogIsLoaded) {
  // Two identical logs; one gets compacted, and its cleaned segments are planted in the
  // other as ".swap" files — the state a crash right after the cleaner's commit points
  // leaves.
  auto fill = [&](PartitionLog& log) {
    for (int i = 0; i < 30; ++i)
      append(log, {{"k" + std::to_string(i % 3), std::to_string(i), clock_.now}});
    log.set_high_watermark(log.log_end_offset());
  };
  auto compacted_log = open_log(dir_ / "a" / "c-0");
  fill(*compacted_log);
  ASSERT_TRUE(LogCleaner::clean(*compacted_log, clock_.now).ok());
  auto expected = all_records(*compacted_log);
  auto cleaned_bases = compacted_log->segment_base_offsets();
  cleaned_bases.pop_back();  // the active segment was not cleaned
  ASSERT_TRUE(compacted_log->close().ok());

  {
    auto plain = open_log(dir_ / "b" / "c-0");
    fill(*plain);
    ASSERT_TRUE(plain->close().ok());
  }
  for (int64_t base : cleaned_bases) {
    for (auto kind : {".log", ".index", ".timeindex"}) {
      auto name = segment_file_name(base, kind);
      std::filesystem::copy_file(dir_ / "a" / "c-0" / name, dir_ / "b" / "c-0" / (name + ".swap"));
    }
  }
  // Plus a half-written output of a later pass, which is discarded.
  testing::write_text(dir_ / "b" / "c-0" / (segment_file_name(0, ".log") + ".cleaned"), "junk");
  auto reloaded = open_log(dir_ / "b" / "c-0");
  ASSERT_NE(reloaded, nullptr);
  EXPECT_EQ(all_records(*reloaded), expected);
  EXPECT_EQ(reloaded->segment_base_offsets(), compacted_log->segment_base_offsets());
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "b" / "c-0")) {
    auto name = entry.path().filename().string();
    EXPECT_EQ(name.find(".swap"), std::string::npos) << name;
    EXPECT_EQ(name.find(".cleaned"), std::string::npos) << name;
  }
}

TEST_F(CleanerTest, LogManagerRunsTheCleanerAndCheckpointsTheDirtyOffset) {
  int64_t dirty = 0;
  {
    auto manager = std::move(
        *LogManager::open({.log_dirs = {dir_.path()}, .default_config = config_, .env = env_}));
    auto log = *manager->get_or_create({"c", 0});
    LogConfig plain = config_;
    plain.compact = false;
    plain.delete_policy = true;
    auto other = *manager->get_or_create({"d", 0}, plain);
    for (auto* l : {log.get(), other.get()}) {
      for (int i = 0; i < 30; ++i) append(*l, {{"k", std::to_string(i), clock_.now}});
      l->set_high_watermark(l->log_end_offset());
    }
    auto stats = manager->run_cleaner();
    EXPECT_EQ(stats.logs_cleaned, 1);  // only the compacted topic
    EXPECT_EQ(all_records(*other).size(), 30u);
    dirty = log->first_dirty_offset();
    EXPECT_GT(dirty, 0);
    ASSERT_TRUE(manager->close().ok());
  }
  EXPECT_NE(read_text(dir_ / "cleaner-offset-checkpoint").find("c 0 " + std::to_string(dirty)),
            std::string::npos);
  auto manager = std::move(*LogManager::open({.log_dirs = {dir_.path()},
                                              .default_config = config_,
                                              .config_for =
                                                  [&](const TopicPartition& tp) {
                                                    LogConfig c = config_;
                                                    c.compact = tp.topic == "c";
                                                    return c;
                                                  },
                                              .env = env_}));
  EXPECT_EQ(manager->get({"c", 0})->first_dirty_offset(), dirty);
  EXPECT_EQ(manager->run_cleaner().logs_cleaned, 0);
}

}  // namespace
}  // namespace sluice::broker::storage
