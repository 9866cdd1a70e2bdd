// The settings of one partition log: Kafka's per-topic keys (segment.bytes, retention.ms,
// cleanup.policy, ...) with the broker's log.* keys as defaults. The broker fills this from
// its configuration (broker/config/topic_config.h, LogSettings); the storage layer does not
// read configuration itself.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>

#include "broker/storage/file_util.h"
#include "common/result.h"

namespace sluice::broker::storage {

struct LogConfig {
  // segment.bytes / log.segment.bytes: roll when the next append would not fit.
  int64_t segment_bytes = 1LL << 30;
  // segment.ms / log.roll.ms (log.roll.hours): roll a non-empty segment this long after
  // its first append.
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  // index.interval.bytes / log.index.interval.bytes: bytes of batches between index entries.
  int64_t index_interval_bytes = 4096;
  // segment.index.bytes / log.index.size.max.bytes: preallocated size of each index file.
  int64_t segment_index_bytes = 10 * 1024 * 1024;
  // flush.messages / log.flush.interval.messages and flush.ms / log.flush.interval.ms:
  // fsync after this many unflushed offsets or this long since the last flush. The
  // defaults never fsync (durability comes from replication), except on roll and close.
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  int64_t flush_ms = std::numeric_limits<int64_t>::max();
  // retention.ms / log.retention.{ms,minutes,hours}; -1 keeps segments forever.
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  // retention.bytes / log.retention.bytes; -1: no size limit.
  int64_t retention_bytes = -1;
  // cleanup.policy / log.cleanup.policy: "delete" (retention), "compact", or both.
  bool delete_policy = true;
  bool compact = false;
  // delete.retention.ms / log.cleaner.delete.retention.ms: tombstones younger than this
  // survive compaction.
  int64_t delete_retention_ms = 24LL * 3600 * 1000;
  // min.compaction.lag.ms: segments with records younger than this are not compacted.
  int64_t min_compaction_lag_ms = 0;
  // min.cleanable.dirty.ratio / log.cleaner.min.cleanable.ratio: compact when the share of
  // bytes written since the last compaction reaches this.
  double min_cleanable_dirty_ratio = 0.5;
  // file.delete.delay.ms / log.segment.delete.delay.ms: how long `.deleted` files stay.
  int64_t file_delete_delay_ms = 60000;
  // message.timestamp.type=LogAppendTime: leaders stamp batches with the append time.
  bool log_append_time = false;
};

// invalid_argument unless segment_bytes is in [61, 2^31-1] (index positions are int32),
// segment_index_bytes in [4, 2^31-1], and the other values in their ranges.
Status validate_log_config(const LogConfig& config);

// What a log needs from its surroundings besides its config.
struct LogEnv {
  // Wall-clock milliseconds (append times, segment age, flush.ms, tombstone age).
  // Empty: the system clock.
  std::function<int64_t()> clock;
  // Test-only fault injection for writes and fsyncs (see IoHooks).
  IoHooks io;

  int64_t now_ms() const;
};

}  // namespace sluice::broker::storage
