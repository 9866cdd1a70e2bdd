// The sparse offset index of a segment (`<base>.index`): entries of 8 bytes, big-endian
// int32 offset relative to the segment's base offset and int32 byte position of a batch in
// the `.log`, as in Kafka. An entry maps the last offset of a batch to the position where
// that batch starts; entries are strictly increasing in both fields.
//
// The file is preallocated to the configured maximum while its segment is active and
// trimmed to the entries it holds when the segment rolls or closes.
//
// Not thread-safe: guarded by the owning log (writes and trim under its exclusive lock,
// lookups under its shared lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "broker/storage/mapped_file.h"
#include "common/result.h"

namespace sluice::broker::storage {

struct OffsetPosition {
  int64_t offset;    // absolute
  int64_t position;  // byte position in the .log
  friend bool operator==(const OffsetPosition&, const OffsetPosition&) = default;
};

class OffsetIndex {
 public:
  static constexpr int64_t kEntrySize = 8;

  // Opens the index at `path`, creating it when missing. Existing entries are all the whole
  // entries in the file (check them with sanity_check). When `max_bytes` > 0 the file is
  // (re)sized to hold max_bytes / 8 entries so more can be appended; 0 keeps it as it is.
  static Result<std::unique_ptr<OffsetIndex>> open(const std::filesystem::path& path,
                                                   int64_t base_offset, int64_t max_bytes);

  int64_t base_offset() const { return base_offset_; }
  int64_t entries() const { return entries_; }
  int64_t max_entries() const { return file_->size() / kEntrySize; }
  bool full() const { return entries_ >= max_entries(); }
  const std::filesystem::path& path() const { return file_->path(); }

  OffsetPosition entry(int64_t i) const;
  std::optional<OffsetPosition> last_entry() const;

  // REQUIRES: !full(), offset > last entry's offset, offset - base_offset fits int32,
  // position >= last entry's position.
  void append(int64_t offset, int64_t position);

  // The entry with the largest offset <= `offset`, if any.
  std::optional<OffsetPosition> lookup(int64_t offset) const;
  // The entry with the largest position <= `position`, if any.
  std::optional<OffsetPosition> lookup_by_position(int64_t position) const;

  // Drops the entries whose offset is >= `offset`.
  void truncate_to(int64_t offset);
  // Drops every entry.
  void reset() { entries_ = 0; }

  // Corrupt unless the entries are strictly increasing, relative offsets are >= 0 and every
  // position is below `log_size`.
  Status sanity_check(int64_t log_size) const;

  // Shrinks the file to the entries it holds (the segment became inactive).
  Status trim() { return file_->resize(entries_ * kEntrySize); }
  // Makes room for max_bytes / 8 entries again (the segment is active).
  Status expand(int64_t max_bytes);
  Status flush(const IoHooks* hooks) { return file_->sync(hooks); }
  Status rename(const std::filesystem::path& new_path) { return file_->rename(new_path); }

 private:
  OffsetIndex(std::unique_ptr<MappedFile> file, int64_t base_offset, int64_t entries)
      : file_(std::move(file)), base_offset_(base_offset), entries_(entries) {}

  std::unique_ptr<MappedFile> file_;
  int64_t base_offset_;
  int64_t entries_;
};

}  // namespace sluice::broker::storage
