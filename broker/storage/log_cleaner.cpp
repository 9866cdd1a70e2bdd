// Log compaction (see log_cleaner.h and docs/log-format.md, "Compaction").
#include "broker/storage/log_cleaner.h"

#include <limits>
#include <string>
#include <unordered_map>

#include "broker/storage/partition_log.h"
#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker::storage {
namespace {

using SegmentList = std::vector<std::shared_ptr<LogSegment>>;

// Calls fn(bytes, info) for every batch of `segment`, in order.
template <class Fn>
Status for_each_batch(const LogSegment& segment, Fn&& fn) {
  int64_t position = 0;
  int64_t size = segment.size();
  while (position < size) {
    SLUICE_TRY(BatchInfo info, segment.read_header_at(position));
    SLUICE_TRY(auto bytes, segment.read_bytes(position, info.size));
    SLUICE_CHECK(fn(std::span<const uint8_t>(bytes), info));
    position += info.size;
  }
  return ok_status();
}

// Consecutive segments merged into one cleaned segment while their bytes fit one segment
// and their offsets fit the indexes' int32 relative offsets.
std::vector<SegmentList> group_segments(const SegmentList& segments, int64_t segment_bytes) {
  std::vector<SegmentList> groups;
  int64_t bytes = 0;
  for (const auto& segment : segments) {
    bool fits = !groups.empty() && bytes + segment->size() <= segment_bytes &&
                segment->next_offset() - groups.back().front()->base_offset() <=
                    std::numeric_limits<int32_t>::max();
    if (!fits) {
      groups.emplace_back();
      bytes = 0;
    }
    groups.back().push_back(segment);
    bytes += segment->size();
  }
  return groups;
}

}  // namespace

CleanerStats& CleanerStats::operator+=(const CleanerStats& other) {
  logs_cleaned += other.logs_cleaned;
  segments_cleaned += other.segments_cleaned;
  bytes_read += other.bytes_read;
  bytes_written += other.bytes_written;
  records_read += other.records_read;
  records_retained += other.records_retained;
  tombstones_dropped += other.tombstones_dropped;
  return *this;
}

Result<CleanerStats> LogCleaner::clean(PartitionLog& log, int64_t now_ms, bool force) {
  CleanerStats stats;
  LogConfig config = log.config();
  if (!config.compact || log.offline()) return stats;
  SegmentList segments = log.segments_snapshot();
  int64_t high_watermark = log.high_watermark();
  int64_t log_start = log.log_start_offset();

  // Cleanable: the non-active segments wholly below the high watermark whose records are
  // all older than min.compaction.lag.ms.
  std::size_t cleanable = 0;
  while (cleanable + 1 < segments.size() &&
         segments[cleanable + 1]->base_offset() <= high_watermark &&
         (config.min_compaction_lag_ms <= 0 ||
          now_ms - segments[cleanable]->largest_timestamp_for_retention() >=
              config.min_compaction_lag_ms)) {
    ++cleanable;
  }
  if (cleanable == 0) return stats;
  int64_t end = segments[cleanable]->base_offset();
  int64_t dirty_start = std::max(log.first_dirty_offset(), log_start);
  // Nothing written since the last pass: only a forced pass (which may still drop aged
  // tombstones) has work to do.
  if (dirty_start >= end && !force) return stats;
  dirty_start = std::min(dirty_start, end);
  int64_t total_bytes = 0;
  int64_t dirty_bytes = 0;
  for (std::size_t i = 0; i < cleanable; ++i) {
    total_bytes += segments[i]->size();
    if (segments[i + 1]->base_offset() > dirty_start) dirty_bytes += segments[i]->size();
  }
  if (!force && total_bytes > 0 &&
      static_cast<double>(dirty_bytes) / static_cast<double>(total_bytes) <
          config.min_cleanable_dirty_ratio) {
    return stats;
  }

  // The offset of the last record of every key written in the dirty range.
  std::unordered_map<std::string, int64_t> latest;
  for (std::size_t i = 0; i < cleanable; ++i) {
    if (segments[i + 1]->base_offset() <= dirty_start) continue;
    SLUICE_CHECK(for_each_batch(
        *segments[i], [&](std::span<const uint8_t> bytes, const BatchInfo& info) -> Status {
          if (info.last_offset < dirty_start || info.control) return ok_status();
          SLUICE_TRY(auto records, decode_records(bytes));
          for (const auto& record : records) {
            if (record.key && record.offset >= dirty_start && record.offset < end) {
              latest[*record.key] = record.offset;
            }
          }
          return ok_status();
        }));
  }

  const int64_t tombstone_horizon = now_ms - config.delete_retention_ms;
  SegmentList to_clean(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(cleanable));
  for (const auto& group : group_segments(to_clean, config.segment_bytes)) {
    SLUICE_TRY(auto cleaned,
               LogSegment::create(log.dir(), group.front()->base_offset(),
                                  log.cleaner_segment_settings(), now_ms, kCleanedSuffix));
    CleanerStats group_stats;
    std::vector<int64_t> sizes;
    auto discard = [&] {
      for (const auto& path : cleaned->file_paths()) (void)remove_file(path);
    };
    Status written;
    for (const auto& segment : group) {
      sizes.push_back(segment->size());
      group_stats.bytes_read += segment->size();
      written = for_each_batch(
          *segment, [&](std::span<const uint8_t> bytes, const BatchInfo& original) -> Status {
            if (original.control) {
              // Transaction markers are not keyed data: copied as they are.
              SLUICE_CHECK(cleaned->write(bytes));
              cleaned->commit(std::span<const BatchInfo>(&original, 1), now_ms);
              group_stats.bytes_written += original.size;
              return ok_status();
            }
            SLUICE_TRY(auto records, decode_records(bytes));
            std::vector<bool> keep(records.size());
            std::size_t kept = 0;
            for (std::size_t i = 0; i < records.size(); ++i) {
              const auto& record = records[i];
              group_stats.records_read++;
              if (!record.key) continue;  // compacted topics need keys (Kafka drops these too)
              auto it = latest.find(*record.key);
              bool newest = it == latest.end() || record.offset >= it->second;
              if (!newest) continue;
              if (record.null_value && record.timestamp < tombstone_horizon) {
                group_stats.tombstones_dropped++;
                continue;
              }
              keep[i] = true;
              ++kept;
            }
            group_stats.records_retained += static_cast<int64_t>(kept);
            if (kept == 0) return ok_status();
            std::vector<uint8_t> filtered;
            std::span<const uint8_t> out = bytes;
            if (kept < records.size()) {
              SLUICE_TRY(filtered, filter_batch(bytes, keep));
              out = filtered;
            }
            SLUICE_TRY(BatchInfo info, parse_batch_info(out));
            SLUICE_CHECK(cleaned->write(out));
            cleaned->commit(std::span<const BatchInfo>(&info, 1), now_ms);
            group_stats.bytes_written += info.size;
            return ok_status();
          });
      if (!written.ok()) break;
    }
    if (written.ok()) written = cleaned->on_become_inactive();
    if (written.ok()) written = cleaned->flush();
    if (!written.ok()) {
      discard();
      return std::move(written).error();
    }
    auto swapped = log.replace_segments(group, cleaned, sizes);
    if (!swapped.ok()) {
      discard();
      if (swapped.error().code() == StorageErrc::invalid_offset) {
        // The log changed under us (truncation, retention): try again next pass.
        SLUICE_LOG(info) << "partition " << log.topic_partition().to_string()
                         << ": compaction of segment " << group.front()->base_offset()
                         << " abandoned: " << swapped.error().context();
        return stats;
      }
      return std::move(swapped).error();
    }
    group_stats.segments_cleaned = static_cast<int32_t>(group.size());
    stats += group_stats;
  }
  log.set_first_dirty_offset(end);
  stats.logs_cleaned = 1;
  SLUICE_LOG(info) << "partition " << log.topic_partition().to_string() << ": compacted "
                   << stats.segments_cleaned << " segments below offset " << end << ", "
                   << stats.bytes_read << " -> " << stats.bytes_written << " bytes, "
                   << stats.records_retained << "/" << stats.records_read << " records kept";
  return stats;
}

}  // namespace sluice::broker::storage
