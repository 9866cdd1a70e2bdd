// LogConfig validation and the log's clock (see log_config.h).
#include "broker/storage/log_config.h"

#include <chrono>
#include <string>

#include "broker/storage/batch_format.h"
#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {

Status validate_log_config(const LogConfig& config) {
  auto invalid = [](const std::string& what) {
    return Error(StorageErrc::invalid_argument, "log config: " + what);
  };
  // Index entries hold int32 positions, so a segment cannot pass 2 GiB (as in Kafka).
  if (config.segment_bytes < kBatchHeaderSize || config.segment_bytes > INT32_MAX) {
    return invalid("segment.bytes " + std::to_string(config.segment_bytes) + " is outside [" +
                   std::to_string(kBatchHeaderSize) + ", 2147483647]");
  }
  if (config.segment_index_bytes < 4 || config.segment_index_bytes > INT32_MAX) {
    return invalid("segment.index.bytes " + std::to_string(config.segment_index_bytes) +
                   " is outside [4, 2147483647]");
  }
  if (config.index_interval_bytes < 0 || config.segment_ms < 1 || config.flush_messages < 1 ||
      config.flush_ms < 0 || config.delete_retention_ms < 0 || config.file_delete_delay_ms < 0 ||
      config.min_compaction_lag_ms < 0 || config.min_cleanable_dirty_ratio < 0 ||
      config.min_cleanable_dirty_ratio > 1) {
    return invalid("a value is out of its range");
  }
  return ok_status();
}

int64_t LogEnv::now_ms() const {
  if (clock) return clock();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice::broker::storage
