// Kafka primitive types on the wire (big-endian integers, zig-zag varints, strings, bytes,
// arrays and their compact forms). No I/O: ByteReader walks a borrowed buffer, ByteWriter
// appends to an owned one.
//
// ByteReader uses a sticky error: the first failure (truncation, bad length) is recorded
// with the name of the field being read, every later read returns a zero value, and the
// caller checks ok() once at the end. This keeps decoders branch-free per field while never
// reading past the buffer. No read allocates more than the bytes still in the buffer.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::protocol {

using Bytes = std::vector<uint8_t>;

// A 128-bit UUID (topic ids). All-zero is Kafka's "no id".
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  bool is_zero() const;
  friend bool operator==(const Uuid&, const Uuid&) = default;
  std::string to_base64() const;  // Kafka's textual form (URL-safe base64, no padding)
  // Parses to_base64()'s 22 characters; nullopt for anything else.
  static std::optional<Uuid> from_base64(std::string_view text);
};

// Why a decode failed. The context of the returned Error names the field.
enum class DecodeErrc {
  truncated = 1,        // fewer bytes than the field needs
  negative_length,      // a length below -1 (or -1 where null is not allowed)
  length_too_large,     // a length larger than the bytes left in the frame
  bad_varint,           // a varint longer than its type allows
  unsupported_version,  // the message has no layout for this version
  invalid_value,        // a value outside its domain (e.g. an unknown enum)
  trailing_bytes,       // bytes left after the message body
};
const std::error_category& decode_category();
inline std::error_code make_error_code(DecodeErrc e) {
  return {static_cast<int>(e), decode_category()};
}

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return !failed_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  std::span<const uint8_t> data() const { return data_; }
  // The error of the first failed read. REQUIRES: !ok()
  Error error() const;
  // Records a failure unless one is recorded already.
  void fail(DecodeErrc why, std::string_view detail = {});
  // Takes over the failure of a sub-reader (a tagged field's bytes).
  void absorb_failure(const ByteReader& other);
  // Name of the field being decoded, used in error messages (a static string).
  void set_field(const char* name) { field_ = name; }

  int8_t read_i8();
  int16_t read_i16();
  int32_t read_i32();
  int64_t read_i64();
  uint16_t read_u16();
  uint32_t read_u32();
  double read_f64();
  bool read_bool();
  Uuid read_uuid();
  int32_t read_varint();     // zig-zag
  int64_t read_varlong();    // zig-zag
  uint32_t read_uvarint();   // unsigned
  uint64_t read_uvarlong();  // unsigned

  // Length of a STRING/BYTES/ARRAY: classic (int16/int32) or compact (uvarint N+1).
  // Returns -1 for null. Fails on lengths < -1, or > remaining bytes * min_elem_bytes.
  int32_t read_string_length(bool compact);
  int32_t read_bytes_length(bool compact);
  int32_t read_array_length(bool compact, std::size_t min_element_size = 1);

  // Borrow n bytes. REQUIRES n <= remaining(), else fails and returns an empty span.
  std::span<const uint8_t> read_span(std::size_t n);
  void skip(std::size_t n) { read_span(n); }

 private:
  bool need(std::size_t n);

  std::span<const uint8_t> data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  DecodeErrc why_{};
  std::string detail_;
  const char* field_ = nullptr;
  const char* failed_field_ = nullptr;
};

// A part of a response that the server sends straight from a file with sendfile(2):
// `length` bytes of `fd` starting at `position`. `keepalive` holds the file open.
struct FileRegion {
  int fd = -1;
  int64_t position = 0;
  int64_t length = 0;
  std::shared_ptr<const void> keepalive;
};

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve) { buf_.reserve(reserve); }

  void write_i8(int8_t v) { buf_.push_back(static_cast<uint8_t>(v)); }
  void write_i16(int16_t v);
  void write_i32(int32_t v);
  void write_i64(int64_t v);
  void write_u16(uint16_t v);
  void write_u32(uint32_t v);
  void write_f64(double v);
  void write_bool(bool v) { buf_.push_back(v ? 1 : 0); }
  void write_uuid(const Uuid& v) { write_raw(v.bytes); }
  void write_varint(int32_t v);
  void write_varlong(int64_t v);
  void write_uvarint(uint32_t v);
  void write_uvarlong(uint64_t v);
  void write_raw(std::span<const uint8_t> bytes) {
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  }
  void write_raw(std::string_view s) {
    write_raw(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  // Length prefix: classic int16 (strings) / int32 (bytes, arrays), or compact uvarint(N+1).
  // n == -1 writes null.
  void write_string_length(int32_t n, bool compact);
  void write_bytes_length(int32_t n, bool compact);
  void write_array_length(int32_t n, bool compact);

  // Leaves room for an int32 and returns its position, to be filled by patch_i32.
  std::size_t reserve_i32();
  void patch_i32(std::size_t at, int32_t v);

  // Appends a region to be spliced in at the current position when the buffer is sent.
  void splice_file(FileRegion region);

  std::size_t size() const { return buf_.size(); }
  // Bytes including spliced file regions.
  int64_t wire_size() const { return static_cast<int64_t>(buf_.size()) + spliced_bytes_; }

  struct Splice {
    std::size_t at;  // offset in bytes() where the region's bytes go
    FileRegion region;
  };
  std::vector<uint8_t>& bytes() { return buf_; }
  const std::vector<uint8_t>& bytes() const { return buf_; }
  const std::vector<Splice>& splices() const { return splices_; }
  // Copies the whole wire image, reading spliced file regions with pread (tests, clients).
  Result<Bytes> flatten() const;

 private:
  std::vector<uint8_t> buf_;
  std::vector<Splice> splices_;
  int64_t spliced_bytes_ = 0;
};

}  // namespace sluice::protocol

template <>
struct std::is_error_code_enum<sluice::protocol::DecodeErrc> : std::true_type {};
