// Kafka's offset checkpoint files, one per log directory: recovery-point-offset-checkpoint,
// replication-offset-checkpoint (high watermarks), log-start-offset-checkpoint and
// cleaner-offset-checkpoint. Text, as in Kafka:
//
//   0                      <- format version
//   2                      <- number of entries
//   orders 0 1234          <- "<topic> <partition> <offset>", one per line
//   orders 1 99
//
// Written atomically (temp file, fsync, rename, fsync directory); a leftover
// "<name>.tmp" from a crash is ignored by read().
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string_view>

#include "broker/storage/topic_partition.h"
#include "common/result.h"

namespace sluice::broker::storage {

inline constexpr std::string_view kRecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
inline constexpr std::string_view kReplicationCheckpoint = "replication-offset-checkpoint";
inline constexpr std::string_view kLogStartOffsetCheckpoint = "log-start-offset-checkpoint";
inline constexpr std::string_view kCleanerCheckpoint = "cleaner-offset-checkpoint";

using OffsetMap = std::map<TopicPartition, int64_t>;

class OffsetCheckpointFile {
 public:
  explicit OffsetCheckpointFile(std::filesystem::path path) : path_(std::move(path)) {}

  const std::filesystem::path& path() const { return path_; }

  // Replaces the file with `offsets`.
  Status write(const OffsetMap& offsets) const;
  // The entries of the file; empty when it does not exist. A file that does not parse
  // (wrong version, count mismatch, bad line) is a corrupt error naming the line.
  Result<OffsetMap> read() const;

 private:
  std::filesystem::path path_;
};

// The text of a checkpoint, and its parser (`what` names the file in errors).
std::string format_offset_checkpoint(const OffsetMap& offsets);
Result<OffsetMap> parse_offset_checkpoint(std::string_view text, std::string_view what);

}  // namespace sluice::broker::storage
