// The leader-epoch cache of a partition (KIP-101/279): for each leader epoch, the first
// offset written in it. Followers ask the leader for the end offset of their latest epoch
// (OffsetForLeaderEpoch) and truncate to it, instead of trusting the high watermark.
//
// Persisted in "<partition dir>/leader-epoch-checkpoint", Kafka's text format:
//
//   0              <- format version
//   2              <- number of entries
//   0 0            <- "<epoch> <start offset>", epochs and offsets strictly increasing
//   3 1500
//
// Every change rewrites the file atomically (temp, fsync, rename, fsync directory).
//
// Thread-safe: every member takes the cache's own mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"

namespace sluice::broker::storage {

inline constexpr const char* kLeaderEpochCheckpoint = "leader-epoch-checkpoint";

struct EpochEntry {
  int32_t epoch;
  int64_t start_offset;
  friend bool operator==(const EpochEntry&, const EpochEntry&) = default;
};

// The answer to OffsetForLeaderEpoch: the largest epoch <= the requested one that the log
// knows, and the offset where the epoch after it starts (or the log end offset for the
// latest epoch). {-1, -1} when the requested epoch is undefined or above every known epoch.
struct EpochEndOffset {
  int32_t epoch;
  int64_t end_offset;
  friend bool operator==(const EpochEndOffset&, const EpochEndOffset&) = default;
};

class LeaderEpochCache {
 public:
  static constexpr int32_t kUndefinedEpoch = -1;
  static constexpr int64_t kUndefinedOffset = -1;

  // Loads "<dir>/leader-epoch-checkpoint" (empty when missing); corrupt when it does not parse.
  static Result<std::unique_ptr<LeaderEpochCache>> open(const std::filesystem::path& dir);

  // Records that `epoch` starts at `start_offset`. A no-op when it is the latest epoch and
  // starts no earlier; otherwise entries that conflict (epoch >= `epoch` or start offset >=
  // `start_offset`) are dropped first, as in Kafka. Persists the change.
  Status assign(int32_t epoch, int64_t start_offset);

  // OffsetForLeaderEpoch for `epoch`, given the log end offset.
  EpochEndOffset end_offset_for(int32_t epoch, int64_t log_end_offset) const;

  // After the log was truncated to `end_offset`: drops the entries starting at or after it.
  Status truncate_from_end(int64_t end_offset);
  // After the log start moved to `start_offset`: drops the entries that start before it,
  // except the latest of them, which now starts at `start_offset`.
  Status truncate_from_start(int64_t start_offset);
  // Drops everything (the log was emptied).
  Status clear();

  std::optional<EpochEntry> latest() const;
  std::optional<int32_t> latest_epoch() const;
  std::vector<EpochEntry> entries() const;

  // Moves the checkpoint's directory (the partition directory was renamed).
  void set_dir(const std::filesystem::path& dir);

 private:
  LeaderEpochCache(std::filesystem::path dir, std::vector<EpochEntry> entries)
      : dir_(std::move(dir)), entries_(std::move(entries)) {}
  Status flush_locked() const REQUIRES(mu_);

  mutable Mutex mu_;
  std::filesystem::path dir_ GUARDED_BY(mu_);
  // Strictly increasing in epoch and start offset.
  std::vector<EpochEntry> entries_ GUARDED_BY(mu_);
};

}  // namespace sluice::broker::storage
