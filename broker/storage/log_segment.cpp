// LogSegment: one .log file with its offset and time indexes (see log_segment.h).
#include "broker/storage/log_segment.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {

std::string segment_file_name(int64_t base_offset, std::string_view suffix) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%020lld", static_cast<long long>(base_offset));
  std::string name(digits);
  name += suffix;
  return name;
}

std::optional<int64_t> parse_segment_file_name(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || name.substr(20) != suffix) return std::nullopt;
  int64_t value = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::filesystem::path LogSegment::path_for(std::string_view kind) const {
  std::string name = segment_file_name(base_offset_, kind);
  name += suffix_;
  return dir_ / name;
}

Result<std::shared_ptr<LogSegment>> LogSegment::create(const std::filesystem::path& dir,
                                                       int64_t base_offset,
                                                       const SegmentSettings& settings,
                                                       int64_t now_ms, std::string_view suffix) {
  std::shared_ptr<LogSegment> segment(
      new LogSegment(dir, base_offset, settings, std::string(suffix)));
  segment->log_path_ = segment->path_for(kLogSuffix);
  SLUICE_TRY(segment->file_, open_file(segment->log_path_, /*create=*/true));
  SLUICE_CHECK(truncate_fd(segment->file_->fd(), 0, segment->log_path_));
  auto index_path = segment->path_for(kIndexSuffix);
  auto time_path = segment->path_for(kTimeIndexSuffix);
  SLUICE_CHECK(remove_file(index_path));
  SLUICE_CHECK(remove_file(time_path));
  SLUICE_TRY(segment->offset_index_,
             OffsetIndex::open(index_path, base_offset, settings.max_index_bytes));
  SLUICE_TRY(segment->time_index_,
             TimeIndex::open(time_path, base_offset, settings.max_index_bytes));
  segment->next_offset_ = base_offset;
  segment->created_ms_ = now_ms;
  return segment;
}

Result<std::shared_ptr<LogSegment>> LogSegment::open(const std::filesystem::path& dir,
                                                     int64_t base_offset,
                                                     const SegmentSettings& settings,
                                                     int64_t now_ms, std::string_view suffix) {
  std::shared_ptr<LogSegment> segment(
      new LogSegment(dir, base_offset, settings, std::string(suffix)));
  segment->log_path_ = segment->path_for(kLogSuffix);
  SLUICE_TRY(segment->file_, open_file(segment->log_path_, /*create=*/false));
  SLUICE_TRY(segment->size_, file_size(segment->file_->fd(), segment->log_path_));
  segment->next_offset_ = base_offset;
  segment->created_ms_ = now_ms;
  auto index_path = segment->path_for(kIndexSuffix);
  auto time_path = segment->path_for(kTimeIndexSuffix);
  std::error_code ec;
  bool indexes_present =
      std::filesystem::exists(index_path, ec) && std::filesystem::exists(time_path, ec);
  SLUICE_TRY(segment->offset_index_, OffsetIndex::open(index_path, base_offset, 0));
  SLUICE_TRY(segment->time_index_, TimeIndex::open(time_path, base_offset, 0));
  if (!indexes_present || !segment->offset_index_->sanity_check(segment->size_).ok()) {
    segment->needs_recovery_ = true;
    return segment;
  }
  auto loaded = segment->load_state();
  if (!loaded.ok()) {
    if (loaded.error().code() != StorageErrc::corrupt) return std::move(loaded).error();
    segment->needs_recovery_ = true;
    return segment;
  }
  if (!segment->time_index_->sanity_check(segment->next_offset_).ok()) {
    segment->needs_recovery_ = true;
  }
  return segment;
}

Status LogSegment::load_state() {
  // Walk from the batch of the last index entry (or the start) to the end of the file.
  int64_t position = 0;
  next_offset_ = base_offset_;
  if (auto last = offset_index_->last_entry()) position = last->position;
  bytes_since_last_index_entry_ = size_ - position;
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = -1;
  if (auto last_time = time_index_->last_entry()) {
    max_timestamp_ = last_time->timestamp;
    offset_of_max_timestamp_ = last_time->offset;
  }
  while (position < size_) {
    if (size_ - position < kBatchHeaderSize) {
      return Error(StorageErrc::corrupt, log_path_.string() + ": torn batch header at position " +
                                             std::to_string(position));
    }
    SLUICE_TRY(BatchInfo info, read_header_at(position));
    if (info.size > size_ - position || info.base_offset < next_offset_ ||
        info.last_offset - base_offset_ > std::numeric_limits<int32_t>::max()) {
      return Error(StorageErrc::corrupt, log_path_.string() + ": inconsistent batch at position " +
                                             std::to_string(position));
    }
    if (info.max_timestamp > max_timestamp_) {
      max_timestamp_ = info.max_timestamp;
      offset_of_max_timestamp_ = info.last_offset;
    }
    next_offset_ = info.last_offset + 1;
    position += info.size;
  }
  return ok_status();
}

int64_t LogSegment::largest_timestamp_for_retention() const {
  if (max_timestamp_ >= 0) return max_timestamp_;
  struct stat st {};
  if (::fstat(file_->fd(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

bool LogSegment::should_roll(int64_t bytes, int64_t last_offset, int64_t now_ms,
                             int64_t segment_bytes, int64_t segment_ms) const {
  bool offsets_overflow = last_offset - base_offset_ > std::numeric_limits<int32_t>::max();
  if (empty()) return offsets_overflow;
  return offsets_overflow || size_ + bytes > segment_bytes || now_ms - created_ms_ >= segment_ms ||
         offset_index_->full() || time_index_->full();
}

Status LogSegment::write(std::span<const uint8_t> data) {
  auto status = pwrite_all(file_->fd(), data, size_, log_path_, settings_.io);
  if (!status.ok()) {
    // Leave no partial batch behind; if even this fails the log goes offline and the next
    // start-up's recovery cuts the torn tail.
    (void)truncate_fd(file_->fd(), size_, log_path_);
  }
  return status;
}

void LogSegment::commit(std::span<const BatchInfo> batches, int64_t now_ms) {
  if (size_ == 0) created_ms_ = now_ms;
  for (const BatchInfo& batch : batches) {
    if (batch.max_timestamp > max_timestamp_) {
      max_timestamp_ = batch.max_timestamp;
      offset_of_max_timestamp_ = batch.last_offset;
    }
    if (bytes_since_last_index_entry_ > settings_.index_interval_bytes) {
      if (!offset_index_->full()) offset_index_->append(batch.last_offset, size_);
      time_index_->maybe_append(max_timestamp_, offset_of_max_timestamp_);
      bytes_since_last_index_entry_ = 0;
    }
    bytes_since_last_index_entry_ += batch.size;
    size_ += batch.size;
    next_offset_ = batch.last_offset + 1;
  }
}

Result<BatchInfo> LogSegment::read_header_at(int64_t position) const {
  uint8_t header[kBatchHeaderSize];
  SLUICE_TRY(std::size_t n, pread_full(file_->fd(), std::span(header), position, log_path_));
  if (n < sizeof header) {
    return Error(StorageErrc::corrupt, log_path_.string() + ": torn batch header at position " +
                                           std::to_string(position));
  }
  auto info = parse_batch_info(std::span<const uint8_t>(header, n));
  if (!info.ok()) {
    return Error(StorageErrc::corrupt, log_path_.string() + " at position " +
                                           std::to_string(position) + ": " +
                                           info.error().context());
  }
  return info;
}

Result<std::optional<BatchLocation>> LogSegment::find_batch(int64_t offset) const {
  int64_t position = 0;
  if (auto entry = offset_index_->lookup(offset)) position = entry->position;
  while (position < size_) {
    SLUICE_TRY(BatchInfo info, read_header_at(position));
    if (info.last_offset >= offset)
      return std::optional<BatchLocation>(BatchLocation{position, info});
    position += info.size;
  }
  return std::optional<BatchLocation>();
}

Result<LogSegment::RegionEnd> LogSegment::region_end(int64_t start, int64_t max_bytes,
                                                     int64_t max_offset, bool min_one) const {
  int64_t position = start;
  int64_t next_offset = -1;
  // Jump over the batches the index proves to be inside both limits: every batch before an
  // entry's position ends there, and its offsets are below the entry's.
  if (auto by_position = offset_index_->lookup_by_position(start + max_bytes)) {
    if (auto by_offset = offset_index_->lookup(max_offset - 1)) {
      int64_t jump = std::min(by_position->position, by_offset->position);
      if (jump > start) position = jump;
    }
  }
  while (position < size_) {
    SLUICE_TRY(BatchInfo info, read_header_at(position));
    bool fits = position + info.size - start <= max_bytes;
    if (info.last_offset >= max_offset || (!fits && !(min_one && position == start))) {
      // After a jump with nothing added, the region ends right before this batch.
      if (next_offset < 0 && position > start) next_offset = info.base_offset;
      break;
    }
    position += info.size;
    next_offset = info.last_offset + 1;
  }
  return RegionEnd{position, next_offset};
}

Result<std::vector<uint8_t>> LogSegment::read_bytes(int64_t position, int64_t length) const {
  std::vector<uint8_t> out(static_cast<std::size_t>(length));
  SLUICE_TRY(std::size_t n, pread_full(file_->fd(), std::span(out), position, log_path_));
  if (static_cast<int64_t>(n) != length) {
    return Error(StorageErrc::corrupt,
                 log_path_.string() + ": short read at position " + std::to_string(position));
  }
  return out;
}

protocol::FileRegion LogSegment::region(int64_t position, int64_t length) const {
  return protocol::FileRegion{file_->fd(), position, length, file_};
}

Result<int64_t> LogSegment::truncate_to(int64_t offset) {
  SLUICE_TRY(auto found, find_batch(offset));
  if (!found) return int64_t{0};
  int64_t position = found->position;
  offset_index_->truncate_to(offset);
  time_index_->truncate_to(offset);
  SLUICE_CHECK(truncate_fd(file_->fd(), position, log_path_));
  int64_t removed = size_ - position;
  size_ = position;
  SLUICE_CHECK(load_state());
  return removed;
}

Result<RecoveryResult> LogSegment::recover() {
  RecoveryResult result;
  SLUICE_TRY(int64_t file_bytes, file_size(file_->fd(), log_path_));
  offset_index_->reset();
  time_index_->reset();
  SLUICE_CHECK(expand_indexes());
  size_ = 0;
  next_offset_ = base_offset_;
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = -1;
  bytes_since_last_index_entry_ = 0;
  std::vector<uint8_t> buffer;
  int64_t position = 0;
  std::string& why = result.reason;
  while (position < file_bytes) {
    if (file_bytes - position < kBatchHeaderSize) {
      why = "torn batch header";
      break;
    }
    uint8_t header[kBatchHeaderSize];
    SLUICE_TRY(std::size_t got, pread_full(file_->fd(), std::span(header), position, log_path_));
    auto info = parse_batch_info(std::span<const uint8_t>(header, got));
    if (!info.ok()) {
      why = info.error().context();
      break;
    }
    if (info->size > file_bytes - position) {
      why = "torn batch";
      break;
    }
    if (info->base_offset < next_offset_ ||
        info->last_offset - base_offset_ > std::numeric_limits<int32_t>::max()) {
      why = "batch offset " + std::to_string(info->base_offset) + " out of order";
      break;
    }
    buffer.resize(static_cast<std::size_t>(info->size));
    SLUICE_TRY(std::size_t body, pread_full(file_->fd(), std::span(buffer), position, log_path_));
    if (static_cast<int64_t>(body) != info->size) {
      why = "torn batch";
      break;
    }
    auto valid = validate_batch(std::span<const uint8_t>(buffer), BatchCheck::crc);
    if (!valid.ok()) {
      why = valid.error().context();
      break;
    }
    commit(std::span<const BatchInfo>(&*info, 1), created_ms_);
    ++result.batches;
    position += info->size;
  }
  if (position < file_bytes) {
    SLUICE_CHECK(truncate_fd(file_->fd(), position, log_path_));
    result.truncated_bytes = file_bytes - position;
  }
  result.valid_bytes = position;
  needs_recovery_ = false;
  return result;
}

Status LogSegment::on_become_inactive() {
  time_index_->maybe_append(max_timestamp_, offset_of_max_timestamp_, /*final_entry=*/true);
  SLUICE_CHECK(offset_index_->trim());
  return time_index_->trim();
}

Status LogSegment::expand_indexes() {
  SLUICE_CHECK(offset_index_->expand(settings_.max_index_bytes));
  return time_index_->expand(settings_.max_index_bytes);
}

Status LogSegment::flush() {
  SLUICE_CHECK(fsync_fd(file_->fd(), log_path_, settings_.io));
  SLUICE_CHECK(offset_index_->flush(settings_.io));
  return time_index_->flush(settings_.io);
}

Status LogSegment::close() {
  SLUICE_CHECK(on_become_inactive());
  return flush();
}

Status LogSegment::change_suffix(std::string_view suffix) {
  std::string old_suffix = suffix_;
  suffix_ = std::string(suffix);
  // The .log goes last: with ".swap" its rename is the commit point of a cleaner swap, and
  // a swap is only recognised by its .log file.
  auto new_log = path_for(kLogSuffix);
  auto status = offset_index_->rename(path_for(kIndexSuffix));
  if (status.ok()) status = time_index_->rename(path_for(kTimeIndexSuffix));
  if (status.ok()) status = rename_file(log_path_, new_log);
  if (!status.ok()) {
    suffix_ = old_suffix;
    return status;
  }
  log_path_ = new_log;
  return ok_status();
}

std::vector<std::filesystem::path> LogSegment::file_paths() const {
  return {log_path_, offset_index_->path(), time_index_->path()};
}

}  // namespace sluice::broker::storage
