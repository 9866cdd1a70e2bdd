// TimeIndex: the sparse timestamp → offset index of a segment (see time_index.h).
#include "broker/storage/time_index.h"

#include <cassert>
#include <string>

#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {

Result<std::unique_ptr<TimeIndex>> TimeIndex::open(const std::filesystem::path& path,
                                                   int64_t base_offset, int64_t max_bytes) {
  SLUICE_TRY(auto file, MappedFile::open(path, /*create=*/true, -1));
  int64_t entries = file->size() / kEntrySize;
  std::unique_ptr<TimeIndex> index(new TimeIndex(std::move(file), base_offset, entries));
  if (index->file_->size() % kEntrySize != 0) {
    SLUICE_CHECK(index->file_->resize(entries * kEntrySize));
  }
  if (max_bytes > 0) SLUICE_CHECK(index->expand(max_bytes));
  return index;
}

Status TimeIndex::expand(int64_t max_bytes) {
  // At least two slots: one for entries, one kept for the final entry.
  int64_t slots = std::max<int64_t>(max_bytes / kEntrySize, 2);
  return file_->resize(std::max(slots, entries_ + 1) * kEntrySize);
}

TimestampOffset TimeIndex::entry(int64_t i) const {
  const uint8_t* p = file_->data() + i * kEntrySize;
  return {static_cast<int64_t>(load_be64(p)),
          base_offset_ + static_cast<int32_t>(load_be32(p + 8))};
}

std::optional<TimestampOffset> TimeIndex::last_entry() const {
  if (entries_ == 0) return std::nullopt;
  return entry(entries_ - 1);
}

void TimeIndex::maybe_append(int64_t timestamp, int64_t offset, bool final_entry) {
  if (timestamp < 0) return;
  if (auto last = last_entry(); last && (timestamp <= last->timestamp || offset <= last->offset)) {
    return;
  }
  if (entries_ >= max_entries() || (!final_entry && full())) return;
  assert(offset - base_offset_ >= 0 && offset - base_offset_ <= INT32_MAX);
  uint8_t* p = file_->data() + entries_ * kEntrySize;
  store_be64(p, static_cast<uint64_t>(timestamp));
  store_be32(p + 8, static_cast<uint32_t>(offset - base_offset_));
  ++entries_;
}

std::optional<TimestampOffset> TimeIndex::lookup(int64_t timestamp) const {
  int64_t lo = 0, hi = entries_;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (entry(mid).timestamp <= timestamp) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return std::nullopt;
  return entry(lo - 1);
}

void TimeIndex::truncate_to(int64_t offset) {
  while (entries_ > 0 && entry(entries_ - 1).offset >= offset) --entries_;
}

Status TimeIndex::sanity_check(int64_t next_offset) const {
  for (int64_t i = 0; i < entries_; ++i) {
    TimestampOffset e = entry(i);
    bool ok = e.offset >= base_offset_ && e.offset < next_offset && e.timestamp >= 0;
    if (ok && i > 0) {
      TimestampOffset prev = entry(i - 1);
      ok = e.timestamp > prev.timestamp && e.offset > prev.offset;
    }
    if (!ok) {
      return Error(StorageErrc::corrupt, path().string() + ": entry " + std::to_string(i) +
                                             " (timestamp " + std::to_string(e.timestamp) +
                                             ", offset " + std::to_string(e.offset) +
                                             ") is out of order or past the log");
    }
  }
  return ok_status();
}

}  // namespace sluice::broker::storage
