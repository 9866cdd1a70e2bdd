// I/O failures while appending (full disk, failing device): the append fails with
// storage_error, the log stays consistent on disk and goes offline, other logs carry on.
//
// Two ways to fail a write: the test-only IoHooks (a pwrite that writes part of the data
// and then fails with ENOSPC, an fsync that fails with EIO), and a real kernel limit —
// RLIMIT_FSIZE with SIGXFSZ ignored, which makes write(2) past the limit fail with EFBIG —
// set in a forked child so the test process keeps its limits.
#include "broker/storage/storage_error.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "batch_test_util.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/partition_log.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using protocol::Bytes;
using testing::decode_batches;
using testing::region_bytes;
using testing::simple_batch;
using testing::TempDir;

// The path of an open file descriptor.
std::string fd_path(int fd) {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  return ec ? std::string() : path.string();
}

// A disk that has `budget` bytes left for files whose path contains `match`: a write that
// crosses the budget writes what fits and the next call fails with ENOSPC.
struct FullDisk {
  int64_t budget;
  std::string match;
  IoHooks hooks() {
    IoHooks io;
    io.pwrite = [this](int fd, const void* buf, std::size_t count, off_t offset) -> ssize_t {
      if (fd_path(fd).find(match) == std::string::npos) return ::pwrite(fd, buf, count, offset);
      if (budget <= 0) {
        errno = ENOSPC;
        return -1;
      }
      auto n = static_cast<std::size_t>(std::min<int64_t>(budget, static_cast<int64_t>(count)));
      ssize_t written = ::pwrite(fd, buf, n, offset);
      if (written > 0) budget -= written;
      return written;
    };
    return io;
  }
};

TEST(StorageError, AppendOnAFullDiskFailsLeavesNoPartialBatchAndTakesTheLogOffline) {
  TempDir dir;
  Bytes batch = simple_batch(3, 1000, 50);
  FullDisk disk{static_cast<int64_t>(batch.size()) * 2 + static_cast<int64_t>(batch.size()) / 2,
                "t-0"};
  LogEnv env;
  env.io = disk.hooks();
  auto log = *PartitionLog::open(dir / "t-0", {"t", 0}, {}, env, {.had_clean_shutdown = true});
  for (int i = 0; i < 2; ++i) {
    Bytes copy = batch;
    ASSERT_TRUE(log->append(copy, 0).ok());
  }
  Bytes third = batch;
  auto failed = log->append(third, 0);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), StorageErrc::storage_error);
  EXPECT_EQ(to_kafka_errc(StorageErrc::storage_error), protocol::KafkaErrc::kafka_storage_error);
  EXPECT_NE(failed.error().context().find("No space left on device"), std::string::npos)
      << failed.error().context();
  // The half-written batch was cut off again.
  auto file = dir / "t-0" / "00000000000000000000.log";
  EXPECT_EQ(std::filesystem::file_size(file), batch.size() * 2);
  EXPECT_EQ(log->log_end_offset(), 6);
  // Offline: everything fails fast, even once the disk has room again.
  EXPECT_TRUE(log->offline());
  disk.budget = 1 << 20;
  Bytes again = batch;
  EXPECT_EQ(log->append(again, 0).error().code(), StorageErrc::storage_error);
  EXPECT_EQ(log->read(0).error().code(), StorageErrc::storage_error);
  EXPECT_EQ(log->offset_for_timestamp(0).error().code(), StorageErrc::storage_error);
  EXPECT_EQ(log->truncate_to(0).error().code(), StorageErrc::storage_error);
  // What is on disk is a consistent log of the first two batches.
  log.reset();
  auto reopened = PartitionLog::open(dir / "t-0", {"t", 0}, {}, {}, {.had_clean_shutdown = false});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->log_end_offset(), 6);
  auto read = (*reopened)->read(0);
  EXPECT_EQ(decode_batches(region_bytes(read->region)).size(), 2u);
}

TEST(StorageError, FailedFsyncWhenRollingTakesTheLogOffline) {
  TempDir dir;
  LogEnv env;
  bool fail = false;
  env.io.fsync = [&](int fd) {
    if (fail) {
      errno = EIO;
      return -1;
    }
    return ::fsync(fd);
  };
  LogConfig config;
  config.segment_bytes = 300;
  auto log = *PartitionLog::open(dir / "t-0", {"t", 0}, config, env, {.had_clean_shutdown = true});
  Bytes batch = simple_batch(1, 1000, 150);
  Bytes copy = batch;
  ASSERT_TRUE(log->append(copy, 0).ok());
  fail = true;
  copy = batch;
  auto failed = log->append(copy, 0);  // rolls, and the rolled segment's fsync fails
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), StorageErrc::storage_error);
  EXPECT_NE(failed.error().context().find("Input/output error"), std::string::npos);
  EXPECT_TRUE(log->offline());
  EXPECT_EQ(log->log_end_offset(), 1);
}

TEST(StorageError, AFailingLogDoesNotStopTheOtherLogs) {
  TempDir dir;
  Bytes batch = simple_batch(2, 1000, 20);
  FullDisk disk{static_cast<int64_t>(batch.size()), "bad-0"};
  LogManagerOptions options;
  options.log_dirs = {dir.path()};
  options.env.io = disk.hooks();
  auto manager = std::move(*LogManager::open(options));
  auto bad = *manager->get_or_create({"bad", 0});
  auto good = *manager->get_or_create({"good", 0});
  for (int i = 0; i < 3; ++i) {
    Bytes a = batch;
    Bytes b = batch;
    auto bad_result = bad->append(a, 0);
    EXPECT_EQ(bad_result.ok(), i == 0);
    ASSERT_TRUE(good->append(b, 0).ok());
  }
  EXPECT_TRUE(bad->offline());
  EXPECT_FALSE(good->offline());
  EXPECT_EQ(good->log_end_offset(), 6);
  auto summaries = manager->summaries();
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_TRUE(summaries[0].offline);   // bad-0
  EXPECT_FALSE(summaries[1].offline);  // good-0
  // Closing skips the clean-shutdown marker of the dir with the offline log, so the next
  // start recovers it.
  ASSERT_TRUE(manager->close().ok());
  EXPECT_FALSE(std::filesystem::exists(dir / ".kafka_cleanshutdown"));
  manager.reset();
  auto reopened = std::move(*LogManager::open({.log_dirs = {dir.path()}}));
  EXPECT_EQ(reopened->get({"bad", 0})->log_end_offset(), 2);
  EXPECT_EQ(reopened->get({"good", 0})->log_end_offset(), 6);
  EXPECT_FALSE(reopened->get({"bad", 0})->offline());
}

TEST(StorageError, FileSizeLimitInAChildProcessFailsTheAppendCleanly) {
  TempDir dir;
  constexpr rlim_t kLimit = 64 * 1024;
  Bytes batch = simple_batch(4, 1000, 250);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // In the child: no gtest assertions, only an exit code.
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{kLimit, kLimit};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(10);
    LogConfig config;
    config.segment_index_bytes = 4096;
    auto log = PartitionLog::open(dir / "t-0", {"t", 0}, config, {}, {.had_clean_shutdown = true});
    if (!log.ok()) ::_exit(11);
    int appended = 0;
    for (;;) {
      Bytes copy = batch;
      auto result = (*log)->append(copy, 0);
      if (!result.ok()) {
        if (result.error().code() != StorageErrc::storage_error) ::_exit(12);
        break;
      }
      if (++appended > 1000) ::_exit(13);
    }
    if (!(*log)->offline()) ::_exit(14);
    auto size = std::filesystem::file_size(dir / "t-0" / "00000000000000000000.log");
    if (size != batch.size() * static_cast<std::size_t>(appended)) ::_exit(15);
    if (size > kLimit) ::_exit(16);
    ::_exit(appended > 0 ? 0 : 17);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  // The parent, without the limit, finds a consistent log holding the accepted batches.
  auto log = PartitionLog::open(dir / "t-0", {"t", 0}, {}, {}, {.had_clean_shutdown = false});
  ASSERT_TRUE(log.ok());
  int64_t batches = static_cast<int64_t>(kLimit / batch.size());
  EXPECT_EQ((*log)->log_end_offset(), batches * 4);
  Bytes copy = batch;
  EXPECT_EQ((*log)->append(copy, 0)->first_offset, batches * 4);
}

}  // namespace
}  // namespace sluice::broker::storage
