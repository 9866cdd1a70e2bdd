// The sparse time index of a segment (`<base>.timeindex`): entries of 12 bytes, big-endian
// int64 timestamp and int32 offset relative to the segment's base offset, as in Kafka. An
// entry (t, o) says: the largest timestamp of the records up to and including the batch
// whose last offset is o is t. Timestamps and offsets are strictly increasing.
//
// One slot is always kept free so the final entry can be written when the segment rolls or
// closes (full() is entries >= max_entries - 1, like Kafka's TimeIndex).
//
// Not thread-safe: guarded by the owning log, like OffsetIndex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "broker/storage/mapped_file.h"
#include "common/result.h"

namespace sluice::broker::storage {

struct TimestampOffset {
  int64_t timestamp;
  int64_t offset;  // absolute
  friend bool operator==(const TimestampOffset&, const TimestampOffset&) = default;
};

class TimeIndex {
 public:
  static constexpr int64_t kEntrySize = 12;

  // As OffsetIndex::open.
  static Result<std::unique_ptr<TimeIndex>> open(const std::filesystem::path& path,
                                                 int64_t base_offset, int64_t max_bytes);

  int64_t base_offset() const { return base_offset_; }
  int64_t entries() const { return entries_; }
  int64_t max_entries() const { return file_->size() / kEntrySize; }
  bool full() const { return entries_ >= max_entries() - 1; }
  const std::filesystem::path& path() const { return file_->path(); }

  TimestampOffset entry(int64_t i) const;
  std::optional<TimestampOffset> last_entry() const;

  // Appends (timestamp, offset) when timestamp is larger than the last entry's (the offset
  // must then be larger too). `final_entry` may use the slot that full() keeps free.
  void maybe_append(int64_t timestamp, int64_t offset, bool final_entry = false);

  // The entry with the largest timestamp <= `timestamp`, if any.
  std::optional<TimestampOffset> lookup(int64_t timestamp) const;

  // Drops the entries whose offset is >= `offset`.
  void truncate_to(int64_t offset);
  void reset() { entries_ = 0; }

  // Corrupt unless timestamps and offsets are strictly increasing and relative offsets are
  // >= 0 and below `next_offset` - base.
  Status sanity_check(int64_t next_offset) const;

  Status trim() { return file_->resize(entries_ * kEntrySize); }
  Status expand(int64_t max_bytes);
  Status flush(const IoHooks* hooks) { return file_->sync(hooks); }
  Status rename(const std::filesystem::path& new_path) { return file_->rename(new_path); }

 private:
  TimeIndex(std::unique_ptr<MappedFile> file, int64_t base_offset, int64_t entries)
      : file_(std::move(file)), base_offset_(base_offset), entries_(entries) {}

  std::unique_ptr<MappedFile> file_;
  int64_t base_offset_;
  int64_t entries_;
};

}  // namespace sluice::broker::storage
