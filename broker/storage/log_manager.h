// The log manager: every partition log of this broker, across all log.dirs. It locks each
// log dir (an exclusive flock on "<dir>/.lock", so two brokers never share a dir), loads
// every "<topic>-<partition>" directory at start-up — recovering logs of dirs without a
// clean-shutdown marker — creates and deletes partition logs, writes the per-dir
// checkpoints, and runs retention, compaction and time-based flushes when asked (the
// broker's scheduler decides when).
//
// Thread-safe: the set of logs is guarded by a mutex; each log has its own contract (see
// partition_log.h). run_retention, run_cleaner, checkpoint and flush_due may run
// concurrently with appends and reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "broker/storage/log_cleaner.h"
#include "broker/storage/log_config.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/topic_partition.h"
#include "common/mutex.h"
#include "common/result.h"

namespace sluice::broker::storage {

// Written into a log dir by a clean shutdown and removed at start-up (Kafka's name).
inline constexpr const char* kCleanShutdownFile = ".kafka_cleanshutdown";
inline constexpr const char* kLockFile = ".lock";

struct LogManagerOptions {
  std::vector<std::filesystem::path> log_dirs;
  LogConfig default_config;
  // The config of a log found at start-up (its topic's overrides); empty: default_config.
  std::function<LogConfig(const TopicPartition&)> config_for;
  LogEnv env;
};

struct LogSummary {
  TopicPartition topic_partition;
  std::filesystem::path dir;
  int64_t size_bytes = 0;
  int32_t segments = 0;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t high_watermark = 0;
  int64_t recovery_point = 0;
  bool offline = false;
};

class LogManager {
 public:
  // Locks every log dir (creating missing ones) and loads their logs. Errors:
  // log_dir_locked when another LogManager (this process or another) holds a dir,
  // storage_error on I/O failures, corrupt when two dirs hold the same partition.
  static Result<std::unique_ptr<LogManager>> open(LogManagerOptions options);
  // Releases the dir locks. Without close() first, the dirs get no clean-shutdown marker,
  // so the next start recovers them (as after a crash).
  ~LogManager();
  LogManager(const LogManager&) = delete;
  LogManager& operator=(const LogManager&) = delete;

  std::shared_ptr<PartitionLog> get(const TopicPartition& tp) const;
  // The log of `tp`, created (in the log dir with the fewest logs) with `config` — or the
  // default config — when missing.
  Result<std::shared_ptr<PartitionLog>> get_or_create(const TopicPartition& tp,
                                                      std::optional<LogConfig> config = {});
  // Deletes the log: renames its directory to "<topic>-<partition>.<id>-delete", then
  // removes it. In-flight file regions stay readable. log_not_found when there is none.
  Status remove(const TopicPartition& tp);

  std::vector<TopicPartition> partitions() const;
  std::vector<LogSummary> summaries() const;
  const std::vector<std::filesystem::path>& log_dirs() const { return dirs_; }

  // Writes recovery-point-offset-checkpoint, replication-offset-checkpoint,
  // log-start-offset-checkpoint and cleaner-offset-checkpoint in every log dir (offline
  // logs are left out, so they recover fully at the next start).
  Status checkpoint();
  // apply_retention on every log; a failing log is logged and skipped.
  RetentionResult run_retention(int64_t now_ms);
  // One compaction pass over every log with cleanup.policy=compact.
  CleanerStats run_cleaner(bool force = false);
  // flush_if_due on every log (flush.ms).
  void flush_due(int64_t now_ms);

  // Flushes and closes every log, writes the checkpoints and the clean-shutdown markers
  // (not in a dir with an offline log), and releases the locks.
  Status close();

 private:
  explicit LogManager(LogManagerOptions options);
  Status lock_dirs();
  Status load_dir(const std::filesystem::path& dir);
  LogConfig config_for(const TopicPartition& tp) const;
  std::vector<std::shared_ptr<PartitionLog>> all_logs() const;

  LogManagerOptions options_;
  std::vector<std::filesystem::path> dirs_;
  std::vector<int> lock_fds_;
  mutable Mutex mu_;
  std::map<TopicPartition, std::shared_ptr<PartitionLog>> logs_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace sluice::broker::storage
