// RecordBatch v2 as the storage layer sees it (see batch_format.h).
// INTERIM: parses the fixed header itself until protocol/record_batch.h lands.
#include "broker/storage/batch_format.h"

#include <string>

#include "broker/storage/mapped_file.h"
#include "broker/storage/storage_error.h"
#include "protocol/compression.h"
#include "protocol/crc32c.h"
#include "protocol/wire.h"

namespace sluice::broker::storage {
namespace {

constexpr int64_t kMinBatchLength = kBatchHeaderSize - kBatchLogOverhead;  // 49
constexpr int16_t kTimestampTypeBit = 0x08;

Error corrupt(std::string detail) { return Error(StorageErrc::corrupt, std::move(detail)); }

}  // namespace

Result<BatchInfo> parse_batch_info(std::span<const uint8_t> bytes) {
  if (static_cast<int64_t>(bytes.size()) < kBatchHeaderSize) return corrupt("torn batch header");
  const uint8_t* p = bytes.data();
  BatchInfo info;
  info.base_offset = static_cast<int64_t>(load_be64(p));
  auto batch_length = static_cast<int32_t>(load_be32(p + 8));
  info.leader_epoch = static_cast<int32_t>(load_be32(p + 12));
  auto magic = static_cast<int8_t>(p[16]);
  auto attributes = static_cast<int16_t>((p[21] << 8) | p[22]);
  auto last_offset_delta = static_cast<int32_t>(load_be32(p + 23));
  info.max_timestamp = static_cast<int64_t>(load_be64(p + 35));
  info.records_count = static_cast<int32_t>(load_be32(p + 57));
  if (magic != 2) return corrupt("magic " + std::to_string(magic) + " is not 2");
  if (batch_length < kMinBatchLength) {
    return corrupt("batch length " + std::to_string(batch_length) + " below the header size");
  }
  if (last_offset_delta < 0 || info.records_count < 0 || info.base_offset < 0) {
    return corrupt("negative offset delta, record count or base offset");
  }
  info.size = int64_t{batch_length} + kBatchLogOverhead;
  info.last_offset = info.base_offset + last_offset_delta;
  info.log_append_time = (attributes & kTimestampTypeBit) != 0;
  return info;
}

Status validate_batch(std::span<const uint8_t> batch) {
  SLUICE_TRY(BatchInfo info, parse_batch_info(batch));
  if (info.size != static_cast<int64_t>(batch.size())) return corrupt("batch length mismatch");
  uint32_t stored = load_be32(batch.data() + 17);
  uint32_t computed = protocol::crc32c(batch.subspan(21));
  if (stored != computed) return corrupt("CRC mismatch");
  return ok_status();
}

Result<std::vector<BatchInfo>> parse_batches(std::span<const uint8_t> buffer, bool validate) {
  std::vector<BatchInfo> out;
  std::size_t position = 0;
  while (position < buffer.size()) {
    auto rest = buffer.subspan(position);
    auto info = parse_batch_info(rest);
    if (!info.ok()) {
      return Error(StorageErrc::invalid_records, "batch at byte " + std::to_string(position) +
                                                     ": " + info.error().context());
    }
    if (info->size > static_cast<int64_t>(rest.size())) {
      return Error(StorageErrc::invalid_records,
                   "batch at byte " + std::to_string(position) + " is cut short");
    }
    auto batch = rest.first(static_cast<std::size_t>(info->size));
    if (validate) {
      auto valid = validate_batch(batch);
      if (!valid.ok()) {
        return Error(StorageErrc::invalid_records, "batch at byte " + std::to_string(position) +
                                                       ": " + valid.error().context());
      }
    }
    out.push_back(*info);
    position += static_cast<std::size_t>(info->size);
  }
  if (out.empty()) return Error(StorageErrc::invalid_records, "no record batch");
  return out;
}

void set_base_offset(std::span<uint8_t> batch, int64_t base_offset) {
  store_be64(batch.data(), static_cast<uint64_t>(base_offset));
}

void set_leader_epoch(std::span<uint8_t> batch, int32_t leader_epoch) {
  store_be32(batch.data() + 12, static_cast<uint32_t>(leader_epoch));
}

void set_log_append_time(std::span<uint8_t> batch, int64_t timestamp) {
  batch[22] = static_cast<uint8_t>(batch[22] | kTimestampTypeBit);
  store_be64(batch.data() + 35, static_cast<uint64_t>(timestamp));
  store_be32(batch.data() + 17, protocol::crc32c(batch.subspan(21)));
}

namespace {

struct RawRecord {
  std::span<const uint8_t> bytes;  // the whole record, length prefix included
  int64_t timestamp_delta;
  int32_t offset_delta;
  std::optional<std::span<const uint8_t>> key;
  bool null_value;
};

// The records section of `batch`, decompressed into `scratch` when needed.
Result<std::span<const uint8_t>> records_section(std::span<const uint8_t> batch,
                                                 std::vector<uint8_t>& scratch) {
  auto attributes = static_cast<int16_t>((batch[21] << 8) | batch[22]);
  auto codec = static_cast<protocol::Compression>(attributes & 0x7);
  auto records = batch.subspan(static_cast<std::size_t>(kBatchHeaderSize));
  if (codec == protocol::Compression::none) return records;
  SLUICE_TRY(scratch, protocol::decompress(codec, records, 64u << 20));
  return std::span<const uint8_t>(scratch);
}

Result<std::vector<RawRecord>> parse_records(std::span<const uint8_t> records, int32_t count) {
  std::vector<RawRecord> out;
  protocol::ByteReader reader(records);
  for (int32_t i = 0; i < count; ++i) {
    std::size_t start = reader.position();
    int32_t length = reader.read_varint();
    if (!reader.ok() || length < 0) return corrupt("record " + std::to_string(i) + " length");
    auto body = reader.read_span(static_cast<std::size_t>(length));
    if (!reader.ok()) return corrupt("record " + std::to_string(i) + " is cut short");
    protocol::ByteReader r(body);
    r.read_i8();
    RawRecord rec{records.subspan(start, reader.position() - start), r.read_varlong(),
                  r.read_varint(), std::nullopt, false};
    int32_t key_length = r.read_varint();
    if (key_length >= 0) rec.key = r.read_span(static_cast<std::size_t>(key_length));
    int32_t value_length = r.read_varint();
    rec.null_value = value_length < 0;
    if (!r.ok() || rec.offset_delta < 0) return corrupt("record " + std::to_string(i) + " does not decode");
    out.push_back(rec);
  }
  if (reader.remaining() != 0) return corrupt("bytes after the last record");
  return out;
}

}  // namespace

Result<std::vector<RecordRef>> decode_records(std::span<const uint8_t> batch,
                                              std::vector<uint8_t>& scratch) {
  SLUICE_TRY(BatchInfo info, parse_batch_info(batch));
  auto base_timestamp = static_cast<int64_t>(load_be64(batch.data() + 27));
  SLUICE_TRY(auto records, records_section(batch, scratch));
  SLUICE_TRY(auto raw, parse_records(records, info.records_count));
  std::vector<RecordRef> out;
  out.reserve(raw.size());
  for (const auto& r : raw) {
    out.push_back({info.base_offset + r.offset_delta,
                   info.log_append_time ? info.max_timestamp : base_timestamp + r.timestamp_delta,
                   r.key, r.null_value});
  }
  return out;
}

Result<std::vector<uint8_t>> filter_batch(std::span<const uint8_t> batch,
                                          const std::vector<bool>& keep) {
  SLUICE_TRY(BatchInfo info, parse_batch_info(batch));
  auto attributes = static_cast<int16_t>((batch[21] << 8) | batch[22]);
  auto codec = static_cast<protocol::Compression>(attributes & 0x7);
  auto base_timestamp = static_cast<int64_t>(load_be64(batch.data() + 27));
  std::vector<uint8_t> scratch;
  SLUICE_TRY(auto records, records_section(batch, scratch));
  SLUICE_TRY(auto raw, parse_records(records, info.records_count));
  // Records are relative to the batch's base offset and base timestamp, which stay: the
  // kept records' bytes are valid as they are.
  std::vector<uint8_t> payload;
  int32_t kept = 0;
  int32_t last_delta = 0;
  int64_t max_timestamp = -1;
  for (std::size_t i = 0; i < raw.size() && i < keep.size(); ++i) {
    if (!keep[i]) continue;
    payload.insert(payload.end(), raw[i].bytes.begin(), raw[i].bytes.end());
    ++kept;
    last_delta = raw[i].offset_delta;
    max_timestamp = std::max(max_timestamp, base_timestamp + raw[i].timestamp_delta);
  }
  if (kept == 0) return Error(StorageErrc::invalid_argument, "a batch needs a record");
  if (info.log_append_time) max_timestamp = info.max_timestamp;
  if (codec != protocol::Compression::none) {
    SLUICE_TRY(payload, protocol::compress(codec, payload));
  }
  std::vector<uint8_t> out(batch.begin(), batch.begin() + kBatchHeaderSize);
  out.insert(out.end(), payload.begin(), payload.end());
  store_be32(out.data() + 8, static_cast<uint32_t>(out.size() - kBatchLogOverhead));
  store_be32(out.data() + 23, static_cast<uint32_t>(last_delta));
  store_be64(out.data() + 35, static_cast<uint64_t>(max_timestamp));
  store_be32(out.data() + 57, static_cast<uint32_t>(kept));
  store_be32(out.data() + 17, protocol::crc32c(std::span(out).subspan(21)));
  return out;
}

Result<std::optional<RecordPosition>> find_record_by_timestamp(std::span<const uint8_t> batch,
                                                               int64_t timestamp,
                                                               int64_t min_offset) {
  SLUICE_TRY(BatchInfo info, parse_batch_info(batch));
  auto attributes = static_cast<int16_t>((batch[21] << 8) | batch[22]);
  auto base_timestamp = static_cast<int64_t>(load_be64(batch.data() + 27));
  auto codec = static_cast<protocol::Compression>(attributes & 0x7);
  std::span<const uint8_t> records = batch.subspan(static_cast<std::size_t>(kBatchHeaderSize));
  protocol::Bytes decompressed;
  if (codec != protocol::Compression::none) {
    SLUICE_TRY(decompressed, protocol::decompress(codec, records, 64u << 20));
    records = decompressed;
  }
  protocol::ByteReader reader(records);
  for (int32_t i = 0; i < info.records_count && reader.ok(); ++i) {
    int32_t length = reader.read_varint();
    auto body = reader.read_span(static_cast<std::size_t>(std::max(length, 0)));
    protocol::ByteReader record(body);
    record.read_i8();
    int64_t ts_delta = record.read_varlong();
    int32_t offset_delta = record.read_varint();
    if (!record.ok()) break;
    int64_t offset = info.base_offset + offset_delta;
    int64_t ts = info.log_append_time ? info.max_timestamp : base_timestamp + ts_delta;
    if (offset >= min_offset && ts >= timestamp) return std::optional<RecordPosition>({offset, ts});
  }
  if (!reader.ok()) return corrupt("records do not decode");
  return std::optional<RecordPosition>();
}

}  // namespace sluice::broker::storage
