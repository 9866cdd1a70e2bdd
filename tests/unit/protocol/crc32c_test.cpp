// CRC-32C: the RFC 3720 (iSCSI) test vectors, agreement between the SSE4.2 and table paths on
// every length and alignment, and piecewise computation.
#include "protocol/crc32c.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string_view>
#include <vector>

namespace sluice::protocol {
namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Both paths must produce the published values; the hardware path is only exercised when
// the CPU has SSE4.2, which the test reports rather than assumes.
void expect_crc(std::span<const uint8_t> data, uint32_t expected) {
  EXPECT_EQ(crc32c(data), expected);
  EXPECT_EQ(crc32c_software(data), expected);
}

TEST(Crc32c, MatchesRfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0x00);
  std::vector<uint8_t> ones(32, 0xff);
  std::vector<uint8_t> ascending(32);
  std::vector<uint8_t> descending(32);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<uint8_t>(i);
    descending[i] = static_cast<uint8_t>(31 - i);
  }
  expect_crc(zeros, 0x8A9136AAu);
  expect_crc(ones, 0x62A8AB43u);
  expect_crc(ascending, 0x46DD794Eu);
  expect_crc(descending, 0x113FDB5Cu);
}

TEST(Crc32c, MatchesCheckValueOfDigitString) { expect_crc(as_bytes("123456789"), 0xE3069283u); }

TEST(Crc32c, EmptyInputLeavesCrcUnchanged) {
  expect_crc({}, 0u);
  EXPECT_EQ(crc32c({}, 0xE3069283u), 0xE3069283u);
  EXPECT_EQ(crc32c_software({}, 0xE3069283u), 0xE3069283u);
}

TEST(Crc32c, HardwareAndSoftwareAgreeOnAllLengthsAndAlignments) {
  RecordProperty("hardware", crc32c_hardware_available() ? "sse4.2" : "none");
  std::mt19937 rng(20240611);
  std::vector<uint8_t> buffer(5000 + 16);
  for (auto& b : buffer) b = static_cast<uint8_t>(rng());
  for (std::size_t offset = 0; offset < 16; ++offset) {
    for (std::size_t length = 0; length + offset <= buffer.size() && length <= 5000;
         length += (length < 100 ? 1 : 97)) {
      std::span<const uint8_t> data(buffer.data() + offset, length);
      ASSERT_EQ(crc32c(data), crc32c_software(data)) << "offset " << offset << " length " << length;
    }
  }
  std::uniform_int_distribution<std::size_t> length_dist(0, 5000);
  std::uniform_int_distribution<std::size_t> offset_dist(0, 15);
  for (int i = 0; i < 500; ++i) {
    std::size_t offset = offset_dist(rng);
    std::span<const uint8_t> data(buffer.data() + offset, length_dist(rng));
    uint32_t seed = static_cast<uint32_t>(rng());
    ASSERT_EQ(crc32c(data, seed), crc32c_software(data, seed))
        << "offset " << offset << " length " << data.size();
  }
}

TEST(Crc32c, IncrementalEqualsOneShot) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data(3000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  const uint32_t whole = crc32c(data);
  ASSERT_EQ(whole, crc32c_software(data));
  for (std::size_t cut : {0, 1, 7, 8, 9, 1500, 2999, 3000}) {
    std::span<const uint8_t> all(data);
    EXPECT_EQ(crc32c(all.subspan(cut), crc32c(all.first(cut))), whole) << "cut " << cut;
    EXPECT_EQ(crc32c_software(all.subspan(cut), crc32c_software(all.first(cut))), whole)
        << "cut " << cut;
    // The two paths produce the same intermediate values, so they can be mixed.
    EXPECT_EQ(crc32c_software(all.subspan(cut), crc32c(all.first(cut))), whole) << "cut " << cut;
  }
  // Many small pieces, including empty ones.
  uint32_t crc = 0;
  std::size_t pos = 0;
  std::uniform_int_distribution<std::size_t> piece(0, 40);
  while (pos < data.size()) {
    std::size_t n = std::min(piece(rng), data.size() - pos);
    crc = crc32c(std::span<const uint8_t>(data).subspan(pos, n), crc);
    pos += n;
  }
  EXPECT_EQ(crc, whole);
}

// Long inputs go through the striped hardware path (three interleaved blocks of 256 B or
// 4 KiB joined by a shift table): lengths on and around the stripe boundaries, and a
// record-batch-sized buffer, must agree with the table path.
TEST(Crc32c, HardwareAndSoftwareAgreeOnLongInputs) {
  std::mt19937 rng(99);
  std::vector<uint8_t> buffer((1 << 20) + 4096 + 16);
  for (auto& b : buffer) b = static_cast<uint8_t>(rng());
  std::vector<std::size_t> lengths;
  for (std::size_t stripe : {std::size_t{768}, std::size_t{12288}}) {
    for (std::size_t k : {1, 2, 3, 5}) {
      for (std::size_t d : {0, 1, 7, 8, 9}) {
        lengths.push_back(stripe * k + d);
        lengths.push_back(stripe * k - d);
      }
    }
  }
  lengths.push_back(1 << 20);
  lengths.push_back((1 << 20) + 4095);
  for (std::size_t offset : {0, 3, 8}) {
    for (std::size_t length : lengths) {
      std::span<const uint8_t> data(buffer.data() + offset, length);
      const uint32_t seed = static_cast<uint32_t>(length * 2654435761u);
      ASSERT_EQ(crc32c(data), crc32c_software(data)) << "offset " << offset << " length " << length;
      ASSERT_EQ(crc32c(data, seed), crc32c_software(data, seed))
          << "offset " << offset << " length " << length;
    }
  }
}

}  // namespace
}  // namespace sluice::protocol
