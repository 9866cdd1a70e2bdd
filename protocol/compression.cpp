// The four Kafka codecs on top of zlib, snappy, the LZ4 frame API and zstd streaming. Every
// decoder writes into a buffer capped at max_output + 1 bytes, so a stream that lies about
// its size, or expands without bound, is stopped by what it produces, not by what it claims.
#include "protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

namespace sluice::protocol {

namespace {

class CompressionCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "compression"; }
  std::string message(int ev) const override {
    switch (static_cast<CompressionErrc>(ev)) {
      case CompressionErrc::corrupt:
        return "corrupt compressed data";
      case CompressionErrc::too_large:
        return "decompressed data exceeds the size limit";
      case CompressionErrc::unsupported_codec:
        return "unsupported compression codec";
    }
    return "unknown compression error";
  }
};

Error corrupt(std::string detail) { return Error(CompressionErrc::corrupt, std::move(detail)); }

Error too_large(std::size_t max_output) {
  return Error(CompressionErrc::too_large, "limit is " + std::to_string(max_output) + " bytes");
}

// Growth step of decoder output buffers: large enough to keep the number of codec calls
// small, small enough that a tiny input cannot make us allocate much before failing.
constexpr std::size_t kOutputStep = 64 * 1024;

// The output of a streaming decoder. It never holds more than max_output + 1 bytes: the one
// extra byte is how a decoder tells "exactly max_output" from "more than max_output".
class BoundedOutput {
 public:
  explicit BoundedOutput(std::size_t max_output)
      : max_(max_output),
        cap_(max_output == std::numeric_limits<std::size_t>::max() ? max_output : max_output + 1) {}

  // Free space after the produced bytes, grown on demand. Empty only once the cap is reached,
  // which exceeded() reports first.
  std::span<uint8_t> room() {
    if (used_ == buf_.size() && buf_.size() < cap_) {
      const std::size_t grow = std::max(kOutputStep, buf_.size());
      buf_.resize(buf_.size() + std::min(grow, cap_ - buf_.size()));
    }
    return {buf_.data() + used_, buf_.size() - used_};
  }
  void commit(std::size_t n) { used_ += n; }
  bool exceeded() const { return used_ > max_; }
  std::size_t max() const { return max_; }
  Bytes take() && {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  Bytes buf_;
  std::size_t used_ = 0;
  std::size_t max_;
  std::size_t cap_;
};

uint32_t load_be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

void append_be32(Bytes& out, uint32_t v) {
  const uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                        static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  out.insert(out.end(), b, b + 4);
}

// zlib counts in uInt; larger buffers are fed in pieces.
uInt clamp_uint(std::size_t n) { return static_cast<uInt>(std::min<std::size_t>(n, UINT_MAX)); }

// ---- gzip ---------------------------------------------------------------------------------

Result<Bytes> gzip_compress(std::span<const uint8_t> data, int level) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's, as Kafka expects.
  if (deflateInit2(&zs, level == -1 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return Error(std::make_error_code(std::errc::invalid_argument),
                 "gzip level " + std::to_string(level));
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, deflateEnd);

  Bytes out(deflateBound(&zs, static_cast<uLong>(data.size())));
  std::size_t in_pos = 0;
  std::size_t out_pos = 0;
  for (;;) {
    if (out_pos == out.size()) out.resize(out.size() + kOutputStep);
    const uInt in_chunk = clamp_uint(data.size() - in_pos);
    const uInt out_chunk = clamp_uint(out.size() - out_pos);
    zs.next_in = const_cast<Bytef*>(data.data() + in_pos);  // zlib does not write input
    zs.avail_in = in_chunk;
    zs.next_out = out.data() + out_pos;
    zs.avail_out = out_chunk;
    const bool last = in_pos + in_chunk == data.size();
    const int rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    in_pos += in_chunk - zs.avail_in;
    out_pos += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    // Z_BUF_ERROR only means "no room to progress": the next round has more output space.
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return Error(std::make_error_code(std::errc::io_error), "deflate failed");
  }
  out.resize(out_pos);
  return out;
}

Result<Bytes> gzip_decompress(std::span<const uint8_t> data, std::size_t max_output) {
  z_stream zs{};
  // windowBits 15 + 32: detect a gzip or zlib header automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK)
    return Error(std::make_error_code(std::errc::not_enough_memory), "inflateInit2");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);

  BoundedOutput out(max_output);
  std::size_t in_pos = 0;
  for (;;) {
    auto room = out.room();
    const uInt in_chunk = clamp_uint(data.size() - in_pos);
    const uInt out_chunk = clamp_uint(room.size());
    zs.next_in = const_cast<Bytef*>(data.data() + in_pos);  // zlib does not write input
    zs.avail_in = in_chunk;
    zs.next_out = room.data();
    zs.avail_out = out_chunk;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t consumed = in_chunk - zs.avail_in;
    const std::size_t produced = out_chunk - zs.avail_out;
    in_pos += consumed;
    out.commit(produced);
    if (out.exceeded()) return too_large(max_output);
    if (rc == Z_STREAM_END) {
      if (in_pos == data.size()) break;
      // Another gzip member follows (concatenated streams are valid gzip); garbage fails
      // on the next round as a bad header.
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_MEM_ERROR)
      return Error(std::make_error_code(std::errc::not_enough_memory), "inflate");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return corrupt(std::string("gzip: ") + (zs.msg ? zs.msg : "inflate failed"));
    // All input used, output space left, yet no end of stream: the input was cut short.
    if (in_pos == data.size() && produced < out_chunk) return corrupt("gzip: truncated stream");
    if (consumed == 0 && produced == 0) return corrupt("gzip: no progress");
  }
  return std::move(out).take();
}

// ---- snappy -------------------------------------------------------------------------------

// xerial snappy-java's stream header: magic, then format version and minimum compatible
// version as big-endian int32 (both 1), then blocks of [int32 length][raw snappy].
constexpr std::array<uint8_t, 8> kXerialMagic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::size_t kXerialHeaderSize = 16;
// The Java client's SnappyOutputStream compresses its input in blocks of this size.
constexpr std::size_t kXerialBlockSize = 32 * 1024;
// No raw snappy element expands more than 64 bytes out of 3 bytes in, so a declared length
// above this multiple of the input is a lie; rejecting it avoids a needless allocation.
constexpr std::size_t kSnappyMaxExpansion = 22;

bool is_xerial(std::span<const uint8_t> data) {
  return data.size() >= kXerialMagic.size() &&
         std::memcmp(data.data(), kXerialMagic.data(), kXerialMagic.size()) == 0;
}

Bytes snappy_compress(std::span<const uint8_t> data) {
  Bytes out(kXerialMagic.begin(), kXerialMagic.end());
  append_be32(out, 1);  // format version
  append_be32(out, 1);  // minimum compatible version
  Bytes block(snappy::MaxCompressedLength(kXerialBlockSize));
  for (std::size_t pos = 0; pos < data.size(); pos += kXerialBlockSize) {
    const std::size_t n = std::min(kXerialBlockSize, data.size() - pos);
    std::size_t length = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(data.data() + pos), n,
                        reinterpret_cast<char*>(block.data()), &length);
    append_be32(out, static_cast<uint32_t>(length));
    out.insert(out.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(length));
  }
  return out;
}

// Appends one raw snappy block to `out`, keeping out.size() <= max_output.
Status snappy_raw_append(std::span<const uint8_t> block, Bytes& out, std::size_t max_output) {
  const char* src = reinterpret_cast<const char*>(block.data());
  std::size_t length = 0;
  if (!snappy::GetUncompressedLength(src, block.size(), &length))
    return corrupt("snappy: bad length header");
  if (length > max_output - out.size()) return too_large(max_output);
  if (length / kSnappyMaxExpansion > block.size())
    return corrupt("snappy: declared length " + std::to_string(length) + " from " +
                   std::to_string(block.size()) + " bytes");
  const std::size_t at = out.size();
  out.resize(at + length);
  if (!snappy::RawUncompress(src, block.size(), reinterpret_cast<char*>(out.data() + at))) {
    out.resize(at);
    return corrupt("snappy: invalid block");
  }
  return ok_status();
}

Result<Bytes> snappy_decompress(std::span<const uint8_t> data, std::size_t max_output) {
  Bytes out;
  if (!is_xerial(data)) {
    SLUICE_CHECK(snappy_raw_append(data, out, max_output));
    return out;
  }
  // The versions are not checked: snappy-java itself never changed the block format.
  if (data.size() < kXerialHeaderSize) return corrupt("snappy: truncated xerial header");
  std::size_t pos = kXerialHeaderSize;
  while (pos < data.size()) {
    if (data.size() - pos < 4) return corrupt("snappy: truncated xerial block length");
    const uint32_t length = load_be32(data.data() + pos);
    pos += 4;
    if (length > data.size() - pos)
      return corrupt("snappy: xerial block of " + std::to_string(length) + " bytes but " +
                     std::to_string(data.size() - pos) + " left");
    SLUICE_CHECK(snappy_raw_append(data.subspan(pos, length), out, max_output));
    pos += length;
  }
  return out;
}

// ---- lz4 ----------------------------------------------------------------------------------

Result<Bytes> lz4_compress(std::span<const uint8_t> data, int level) {
  // What Kafka's own Lz4BlockOutputStream writes: 64 KiB independent blocks, no checksums
  // besides the header's, no content size. Its reader rejects dependent blocks.
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.compressionLevel = level == -1 ? 0 : level;
  Bytes out(LZ4F_compressFrameBound(data.size(), &prefs));
  const std::size_t n =
      LZ4F_compressFrame(out.data(), out.size(), data.data(), data.size(), &prefs);
  if (LZ4F_isError(n))
    return Error(std::make_error_code(std::errc::io_error),
                 std::string("lz4: ") + LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

Result<Bytes> lz4_decompress(std::span<const uint8_t> data, std::size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
    return Error(std::make_error_code(std::errc::not_enough_memory), "lz4 context");
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> ctx(raw,
                                                                   LZ4F_freeDecompressionContext);

  BoundedOutput out(max_output);
  std::size_t in_pos = 0;
  for (;;) {
    auto room = out.room();
    std::size_t produced = room.size();
    std::size_t consumed = data.size() - in_pos;
    // Returns 0 once a frame is complete, else a hint of how many more input bytes it wants.
    const std::size_t hint = LZ4F_decompress(ctx.get(), room.data(), &produced,
                                             data.data() + in_pos, &consumed, nullptr);
    if (LZ4F_isError(hint)) return corrupt(std::string("lz4: ") + LZ4F_getErrorName(hint));
    in_pos += consumed;
    out.commit(produced);
    if (out.exceeded()) return too_large(max_output);
    if (hint == 0 && in_pos == data.size()) break;
    // A complete frame with input left starts the next frame on the next call.
    if (hint != 0 && in_pos == data.size() && produced < room.size())
      return corrupt("lz4: truncated frame");
    if (consumed == 0 && produced == 0 && hint != 0) return corrupt("lz4: no progress");
  }
  return std::move(out).take();
}

// ---- zstd ---------------------------------------------------------------------------------

Result<Bytes> zstd_compress(std::span<const uint8_t> data, int level) {
  std::unique_ptr<ZSTD_CCtx, std::size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!ctx) return Error(std::make_error_code(std::errc::not_enough_memory), "zstd context");
  const std::size_t set = ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel,
                                                 level == -1 ? ZSTD_CLEVEL_DEFAULT : level);
  if (ZSTD_isError(set))
    return Error(std::make_error_code(std::errc::invalid_argument),
                 "zstd level " + std::to_string(level));
  Bytes out(ZSTD_compressBound(data.size()));
  const std::size_t n = ZSTD_compress2(ctx.get(), out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(n))
    return Error(std::make_error_code(std::errc::io_error),
                 std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<Bytes> zstd_decompress(std::span<const uint8_t> data, std::size_t max_output) {
  // Streaming rather than ZSTD_decompress: the frame content size is optional (zstd-jni's
  // streams omit it) and, when present, is a claim of the sender, not a fact.
  std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return Error(std::make_error_code(std::errc::not_enough_memory), "zstd context");
  if (data.empty()) return corrupt("zstd: empty input");

  BoundedOutput out(max_output);
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  for (;;) {
    auto room = out.room();
    ZSTD_outBuffer dst{room.data(), room.size(), 0};
    const std::size_t before = in.pos;
    // Returns 0 once a frame is complete and flushed, else a hint of the input it wants.
    const std::size_t hint = ZSTD_decompressStream(ctx.get(), &dst, &in);
    if (ZSTD_isError(hint)) return corrupt(std::string("zstd: ") + ZSTD_getErrorName(hint));
    out.commit(dst.pos);
    if (out.exceeded()) return too_large(max_output);
    if (hint == 0 && in.pos == in.size) break;
    if (hint != 0 && in.pos == in.size && dst.pos < dst.size)
      return corrupt("zstd: truncated frame");
    if (hint != 0 && in.pos == before && dst.pos == 0) return corrupt("zstd: no progress");
  }
  return std::move(out).take();
}

Error unsupported(Compression codec) {
  return Error(CompressionErrc::unsupported_codec,
               "codec id " + std::to_string(static_cast<int>(codec)));
}

}  // namespace

const std::error_category& compression_category() {
  static const CompressionCategory category;
  return category;
}

Result<Bytes> compress(Compression codec, std::span<const uint8_t> data, int level) {
  switch (codec) {
    case Compression::none:
      return Bytes(data.begin(), data.end());
    case Compression::gzip:
      return gzip_compress(data, level);
    case Compression::snappy:
      return snappy_compress(data);
    case Compression::lz4:
      return lz4_compress(data, level);
    case Compression::zstd:
      return zstd_compress(data, level);
  }
  return unsupported(codec);  // a value from the wire outside the enumerators
}

Result<Bytes> decompress(Compression codec, std::span<const uint8_t> data, std::size_t max_output) {
  switch (codec) {
    case Compression::none:
      if (data.size() > max_output) return too_large(max_output);
      return Bytes(data.begin(), data.end());
    case Compression::gzip:
      return gzip_decompress(data, max_output);
    case Compression::snappy:
      return snappy_decompress(data, max_output);
    case Compression::lz4:
      return lz4_decompress(data, max_output);
    case Compression::zstd:
      return zstd_decompress(data, max_output);
  }
  return unsupported(codec);  // a value from the wire outside the enumerators
}

}  // namespace sluice::protocol
