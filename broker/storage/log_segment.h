// One segment of a partition log: `<base>.log` (RecordBatch v2 bytes exactly as appended,
// base offsets rewritten), `<base>.index` and `<base>.timeindex`, where <base> is the first
// offset the segment may hold as 20 zero-padded digits. See docs/log-format.md.
//
// Thread safety: a segment has no lock of its own. Its owner (PartitionLog) serialises
// writers and guards the in-memory state with a shared mutex:
//   - write() runs with only the writer lock: it writes past size(), which readers never
//     look at;
//   - commit(), truncate_to(), recover(), on_become_inactive(), close(), the index
//     expansion and the renames run under the exclusive lock;
//   - lookups (find_batch, read_header_at, region_end, max_timestamp, ...) run under the
//     shared lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/storage/batch_format.h"
#include "broker/storage/file_util.h"
#include "broker/storage/offset_index.h"
#include "broker/storage/time_index.h"
#include "common/result.h"
#include "protocol/wire.h"

namespace sluice::broker::storage {

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
inline constexpr std::string_view kDeletedSuffix = ".deleted";
inline constexpr std::string_view kCleanedSuffix = ".cleaned";
inline constexpr std::string_view kSwapSuffix = ".swap";

// "00000000000000001234" + suffix.
std::string segment_file_name(int64_t base_offset, std::string_view suffix);
// The base offset of a file named "<20 digits><suffix>", if `name` is one.
std::optional<int64_t> parse_segment_file_name(std::string_view name, std::string_view suffix);

struct SegmentSettings {
  int64_t index_interval_bytes = 4096;
  int64_t max_index_bytes = 10 * 1024 * 1024;
  const IoHooks* io = nullptr;
};

// Where a batch is in a segment.
struct BatchLocation {
  int64_t position;
  BatchInfo info;
};

struct RecoveryResult {
  int64_t valid_bytes = 0;
  int64_t truncated_bytes = 0;  // torn or invalid bytes cut from the end
  int64_t batches = 0;
  std::string reason;  // why the tail was cut, when it was
};

class LogSegment {
 public:
  // Creates the files of an empty segment, replacing leftovers of the same name. `suffix`
  // is appended to every file name (".cleaned" for the cleaner's output).
  static Result<std::shared_ptr<LogSegment>> create(const std::filesystem::path& dir,
                                                    int64_t base_offset,
                                                    const SegmentSettings& settings, int64_t now_ms,
                                                    std::string_view suffix = {});

  // Opens an existing segment. Its indexes are loaded and sanity-checked against the log,
  // and the batches after the last index entry are walked to find the next offset. When
  // anything does not add up (missing or corrupt index, a torn last batch),
  // needs_recovery() is true and recover() must run before the segment is used.
  static Result<std::shared_ptr<LogSegment>> open(const std::filesystem::path& dir,
                                                  int64_t base_offset,
                                                  const SegmentSettings& settings, int64_t now_ms,
                                                  std::string_view suffix = {});

  int64_t base_offset() const { return base_offset_; }
  // Bytes of whole, committed batches.
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // One past the last offset in the segment; base_offset() when empty.
  int64_t next_offset() const { return next_offset_; }
  // Largest batch max-timestamp (-1 when no batch has one) and the last offset of the batch
  // holding it.
  int64_t max_timestamp() const { return max_timestamp_; }
  int64_t offset_of_max_timestamp() const { return offset_of_max_timestamp_; }
  // The timestamp retention compares: max_timestamp(), or the file's mtime without one.
  int64_t largest_timestamp_for_retention() const;
  // When the segment got its first batch (this process's clock), for segment.ms rolling.
  int64_t created_ms() const { return created_ms_; }
  bool needs_recovery() const { return needs_recovery_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  const OffsetIndex& offset_index() const { return *offset_index_; }
  const TimeIndex& time_index() const { return *time_index_; }
  const std::shared_ptr<FileHandle>& file() const { return file_; }

  // True when an append of `bytes` bytes whose last offset is `last_offset` must go to a new
  // segment: it would not fit segment_bytes, the segment is older than segment_ms, an index
  // is full, or the offsets would not fit the indexes' int32 relative offsets. An empty
  // segment never rolls (except for the offset overflow).
  bool should_roll(int64_t bytes, int64_t last_offset, int64_t now_ms, int64_t segment_bytes,
                   int64_t segment_ms) const;

  // Writes `data` at size() (not yet visible to readers). On failure the file is truncated
  // back to size() so no partial batch stays behind, and the error is returned.
  Status write(std::span<const uint8_t> data);
  // Makes the batches written by the last write() visible: advances size, next offset and
  // the max timestamp, and adds index entries every index_interval_bytes.
  void commit(std::span<const BatchInfo> batches, int64_t now_ms);

  // The first batch whose last offset is >= `offset`, searching from the index entry at or
  // below it. nullopt when no batch in the segment reaches `offset`.
  Result<std::optional<BatchLocation>> find_batch(int64_t offset) const;
  // The batch header at `position`, which must be the start of a committed batch.
  Result<BatchInfo> read_header_at(int64_t position) const;
  // The end of the run of whole batches that starts at `start` (a batch start) and spans at
  // most `max_bytes`, keeping only batches whose last offset is < `max_offset`. With
  // `min_one`, the first batch counts even when it alone exceeds max_bytes. Returns the end
  // position (== start when nothing qualifies) and the offset to read next (one past the
  // last batch, or the base offset of the batch right after the region).
  struct RegionEnd {
    int64_t end_position;
    int64_t next_offset;
  };
  Result<RegionEnd> region_end(int64_t start, int64_t max_bytes, int64_t max_offset,
                               bool min_one) const;
  // Copies bytes [position, position + length) of the log file.
  Result<std::vector<uint8_t>> read_bytes(int64_t position, int64_t length) const;
  // A sendfile-able region; its keepalive holds the file open.
  protocol::FileRegion region(int64_t position, int64_t length) const;

  // Drops every batch whose last offset is >= `offset` (a batch that straddles `offset`
  // goes whole) and the index entries that point at them. Returns the bytes removed.
  Result<int64_t> truncate_to(int64_t offset);

  // Rebuilds both indexes from the log, validating every batch (CRC included) and checking
  // that offsets increase; the first invalid or torn batch and everything after it are cut
  // off the file.
  Result<RecoveryResult> recover();

  // The segment stops being the active one: writes the final time-index entry and trims both
  // index files to their entries.
  Status on_become_inactive();
  // Makes room in the indexes again (the segment becomes active after a restart or a
  // truncation).
  Status expand_indexes();
  // fsyncs the log and both indexes.
  Status flush();
  // As on_become_inactive, then flush: the state a clean shutdown leaves.
  Status close();

  // Renames the three files from their current suffix to `suffix` ("" for the final names).
  Status change_suffix(std::string_view suffix);
  // The paths of the files as they are named now.
  std::vector<std::filesystem::path> file_paths() const;

 private:
  LogSegment(std::filesystem::path dir, int64_t base_offset, SegmentSettings settings,
             std::string suffix)
      : dir_(std::move(dir)),
        base_offset_(base_offset),
        settings_(settings),
        suffix_(std::move(suffix)) {}
  std::filesystem::path path_for(std::string_view kind) const;
  Status load_state();  // next offset and max timestamp from the indexes and the tail

  std::filesystem::path dir_;
  int64_t base_offset_;
  SegmentSettings settings_;
  std::string suffix_;
  std::filesystem::path log_path_;
  std::shared_ptr<FileHandle> file_;
  std::unique_ptr<OffsetIndex> offset_index_;
  std::unique_ptr<TimeIndex> time_index_;
  int64_t size_ = 0;
  int64_t next_offset_ = 0;
  int64_t max_timestamp_ = -1;
  int64_t offset_of_max_timestamp_ = -1;
  int64_t bytes_since_last_index_entry_ = 0;
  int64_t created_ms_ = 0;
  bool needs_recovery_ = false;
};

}  // namespace sluice::broker::storage
