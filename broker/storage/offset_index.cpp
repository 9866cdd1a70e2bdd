// OffsetIndex: the sparse offset → position index of a segment (see offset_index.h).
#include "broker/storage/offset_index.h"

#include <cassert>
#include <string>

#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {

Result<std::unique_ptr<OffsetIndex>> OffsetIndex::open(const std::filesystem::path& path,
                                                       int64_t base_offset, int64_t max_bytes) {
  SLUICE_TRY(auto file, MappedFile::open(path, /*create=*/true, -1));
  int64_t entries = file->size() / kEntrySize;
  std::unique_ptr<OffsetIndex> index(new OffsetIndex(std::move(file), base_offset, entries));
  if (index->file_->size() % kEntrySize != 0) {
    // A torn trim: keep the whole entries only.
    SLUICE_CHECK(index->file_->resize(entries * kEntrySize));
  }
  if (max_bytes > 0) SLUICE_CHECK(index->expand(max_bytes));
  return index;
}

Status OffsetIndex::expand(int64_t max_bytes) {
  int64_t size = std::max(max_bytes / kEntrySize, entries_) * kEntrySize;
  return file_->resize(size);
}

OffsetPosition OffsetIndex::entry(int64_t i) const {
  const uint8_t* p = file_->data() + i * kEntrySize;
  return {base_offset_ + static_cast<int32_t>(load_be32(p)),
          static_cast<int32_t>(load_be32(p + 4))};
}

std::optional<OffsetPosition> OffsetIndex::last_entry() const {
  if (entries_ == 0) return std::nullopt;
  return entry(entries_ - 1);
}

void OffsetIndex::append(int64_t offset, int64_t position) {
  assert(!full());
  assert(offset - base_offset_ >= 0 && offset - base_offset_ <= INT32_MAX);
  uint8_t* p = file_->data() + entries_ * kEntrySize;
  store_be32(p, static_cast<uint32_t>(offset - base_offset_));
  store_be32(p + 4, static_cast<uint32_t>(position));
  ++entries_;
}

std::optional<OffsetPosition> OffsetIndex::lookup(int64_t offset) const {
  // Largest i with entry(i).offset <= offset.
  int64_t lo = 0, hi = entries_;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (entry(mid).offset <= offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return std::nullopt;
  return entry(lo - 1);
}

std::optional<OffsetPosition> OffsetIndex::lookup_by_position(int64_t position) const {
  int64_t lo = 0, hi = entries_;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (entry(mid).position <= position) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return std::nullopt;
  return entry(lo - 1);
}

void OffsetIndex::truncate_to(int64_t offset) {
  while (entries_ > 0 && entry(entries_ - 1).offset >= offset) --entries_;
}

Status OffsetIndex::sanity_check(int64_t log_size) const {
  for (int64_t i = 0; i < entries_; ++i) {
    OffsetPosition e = entry(i);
    bool ok = e.offset >= base_offset_ && e.position >= 0 && e.position < log_size;
    if (ok && i > 0) {
      OffsetPosition prev = entry(i - 1);
      ok = e.offset > prev.offset && e.position > prev.position;
    }
    if (!ok) {
      return Error(StorageErrc::corrupt, path().string() + ": entry " + std::to_string(i) +
                                             " (offset " + std::to_string(e.offset) +
                                             ", position " + std::to_string(e.position) +
                                             ") is out of order or past the log");
    }
  }
  return ok_status();
}

}  // namespace sluice::broker::storage
