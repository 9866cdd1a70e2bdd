// Record-batch compression codecs (Kafka attribute bits 0-2): gzip, snappy, lz4 and zstd in
// the framings Kafka clients produce and accept. No I/O; corrupt or oversized input is an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "common/result.h"
#include "protocol/wire.h"

namespace sluice::protocol {

// The codec of a RecordBatch: the low three bits of its attributes.
enum class Compression : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

// Why compress/decompress failed. The context of the returned Error has the codec's detail.
enum class CompressionErrc {
  corrupt = 1,        // the input is not a valid stream of the codec (also: truncated)
  too_large,          // the output would exceed max_output (a decompression bomb, or a lie)
  unsupported_codec,  // a Compression value outside none..zstd
};
const std::error_category& compression_category();
inline std::error_code make_error_code(CompressionErrc e) {
  return {static_cast<int>(e), compression_category()};
}

// Compresses `data` in the framing the Java client writes: gzip with a gzip header, snappy in
// xerial blocks of 32 KiB, lz4 as an LZ4 frame of independent 64 KiB blocks, zstd as one
// frame. `level` -1 means the codec's default; other values go to the codec unchanged.
Result<Bytes> compress(Compression codec, std::span<const uint8_t> data, int level = -1);

// Decompresses `data`, failing with too_large as soon as the output would exceed
// `max_output` bytes (declared sizes are never trusted for allocation). snappy accepts both
// raw snappy and xerial framing; gzip accepts gzip and zlib headers and concatenated members.
Result<Bytes> decompress(Compression codec, std::span<const uint8_t> data, std::size_t max_output);

}  // namespace sluice::protocol

template <>
struct std::is_error_code_enum<sluice::protocol::CompressionErrc> : std::true_type {};
