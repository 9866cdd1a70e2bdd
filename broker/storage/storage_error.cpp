// The "storage" error category and its mapping to Kafka error codes.
#include "broker/storage/storage_error.h"

#include <string>

namespace sluice::broker::storage {
namespace {

class StorageCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "storage"; }
  std::string message(int code) const override {
    switch (static_cast<StorageErrc>(code)) {
      case StorageErrc::offset_out_of_range:
        return "offset out of range";
      case StorageErrc::storage_error:
        return "storage error (I/O failure or offline log)";
      case StorageErrc::log_dir_locked:
        return "log directory is locked by another process";
      case StorageErrc::corrupt:
        return "corrupt data on disk";
      case StorageErrc::invalid_offset:
        return "invalid offset";
      case StorageErrc::invalid_records:
        return "invalid record batches";
      case StorageErrc::batch_too_large:
        return "batch larger than a segment";
      case StorageErrc::log_not_found:
        return "no such log";
      case StorageErrc::log_exists:
        return "log already exists";
      case StorageErrc::invalid_argument:
        return "invalid argument";
      case StorageErrc::out_of_order_sequence:
        return "out of order sequence number";
      case StorageErrc::invalid_producer_epoch:
        return "producer epoch is older than the latest one";
      case StorageErrc::unknown_producer_id:
        return "unknown producer id";
    }
    return "unknown storage error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& storage_category() {
  static const StorageCategory category;
  return category;
}

protocol::KafkaErrc to_kafka_errc(StorageErrc e) {
  using protocol::KafkaErrc;
  switch (e) {
    case StorageErrc::offset_out_of_range:
      return KafkaErrc::offset_out_of_range;
    case StorageErrc::storage_error:
    case StorageErrc::log_dir_locked:
      return KafkaErrc::kafka_storage_error;
    case StorageErrc::corrupt:
    case StorageErrc::invalid_records:
      return KafkaErrc::corrupt_message;
    case StorageErrc::batch_too_large:
      return KafkaErrc::message_too_large;
    case StorageErrc::log_not_found:
      return KafkaErrc::unknown_topic_or_partition;
    case StorageErrc::out_of_order_sequence:
      return KafkaErrc::out_of_order_sequence_number;
    case StorageErrc::invalid_producer_epoch:
      return KafkaErrc::invalid_producer_epoch;
    case StorageErrc::unknown_producer_id:
      return KafkaErrc::unknown_producer_id;
    case StorageErrc::invalid_offset:
    case StorageErrc::log_exists:
    case StorageErrc::invalid_argument:
      return KafkaErrc::unknown_server_error;
  }
  return KafkaErrc::unknown_server_error;
}

}  // namespace sluice::broker::storage
