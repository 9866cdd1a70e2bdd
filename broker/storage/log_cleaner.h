// Log compaction for cleanup.policy=compact: keeps the last record of every key in the
// non-active segments, drops tombstones (null values) older than delete.retention.ms, and
// leaves every surviving record at its original offset. See docs/log-format.md.
//
// A pass reads segments that no longer change (non-active, below the high watermark) without
// holding the log's locks, writes the cleaned segments as ".cleaned" files, and swaps each
// one in under the log's writer lock (".cleaned" → ".swap" → final name, the old segments
// renamed to ".deleted"). A segment that changed meanwhile (truncated, deleted) cancels
// its swap. Runs on the caller's thread; the broker schedules it.
#pragma once

#include <cstdint>

#include "common/result.h"

namespace sluice::broker::storage {

class PartitionLog;

struct CleanerStats {
  int32_t logs_cleaned = 0;
  int32_t segments_cleaned = 0;  // input segments rewritten
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_retained = 0;
  int64_t tombstones_dropped = 0;

  CleanerStats& operator+=(const CleanerStats& other);
};

class LogCleaner {
 public:
  // Compacts `log` once when it has cleanup.policy=compact and its dirty ratio (bytes since
  // the last compaction / cleanable bytes) reached min.cleanable.dirty.ratio — or, with
  // `force`, whenever it has cleanable segments (even without new writes, so tombstones
  // that aged out since the last pass go). `now_ms` decides which tombstones have aged out
  // and which segments are past min.compaction.lag.ms.
  static Result<CleanerStats> clean(PartitionLog& log, int64_t now_ms, bool force = false);
};

}  // namespace sluice::broker::storage
