// Kafka primitive types: reading with bounds checks, writing in network byte order.
#include "protocol/wire.h"

#include <unistd.h>

#include <bit>
#include <cerrno>

namespace sluice::protocol {

namespace {

class DecodeCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka-decode"; }
  std::string message(int ev) const override {
    switch (static_cast<DecodeErrc>(ev)) {
      case DecodeErrc::truncated:
        return "truncated field";
      case DecodeErrc::negative_length:
        return "negative length";
      case DecodeErrc::length_too_large:
        return "length exceeds the frame";
      case DecodeErrc::bad_varint:
        return "malformed varint";
      case DecodeErrc::unsupported_version:
        return "unsupported version";
      case DecodeErrc::invalid_value:
        return "invalid value";
      case DecodeErrc::trailing_bytes:
        return "unexpected bytes after the message";
    }
    return "unknown decode error";
  }
};

template <class T>
T byteswap(T v) {
  if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
  if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  return v;
}

template <class T>
T load_be(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byteswap(v);
  return v;
}

template <class T>
void store_be(std::vector<uint8_t>& out, T v) {
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byteswap(v);
  uint8_t tmp[sizeof(T)];
  std::memcpy(tmp, &v, sizeof(T));
  out.insert(out.end(), tmp, tmp + sizeof(T));
}

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

const std::error_category& decode_category() {
  static const DecodeCategory category;
  return category;
}

bool Uuid::is_zero() const {
  for (auto b : bytes)
    if (b != 0) return false;
  return true;
}

std::string Uuid::to_base64() const {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(acc << (6 - bits)) & 0x3f];
  return out;
}

std::optional<Uuid> Uuid::from_base64(std::string_view text) {
  if (text.size() != 22) return std::nullopt;
  Uuid out;
  uint32_t acc = 0;
  int bits = 0;
  std::size_t n = 0;
  for (char c : text) {
    const char* pos = std::strchr(kBase64Url, c);
    if (c == '\0' || pos == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(pos - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < out.bytes.size()) out.bytes[n++] = static_cast<uint8_t>((acc >> bits) & 0xff);
    }
  }
  if (n != out.bytes.size()) return std::nullopt;
  return out;
}

// ---- ByteReader ----

Error ByteReader::error() const {
  std::string context;
  if (failed_field_) context = failed_field_;
  if (!detail_.empty()) {
    if (!context.empty()) context += ": ";
    context += detail_;
  }
  return Error(make_error_code(why_), std::move(context));
}

void ByteReader::fail(DecodeErrc why, std::string_view detail) {
  if (failed_) return;
  failed_ = true;
  why_ = why;
  detail_ = std::string(detail);
  failed_field_ = field_;
  pos_ = data_.size();
}

void ByteReader::absorb_failure(const ByteReader& other) {
  if (failed_ || !other.failed_) return;
  failed_ = true;
  why_ = other.why_;
  detail_ = other.detail_;
  failed_field_ = other.failed_field_;
  pos_ = data_.size();
}

bool ByteReader::need(std::size_t n) {
  if (failed_) return false;
  if (data_.size() - pos_ < n) {
    fail(DecodeErrc::truncated, "need " + std::to_string(n) + " bytes at offset " +
                                    std::to_string(pos_) + ", have " +
                                    std::to_string(data_.size() - pos_));
    return false;
  }
  return true;
}

int8_t ByteReader::read_i8() {
  if (!need(1)) return 0;
  return static_cast<int8_t>(data_[pos_++]);
}

#define SLUICE_READ_FIXED(name, T)         \
  T ByteReader::name() {                   \
    if (!need(sizeof(T))) return 0;        \
    T v = load_be<T>(data_.data() + pos_); \
    pos_ += sizeof(T);                     \
    return v;                              \
  }
SLUICE_READ_FIXED(read_i16, int16_t)
SLUICE_READ_FIXED(read_i32, int32_t)
SLUICE_READ_FIXED(read_i64, int64_t)
SLUICE_READ_FIXED(read_u16, uint16_t)
SLUICE_READ_FIXED(read_u32, uint32_t)
#undef SLUICE_READ_FIXED

double ByteReader::read_f64() {
  uint64_t bits = static_cast<uint64_t>(read_i64());
  return std::bit_cast<double>(bits);
}

bool ByteReader::read_bool() { return read_i8() != 0; }

Uuid ByteReader::read_uuid() {
  Uuid u;
  auto s = read_span(16);
  if (s.size() == 16) std::memcpy(u.bytes.data(), s.data(), 16);
  return u;
}

uint64_t ByteReader::read_uvarlong() {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (!need(1)) return 0;
    uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7e) != 0) break;  // more than 64 bits
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  fail(DecodeErrc::bad_varint, "varlong longer than 10 bytes");
  return 0;
}

uint32_t ByteReader::read_uvarint() {
  uint32_t value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (!need(1)) return 0;
    uint8_t b = data_[pos_++];
    if (shift == 28 && (b & 0x70) != 0) break;  // more than 32 bits
    value |= static_cast<uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  fail(DecodeErrc::bad_varint, "varint longer than 5 bytes");
  return 0;
}

int32_t ByteReader::read_varint() {
  uint32_t u = read_uvarint();
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

int64_t ByteReader::read_varlong() {
  uint64_t u = read_uvarlong();
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

namespace {
// Compact lengths are N+1 with 0 meaning null.
int64_t compact_length(ByteReader& r) {
  uint32_t raw = r.read_uvarint();
  return static_cast<int64_t>(raw) - 1;
}
}  // namespace

int32_t ByteReader::read_string_length(bool compact) {
  int64_t n = compact ? compact_length(*this) : read_i16();
  if (failed_) return -1;
  if (n < -1) {
    fail(DecodeErrc::negative_length, "string length " + std::to_string(n));
    return -1;
  }
  if (n > static_cast<int64_t>(remaining())) {
    fail(DecodeErrc::length_too_large, "string length " + std::to_string(n) + " but " +
                                           std::to_string(remaining()) + " bytes left");
    return -1;
  }
  return static_cast<int32_t>(n);
}

int32_t ByteReader::read_bytes_length(bool compact) {
  int64_t n = compact ? compact_length(*this) : read_i32();
  if (failed_) return -1;
  if (n < -1) {
    fail(DecodeErrc::negative_length, "bytes length " + std::to_string(n));
    return -1;
  }
  if (n > static_cast<int64_t>(remaining())) {
    fail(DecodeErrc::length_too_large, "bytes length " + std::to_string(n) + " but " +
                                           std::to_string(remaining()) + " bytes left");
    return -1;
  }
  return static_cast<int32_t>(n);
}

int32_t ByteReader::read_array_length(bool compact, std::size_t min_element_size) {
  int64_t n = compact ? compact_length(*this) : read_i32();
  if (failed_) return -1;
  if (n < -1) {
    fail(DecodeErrc::negative_length, "array length " + std::to_string(n));
    return -1;
  }
  // Every element takes at least min_element_size bytes, so a count larger than the
  // bytes left cannot be genuine: refuse it before anyone allocates for it.
  if (min_element_size == 0) min_element_size = 1;
  if (n > 0 && static_cast<uint64_t>(n) > remaining() / min_element_size) {
    fail(DecodeErrc::length_too_large, "array length " + std::to_string(n) + " but " +
                                           std::to_string(remaining()) + " bytes left");
    return -1;
  }
  return static_cast<int32_t>(n);
}

std::span<const uint8_t> ByteReader::read_span(std::size_t n) {
  if (!need(n)) return {};
  auto s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

// ---- ByteWriter ----

void ByteWriter::write_i16(int16_t v) { store_be(buf_, v); }
void ByteWriter::write_i32(int32_t v) { store_be(buf_, v); }
void ByteWriter::write_i64(int64_t v) { store_be(buf_, v); }
void ByteWriter::write_u16(uint16_t v) { store_be(buf_, v); }
void ByteWriter::write_u32(uint32_t v) { store_be(buf_, v); }
void ByteWriter::write_f64(double v) { store_be(buf_, std::bit_cast<uint64_t>(v)); }

void ByteWriter::write_uvarlong(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<uint8_t>(v));
}

void ByteWriter::write_uvarint(uint32_t v) { write_uvarlong(v); }

void ByteWriter::write_varint(int32_t v) {
  write_uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void ByteWriter::write_varlong(int64_t v) {
  write_uvarlong((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void ByteWriter::write_string_length(int32_t n, bool compact) {
  if (compact) {
    write_uvarint(static_cast<uint32_t>(n + 1));
  } else {
    write_i16(static_cast<int16_t>(n));
  }
}

void ByteWriter::write_bytes_length(int32_t n, bool compact) {
  if (compact) {
    write_uvarint(static_cast<uint32_t>(n + 1));
  } else {
    write_i32(n);
  }
}

void ByteWriter::write_array_length(int32_t n, bool compact) { write_bytes_length(n, compact); }

std::size_t ByteWriter::reserve_i32() {
  std::size_t at = buf_.size();
  buf_.resize(at + 4);
  return at;
}

void ByteWriter::patch_i32(std::size_t at, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  buf_[at] = static_cast<uint8_t>(u >> 24);
  buf_[at + 1] = static_cast<uint8_t>(u >> 16);
  buf_[at + 2] = static_cast<uint8_t>(u >> 8);
  buf_[at + 3] = static_cast<uint8_t>(u);
}

void ByteWriter::splice_file(FileRegion region) {
  spliced_bytes_ += region.length;
  splices_.push_back({buf_.size(), std::move(region)});
}

Result<Bytes> ByteWriter::flatten() const {
  Bytes out;
  out.reserve(static_cast<std::size_t>(wire_size()));
  std::size_t from = 0;
  for (const auto& s : splices_) {
    out.insert(out.end(), buf_.begin() + static_cast<std::ptrdiff_t>(from),
               buf_.begin() + static_cast<std::ptrdiff_t>(s.at));
    from = s.at;
    std::size_t base = out.size();
    out.resize(base + static_cast<std::size_t>(s.region.length));
    int64_t done = 0;
    while (done < s.region.length) {
      ssize_t n =
          ::pread(s.region.fd, out.data() + base + done,
                  static_cast<std::size_t>(s.region.length - done), s.region.position + done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return Error(n < 0 ? std::error_code(errno, std::system_category())
                           : std::make_error_code(std::errc::io_error),
                     "reading spliced file region");
      }
      done += n;
    }
  }
  out.insert(out.end(), buf_.begin() + static_cast<std::ptrdiff_t>(from), buf_.end());
  return out;
}

}  // namespace sluice::protocol
