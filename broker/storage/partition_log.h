// The log of one partition: an ordered set of segments in "<log dir>/<topic>-<partition>/",
// the offsets that describe it (log start, log end, high watermark, recovery point), its
// leader-epoch cache, and the operations the broker runs on it: append (as leader or
// follower), read (as a sendfile-able file region), lookups by timestamp, truncation,
// retention, DeleteRecords and flushing. See docs/log-format.md for the files.
//
// Threading contract:
//   - One writer at a time. Every mutating operation (append, append_as_follower,
//     truncate_to, truncate_fully_and_start_at, delete_records_before, apply_retention,
//     flush, close, the cleaner's segment swap) takes the log's writer mutex, so callers may
//     call them from any thread; they are serialised, never interleaved.
//   - Any number of concurrent readers. read(), offset_for_timestamp() and the accessors
//     take a shared lock on the log's state only while they locate batches (index search
//     and a few header reads from the page cache; a timestamp lookup also decodes the batch
//     it lands in); the file region read() returns is sent after the lock is gone. Appends
//     hold the exclusive lock only to publish what they wrote (the file write itself and
//     the fsyncs happen outside it), so a slow disk delays other writers of this log, not
//     its readers; truncation, retention and segment swaps hold it while they change the
//     segment list (renames and ftruncate, no fsync).
//   - A returned FileRegion stays readable even if its segment is deleted or replaced
//     meanwhile: its keepalive holds the segment's file descriptor.
//
// Errors: an I/O failure while appending, rolling, flushing or truncating returns
// storage_error and marks the log offline; from then on every append and read fails fast
// with storage_error (other logs are unaffected). The log on disk stays consistent: a
// failed append is cut back to the size before it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "broker/storage/leader_epoch_cache.h"
#include "broker/storage/log_config.h"
#include "broker/storage/log_segment.h"
#include "broker/storage/producer_state.h"
#include "broker/storage/topic_partition.h"
#include "common/mutex.h"
#include "common/result.h"
#include "protocol/wire.h"

namespace sluice::broker::storage {

// What the log manager knows about a log when it loads it (from the checkpoints and the
// clean-shutdown marker of its log dir).
struct LogLoadOptions {
  bool had_clean_shutdown = false;
  int64_t recovery_point = 0;      // recovery-point-offset-checkpoint
  int64_t log_start_offset = 0;    // log-start-offset-checkpoint
  int64_t high_watermark = 0;      // replication-offset-checkpoint
  int64_t first_dirty_offset = 0;  // cleaner-offset-checkpoint
};

struct AppendInfo {
  int64_t first_offset = -1;     // base offset of the first batch
  int64_t last_offset = -1;      // last offset of the last batch
  int64_t log_append_time = -1;  // the stamped time with LogAppendTime, else -1 (Kafka's answer)
  int64_t log_start_offset = 0;
  int32_t batches = 0;
  int64_t bytes = 0;
  // A retry of an idempotent producer's batch the log already holds: nothing was written;
  // the offsets (and, with LogAppendTime, the time) are those of the original append.
  bool duplicate = false;
};

struct ReadOptions {
  // Soft limit on the region's length: whole batches only, and the first batch counts even
  // when larger (when min_one_batch; Kafka's minOneMessage).
  int64_t max_bytes = 1024 * 1024;
  // Exclusive upper bound on the offsets returned (the high watermark for consumers);
  // nullopt: the log end offset. A batch that straddles it is not returned.
  std::optional<int64_t> max_offset;
  bool min_one_batch = true;
};

struct ReadResult {
  // Whole batches starting with the one that holds the requested offset (or the first one
  // after it); length 0 when there is nothing to return yet.
  protocol::FileRegion region;
  // Where the next read should start: one past the last batch in the region (or the base
  // offset of the batch that follows it); -1 when the region is empty.
  int64_t next_offset = -1;
  // Snapshot of the log's offsets at the time of the read (for the fetch response).
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t high_watermark = 0;
};

// ListOffsets by timestamp: the first record whose timestamp is >= the target.
struct TimestampLookup {
  int64_t timestamp;
  int64_t offset;
  int32_t leader_epoch;  // of the batch holding the record
};

struct RetentionResult {
  int32_t segments_deleted = 0;
  int64_t bytes_deleted = 0;
  int32_t files_removed = 0;  // .deleted files whose delay had passed
};

class LogCleaner;

class PartitionLog {
 public:
  // Opens (creating when missing) the log in `dir`, removing leftovers of interrupted
  // deletions and compactions, completing interrupted segment swaps, and — unless the log
  // dir had a clean shutdown — recovering every segment from the one holding the recovery
  // point on: each batch's header and CRC are checked, the first invalid or torn batch and
  // everything after it are truncated, and the indexes are rebuilt.
  // Errors: invalid_argument (a config validate_log_config refuses), storage_error (I/O),
  // corrupt (a leader-epoch checkpoint that does not parse).
  static Result<std::shared_ptr<PartitionLog>> open(const std::filesystem::path& dir,
                                                    TopicPartition tp, LogConfig config, LogEnv env,
                                                    const LogLoadOptions& load = {});
  ~PartitionLog();
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Leader append: `batches` holds one or more RecordBatch v2 (a produce request's
  // records); they are validated, then get consecutive offsets from the log end offset
  // (only each batch's base offset field is rewritten) and `leader_epoch` as their
  // partition leader epoch, and are written as they are. With LogAppendTime the batches'
  // max timestamp is set to now. The buffer is modified in place.
  // Batches with a producer id go through the producer state first (producer_state.h): a
  // retry of one of the producer's last five batches is answered with the original offsets
  // (AppendInfo::duplicate) and not appended; an idempotent batch must be alone in `batches`
  // (as Kafka requires of produce v3+). Errors: invalid_records, batch_too_large,
  // storage_error, out_of_order_sequence, invalid_producer_epoch, unknown_producer_id.
  Result<AppendInfo> append(std::span<uint8_t> batches, int32_t leader_epoch);
  // Follower append: the batches keep the leader's offsets and epochs; the first base
  // offset must be >= the log end offset and offsets must increase (else invalid_offset).
  // The producer state follows the batches without checks.
  Result<AppendInfo> append_as_follower(std::span<uint8_t> batches);

  // Whole batches from the one holding `offset`. offset_out_of_range below the log start
  // offset or past the log end offset.
  Result<ReadResult> read(int64_t offset, const ReadOptions& options = {}) const;

  // The first record at or after the log start whose timestamp is >= `timestamp`;
  // nullopt when there is none.
  Result<std::optional<TimestampLookup>> offset_for_timestamp(int64_t timestamp) const;
  // The record with the largest timestamp (ListOffsets MAX_TIMESTAMP); nullopt when empty.
  Result<std::optional<TimestampLookup>> offset_of_max_timestamp() const;

  // Follower truncation: drops every batch whose last offset is >= `offset` (below the log
  // start offset this is truncate_fully_and_start_at). No-op at or past the log end. The
  // producer state drops the truncated batches, or is rebuilt from the log when a producer
  // lost all the batches it had cached.
  Status truncate_to(int64_t offset);
  // Drops everything; the log restarts empty at `offset`.
  Status truncate_fully_and_start_at(int64_t offset);
  // DeleteRecords: moves the log start offset up to `offset` (which must not pass the high
  // watermark: offset_out_of_range) and deletes the segments wholly below it. Returns the
  // new log start offset.
  Result<int64_t> delete_records_before(int64_t offset);

  // Deletes whole non-active segments that are below the log start offset, older than
  // retention.ms (by their largest timestamp) or beyond retention.bytes (oldest first), and
  // only ones wholly below the high watermark. Deleted segments are renamed to ".deleted"
  // and their files removed by a later pass once file.delete.delay.ms has passed.
  Result<RetentionResult> apply_retention(int64_t now_ms);

  // fsyncs every segment with data past the recovery point and moves the recovery point to
  // the log end offset.
  Status flush();
  // flush() when flush.ms has passed since the last flush.
  Status flush_if_due(int64_t now_ms);
  // Flushes, writes the final time-index entries, trims the active segment's indexes and
  // removes pending ".deleted" files. The log accepts nothing afterwards.
  Status close();

  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  int64_t high_watermark() const;
  int64_t recovery_point() const;
  // Sets the high watermark (clamped to [log start, log end]); the replication layer's job.
  void set_high_watermark(int64_t offset);
  // Bytes of all segments.
  int64_t size_bytes() const;
  int32_t segment_count() const;
  std::vector<int64_t> segment_base_offsets() const;
  bool offline() const { return offline_.load(std::memory_order_acquire); }

  const TopicPartition& topic_partition() const { return tp_; }
  // A copy: set_dir may move the directory meanwhile.
  std::filesystem::path dir() const;
  LogConfig config() const;
  // Later appends, rolls and retention passes use `config`. invalid_argument when
  // validate_log_config refuses it.
  Status update_config(const LogConfig& config);

  LeaderEpochCache& leader_epochs() { return *epochs_; }
  // OffsetForLeaderEpoch.
  EpochEndOffset end_offset_for_epoch(int32_t epoch) const;

  // The idempotent-producer state of `producer_id` (a copy); nullopt when none.
  std::optional<ProducerEntry> producer_state(int64_t producer_id) const;
  std::size_t producer_count() const;

  // Compaction bookkeeping (cleaner-offset-checkpoint): offsets below this were compacted.
  int64_t first_dirty_offset() const;

  // The directory moved (the log manager renames a deleted partition's directory).
  void set_dir(const std::filesystem::path& dir);

 private:
  friend class LogCleaner;
  using SegmentMap = std::map<int64_t, std::shared_ptr<LogSegment>>;

  PartitionLog(std::filesystem::path dir, TopicPartition tp, LogConfig config, LogEnv env);
  Status load(const LogLoadOptions& load);
  Status complete_swaps() REQUIRES(write_mu_) REQUIRES_SHARED(state_);
  SegmentSettings segment_settings() const REQUIRES_SHARED(state_);

  // The writer's steps: callers hold write_mu_ (the LogWriterLock of partition_log.cpp).
  Result<AppendInfo> append_locked(std::span<uint8_t> batches, std::vector<BatchInfo>& infos,
                                   int64_t now_ms, int64_t log_append_time) REQUIRES(write_mu_)
      REQUIRES_SHARED(state_);
  Status roll_locked(int64_t new_base, int64_t now_ms) REQUIRES(write_mu_) REQUIRES_SHARED(state_);
  Status flush_up_to_locked(int64_t offset) REQUIRES(write_mu_) REQUIRES_SHARED(state_);
  Status truncate_fully_locked(int64_t offset) REQUIRES(write_mu_) REQUIRES_SHARED(state_);
  // Reads every batch header of the log (all segments, from the first) into producers_.
  Status rebuild_producer_state_locked() REQUIRES(write_mu_) REQUIRES_SHARED(state_);
  // Renames the segment's files to ".deleted" and queues them for removal.
  Status schedule_delete_locked(const std::shared_ptr<LogSegment>& segment, int64_t now_ms)
      REQUIRES(write_mu_) REQUIRES_SHARED(state_);
  int32_t remove_expired_files_locked(int64_t now_ms, bool all) REQUIRES(write_mu_)
      REQUIRES_SHARED(state_);
  Error go_offline(Error error);
  Status check_online() const;
  std::shared_ptr<LogSegment> active_locked() const REQUIRES_SHARED(state_) {
    return segments_.rbegin()->second;
  }

  // For the cleaner: the segments as they are now, and the swap of a group of them for
  // their cleaned replacement (files suffixed ".cleaned"). Fails with invalid_offset when
  // the group changed meanwhile (truncated, deleted).
  std::vector<std::shared_ptr<LogSegment>> segments_snapshot() const;
  Status replace_segments(const std::vector<std::shared_ptr<LogSegment>>& old_segments,
                          const std::shared_ptr<LogSegment>& cleaned,
                          const std::vector<int64_t>& old_sizes);
  void set_first_dirty_offset(int64_t offset);
  // The cleaner builds its segments with the log's settings.
  SegmentSettings cleaner_segment_settings() const;

  const TopicPartition tp_;
  LogEnv env_;

  // Locking (checked by clang, scripts/check-thread-safety.sh). Lock order: write_mu_, then
  // state_mu_.
  //   write_mu_  serialises writers (appends, truncation, retention, flush, close, segment
  //              swaps) and guards the writer's own bookkeeping.
  //   state_mu_  readers hold it shared while they look at the state; a writer holds it
  //              exclusively only to publish a change (so a slow disk never blocks readers).
  //   state_     not a lock: the right to read the writer-owned state. A writer has it through
  //              write_mu_ (nobody else changes that state), a reader through state_mu_; it is
  //              exclusive (the state may change) only while a writer holds both mutexes.
  // The scoped locks that grant these are in partition_log.cpp: LogWriterLock, LogReaderLock,
  // PublishLock and OffsetsLock.
  mutable Mutex write_mu_ ACQUIRED_BEFORE(state_mu_);
  mutable SharedMutex state_mu_;
  Capability state_;

  // Writer-owned state: changed only by a writer, under PublishLock.
  std::filesystem::path dir_ GUARDED_BY(state_);
  LogConfig config_ GUARDED_BY(state_);
  // Never empty once loaded; the last one is the active segment.
  SegmentMap segments_ GUARDED_BY(state_);
  int64_t log_start_offset_ GUARDED_BY(state_) = 0;
  int64_t log_end_offset_ GUARDED_BY(state_) = 0;
  int64_t recovery_point_ GUARDED_BY(state_) = 0;
  // Also set outside the writer (by the replication layer and the cleaner, under
  // OffsetsLock): even a writer reads these only with state_mu_ held.
  int64_t high_watermark_ GUARDED_BY(state_mu_) = 0;
  int64_t first_dirty_offset_ GUARDED_BY(state_mu_) = 0;

  // The writer's bookkeeping, which readers never see.
  int64_t last_flush_ms_ GUARDED_BY(write_mu_) = 0;
  bool closed_ GUARDED_BY(write_mu_) = false;
  struct PendingDelete {
    std::vector<std::filesystem::path> files;
    int64_t remove_after_ms;
  };
  std::vector<PendingDelete> pending_deletes_ GUARDED_BY(write_mu_);
  ProducerStateMap producers_ GUARDED_BY(write_mu_);

  // Set once by open() before the log is shared; thread-safe itself.
  std::unique_ptr<LeaderEpochCache> epochs_;
  std::atomic<bool> offline_{false};
};

}  // namespace sluice::broker::storage
