// PartitionLog: the segments of one partition and the operations on them (see
// partition_log.h for the threading contract, docs/log-format.md for the files).
#include "broker/storage/partition_log.h"

#include <algorithm>
#include <set>
#include <string>

#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker::storage {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The scoped locks of the log (see the locking notes in partition_log.h). Each holds a real
// mutex and tells the analysis what that grants on the `state` capability.

// A writer: holds write_mu_, which lets it read the writer-owned state.
class SCOPED_CAPABILITY LogWriterLock {
 public:
  LogWriterLock(Mutex& write_mu, [[maybe_unused]] const Capability& state) ACQUIRE(write_mu)
      ACQUIRE_SHARED(state)
      : mu_(write_mu) {
    mu_.lock();
  }
  ~LogWriterLock() RELEASE() { mu_.unlock(); }
  LogWriterLock(const LogWriterLock&) = delete;
  LogWriterLock& operator=(const LogWriterLock&) = delete;

 private:
  Mutex& mu_;
};

// A reader: holds state_mu_ shared, which lets it read all of the state.
class SCOPED_CAPABILITY LogReaderLock {
 public:
  LogReaderLock(SharedMutex& state_mu, [[maybe_unused]] const Capability& state)
      ACQUIRE_SHARED(state_mu, state)
      : mu_(state_mu) {
    mu_.lock_shared();
  }
  ~LogReaderLock() RELEASE() { mu_.unlock_shared(); }
  LogReaderLock(const LogReaderLock&) = delete;
  LogReaderLock& operator=(const LogReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

// A writer publishing a change: holds state_mu_ exclusively on top of write_mu_ (readers
// wait), which lets it change the state. Taken inside a LogWriterLock's scope.
class SCOPED_CAPABILITY PublishLock {
 public:
  PublishLock(SharedMutex& state_mu, [[maybe_unused]] const Capability& state) RELEASE_SHARED(state)
      ACQUIRE(state_mu, state)
      : mu_(state_mu) {
    mu_.lock();
  }
  ~PublishLock() RELEASE() { mu_.unlock(); }
  PublishLock(const PublishLock&) = delete;
  PublishLock& operator=(const PublishLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Not a writer, setting the high watermark or the first dirty offset: holds state_mu_
// exclusively, which lets it read the writer-owned state and change those two.
class SCOPED_CAPABILITY OffsetsLock {
 public:
  OffsetsLock(SharedMutex& state_mu, [[maybe_unused]] const Capability& state) ACQUIRE(state_mu)
      ACQUIRE_SHARED(state)
      : mu_(state_mu) {
    mu_.lock();
  }
  ~OffsetsLock() RELEASE() { mu_.unlock(); }
  OffsetsLock(const OffsetsLock&) = delete;
  OffsetsLock& operator=(const OffsetsLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace

PartitionLog::PartitionLog(std::filesystem::path dir, TopicPartition tp, LogConfig config,
                           LogEnv env)
    : tp_(std::move(tp)), env_(std::move(env)), dir_(std::move(dir)), config_(config) {}

PartitionLog::~PartitionLog() = default;

SegmentSettings PartitionLog::segment_settings() const {
  return SegmentSettings{config_.index_interval_bytes, config_.segment_index_bytes,
                         (env_.io.pwrite || env_.io.fsync) ? &env_.io : nullptr};
}

SegmentSettings PartitionLog::cleaner_segment_settings() const {
  LogReaderLock state(state_mu_, state_);
  return segment_settings();
}

Result<std::shared_ptr<PartitionLog>> PartitionLog::open(const std::filesystem::path& dir,
                                                         TopicPartition tp, LogConfig config,
                                                         LogEnv env, const LogLoadOptions& load) {
  SLUICE_CHECK(validate_log_config(config));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("create directory", dir, ec.value());
  std::shared_ptr<PartitionLog> log(new PartitionLog(dir, std::move(tp), config, std::move(env)));
  SLUICE_CHECK(log->load(load));
  return log;
}

Status PartitionLog::complete_swaps() {
  std::error_code ec;
  std::vector<int64_t> swaps;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    std::string log_swap = std::string(kLogSuffix) + std::string(kSwapSuffix);
    if (auto base = parse_segment_file_name(name, log_swap)) swaps.push_back(*base);
  }
  if (ec) return io_error("list", dir_, ec.value());
  std::sort(swaps.begin(), swaps.end());
  int64_t now = env_.now_ms();
  for (int64_t base : swaps) {
    // The cleaner got as far as its commit point: the cleaned segment replaces every
    // segment whose base offset falls in its range.
    SLUICE_TRY(auto swap, LogSegment::open(dir_, base, segment_settings(), now, kSwapSuffix));
    SLUICE_TRY(auto recovered, swap->recover());
    (void)recovered;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      std::string name = entry.path().filename().string();
      for (auto kind : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
        auto other = parse_segment_file_name(name, kind);
        if (other && *other > base && *other < swap->next_offset()) {
          SLUICE_CHECK(remove_file(entry.path()));
        }
      }
    }
    SLUICE_CHECK(swap->on_become_inactive());
    SLUICE_CHECK(swap->flush());
    SLUICE_CHECK(swap->change_suffix(""));
    SLUICE_LOG(info) << "partition " << tp_.to_string() << ": completed the interrupted swap of "
                     << "cleaned segment " << base;
  }
  if (!swaps.empty()) SLUICE_CHECK(fsync_dir(dir_));
  return ok_status();
}

Status PartitionLog::load(const LogLoadOptions& load) {
  // Nobody else has the log yet: the locks only tell the analysis so.
  LogWriterLock writer(write_mu_, state_);
  PublishLock publish(state_mu_, state_);
  SLUICE_TRY(epochs_, LeaderEpochCache::open(dir_));
  std::error_code ec;
  // Leftovers of interrupted work: deleted segments not yet removed, cleaner output that
  // never reached its commit point, temporary checkpoint files.
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (ends_with(name, kDeletedSuffix) || ends_with(name, kCleanedSuffix) ||
        ends_with(name, ".tmp")) {
      SLUICE_CHECK(remove_file(entry.path()));
    }
  }
  if (ec) return io_error("list", dir_, ec.value());
  SLUICE_CHECK(complete_swaps());
  // Index files renamed to ".swap" just before a crash whose ".log" never got there: the
  // swap never committed.
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (ends_with(entry.path().filename().string(), kSwapSuffix)) {
      SLUICE_CHECK(remove_file(entry.path()));
    }
  }
  if (ec) return io_error("list", dir_, ec.value());

  std::set<int64_t> bases;
  std::vector<std::filesystem::path> index_files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (auto base = parse_segment_file_name(name, kLogSuffix)) {
      bases.insert(*base);
    } else if (parse_segment_file_name(name, kIndexSuffix) ||
               parse_segment_file_name(name, kTimeIndexSuffix)) {
      index_files.push_back(entry.path());
    }
  }
  if (ec) return io_error("list", dir_, ec.value());
  for (const auto& path : index_files) {
    std::string name = path.filename().string();
    auto base = parse_segment_file_name(name, kIndexSuffix);
    if (!base) base = parse_segment_file_name(name, kTimeIndexSuffix);
    if (!bases.contains(*base)) SLUICE_CHECK(remove_file(path));  // an orphan index
  }

  int64_t now = env_.now_ms();
  for (int64_t base : bases) {
    SLUICE_TRY(auto segment, LogSegment::open(dir_, base, segment_settings(), now));
    segments_.emplace(base, std::move(segment));
  }

  // Which segments to scan: all of them past the recovery point after a crash, and any
  // whose indexes or tail did not add up.
  int64_t recover_from = load.had_clean_shutdown ? INT64_MAX : load.recovery_point;
  bool cut = false;
  for (auto it = segments_.begin(); it != segments_.end();) {
    auto next = std::next(it);
    auto& segment = it->second;
    bool past_recovery_point = next == segments_.end() || next->first > recover_from;
    if (cut) {
      // Everything after a truncated segment goes: its offsets no longer follow on.
      for (const auto& path : segment->file_paths()) SLUICE_CHECK(remove_file(path));
      SLUICE_LOG(warning) << "partition " << tp_.to_string() << ": removed segment " << it->first
                          << " after a truncated one";
      it = segments_.erase(it);
      continue;
    }
    if ((!load.had_clean_shutdown && past_recovery_point) || segment->needs_recovery()) {
      SLUICE_TRY(RecoveryResult result, segment->recover());
      if (result.truncated_bytes > 0) {
        SLUICE_LOG(warning) << "partition " << tp_.to_string() << ": recovery cut "
                            << result.truncated_bytes << " bytes from segment " << it->first
                            << " at position " << result.valid_bytes << " (" << result.reason
                            << ")";
        cut = !load.had_clean_shutdown && past_recovery_point;
      }
    }
    it = next;
  }

  if (segments_.empty()) {
    int64_t base = std::max<int64_t>(load.log_start_offset, 0);
    SLUICE_TRY(auto segment, LogSegment::create(dir_, base, segment_settings(), now));
    segments_.emplace(base, std::move(segment));
  }
  for (auto it = segments_.begin(); it != std::prev(segments_.end()); ++it) {
    SLUICE_CHECK(it->second->on_become_inactive());
  }
  auto active = active_locked();
  SLUICE_CHECK(active->expand_indexes());

  log_end_offset_ = active->next_offset();
  log_start_offset_ =
      std::min(std::max(load.log_start_offset, segments_.begin()->first), log_end_offset_);
  if (load.had_clean_shutdown) {
    recovery_point_ = log_end_offset_;
  } else {
    // The scanned segments are durable once fsynced; then everything is.
    for (auto& [base, segment] : segments_) {
      if (segment->next_offset() > load.recovery_point || base >= load.recovery_point) {
        SLUICE_CHECK(segment->flush());
      }
    }
    recovery_point_ = log_end_offset_;
  }
  high_watermark_ = std::clamp(load.high_watermark, log_start_offset_, log_end_offset_);
  first_dirty_offset_ = std::clamp(load.first_dirty_offset, log_start_offset_, log_end_offset_);
  last_flush_ms_ = now;
  SLUICE_CHECK(epochs_->truncate_from_end(log_end_offset_));
  SLUICE_CHECK(epochs_->truncate_from_start(log_start_offset_));
  // No producer-state snapshots (Kafka's .snapshot files) yet: every batch header is read
  // once at open, a cost proportional to the number of batches in the log.
  SLUICE_CHECK(rebuild_producer_state_locked());
  return ok_status();
}

Status PartitionLog::rebuild_producer_state_locked() {
  producers_.clear();
  int64_t batches = 0;
  for (const auto& entry : segments_) {
    const auto& segment = entry.second;
    int64_t position = 0;
    while (position < segment->size()) {
      SLUICE_TRY(BatchInfo info, segment->read_header_at(position));
      producers_.update(info);
      position += info.size;
      ++batches;
    }
  }
  if (producers_.size() > 0) {
    SLUICE_LOG(debug) << "partition " << tp_.to_string() << ": producer state of "
                      << producers_.size() << " producers from " << batches << " batches";
  }
  return ok_status();
}

Error PartitionLog::go_offline(Error error) {
  if (!offline_.exchange(true, std::memory_order_acq_rel)) {
    SLUICE_LOG(error) << "partition " << tp_.to_string() << " is offline: " << error.to_string();
  }
  return Error(StorageErrc::storage_error, "partition " + tp_.to_string() + ": " + error.context());
}

Status PartitionLog::check_online() const {
  if (offline()) {
    return Error(StorageErrc::storage_error, "partition " + tp_.to_string() + " is offline");
  }
  return ok_status();
}

Result<AppendInfo> PartitionLog::append(std::span<uint8_t> batches, int32_t leader_epoch) {
  LogWriterLock writer(write_mu_, state_);
  SLUICE_CHECK(check_online());
  if (closed_)
    return Error(StorageErrc::storage_error, "partition " + tp_.to_string() + " is closed");
  SLUICE_TRY(std::vector<BatchInfo> infos, parse_batches(batches, BatchCheck::producer));
  // Idempotent producers: a retry of a batch the log holds is answered with its offsets.
  for (const BatchInfo& info : infos) {
    if (info.producer_id >= 0 && infos.size() > 1) {
      return Error(StorageErrc::invalid_records,
                   "partition " + tp_.to_string() + ": a batch of producer " +
                       std::to_string(info.producer_id) +
                       " must be the only batch of its produce request");
    }
    SLUICE_TRY(std::optional<BatchMetadata> duplicate, producers_.check(info));
    if (duplicate) {
      SLUICE_LOG(debug) << "partition " << tp_.to_string() << ": producer " << info.producer_id
                        << " resent sequence " << duplicate->first_seq << ".."
                        << duplicate->last_seq << ", already at offset " << duplicate->first_offset;
      AppendInfo out;
      out.first_offset = duplicate->first_offset;
      out.last_offset = duplicate->last_offset;
      out.log_append_time = config_.log_append_time ? duplicate->timestamp : -1;
      out.log_start_offset = log_start_offset_;
      out.duplicate = true;
      return out;
    }
  }
  int64_t now = env_.now_ms();
  int64_t log_append_time = config_.log_append_time ? now : -1;
  int64_t next = log_end_offset_;
  std::size_t position = 0;
  for (BatchInfo& info : infos) {
    auto batch = batches.subspan(position, static_cast<std::size_t>(info.size));
    set_base_offset(batch, next);
    set_leader_epoch(batch, leader_epoch);
    if (log_append_time >= 0) {
      set_log_append_time(batch, log_append_time);
      info.max_timestamp = log_append_time;
      info.log_append_time = true;
    }
    info.last_offset = next + (info.last_offset - info.base_offset);
    info.base_offset = next;
    info.leader_epoch = leader_epoch;
    next = info.last_offset + 1;
    position += static_cast<std::size_t>(info.size);
  }
  if (leader_epoch >= 0) {
    auto assigned = epochs_->assign(leader_epoch, infos.front().base_offset);
    if (!assigned.ok()) return go_offline(std::move(assigned).error());
  }
  SLUICE_TRY(AppendInfo appended, append_locked(batches, infos, now, log_append_time));
  for (const BatchInfo& info : infos) producers_.update(info);
  return appended;
}

Result<AppendInfo> PartitionLog::append_as_follower(std::span<uint8_t> batches) {
  LogWriterLock writer(write_mu_, state_);
  SLUICE_CHECK(check_online());
  if (closed_)
    return Error(StorageErrc::storage_error, "partition " + tp_.to_string() + " is closed");
  SLUICE_TRY(std::vector<BatchInfo> infos, parse_batches(batches, BatchCheck::crc));
  int64_t expected = log_end_offset_;
  for (const BatchInfo& info : infos) {
    if (info.base_offset < expected) {
      return Error(StorageErrc::invalid_offset,
                   "partition " + tp_.to_string() + ": follower append at offset " +
                       std::to_string(info.base_offset) + " below " + std::to_string(expected));
    }
    expected = info.last_offset + 1;
  }
  for (const BatchInfo& info : infos) {
    if (info.leader_epoch < 0) continue;
    auto latest = epochs_->latest_epoch();
    if (latest && *latest >= info.leader_epoch) continue;
    auto assigned = epochs_->assign(info.leader_epoch, info.base_offset);
    if (!assigned.ok()) return go_offline(std::move(assigned).error());
  }
  SLUICE_TRY(AppendInfo appended, append_locked(batches, infos, env_.now_ms(), -1));
  for (const BatchInfo& info : infos) producers_.update(info);
  return appended;
}

Result<AppendInfo> PartitionLog::append_locked(std::span<uint8_t> batches,
                                               std::vector<BatchInfo>& infos, int64_t now_ms,
                                               int64_t log_append_time) {
  auto total = static_cast<int64_t>(batches.size());
  if (total > config_.segment_bytes) {
    (void)epochs_->truncate_from_end(log_end_offset_);
    return Error(StorageErrc::batch_too_large,
                 "partition " + tp_.to_string() + ": " + std::to_string(total) +
                     " bytes exceed segment.bytes " + std::to_string(config_.segment_bytes));
  }
  int64_t first = infos.front().base_offset;
  int64_t last = infos.back().last_offset;
  if (active_locked()->should_roll(total, last, now_ms, config_.segment_bytes,
                                   config_.segment_ms)) {
    auto rolled = roll_locked(first, now_ms);
    if (!rolled.ok()) {
      (void)epochs_->truncate_from_end(log_end_offset_);
      return go_offline(std::move(rolled).error());
    }
  }
  auto active = active_locked();
  auto written = active->write(batches);
  if (!written.ok()) {
    (void)epochs_->truncate_from_end(log_end_offset_);
    return go_offline(std::move(written).error());
  }
  {
    PublishLock publish(state_mu_, state_);
    active->commit(infos, now_ms);
    log_end_offset_ = last + 1;
  }
  AppendInfo info;
  info.first_offset = first;
  info.last_offset = last;
  info.log_append_time = log_append_time;
  info.log_start_offset = log_start_offset_;
  info.batches = static_cast<int32_t>(infos.size());
  info.bytes = total;
  if (log_end_offset_ - recovery_point_ >= config_.flush_messages ||
      now_ms - last_flush_ms_ >= config_.flush_ms) {
    auto flushed = flush_up_to_locked(log_end_offset_);
    if (!flushed.ok()) return go_offline(std::move(flushed).error());
  }
  return info;
}

Status PartitionLog::roll_locked(int64_t new_base, int64_t now_ms) {
  auto old = active_locked();
  SLUICE_TRY(auto segment, LogSegment::create(dir_, new_base, segment_settings(), now_ms));
  Status trimmed;
  {
    PublishLock publish(state_mu_, state_);
    trimmed = old->on_become_inactive();
    segments_.emplace(new_base, std::move(segment));
  }
  SLUICE_CHECK(trimmed);
  SLUICE_LOG(debug) << "partition " << tp_.to_string() << ": rolled segment " << old->base_offset()
                    << " (" << old->size() << " bytes), new active segment " << new_base;
  // The rolled segment never changes again: make it durable now (the recovery point moves
  // past it), outside the state lock so readers carry on meanwhile.
  return flush_up_to_locked(new_base);
}

Status PartitionLog::flush_up_to_locked(int64_t offset) {
  if (offset <= recovery_point_) return ok_status();
  std::vector<std::shared_ptr<LogSegment>> dirty;
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    auto next = std::next(it);
    int64_t segment_end = next == segments_.end() ? INT64_MAX : next->first;
    if (it->first < offset && segment_end > recovery_point_) dirty.push_back(it->second);
  }
  for (const auto& segment : dirty) SLUICE_CHECK(segment->flush());
  {
    PublishLock publish(state_mu_, state_);
    recovery_point_ = std::max(recovery_point_, std::min(offset, log_end_offset_));
  }
  last_flush_ms_ = env_.now_ms();
  return ok_status();
}

Status PartitionLog::flush() {
  LogWriterLock writer(write_mu_, state_);
  SLUICE_CHECK(check_online());
  auto flushed = flush_up_to_locked(log_end_offset_);
  if (!flushed.ok()) return go_offline(std::move(flushed).error());
  last_flush_ms_ = env_.now_ms();
  return ok_status();
}

Status PartitionLog::flush_if_due(int64_t now_ms) {
  {
    LogWriterLock writer(write_mu_, state_);
    if (offline() || closed_ || now_ms - last_flush_ms_ < config_.flush_ms) return ok_status();
  }
  return flush();
}

Result<ReadResult> PartitionLog::read(int64_t offset, const ReadOptions& options) const {
  LogReaderLock state(state_mu_, state_);
  SLUICE_CHECK(check_online());
  ReadResult result;
  result.log_start_offset = log_start_offset_;
  result.log_end_offset = log_end_offset_;
  result.high_watermark = high_watermark_;
  if (offset < log_start_offset_ || offset > log_end_offset_) {
    return Error(StorageErrc::offset_out_of_range, "partition " + tp_.to_string() + ": offset " +
                                                       std::to_string(offset) + " is outside [" +
                                                       std::to_string(log_start_offset_) + ", " +
                                                       std::to_string(log_end_offset_) + "]");
  }
  int64_t limit = std::min(options.max_offset.value_or(log_end_offset_), log_end_offset_);
  if (offset >= limit) return result;
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    const auto& segment = it->second;
    SLUICE_TRY(auto found, segment->find_batch(offset));
    if (!found) continue;
    if (found->info.last_offset >= limit) return result;
    SLUICE_TRY(auto end, segment->region_end(found->position, options.max_bytes, limit,
                                             options.min_one_batch));
    if (end.end_position > found->position) {
      result.region = segment->region(found->position, end.end_position - found->position);
      result.next_offset = end.next_offset;
    }
    return result;
  }
  return result;
}

Result<std::optional<TimestampLookup>> PartitionLog::offset_for_timestamp(int64_t timestamp) const {
  LogReaderLock state(state_mu_, state_);
  SLUICE_CHECK(check_online());
  for (const auto& [base, segment] : segments_) {
    if (segment->max_timestamp() < timestamp || segment->next_offset() <= log_start_offset_) {
      continue;
    }
    int64_t from = base;
    if (auto entry = segment->time_index().lookup(timestamp)) from = entry->offset;
    from = std::max(from, log_start_offset_);
    SLUICE_TRY(auto found, segment->find_batch(from));
    if (!found) continue;
    int64_t position = found->position;
    while (position < segment->size()) {
      SLUICE_TRY(BatchInfo info, segment->read_header_at(position));
      if (info.max_timestamp >= timestamp && info.last_offset >= log_start_offset_) {
        SLUICE_TRY(auto bytes, segment->read_bytes(position, info.size));
        SLUICE_TRY(auto record, find_record_by_timestamp(bytes, timestamp, log_start_offset_));
        if (record) {
          return std::optional<TimestampLookup>(
              TimestampLookup{record->timestamp, record->offset, info.leader_epoch});
        }
      }
      position += info.size;
    }
  }
  return std::optional<TimestampLookup>();
}

Result<std::optional<TimestampLookup>> PartitionLog::offset_of_max_timestamp() const {
  std::shared_ptr<LogSegment> best;
  {
    LogReaderLock state(state_mu_, state_);
    SLUICE_CHECK(check_online());
    for (const auto& [base, segment] : segments_) {
      if (segment->next_offset() <= log_start_offset_) continue;
      if (!best || segment->max_timestamp() > best->max_timestamp()) best = segment;
    }
  }
  if (!best || best->max_timestamp() < 0) return std::optional<TimestampLookup>();
  return offset_for_timestamp(best->max_timestamp());
}

Status PartitionLog::truncate_to(int64_t offset) {
  LogWriterLock writer(write_mu_, state_);
  SLUICE_CHECK(check_online());
  if (offset >= log_end_offset_) return ok_status();
  if (offset < log_start_offset_) return truncate_fully_locked(offset);
  int64_t now = env_.now_ms();
  Status status;
  {
    PublishLock publish(state_mu_, state_);
    while (segments_.size() > 1 && segments_.rbegin()->first > offset) {
      auto segment = segments_.rbegin()->second;
      segments_.erase(std::prev(segments_.end()));
      status = schedule_delete_locked(segment, now);
      if (!status.ok()) break;
    }
    auto active = active_locked();
    if (status.ok()) {
      auto removed = active->truncate_to(offset);
      if (!removed.ok()) status = std::move(removed).error();
    }
    if (status.ok()) status = active->expand_indexes();
    log_end_offset_ = active->next_offset();
    recovery_point_ = std::min(recovery_point_, log_end_offset_);
    high_watermark_ = std::min(high_watermark_, log_end_offset_);
    first_dirty_offset_ = std::min(first_dirty_offset_, log_end_offset_);
  }
  if (!status.ok()) return go_offline(std::move(status).error());
  auto epochs = epochs_->truncate_from_end(log_end_offset_);
  if (!epochs.ok()) return go_offline(std::move(epochs).error());
  if (!producers_.truncate_from(log_end_offset_)) {
    auto rebuilt = rebuild_producer_state_locked();
    if (!rebuilt.ok()) return go_offline(std::move(rebuilt).error());
  }
  SLUICE_LOG(info) << "partition " << tp_.to_string() << ": truncated to offset " << offset
                   << ", log end offset " << log_end_offset_;
  return ok_status();
}

Status PartitionLog::truncate_fully_and_start_at(int64_t offset) {
  LogWriterLock writer(write_mu_, state_);
  SLUICE_CHECK(check_online());
  return truncate_fully_locked(offset);
}

Status PartitionLog::truncate_fully_locked(int64_t offset) {
  if (offset < 0) return Error(StorageErrc::invalid_offset, "negative start offset");
  int64_t now = env_.now_ms();
  Status status;
  {
    PublishLock publish(state_mu_, state_);
    while (!segments_.empty()) {
      auto segment = segments_.begin()->second;
      segments_.erase(segments_.begin());
      status = schedule_delete_locked(segment, now);
      if (!status.ok()) break;
    }
    if (status.ok()) {
      auto segment = LogSegment::create(dir_, offset, segment_settings(), now);
      if (segment.ok()) {
        segments_.emplace(offset, std::move(segment).value());
      } else {
        status = std::move(segment).error();
      }
    }
    log_start_offset_ = log_end_offset_ = recovery_point_ = high_watermark_ = first_dirty_offset_ =
        offset;
  }
  if (status.ok()) status = epochs_->clear();
  producers_.clear();
  if (!status.ok()) return go_offline(std::move(status).error());
  SLUICE_LOG(info) << "partition " << tp_.to_string() << ": truncated fully, restarting at "
                   << offset;
  return ok_status();
}

Status PartitionLog::schedule_delete_locked(const std::shared_ptr<LogSegment>& segment,
                                            int64_t now_ms) {
  SLUICE_CHECK(segment->change_suffix(kDeletedSuffix));
  pending_deletes_.push_back({segment->file_paths(), now_ms + config_.file_delete_delay_ms});
  return ok_status();
}

int32_t PartitionLog::remove_expired_files_locked(int64_t now_ms, bool all) {
  int32_t removed = 0;
  std::erase_if(pending_deletes_, [&](const PendingDelete& pending) {
    if (!all && now_ms < pending.remove_after_ms) return false;
    for (const auto& path : pending.files) {
      auto status = remove_file(path);
      if (!status.ok()) {
        SLUICE_LOG(warning) << "partition " << tp_.to_string() << ": "
                            << status.error().to_string();
      }
      ++removed;
    }
    return true;
  });
  return removed;
}

Result<int64_t> PartitionLog::delete_records_before(int64_t offset) {
  LogWriterLock writer(write_mu_, state_);
  SLUICE_CHECK(check_online());
  int64_t high_watermark = this->high_watermark();  // set_high_watermark needs no writer lock
  if (offset > high_watermark || offset < 0) {
    return Error(StorageErrc::offset_out_of_range,
                 "partition " + tp_.to_string() + ": cannot delete records before " +
                     std::to_string(offset) + ", high watermark " + std::to_string(high_watermark));
  }
  if (offset <= log_start_offset_) return log_start_offset_;
  int64_t now = env_.now_ms();
  Status status;
  {
    PublishLock publish(state_mu_, state_);
    log_start_offset_ = offset;
    // Whole segments below the new start go; the one holding it stays.
    while (segments_.size() > 1 && std::next(segments_.begin())->first <= log_start_offset_) {
      auto segment = segments_.begin()->second;
      segments_.erase(segments_.begin());
      status = schedule_delete_locked(segment, now);
      if (!status.ok()) break;
    }
    first_dirty_offset_ = std::max(first_dirty_offset_, log_start_offset_);
  }
  if (status.ok()) status = epochs_->truncate_from_start(log_start_offset_);
  if (!status.ok()) return go_offline(std::move(status).error());
  remove_expired_files_locked(now, false);
  return log_start_offset_;
}

Result<RetentionResult> PartitionLog::apply_retention(int64_t now_ms) {
  LogWriterLock writer(write_mu_, state_);
  RetentionResult result;
  if (offline() || closed_) return result;
  int64_t high_watermark = this->high_watermark();
  std::vector<std::shared_ptr<LogSegment>> segments;
  for (const auto& [base, segment] : segments_) segments.push_back(segment);
  // Candidates: every segment but the active one, and only those wholly below the high
  // watermark (a consumer may not have been able to read the rest yet).
  std::size_t candidates = 0;
  while (candidates + 1 < segments.size() &&
         segments[candidates + 1]->base_offset() <= high_watermark) {
    ++candidates;
  }
  std::size_t deletable = 0;
  while (deletable < candidates && segments[deletable + 1]->base_offset() <= log_start_offset_) {
    ++deletable;
  }
  if (config_.delete_policy && config_.retention_ms >= 0) {
    std::size_t n = 0;
    while (n < candidates &&
           now_ms - segments[n]->largest_timestamp_for_retention() > config_.retention_ms) {
      ++n;
    }
    deletable = std::max(deletable, n);
  }
  if (config_.delete_policy && config_.retention_bytes >= 0) {
    int64_t total = 0;
    for (const auto& segment : segments) total += segment->size();
    int64_t excess = total - config_.retention_bytes;
    std::size_t n = 0;
    while (n < candidates && excess >= segments[n]->size()) {
      excess -= segments[n]->size();
      ++n;
    }
    deletable = std::max(deletable, n);
  }
  Status status;
  if (deletable > 0) {
    PublishLock publish(state_mu_, state_);
    for (std::size_t i = 0; i < deletable && status.ok(); ++i) {
      segments_.erase(segments[i]->base_offset());
      result.segments_deleted++;
      result.bytes_deleted += segments[i]->size();
      status = schedule_delete_locked(segments[i], now_ms);
    }
    log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
    first_dirty_offset_ = std::max(first_dirty_offset_, log_start_offset_);
  }
  if (deletable > 0 && status.ok()) status = epochs_->truncate_from_start(log_start_offset_);
  if (!status.ok()) return go_offline(std::move(status).error());
  if (deletable > 0) {
    SLUICE_LOG(info) << "partition " << tp_.to_string() << ": retention deleted "
                     << result.segments_deleted << " segments (" << result.bytes_deleted
                     << " bytes), log start offset " << log_start_offset_;
  }
  result.files_removed = remove_expired_files_locked(now_ms, false);
  return result;
}

Status PartitionLog::close() {
  LogWriterLock writer(write_mu_, state_);
  if (closed_) return ok_status();
  closed_ = true;
  if (offline()) return ok_status();
  auto flushed = flush_up_to_locked(log_end_offset_);
  if (!flushed.ok()) return go_offline(std::move(flushed).error());
  Status status;
  {
    PublishLock publish(state_mu_, state_);
    status = active_locked()->close();
  }
  if (!status.ok()) return go_offline(std::move(status).error());
  remove_expired_files_locked(0, /*all=*/true);
  return ok_status();
}

int64_t PartitionLog::log_start_offset() const {
  LogReaderLock state(state_mu_, state_);
  return log_start_offset_;
}

int64_t PartitionLog::log_end_offset() const {
  LogReaderLock state(state_mu_, state_);
  return log_end_offset_;
}

int64_t PartitionLog::high_watermark() const {
  ReaderLock state(state_mu_);  // writers call this too
  return high_watermark_;
}

int64_t PartitionLog::recovery_point() const {
  LogReaderLock state(state_mu_, state_);
  return recovery_point_;
}

void PartitionLog::set_high_watermark(int64_t offset) {
  OffsetsLock offsets(state_mu_, state_);
  high_watermark_ = std::clamp(offset, log_start_offset_, log_end_offset_);
}

int64_t PartitionLog::size_bytes() const {
  LogReaderLock state(state_mu_, state_);
  int64_t total = 0;
  for (const auto& [base, segment] : segments_) total += segment->size();
  return total;
}

int32_t PartitionLog::segment_count() const {
  LogReaderLock state(state_mu_, state_);
  return static_cast<int32_t>(segments_.size());
}

std::vector<int64_t> PartitionLog::segment_base_offsets() const {
  LogReaderLock state(state_mu_, state_);
  std::vector<int64_t> out;
  for (const auto& [base, segment] : segments_) out.push_back(base);
  return out;
}

LogConfig PartitionLog::config() const {
  LogReaderLock state(state_mu_, state_);
  return config_;
}

Status PartitionLog::update_config(const LogConfig& config) {
  SLUICE_CHECK(validate_log_config(config));
  LogWriterLock writer(write_mu_, state_);
  PublishLock publish(state_mu_, state_);
  config_ = config;
  return ok_status();
}

EpochEndOffset PartitionLog::end_offset_for_epoch(int32_t epoch) const {
  return epochs_->end_offset_for(epoch, log_end_offset());
}

std::optional<ProducerEntry> PartitionLog::producer_state(int64_t producer_id) const {
  MutexLock writer(write_mu_);
  const ProducerEntry* entry = producers_.find(producer_id);
  if (entry == nullptr) return std::nullopt;
  return *entry;
}

std::size_t PartitionLog::producer_count() const {
  MutexLock writer(write_mu_);
  return producers_.size();
}

int64_t PartitionLog::first_dirty_offset() const {
  ReaderLock state(state_mu_);
  return first_dirty_offset_;
}

void PartitionLog::set_first_dirty_offset(int64_t offset) {
  OffsetsLock offsets(state_mu_, state_);
  first_dirty_offset_ = std::max(offset, log_start_offset_);
}

std::filesystem::path PartitionLog::dir() const {
  LogReaderLock state(state_mu_, state_);
  return dir_;
}

void PartitionLog::set_dir(const std::filesystem::path& dir) {
  LogWriterLock writer(write_mu_, state_);
  {
    PublishLock publish(state_mu_, state_);  // dir() may be copying it
    dir_ = dir;
  }
  epochs_->set_dir(dir);
}

Status PartitionLog::replace_segments(const std::vector<std::shared_ptr<LogSegment>>& old_segments,
                                      const std::shared_ptr<LogSegment>& cleaned,
                                      const std::vector<int64_t>& old_sizes) {
  LogWriterLock writer(write_mu_, state_);
  SLUICE_CHECK(check_online());
  if (closed_)
    return Error(StorageErrc::storage_error, "partition " + tp_.to_string() + " is closed");
  for (std::size_t i = 0; i < old_segments.size(); ++i) {
    auto it = segments_.find(old_segments[i]->base_offset());
    if (it == segments_.end() || it->second != old_segments[i] ||
        it->second->size() != old_sizes[i] || it->second == active_locked()) {
      return Error(StorageErrc::invalid_offset,
                   "segment " + std::to_string(old_segments[i]->base_offset()) + " changed");
    }
  }
  // ".cleaned" -> ".swap": the commit point. From here a crash completes the swap at the
  // next load instead of discarding it.
  auto status = cleaned->change_suffix(kSwapSuffix);
  if (status.ok()) status = fsync_dir(dir_);
  if (!status.ok()) return go_offline(std::move(status).error());
  int64_t now = env_.now_ms();
  {
    PublishLock publish(state_mu_, state_);
    for (const auto& segment : old_segments) segments_.erase(segment->base_offset());
    segments_.emplace(cleaned->base_offset(), cleaned);
  }
  for (const auto& segment : old_segments) {
    if (status.ok()) status = schedule_delete_locked(segment, now);
  }
  if (status.ok()) status = cleaned->change_suffix("");
  if (status.ok()) status = fsync_dir(dir_);
  if (!status.ok()) return go_offline(std::move(status).error());
  return ok_status();
}

std::vector<std::shared_ptr<LogSegment>> PartitionLog::segments_snapshot() const {
  LogReaderLock state(state_mu_, state_);
  std::vector<std::shared_ptr<LogSegment>> out;
  for (const auto& [base, segment] : segments_) out.push_back(segment);
  return out;
}

}  // namespace sluice::broker::storage
