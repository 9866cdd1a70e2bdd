// LogManager: directory locks, loading and recovery at start-up, clean-shutdown markers,
// checkpoints, placement, deletion and the retention/cleaner passes over all logs.
#include "broker/storage/log_manager.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch_test_util.h"
#include "broker/storage/offset_checkpoint.h"
#include "broker/storage/storage_error.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using protocol::Bytes;
using testing::decode_batches;
using testing::read_text;
using testing::region_bytes;
using testing::simple_batch;
using testing::TempDir;
using testing::write_text;

class LogManagerTest : public ::testing::Test {
 protected:
  std::unique_ptr<LogManager> open_manager(std::vector<std::filesystem::path> dirs = {}) {
    if (dirs.empty()) dirs = {dir_.path()};
    LogManagerOptions options;
    options.log_dirs = std::move(dirs);
    options.default_config = config_;
    auto manager = LogManager::open(options);
    EXPECT_TRUE(manager.ok()) << manager.error().to_string();
    return manager.ok() ? std::move(manager).value() : nullptr;
  }

  static void append(PartitionLog& log, int batches, int records = 2) {
    for (int i = 0; i < batches; ++i) {
      Bytes batch = simple_batch(records, 1000 + i, 20);
      ASSERT_TRUE(log.append(batch, 0).ok());
    }
  }

  TempDir dir_;
  LogConfig config_;
};

TEST_F(LogManagerTest, SecondManagerOnALockedDirFailsWithLogDirLocked) {
  auto first = open_manager();
  ASSERT_NE(first, nullptr);
  auto second = LogManager::open({.log_dirs = {dir_.path()}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), StorageErrc::log_dir_locked);
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".lock"));
}

TEST_F(LogManagerTest, AnotherProcessCannotOpenALockedDir) {
  auto first = open_manager();
  ASSERT_NE(first, nullptr);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto second = LogManager::open({.log_dirs = {dir_.path()}});
    ::_exit(!second.ok() && second.error().code() == StorageErrc::log_dir_locked ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(LogManagerTest, TheLockIsReleasedByCloseAndByDestruction) {
  auto first = open_manager();
  ASSERT_TRUE(first->close().ok());
  auto second = open_manager();
  ASSERT_NE(second, nullptr);
  second.reset();
  EXPECT_NE(open_manager(), nullptr);
}

TEST_F(LogManagerTest, LoadsEveryPartitionOfEveryLogDir) {
  TempDir other;
  std::vector<std::filesystem::path> dirs = {dir_.path(), other.path()};
  {
    auto manager = open_manager(dirs);
    for (int p = 0; p < 4; ++p) append(**manager->get_or_create({"orders", p}), p + 1);
    append(**manager->get_or_create({"my-topic.v2", 0}), 3);
    ASSERT_TRUE(manager->close().ok());
  }
  auto manager = open_manager(dirs);
  auto partitions = manager->partitions();
  EXPECT_EQ(partitions,
            (std::vector<TopicPartition>{
                {"my-topic.v2", 0}, {"orders", 0}, {"orders", 1}, {"orders", 2}, {"orders", 3}}));
  for (int p = 0; p < 4; ++p) EXPECT_EQ(manager->get({"orders", p})->log_end_offset(), 2 * (p + 1));
  EXPECT_EQ(manager->get({"my-topic.v2", 0})->log_end_offset(), 6);
  EXPECT_EQ(manager->get({"orders", 9}), nullptr);
}

TEST_F(LogManagerTest, NewLogsGoToTheLogDirWithTheFewestLogs) {
  TempDir other;
  auto manager = open_manager({dir_.path(), other.path()});
  for (int p = 0; p < 4; ++p) ASSERT_TRUE(manager->get_or_create({"t", p}).ok());
  int in_first = 0;
  for (const auto& s : manager->summaries()) in_first += s.dir.parent_path() == dir_.path();
  EXPECT_EQ(in_first, 2);
  // get_or_create returns the existing log.
  EXPECT_EQ(*manager->get_or_create({"t", 0}), manager->get({"t", 0}));
  EXPECT_EQ(manager->get_or_create({"bad name", 0}).error().code(), StorageErrc::invalid_argument);
}

TEST_F(LogManagerTest, CleanShutdownMarkerIsWrittenOnCloseAndRemovedAtStart) {
  {
    auto manager = open_manager();
    append(**manager->get_or_create({"t", 0}), 2);
    ASSERT_TRUE(manager->close().ok());
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".kafka_cleanshutdown"));
  auto manager = open_manager();
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".kafka_cleanshutdown"));
}

TEST_F(LogManagerTest, CheckpointsHoldRecoveryPointsHighWatermarksLogStartsAndDirtyOffsets) {
  config_.segment_bytes = 300;
  auto manager = open_manager();
  auto log = *manager->get_or_create({"t", 0});
  append(*log, 6);
  log->set_high_watermark(7);
  ASSERT_TRUE(log->delete_records_before(3).ok());
  append(**manager->get_or_create({"u", 1}), 1);
  ASSERT_TRUE(manager->checkpoint().ok());
  EXPECT_EQ(read_text(dir_ / "replication-offset-checkpoint"), "0\n2\nt 0 7\nu 1 0\n");
  EXPECT_EQ(read_text(dir_ / "log-start-offset-checkpoint"), "0\n2\nt 0 3\nu 1 0\n");
  auto recovery = OffsetCheckpointFile(dir_ / "recovery-point-offset-checkpoint").read();
  ASSERT_TRUE(recovery.ok());
  EXPECT_EQ(recovery->at({"t", 0}), log->recovery_point());
  EXPECT_GT(log->recovery_point(), 0);  // rolled segments were flushed
  EXPECT_TRUE(std::filesystem::exists(dir_ / "cleaner-offset-checkpoint"));
  // They are read back at the next start.
  ASSERT_TRUE(manager->close().ok());
  manager.reset();
  manager = open_manager();
  EXPECT_EQ(manager->get({"t", 0})->high_watermark(), 7);
  EXPECT_EQ(manager->get({"t", 0})->log_start_offset(), 3);
}

TEST_F(LogManagerTest, StartAfterACrashRecoversTornTails) {
  config_.segment_bytes = 400;
  std::filesystem::path tail;
  int64_t end_before_tear = 0;
  {
    auto manager = open_manager();
    auto log = *manager->get_or_create({"t", 0});
    append(*log, 10);
    ASSERT_TRUE(manager->checkpoint().ok());
    append(*log, 1, 5);
    end_before_tear = log->log_end_offset() - 5;
    tail = log->dir() / segment_file_name(log->segment_base_offsets().back(), ".log");
    // No close(): the process "dies" here.
  }
  std::filesystem::resize_file(tail, std::filesystem::file_size(tail) - 7);
  auto manager = open_manager();
  auto log = manager->get({"t", 0});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), end_before_tear);
  Bytes batch = simple_batch(1);
  EXPECT_EQ(log->append(batch, 0)->first_offset, end_before_tear);
}

TEST_F(LogManagerTest, CorruptCheckpointFallsBackToFullRecovery) {
  {
    auto manager = open_manager();
    auto log = *manager->get_or_create({"t", 0});
    append(*log, 4);
    log->set_high_watermark(2);
    ASSERT_TRUE(manager->checkpoint().ok());
  }
  write_text(dir_ / "recovery-point-offset-checkpoint", "garbage");
  // A torn write of the next checkpoint: ignored.
  write_text(dir_ / "replication-offset-checkpoint.tmp", "0\n1\nt 0 7\n");
  auto manager = open_manager();
  ASSERT_NE(manager, nullptr);
  EXPECT_EQ(manager->get({"t", 0})->log_end_offset(), 8);
  EXPECT_EQ(manager->get({"t", 0})->high_watermark(), 2);
}

TEST_F(LogManagerTest, RemoveRenamesTheDirectoryThenDeletesItWhileRegionsStayReadable) {
  auto manager = open_manager();
  auto log = *manager->get_or_create({"t", 0});
  append(*log, 3);
  auto read = log->read(0);
  ASSERT_TRUE(read.ok());
  auto expected = region_bytes(read->region);
  ASSERT_TRUE(manager->remove({"t", 0}).ok());
  EXPECT_EQ(manager->get({"t", 0}), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t-0"));
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_FALSE(entry.is_directory()) << entry.path();
  }
  EXPECT_EQ(region_bytes(read->region), expected);
  EXPECT_EQ(manager->remove({"t", 0}).error().code(), StorageErrc::log_not_found);
  // A new log of the same name starts empty.
  EXPECT_EQ((*manager->get_or_create({"t", 0}))->log_end_offset(), 0);
}

TEST_F(LogManagerTest, InterruptedDeletionsAndStrayDirectoriesAreHandledAtStart) {
  std::filesystem::create_directories(dir_ / "t-0.0123456789abcdef0123456789abcdef-delete");
  write_text(dir_ / "t-0.0123456789abcdef0123456789abcdef-delete" / "00000000000000000000.log",
             "x");
  std::filesystem::create_directories(dir_ / "lost+found");
  auto manager = open_manager();
  ASSERT_NE(manager, nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t-0.0123456789abcdef0123456789abcdef-delete"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "lost+found"));
  EXPECT_TRUE(manager->partitions().empty());
}

TEST_F(LogManagerTest, SamePartitionInTwoLogDirsIsRefused) {
  TempDir other;
  std::filesystem::create_directories(dir_ / "t-0");
  std::filesystem::create_directories(other / "t-0");
  auto manager = LogManager::open({.log_dirs = {dir_.path(), other.path()}});
  ASSERT_FALSE(manager.ok());
  EXPECT_EQ(manager.error().code(), StorageErrc::corrupt);
}

TEST_F(LogManagerTest, SummariesReportSizesAndOffsets) {
  auto manager = open_manager();
  auto log = *manager->get_or_create({"t", 0});
  append(*log, 3);
  log->set_high_watermark(4);
  auto summaries = manager->summaries();
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].topic_partition, (TopicPartition{"t", 0}));
  EXPECT_EQ(summaries[0].dir, dir_ / "t-0");
  EXPECT_EQ(
      summaries[0].size_bytes,
      static_cast<int64_t>(std::filesystem::file_size(dir_ / "t-0" / "00000000000000000000.log")));
  EXPECT_EQ(summaries[0].segments, 1);
  EXPECT_EQ(summaries[0].log_start_offset, 0);
  EXPECT_EQ(summaries[0].log_end_offset, 6);
  EXPECT_EQ(summaries[0].high_watermark, 4);
  EXPECT_FALSE(summaries[0].offline);
}

TEST_F(LogManagerTest, RunRetentionAppliesEachLogsConfig) {
  config_.segment_bytes = 300;
  config_.retention_ms = 1000;
  config_.file_delete_delay_ms = 0;
  auto manager = open_manager();
  auto expiring = *manager->get_or_create({"short", 0});
  LogConfig keep = config_;
  keep.retention_ms = -1;
  auto kept = *manager->get_or_create({"forever", 0}, keep);
  for (auto* log : {expiring.get(), kept.get()}) {
    append(*log, 8);
    log->set_high_watermark(log->log_end_offset());
  }
  int kept_segments = kept->segment_count();
  int expiring_segments = expiring->segment_count();
  ASSERT_GT(expiring_segments, 1);
  auto result = manager->run_retention(1'000'000);
  EXPECT_EQ(result.segments_deleted, expiring_segments - 1);
  EXPECT_EQ(expiring->segment_count(), 1);
  EXPECT_EQ(kept->segment_count(), kept_segments);
  EXPECT_EQ(result.files_removed, 3 * result.segments_deleted);
}

}  // namespace
}  // namespace sluice::broker::storage
