// The leader-epoch cache and its checkpoint file (see leader_epoch_cache.h).
#include "broker/storage/leader_epoch_cache.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "broker/storage/file_util.h"
#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {
namespace {

template <class Int>
bool parse_int(std::string_view s, Int& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

Result<std::vector<EpochEntry>> parse(std::string_view text, const std::string& what) {
  auto corrupt = [&](const std::string& detail) {
    return Error(StorageErrc::corrupt, what + ": " + detail);
  };
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  int version = -1;
  if (lines.empty() || !parse_int(lines[0], version) || version != 0) {
    return corrupt("missing or unsupported version line");
  }
  std::size_t count = 0;
  if (lines.size() < 2 || !parse_int(lines[1], count)) return corrupt("no entry count line");
  if (lines.size() - 2 != count) {
    return corrupt("expected " + std::to_string(count) + " entries, found " +
                   std::to_string(lines.size() - 2));
  }
  std::vector<EpochEntry> entries;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    auto line = lines[i];
    auto space = line.find(' ');
    EpochEntry e{};
    if (space == std::string_view::npos || !parse_int(line.substr(0, space), e.epoch) ||
        !parse_int(line.substr(space + 1), e.start_offset)) {
      return corrupt("line " + std::to_string(i + 1) + " is not '<epoch> <start offset>'");
    }
    if (!entries.empty() &&
        (e.epoch <= entries.back().epoch || e.start_offset < entries.back().start_offset)) {
      return corrupt("line " + std::to_string(i + 1) + " is out of order");
    }
    entries.push_back(e);
  }
  return entries;
}

}  // namespace

Result<std::unique_ptr<LeaderEpochCache>> LeaderEpochCache::open(const std::filesystem::path& dir) {
  auto path = dir / kLeaderEpochCheckpoint;
  std::vector<EpochEntry> entries;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    SLUICE_TRY(std::string text, read_small_file(path));
    SLUICE_TRY(entries, parse(text, path.string()));
  }
  return std::unique_ptr<LeaderEpochCache>(new LeaderEpochCache(dir, std::move(entries)));
}

Status LeaderEpochCache::flush_locked() const {
  std::string text = "0\n" + std::to_string(entries_.size()) + "\n";
  for (const auto& e : entries_) {
    text += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
  }
  return write_file_atomically(dir_ / kLeaderEpochCheckpoint, text);
}

Status LeaderEpochCache::assign(int32_t epoch, int64_t start_offset) {
  if (epoch < 0 || start_offset < 0) {
    return Error(StorageErrc::invalid_argument, "leader epoch " + std::to_string(epoch) +
                                                    " at offset " + std::to_string(start_offset));
  }
  MutexLock lock(mu_);
  if (!entries_.empty() && entries_.back().epoch == epoch &&
      entries_.back().start_offset <= start_offset) {
    return ok_status();
  }
  std::erase_if(entries_, [&](const EpochEntry& e) {
    return e.epoch >= epoch || e.start_offset >= start_offset;
  });
  entries_.push_back({epoch, start_offset});
  return flush_locked();
}

EpochEndOffset LeaderEpochCache::end_offset_for(int32_t epoch, int64_t log_end_offset) const {
  MutexLock lock(mu_);
  if (epoch == kUndefinedEpoch || entries_.empty()) return {kUndefinedEpoch, kUndefinedOffset};
  if (entries_.back().epoch == epoch) return {epoch, log_end_offset};
  auto higher =
      std::upper_bound(entries_.begin(), entries_.end(), epoch,
                       [](int32_t e, const EpochEntry& entry) { return e < entry.epoch; });
  if (higher == entries_.end()) return {kUndefinedEpoch, kUndefinedOffset};
  if (higher == entries_.begin()) return {epoch, higher->start_offset};
  return {std::prev(higher)->epoch, higher->start_offset};
}

Status LeaderEpochCache::truncate_from_end(int64_t end_offset) {
  MutexLock lock(mu_);
  if (end_offset < 0 || entries_.empty() || entries_.back().start_offset < end_offset) {
    return ok_status();
  }
  std::erase_if(entries_, [&](const EpochEntry& e) { return e.start_offset >= end_offset; });
  return flush_locked();
}

Status LeaderEpochCache::truncate_from_start(int64_t start_offset) {
  MutexLock lock(mu_);
  auto first_kept =
      std::upper_bound(entries_.begin(), entries_.end(), start_offset,
                       [](int64_t off, const EpochEntry& e) { return off < e.start_offset; });
  if (first_kept == entries_.begin()) return ok_status();  // every entry starts after it
  auto last_before = std::prev(first_kept);
  if (last_before == entries_.begin() && last_before->start_offset == start_offset) {
    return ok_status();
  }
  EpochEntry moved{last_before->epoch, start_offset};
  entries_.erase(entries_.begin(), first_kept);
  entries_.insert(entries_.begin(), moved);
  return flush_locked();
}

Status LeaderEpochCache::clear() {
  MutexLock lock(mu_);
  entries_.clear();
  return flush_locked();
}

std::optional<EpochEntry> LeaderEpochCache::latest() const {
  MutexLock lock(mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::optional<int32_t> LeaderEpochCache::latest_epoch() const {
  auto e = latest();
  if (!e) return std::nullopt;
  return e->epoch;
}

std::vector<EpochEntry> LeaderEpochCache::entries() const {
  MutexLock lock(mu_);
  return entries_;
}

void LeaderEpochCache::set_dir(const std::filesystem::path& dir) {
  MutexLock lock(mu_);
  dir_ = dir;
}

}  // namespace sluice::broker::storage
