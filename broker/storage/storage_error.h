// Errors of the partition-log layer (category "storage") and their Kafka error codes, so
// the handlers can answer Produce/Fetch/ListOffsets without knowing storage internals.
#pragma once

#include <system_error>

#include "protocol/error_codes.h"

namespace sluice::broker::storage {

enum class StorageErrc {
  offset_out_of_range = 1,  // a read/lookup below the log start offset or past the log end
  storage_error,            // an I/O error (ENOSPC, EIO, ...) or a log that went offline
  log_dir_locked,           // another process holds the log directory's .lock
  corrupt,                  // bytes on disk or in a checkpoint that do not parse
  invalid_offset,           // an offset that breaks monotonicity (follower append, truncation)
  invalid_records,          // an appended buffer that is not a sequence of valid batches
  batch_too_large,          // an append larger than a whole segment
  log_not_found,            // no log for the topic-partition
  log_exists,               // creating a log that is already there
  invalid_argument,         // a configuration or argument outside its domain
  // Idempotent producers (producer_state.h), leader appends only:
  out_of_order_sequence,   // a sequence that does not follow the producer's last one
  invalid_producer_epoch,  // a producer epoch older than the one the log knows
  unknown_producer_id,     // a producer the log has no state for, not starting at sequence 0
};

const std::error_category& storage_category();
inline std::error_code make_error_code(StorageErrc e) {
  return {static_cast<int>(e), storage_category()};
}

// The Kafka error code a response carries for a storage error:
// offset_out_of_range → OFFSET_OUT_OF_RANGE (1), storage_error / log_dir_locked →
// KAFKA_STORAGE_ERROR (56), corrupt / invalid_records → CORRUPT_MESSAGE (2),
// batch_too_large → MESSAGE_TOO_LARGE (10), log_not_found → UNKNOWN_TOPIC_OR_PARTITION (3),
// out_of_order_sequence → OUT_OF_ORDER_SEQUENCE_NUMBER (45), invalid_producer_epoch →
// INVALID_PRODUCER_EPOCH (47), unknown_producer_id → UNKNOWN_PRODUCER_ID (59),
// anything else → UNKNOWN_SERVER_ERROR (-1).
protocol::KafkaErrc to_kafka_errc(StorageErrc e);

}  // namespace sluice::broker::storage

template <>
struct std::is_error_code_enum<sluice::broker::storage::StorageErrc> : std::true_type {};
