// LogManager: all partition logs of the broker across its log dirs (see log_manager.h).
#include "broker/storage/log_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "broker/storage/file_util.h"
#include "broker/storage/offset_checkpoint.h"
#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker::storage {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A checkpoint that does not parse is not fatal (as in Kafka): the log falls back to the
// safe value (recover everything, high watermark from the log start).
OffsetMap read_checkpoint_or_empty(const std::filesystem::path& dir, std::string_view name) {
  auto read = OffsetCheckpointFile(dir / name).read();
  if (read.ok()) return std::move(read).value();
  SLUICE_LOG(warning) << "ignoring " << read.error().to_string();
  return {};
}

int64_t lookup_or(const OffsetMap& offsets, const TopicPartition& tp, int64_t fallback) {
  auto it = offsets.find(tp);
  return it == offsets.end() ? fallback : it->second;
}

}  // namespace

LogManager::LogManager(LogManagerOptions options) : options_(std::move(options)) {
  dirs_ = options_.log_dirs;
}

LogManager::~LogManager() {
  for (int fd : lock_fds_) ::close(fd);
}

Result<std::unique_ptr<LogManager>> LogManager::open(LogManagerOptions options) {
  if (options.log_dirs.empty()) {
    return Error(StorageErrc::invalid_argument, "no log directories");
  }
  std::unique_ptr<LogManager> manager(new LogManager(std::move(options)));
  SLUICE_CHECK(manager->lock_dirs());
  for (const auto& dir : manager->dirs_) SLUICE_CHECK(manager->load_dir(dir));
  return manager;
}

Status LogManager::lock_dirs() {
  for (const auto& dir : dirs_) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return io_error("create log directory", dir, ec.value());
    auto path = dir / kLockFile;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Error(StorageErrc::log_dir_locked,
                     dir.string() + " is in use by another broker (" + path.string() + ")");
      }
      return io_error("lock", path, err);
    }
    lock_fds_.push_back(fd);
  }
  return ok_status();
}

LogConfig LogManager::config_for(const TopicPartition& tp) const {
  return options_.config_for ? options_.config_for(tp) : options_.default_config;
}

Status LogManager::load_dir(const std::filesystem::path& dir) {
  MutexLock lock(mu_);  // uncontended: open() has not returned the manager yet
  auto marker = dir / kCleanShutdownFile;
  std::error_code ec;
  bool clean = std::filesystem::exists(marker, ec);
  OffsetMap recovery_points = read_checkpoint_or_empty(dir, kRecoveryPointCheckpoint);
  OffsetMap high_watermarks = read_checkpoint_or_empty(dir, kReplicationCheckpoint);
  OffsetMap log_starts = read_checkpoint_or_empty(dir, kLogStartOffsetCheckpoint);
  OffsetMap dirty = read_checkpoint_or_empty(dir, kCleanerCheckpoint);
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename().string();
    if (ends_with(name, "-delete")) {
      // A deletion that was interrupted after its rename.
      std::filesystem::remove_all(entry.path(), ec);
      if (ec) return io_error("remove", entry.path(), ec.value());
      continue;
    }
    auto tp = parse_dir_name(name);
    if (!tp) {
      SLUICE_LOG(warning) << "ignoring " << entry.path().string()
                          << ": not a <topic>-<partition> directory";
      continue;
    }
    if (logs_.contains(*tp)) {
      return Error(StorageErrc::corrupt, "partition " + tp->to_string() + " is in both " +
                                             logs_[*tp]->dir().string() + " and " +
                                             entry.path().string());
    }
    LogLoadOptions load;
    load.had_clean_shutdown = clean;
    load.recovery_point = lookup_or(recovery_points, *tp, 0);
    load.high_watermark = lookup_or(high_watermarks, *tp, 0);
    load.log_start_offset = lookup_or(log_starts, *tp, 0);
    load.first_dirty_offset = lookup_or(dirty, *tp, 0);
    SLUICE_TRY(auto log,
               PartitionLog::open(entry.path(), *tp, config_for(*tp), options_.env, load));
    logs_.emplace(*tp, std::move(log));
  }
  if (ec) return io_error("list", dir, ec.value());
  if (clean) {
    // From here on a crash must be noticed at the next start.
    SLUICE_CHECK(remove_file(marker));
    SLUICE_CHECK(fsync_dir(dir));
  } else {
    SLUICE_LOG(info) << "log dir " << dir.string() << " had no clean shutdown; logs were recovered";
  }
  return ok_status();
}

std::shared_ptr<PartitionLog> LogManager::get(const TopicPartition& tp) const {
  MutexLock lock(mu_);
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<PartitionLog>> LogManager::get_or_create(const TopicPartition& tp,
                                                                std::optional<LogConfig> config) {
  MutexLock lock(mu_);
  if (closed_) return Error(StorageErrc::storage_error, "log manager is closed");
  if (auto it = logs_.find(tp); it != logs_.end()) return it->second;
  auto legal = parse_dir_name(dir_name(tp));
  if (!legal || *legal != tp || tp.partition < 0) {
    return Error(StorageErrc::invalid_argument, "'" + tp.to_string() + "' is not a valid log name");
  }
  // The log dir with the fewest logs (Kafka's placement).
  std::map<std::filesystem::path, int> counts;
  for (const auto& dir : dirs_) counts[dir] = 0;
  for (const auto& [other, log] : logs_) {
    auto parent = log->dir().parent_path();
    if (counts.contains(parent)) counts[parent]++;
  }
  const std::filesystem::path* best = &dirs_.front();
  for (const auto& dir : dirs_) {
    if (counts[dir] < counts[*best]) best = &dir;
  }
  LogLoadOptions load;
  load.had_clean_shutdown = true;  // a new directory has nothing to recover
  SLUICE_TRY(auto log, PartitionLog::open(*best / dir_name(tp), tp, config.value_or(config_for(tp)),
                                          options_.env, load));
  SLUICE_CHECK(fsync_dir(*best));
  logs_.emplace(tp, log);
  SLUICE_LOG(info) << "created log " << tp.to_string() << " in " << best->string();
  return log;
}

Status LogManager::remove(const TopicPartition& tp) {
  std::shared_ptr<PartitionLog> log;
  {
    MutexLock lock(mu_);
    auto it = logs_.find(tp);
    if (it == logs_.end()) {
      return Error(StorageErrc::log_not_found, "no log for " + tp.to_string());
    }
    log = it->second;
    logs_.erase(it);
  }
  (void)log->close();
  auto dir = log->dir();
  auto parent = dir.parent_path();
  auto doomed = parent / (dir_name(tp) + "." + random_hex_id() + "-delete");
  SLUICE_CHECK(rename_file(dir, doomed));
  SLUICE_CHECK(fsync_dir(parent));
  log->set_dir(doomed);
  std::error_code ec;
  std::filesystem::remove_all(doomed, ec);
  if (ec) return io_error("remove", doomed, ec.value());
  SLUICE_LOG(info) << "deleted log " << tp.to_string();
  return ok_status();
}

std::vector<std::shared_ptr<PartitionLog>> LogManager::all_logs() const {
  MutexLock lock(mu_);
  std::vector<std::shared_ptr<PartitionLog>> out;
  for (const auto& [tp, log] : logs_) out.push_back(log);
  return out;
}

std::vector<TopicPartition> LogManager::partitions() const {
  MutexLock lock(mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, log] : logs_) out.push_back(tp);
  return out;
}

std::vector<LogSummary> LogManager::summaries() const {
  std::vector<LogSummary> out;
  for (const auto& log : all_logs()) {
    LogSummary s;
    s.topic_partition = log->topic_partition();
    s.dir = log->dir();
    s.size_bytes = log->size_bytes();
    s.segments = log->segment_count();
    s.log_start_offset = log->log_start_offset();
    s.log_end_offset = log->log_end_offset();
    s.high_watermark = log->high_watermark();
    s.recovery_point = log->recovery_point();
    s.offline = log->offline();
    out.push_back(std::move(s));
  }
  return out;
}

Status LogManager::checkpoint() {
  std::map<std::filesystem::path, std::array<OffsetMap, 4>> per_dir;
  for (const auto& dir : dirs_) per_dir[dir];
  for (const auto& log : all_logs()) {
    if (log->offline()) continue;
    auto it = per_dir.find(log->dir().parent_path());
    if (it == per_dir.end()) continue;
    const auto& tp = log->topic_partition();
    it->second[0][tp] = log->recovery_point();
    it->second[1][tp] = log->high_watermark();
    it->second[2][tp] = log->log_start_offset();
    it->second[3][tp] = log->first_dirty_offset();
  }
  for (const auto& [dir, maps] : per_dir) {
    SLUICE_CHECK(OffsetCheckpointFile(dir / kRecoveryPointCheckpoint).write(maps[0]));
    SLUICE_CHECK(OffsetCheckpointFile(dir / kReplicationCheckpoint).write(maps[1]));
    SLUICE_CHECK(OffsetCheckpointFile(dir / kLogStartOffsetCheckpoint).write(maps[2]));
    SLUICE_CHECK(OffsetCheckpointFile(dir / kCleanerCheckpoint).write(maps[3]));
  }
  return ok_status();
}

RetentionResult LogManager::run_retention(int64_t now_ms) {
  RetentionResult total;
  for (const auto& log : all_logs()) {
    auto result = log->apply_retention(now_ms);
    if (!result.ok()) {
      SLUICE_LOG(warning) << "retention of " << log->topic_partition().to_string()
                          << " failed: " << result.error().to_string();
      continue;
    }
    total.segments_deleted += result->segments_deleted;
    total.bytes_deleted += result->bytes_deleted;
    total.files_removed += result->files_removed;
  }
  return total;
}

CleanerStats LogManager::run_cleaner(bool force) {
  CleanerStats total;
  int64_t now = options_.env.now_ms();
  for (const auto& log : all_logs()) {
    if (!log->config().compact || log->offline()) continue;
    auto stats = LogCleaner::clean(*log, now, force);
    if (!stats.ok()) {
      SLUICE_LOG(warning) << "compaction of " << log->topic_partition().to_string()
                          << " failed: " << stats.error().to_string();
      continue;
    }
    total += *stats;
  }
  return total;
}

void LogManager::flush_due(int64_t now_ms) {
  for (const auto& log : all_logs()) {
    auto status = log->flush_if_due(now_ms);
    if (!status.ok()) {
      SLUICE_LOG(warning) << "flush of " << log->topic_partition().to_string()
                          << " failed: " << status.error().to_string();
    }
  }
}

Status LogManager::close() {
  {
    MutexLock lock(mu_);
    if (closed_) return ok_status();
    closed_ = true;
  }
  Status first_error;
  for (const auto& log : all_logs()) {
    auto status = log->close();
    if (!status.ok() && first_error.ok()) first_error = status;
  }
  auto checkpointed = checkpoint();
  if (!checkpointed.ok() && first_error.ok()) first_error = checkpointed;
  for (const auto& dir : dirs_) {
    bool healthy = checkpointed.ok();
    for (const auto& log : all_logs()) {
      if (log->dir().parent_path() == dir && log->offline()) healthy = false;
    }
    if (!healthy) continue;
    auto marker = dir / kCleanShutdownFile;
    auto written = write_file_atomically(marker, "");
    if (!written.ok() && first_error.ok()) first_error = written;
  }
  for (int fd : lock_fds_) ::close(fd);
  lock_fds_.clear();
  return first_error;
}

}  // namespace sluice::broker::storage
