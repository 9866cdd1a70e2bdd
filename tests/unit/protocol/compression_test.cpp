// Compression codecs: round trips, the framings Kafka clients use (xerial snappy, LZ4 frame
// flags), the output limit, and corrupt or truncated input failing cleanly for every codec.
#include "protocol/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::hex;

constexpr Compression kCodecs[] = {Compression::none, Compression::gzip, Compression::snappy,
                                   Compression::lz4, Compression::zstd};
constexpr Compression kRealCodecs[] = {Compression::gzip, Compression::snappy, Compression::lz4,
                                       Compression::zstd};

std::string codec_name(Compression c) {
  switch (c) {
    case Compression::none:
      return "none";
    case Compression::gzip:
      return "gzip";
    case Compression::snappy:
      return "snappy";
    case Compression::lz4:
      return "lz4";
    case Compression::zstd:
      return "zstd";
  }
  return "codec " + std::to_string(static_cast<int>(c));
}

Bytes text_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Record-like text: compresses well but is not a single repeated byte.
Bytes compressible(std::size_t size) {
  Bytes out;
  out.reserve(size);
  for (std::size_t i = 0; out.size() < size; ++i) {
    std::string line = "{\"key\":\"user-" + std::to_string(i % 977) +
                       "\",\"value\":" + std::to_string(i * 31 % 1000003) +
                       ",\"topic\":\"orders\"}\n";
    out.insert(out.end(), line.begin(), line.end());
  }
  out.resize(size);
  return out;
}

Bytes random_bytes(std::size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

constexpr std::size_t kMiB = 1024 * 1024;

Bytes compressed(Compression codec, const Bytes& data, int level = -1) {
  auto result = compress(codec, data, level);
  EXPECT_TRUE(result.ok()) << result.error().to_string();
  return result.ok() ? std::move(result).value() : Bytes{};
}

void expect_round_trip(Compression codec, const Bytes& data, int level = -1) {
  SCOPED_TRACE(codec_name(codec) + " level " + std::to_string(level) + ", " +
               std::to_string(data.size()) + " bytes");
  Bytes packed = compressed(codec, data, level);
  auto back = decompress(codec, packed, data.size());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(*back == data);
}

TEST(Compression, EveryCodecRoundTripsEmptySmallCompressibleAndRandomData) {
  const Bytes payloads[] = {Bytes{}, text_bytes("hello, kafka"), compressible(kMiB),
                            random_bytes(kMiB, 1)};
  for (Compression codec : kCodecs)
    for (const Bytes& data : payloads) expect_round_trip(codec, data);
}

TEST(Compression, CompressibleDataShrinks) {
  const Bytes data = compressible(kMiB);
  for (Compression codec : kRealCodecs) {
    Bytes packed = compressed(codec, data);
    EXPECT_LT(packed.size(), data.size() / 4) << codec_name(codec);
  }
}

TEST(Compression, ExplicitLevelsRoundTrip) {
  const Bytes data = compressible(200 * 1024);
  expect_round_trip(Compression::gzip, data, 1);
  expect_round_trip(Compression::gzip, data, 9);
  expect_round_trip(Compression::lz4, data, 1);
  expect_round_trip(Compression::lz4, data, 9);  // LZ4 HC
  expect_round_trip(Compression::zstd, data, 1);
  expect_round_trip(Compression::zstd, data, 10);
}

TEST(Compression, InvalidGzipLevelIsAnError) {
  auto result = compress(Compression::gzip, text_bytes("abc"), 42);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), std::errc::invalid_argument);
}

TEST(Compression, OutputOfExactlyMaxOutputIsAccepted) {
  const Bytes data = compressible(100 * 1024);
  for (Compression codec : kCodecs) {
    Bytes packed = compressed(codec, data);
    auto back = decompress(codec, packed, data.size());
    ASSERT_TRUE(back.ok()) << codec_name(codec) << ": " << back.error().to_string();
    EXPECT_EQ(back->size(), data.size());
  }
}

TEST(Compression, OutputBeyondMaxOutputIsTooLarge) {
  const Bytes data = compressible(100 * 1024);
  for (Compression codec : kCodecs) {
    Bytes packed = compressed(codec, data);
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, data.size() / 2, data.size() - 1}) {
      auto back = decompress(codec, packed, limit);
      ASSERT_FALSE(back.ok()) << codec_name(codec) << " limit " << limit;
      EXPECT_EQ(back.error(), CompressionErrc::too_large)
          << codec_name(codec) << " limit " << limit << ": " << back.error().to_string();
    }
  }
}

TEST(Compression, DecompressionBombStopsAtTheLimit) {
  // 64 MiB of zeros packs into a few KiB; decoding must give up after about 1 MiB.
  const Bytes zeros(64 * kMiB, 0);
  for (Compression codec : kRealCodecs) {
    Bytes packed = compressed(codec, zeros);
    ASSERT_LT(packed.size(), 4 * kMiB) << codec_name(codec);
    auto back = decompress(codec, packed, kMiB);
    ASSERT_FALSE(back.ok()) << codec_name(codec);
    EXPECT_EQ(back.error(), CompressionErrc::too_large) << codec_name(codec);
  }
}

TEST(Compression, EveryTruncationIsCorrupt) {
  const Bytes data = compressible(300);
  for (Compression codec : kRealCodecs) {
    Bytes packed = compressed(codec, data);
    for (std::size_t cut = 0; cut < packed.size(); ++cut) {
      std::span<const uint8_t> prefix(packed.data(), cut);
      auto back = decompress(codec, prefix, kMiB);
      // A xerial header with no blocks is how snappy-java encodes empty input, so that one
      // prefix is a valid (empty) stream rather than a corrupt one.
      if (codec == Compression::snappy && cut == 16) {
        ASSERT_TRUE(back.ok()) << back.error().to_string();
        EXPECT_TRUE(back->empty());
        continue;
      }
      ASSERT_FALSE(back.ok()) << codec_name(codec) << ": prefix of " << cut << " bytes decoded";
      EXPECT_EQ(back.error(), CompressionErrc::corrupt)
          << codec_name(codec) << " cut " << cut << ": " << back.error().to_string();
    }
  }
}

TEST(Compression, GarbageIsCorruptForEveryCodec) {
  const Bytes garbage[] = {
      text_bytes("this is not compressed data at all, just text"),
      Bytes(64, 0xff),
      hex("1f 8b 08 00 00 00 00 00 00 03 ff ff ff ff"),  // gzip header, then junk
      hex("04 22 4d 18 60 40 00 ff ff ff ff"),           // lz4 frame header, bad checksum
      hex("28 b5 2f fd 00 58 ff ff ff ff ff"),           // zstd magic, then junk
      hex("82 53 4e 41 50 50 59 00 00 00 00 01 00 00 00 01 00 00 00 03 ff ff ff"),  // xerial
  };
  for (Compression codec : kRealCodecs) {
    for (const Bytes& input : garbage) {
      auto back = decompress(codec, input, kMiB);
      ASSERT_FALSE(back.ok()) << codec_name(codec) << " decoded " << testing::to_hex(input);
      EXPECT_EQ(back.error(), CompressionErrc::corrupt) << codec_name(codec);
    }
  }
}

TEST(Compression, BitFlipsNeverCrashAndNeverExceedTheLimit) {
  // Codecs without checksums may decode a damaged stream to other bytes; what matters is
  // that decoding is bounded and memory-safe (run under ASan in CI).
  const Bytes data = compressible(4096);
  std::mt19937 rng(99);
  for (Compression codec : kRealCodecs) {
    const Bytes packed = compressed(codec, data);
    std::uniform_int_distribution<std::size_t> where(0, packed.size() - 1);
    for (int i = 0; i < 2000; ++i) {
      Bytes damaged = packed;
      for (int flips = 1 + i % 3; flips > 0; --flips)
        damaged[where(rng)] ^= static_cast<uint8_t>(1u << (rng() % 8));
      auto back = decompress(codec, damaged, data.size());
      if (back.ok()) {
        EXPECT_LE(back->size(), data.size());
      } else {
        EXPECT_EQ(back.error().code().category(), compression_category())
            << codec_name(codec) << ": " << back.error().to_string();
      }
    }
  }
}

TEST(Compression, GzipChecksumMismatchIsCorrupt) {
  Bytes packed = compressed(Compression::gzip, compressible(1000));
  packed[packed.size() - 8] ^= 0x01;  // the trailer's CRC-32
  auto back = decompress(Compression::gzip, packed, kMiB);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error(), CompressionErrc::corrupt);
}

TEST(Compression, GzipConcatenatedMembersDecodeAsOneStream) {
  Bytes packed = compressed(Compression::gzip, text_bytes("hello, "));
  Bytes second = compressed(Compression::gzip, text_bytes("world"));
  packed.insert(packed.end(), second.begin(), second.end());
  auto back = decompress(Compression::gzip, packed, kMiB);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(*back == text_bytes("hello, world"));
}

TEST(Compression, GzipOutputHasGzipHeader) {
  Bytes packed = compressed(Compression::gzip, text_bytes("abc"));
  ASSERT_GE(packed.size(), 18u);
  EXPECT_EQ(packed[0], 0x1f);
  EXPECT_EQ(packed[1], 0x8b);
  EXPECT_EQ(packed[2], 0x08);  // deflate
}

// Raw snappy for "abcabcabcabc": length 12, literal "abc", copy of 9 bytes from offset 3.
const char* const kRawSnappyAbc = "0c | 08 61 62 63 | 15 03";

TEST(Compression, RawSnappyDecodes) {
  auto back = decompress(Compression::snappy, hex(kRawSnappyAbc), kMiB);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(*back == text_bytes("abcabcabcabc"));

  auto empty = decompress(Compression::snappy, hex("00"), kMiB);
  ASSERT_TRUE(empty.ok()) << empty.error().to_string();
  EXPECT_TRUE(empty->empty());
}

TEST(Compression, RawSnappyDeclaringMoreThanMaxOutputIsTooLarge) {
  auto back = decompress(Compression::snappy, hex(kRawSnappyAbc), 11);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error(), CompressionErrc::too_large);
}

TEST(Compression, HandBuiltXerialSnappyDecodes) {
  // snappy-java's stream: magic, version 1, compatible version 1, then [int32 length][raw].
  const Bytes framed =
      hex("82 53 4e 41 50 50 59 00 | 00 00 00 01 | 00 00 00 01"
          "| 00 00 00 07 | 0c 08 61 62 63 15 03"    // "abcabcabcabc"
          "| 00 00 00 07 | 05 10 68 65 6c 6c 6f");  // "hello" as one literal
  auto back = decompress(Compression::snappy, framed, kMiB);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(*back == text_bytes("abcabcabcabchello"));

  // The limit applies to the sum of the blocks, not to each block.
  auto limited = decompress(Compression::snappy, framed, 16);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error(), CompressionErrc::too_large);
}

TEST(Compression, XerialBlockLengthBeyondInputIsCorrupt) {
  const Bytes framed = hex(
      "82 53 4e 41 50 50 59 00 | 00 00 00 01 | 00 00 00 01 | 7f ff ff ff | 0c 08 61 62 63 15 03");
  auto back = decompress(Compression::snappy, framed, kMiB);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error(), CompressionErrc::corrupt);
}

TEST(Compression, SnappyCompressWritesXerialBlocksOf32KiB) {
  const Bytes data = compressible(100 * 1024);
  const Bytes packed = compressed(Compression::snappy, data);
  ASSERT_GE(packed.size(), 16u);
  EXPECT_EQ(testing::to_hex(std::span(packed).first(16)),
            "82 53 4e 41 50 50 59 00 00 00 00 01 00 00 00 01");
  // Walk the blocks: each decodes on its own as raw snappy to at most 32 KiB.
  std::size_t pos = 16;
  std::size_t blocks = 0;
  std::size_t total = 0;
  while (pos < packed.size()) {
    ASSERT_LE(pos + 4, packed.size());
    const std::size_t length = std::size_t{packed[pos]} << 24 | std::size_t{packed[pos + 1]} << 16 |
                               std::size_t{packed[pos + 2]} << 8 | packed[pos + 3];
    pos += 4;
    ASSERT_LE(pos + length, packed.size());
    auto block = decompress(Compression::snappy, std::span(packed).subspan(pos, length), 32 * 1024);
    ASSERT_TRUE(block.ok()) << block.error().to_string();
    total += block->size();
    pos += length;
    ++blocks;
  }
  EXPECT_EQ(blocks, 4u);  // 32 + 32 + 32 + 4 KiB
  EXPECT_EQ(total, data.size());
}

TEST(Compression, SnappyOfEmptyInputIsHeaderOnly) {
  EXPECT_EQ(compressed(Compression::snappy, Bytes{}).size(), 16u);
}

TEST(Compression, Lz4FrameUsesKafkaFlags) {
  const Bytes packed = compressed(Compression::lz4, compressible(1000));
  ASSERT_GE(packed.size(), 7u);
  EXPECT_EQ(testing::to_hex(std::span(packed).first(4)), "04 22 4d 18");
  EXPECT_EQ(packed[4], 0x60);  // version 01, independent blocks, no checksums, no size
  EXPECT_EQ(packed[5], 0x40);  // 64 KiB maximum block size
}

TEST(Compression, ZstdWithoutContentSizeDecodes) {
  // A frame header without Frame_Content_Size, as zstd-jni's streams write: single block,
  // raw (uncompressed) block type holding "kafka".
  const Bytes frame =
      hex("28 b5 2f fd"  // magic
          "| 00"         // descriptor: no content size, no checksum, window descriptor follows
          "| 58"         // window descriptor: 1 MiB
          "| 29 00 00"   // block header: last, raw, size 5
          "| 6b 61 66 6b 61");
  auto back = decompress(Compression::zstd, frame, kMiB);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(*back == text_bytes("kafka"));
}

TEST(Compression, UnknownCodecIsUnsupported) {
  const auto bogus = static_cast<Compression>(5);
  auto packed = compress(bogus, text_bytes("abc"));
  ASSERT_FALSE(packed.ok());
  EXPECT_EQ(packed.error(), CompressionErrc::unsupported_codec);
  auto unpacked = decompress(bogus, text_bytes("abc"), kMiB);
  ASSERT_FALSE(unpacked.ok());
  EXPECT_EQ(unpacked.error(), CompressionErrc::unsupported_codec);
}

TEST(Compression, ErrorCategoryIsNamedCompression) {
  std::error_code ec = CompressionErrc::too_large;
  EXPECT_STREQ(ec.category().name(), "compression");
  EXPECT_EQ(ec.value(), 2);
  EXPECT_FALSE(ec.message().empty());
  EXPECT_EQ(make_error_code(CompressionErrc::corrupt).value(), 1);
}

}  // namespace
}  // namespace sluice::protocol
