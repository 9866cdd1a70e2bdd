// RecordBatch v2 as the storage layer sees it (see batch_format.h): a thin layer over
// protocol/record_batch.h that turns its errors into storage errors.
#include "broker/storage/batch_format.h"

#include <string>

#include "broker/storage/storage_error.h"
#include "protocol/record_batch.h"

namespace sluice::broker::storage {
namespace {

Error corrupt(const Error& cause) { return Error(StorageErrc::corrupt, cause.to_string()); }

BatchInfo to_info(const protocol::RecordBatchHeader& h) {
  BatchInfo info;
  info.base_offset = h.base_offset;
  info.last_offset = h.last_offset();
  info.size = static_cast<int64_t>(h.size());
  info.leader_epoch = h.partition_leader_epoch;
  info.max_timestamp = h.max_timestamp;
  info.records_count = h.records_count;
  info.log_append_time = h.timestamp_type() == protocol::TimestampType::log_append_time;
  info.control = h.is_control();
  info.producer_id = h.producer_id;
  info.producer_epoch = h.producer_epoch;
  info.base_sequence = h.base_sequence;
  return info;
}

}  // namespace

Result<BatchInfo> parse_batch_info(std::span<const uint8_t> bytes) {
  auto header = protocol::parse_batch_header(bytes);
  if (!header.ok()) return corrupt(header.error());
  return to_info(*header);
}

Status validate_batch(std::span<const uint8_t> batch, BatchCheck check) {
  protocol::ValidateOptions options;
  options.check_records = check == BatchCheck::producer;
  options.require_sequential_offsets = check == BatchCheck::producer;
  auto valid = protocol::validate_batch(batch, options);
  if (!valid.ok()) return corrupt(valid.error());
  return ok_status();
}

Result<std::vector<BatchInfo>> parse_batches(std::span<const uint8_t> buffer, BatchCheck check) {
  std::vector<BatchInfo> out;
  protocol::BatchIterator batches(buffer);
  std::size_t position = 0;
  while (auto batch = batches.next()) {
    auto invalid = [&](const Error& cause) {
      return Error(StorageErrc::invalid_records,
                   "batch at byte " + std::to_string(position) + ": " + cause.to_string());
    };
    auto header = protocol::parse_batch_header(*batch);
    if (!header.ok()) return invalid(header.error());
    auto valid = validate_batch(*batch, check);
    if (!valid.ok()) return invalid(valid.error());
    out.push_back(to_info(*header));
    position += batch->size();
  }
  if (batches.error()) {
    return Error(StorageErrc::invalid_records, batches.error()->to_string());
  }
  if (batches.truncated_tail()) {
    return Error(StorageErrc::invalid_records,
                 "batch at byte " + std::to_string(position) + " is cut short");
  }
  if (out.empty()) return Error(StorageErrc::invalid_records, "no record batch");
  return out;
}

void set_base_offset(std::span<uint8_t> batch, int64_t base_offset) {
  protocol::set_base_offset(batch, base_offset);
}

void set_leader_epoch(std::span<uint8_t> batch, int32_t leader_epoch) {
  protocol::set_partition_leader_epoch(batch, leader_epoch);
}

void set_log_append_time(std::span<uint8_t> batch, int64_t timestamp) {
  protocol::set_log_append_time(batch, timestamp);
}

Result<std::optional<RecordPosition>> find_record_by_timestamp(std::span<const uint8_t> batch,
                                                               int64_t timestamp,
                                                               int64_t min_offset) {
  auto records = protocol::decode_records(batch);
  if (!records.ok()) return corrupt(records.error());
  for (const auto& record : *records) {
    if (record.offset >= min_offset && record.timestamp >= timestamp) {
      return std::optional<RecordPosition>(RecordPosition{record.offset, record.timestamp});
    }
  }
  return std::optional<RecordPosition>();
}

Result<std::vector<RecordRef>> decode_records(std::span<const uint8_t> batch) {
  auto records = protocol::decode_records(batch);
  if (!records.ok()) return corrupt(records.error());
  std::vector<RecordRef> out;
  out.reserve(records->size());
  for (auto& record : *records) {
    RecordRef ref{record.offset, record.timestamp, std::nullopt, !record.value.has_value()};
    if (record.key) ref.key = std::string(record.key->begin(), record.key->end());
    out.push_back(std::move(ref));
  }
  return out;
}

Result<std::vector<uint8_t>> filter_batch(std::span<const uint8_t> batch,
                                          const std::vector<bool>& keep) {
  auto header = protocol::parse_batch_header(batch);
  if (!header.ok()) return corrupt(header.error());
  auto records = protocol::decode_records(batch);
  if (!records.ok()) return corrupt(records.error());
  protocol::RecordBatchBuilder builder(header->compression(), header->base_offset);
  builder.producer(header->producer_id, header->producer_epoch, header->base_sequence)
      .transactional(header->is_transactional())
      .partition_leader_epoch(header->partition_leader_epoch);
  for (std::size_t i = 0; i < records->size() && i < keep.size(); ++i) {
    if (!keep[i]) continue;
    auto& record = (*records)[i];
    builder.add(std::move(record.key), std::move(record.value), record.timestamp,
                std::move(record.headers),
                static_cast<int32_t>(record.offset - header->base_offset));
  }
  if (builder.record_count() == 0) {
    return Error(StorageErrc::invalid_argument, "a batch needs a record");
  }
  auto built = builder.build();
  if (!built.ok()) return corrupt(built.error());
  if (header->timestamp_type() == protocol::TimestampType::log_append_time) {
    protocol::set_log_append_time(*built, header->max_timestamp);
  }
  return std::move(built).value();
}

}  // namespace sluice::broker::storage
