// ProducerBatch: records encoded straight into the batch buffer (see record_accumulator.h).
#include "client/src/record_accumulator.h"

#include <cstring>

#include "protocol/crc32c.h"
#include "protocol/record_batch.h"

namespace sluice::client::detail {
namespace {

using protocol::kRecordBatchHeaderSize;

constexpr std::size_t kCrcOffset = 17;
constexpr std::size_t kAttributesOffset = 21;

uint32_t zigzag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
uint64_t zigzag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

std::size_t uvarint_size(uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
std::size_t varint_size(int32_t v) { return uvarint_size(zigzag32(v)); }
std::size_t varlong_size(int64_t v) { return uvarint_size(zigzag64(v)); }

// Appends at `p`, returns the end.
uint8_t* put_uvarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}
uint8_t* put_varint(uint8_t* p, int32_t v) { return put_uvarint(p, zigzag32(v)); }
uint8_t* put_varlong(uint8_t* p, int64_t v) { return put_uvarint(p, zigzag64(v)); }
uint8_t* put_bytes(uint8_t* p, const std::optional<std::string>& b) {
  if (!b) return put_varint(p, -1);
  p = put_varint(p, static_cast<int32_t>(b->size()));
  if (!b->empty()) std::memcpy(p, b->data(), b->size());
  return p + b->size();
}

void put_be(uint8_t* p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

std::size_t opt_size(const std::optional<std::string>& b) {
  if (!b) return 1;
  return varint_size(static_cast<int32_t>(b->size())) + b->size();
}

std::size_t body_size(const ProducerRecord& r, int64_t timestamp_delta, int32_t offset_delta) {
  std::size_t n = 1 + varlong_size(timestamp_delta) + varint_size(offset_delta) + opt_size(r.key) +
                  opt_size(r.value) + varint_size(static_cast<int32_t>(r.headers.size()));
  for (const auto& h : r.headers) {
    n += varint_size(static_cast<int32_t>(h.key.size())) + h.key.size() + opt_size(h.value);
  }
  return n;
}

}  // namespace

std::size_t encoded_record_size(const ProducerRecord& record, int64_t timestamp_delta,
                                int32_t offset_delta) {
  std::size_t body = body_size(record, timestamp_delta, offset_delta);
  return varint_size(static_cast<int32_t>(body)) + body;
}

std::unique_ptr<uint8_t[]> BufferPool::take(std::size_t size) {
  if (size == buffer_size_) {
    MutexLock lock(mu_);
    if (!free_.empty()) {
      auto buffer = std::move(free_.back());
      free_.pop_back();
      return buffer;
    }
  }
  return std::unique_ptr<uint8_t[]>(new uint8_t[size]);  // default-initialised: not zeroed
}

void BufferPool::give(std::unique_ptr<uint8_t[]> buffer, std::size_t size) {
  if (!buffer || size != buffer_size_) return;
  MutexLock lock(mu_);
  if (free_.size() < max_free_) free_.push_back(std::move(buffer));
}

std::size_t BufferPool::idle() const {
  MutexLock lock(mu_);
  return free_.size();
}

ProducerBatch::ProducerBatch(uint64_t id, std::string topic, int32_t partition,
                             std::size_t capacity, Clock::time_point now,
                             Clock::time_point deadline, std::shared_ptr<BufferPool> pool)
    : id_(id),
      topic_(std::move(topic)),
      partition_(partition),
      pool_(std::move(pool)),
      created_(now),
      deadline_(deadline) {
  capacity_ = kRecordBatchHeaderSize + capacity;
  buf_ = pool_ ? pool_->take(capacity_) : std::unique_ptr<uint8_t[]>(new uint8_t[capacity_]);
  size_ = kRecordBatchHeaderSize;
}

ProducerBatch::~ProducerBatch() { release_buffer(); }

void ProducerBatch::release_buffer() {
  if (pool_) pool_->give(std::move(buf_), capacity_);
  buf_.reset();
  capacity_ = 0;
}

uint8_t* ProducerBatch::grow(std::size_t n) {
  if (size_ + n > capacity_) {
    const std::size_t capacity = std::max(size_ + n, capacity_ * 2);
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[capacity]);
    std::memcpy(bigger.get(), buf_.get(), size_);
    release_buffer();
    buf_ = std::move(bigger);
    capacity_ = capacity;
  }
  uint8_t* at = buf_.get() + size_;
  size_ += n;
  return at;
}

std::size_t ProducerBatch::size_of(const ProducerRecord& record, int64_t timestamp) const {
  int64_t delta = deliveries_.empty() ? 0 : timestamp - base_timestamp_;
  return encoded_record_size(record, delta, record_count());
}

void ProducerBatch::append(const ProducerRecord& record, int64_t timestamp, DeliveryFn on_delivery,
                           int64_t reserved) {
  if (deliveries_.empty()) {
    base_timestamp_ = timestamp;
    max_timestamp_ = timestamp;
  }
  max_timestamp_ = std::max(max_timestamp_, timestamp);
  const int64_t ts_delta = timestamp - base_timestamp_;
  const int32_t offset_delta = record_count();
  const std::size_t body = body_size(record, ts_delta, offset_delta);
  uint8_t* p = grow(varint_size(static_cast<int32_t>(body)) + body);
  p = put_varint(p, static_cast<int32_t>(body));
  *p++ = 0;  // record attributes (unused)
  p = put_varlong(p, ts_delta);
  p = put_varint(p, offset_delta);
  p = put_bytes(p, record.key);
  p = put_bytes(p, record.value);
  p = put_varint(p, static_cast<int32_t>(record.headers.size()));
  for (const auto& h : record.headers) {
    p = put_varint(p, static_cast<int32_t>(h.key.size()));
    std::memcpy(p, h.key.data(), h.key.size());
    p += h.key.size();
    p = put_bytes(p, h.value);
  }
  deliveries_.push_back({std::move(on_delivery), timestamp});
  reserved_ += reserved;
}

Status ProducerBatch::seal(protocol::Compression compression, int64_t producer_id,
                           int16_t producer_epoch, int32_t base_sequence) {
  producer_id_ = producer_id;
  producer_epoch_ = producer_epoch;
  base_sequence_ = base_sequence;
  if (!sealed_) {
    closed = true;
    std::span<const uint8_t> records(buf_.get() + kRecordBatchHeaderSize,
                                     size_ - kRecordBatchHeaderSize);
    if (compression != protocol::Compression::none) {
      auto c = protocol::compress(compression, records);
      if (!c) return std::move(c).error();
      compressed_.resize(kRecordBatchHeaderSize + c->size());
      std::memcpy(compressed_.data() + kRecordBatchHeaderSize, c->data(), c->size());
      use_compressed_ = true;
    }
    const std::span<uint8_t> out = bytes();
    uint8_t* h = out.data();
    put_be(h, 0, 8);                                                   // base offset
    put_be(h + 8, out.size() - protocol::kRecordBatchLogOverhead, 4);  // batch length
    put_be(h + 12, static_cast<uint32_t>(-1), 4);                      // partition leader epoch
    h[16] = static_cast<uint8_t>(protocol::kRecordBatchMagic);
    put_be(h + kAttributesOffset, static_cast<uint16_t>(static_cast<int>(compression) & 0x07), 2);
    put_be(h + 23, static_cast<uint32_t>(record_count() - 1), 4);  // last offset delta
    put_be(h + 27, static_cast<uint64_t>(base_timestamp_), 8);
    put_be(h + 35, static_cast<uint64_t>(max_timestamp_), 8);
    put_be(h + 57, static_cast<uint32_t>(record_count()), 4);
    sealed_ = true;
    if (use_compressed_) {
      // The uncompressed copy is no longer needed; keep the memory footprint honest.
      release_buffer();
      size_ = 0;
    }
  }
  const std::span<uint8_t> out = bytes();
  uint8_t* h = out.data();
  put_be(h + 43, static_cast<uint64_t>(producer_id), 8);
  put_be(h + 51, static_cast<uint16_t>(producer_epoch), 2);
  put_be(h + 53, static_cast<uint32_t>(base_sequence), 4);
  put_be(h + kCrcOffset, protocol::crc32c(std::span<const uint8_t>(out).subspan(kAttributesOffset)),
         4);
  return {};
}

std::span<uint8_t> ProducerBatch::bytes() {
  if (use_compressed_) return compressed_;
  return {buf_.get(), size_};
}

std::span<const uint8_t> ProducerBatch::wire() const {
  if (use_compressed_) return compressed_;
  return {buf_.get(), size_};
}

void ProducerBatch::complete(int64_t base_offset, int64_t log_append_time) {
  if (done_) return;
  done_ = true;
  // One report object for the whole batch: callbacks get it by reference, only offset and
  // timestamp change from record to record.
  RecordMetadata first;
  first.topic = topic_;
  first.partition = partition_;
  Result<RecordMetadata> report(std::move(first));
  RecordMetadata& md = *report;
  for (std::size_t i = 0; i < deliveries_.size(); ++i) {
    md.offset = base_offset < 0 ? -1 : base_offset + static_cast<int64_t>(i);
    md.timestamp_ms = log_append_time >= 0 ? log_append_time : deliveries_[i].timestamp;
    if (deliveries_[i].fn) deliveries_[i].fn(report);
  }
  deliveries_.clear();
}

void ProducerBatch::fail(const Error& error) {
  if (done_) return;
  done_ = true;
  const Result<RecordMetadata> report(error);
  for (auto& d : deliveries_) {
    if (d.fn) d.fn(report);
  }
  deliveries_.clear();
}

}  // namespace sluice::client::detail
