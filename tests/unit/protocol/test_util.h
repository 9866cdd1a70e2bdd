// Helpers for byte-exact protocol tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/wire.h"

namespace sluice::protocol::testing {

// "00 01 ff" -> bytes; spaces, newlines and '|' (field separators for readability) ignored.
inline Bytes hex(std::string_view text) {
  Bytes out;
  int nibble = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      continue;
    if (nibble < 0) {
      nibble = v;
    } else {
      out.push_back(static_cast<uint8_t>(nibble * 16 + v));
      nibble = -1;
    }
  }
  return out;
}

inline std::string to_hex(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ' ';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

// Encodes `m` at `version` and returns the bytes.
template <class M>
Bytes encoded(const M& m, int16_t version) {
  ByteWriter w;
  encode(m, w, version);
  return w.bytes();
}

// Decodes `bytes` at `version`, requiring success and that every byte was consumed.
template <class M>
M decoded(const Bytes& bytes, int16_t version) {
  M m;
  ByteReader r(bytes);
  auto status = decode(m, r, version);
  EXPECT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_EQ(r.remaining(), 0u);
  return m;
}

// Every proper prefix of a valid encoding must fail to decode, never crash.
template <class M>
void expect_every_truncation_fails(const Bytes& bytes, int16_t version) {
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    M m;
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    ByteReader r(prefix);
    auto status = decode(m, r, version);
    EXPECT_FALSE(status.ok()) << "prefix of " << cut << " bytes decoded";
  }
}

}  // namespace sluice::protocol::testing

namespace sluice::protocol::testing {

// For every version of the API: encode `sample`, decode it, encode again, and require the
// two encodings to be identical and every truncation of them to fail.
template <class M>
void expect_round_trip_all_versions(const M& sample, const ApiDescriptor& api) {
  for (int16_t v = api.min_version; v <= api.max_version; ++v) {
    SCOPED_TRACE(std::string(api.name) + " v" + std::to_string(v));
    Bytes first = encoded(sample, v);
    M back = decoded<M>(first, v);
    Bytes second = encoded(back, v);
    EXPECT_EQ(to_hex(first), to_hex(second));
    expect_every_truncation_fails<M>(first, v);
  }
}

}  // namespace sluice::protocol::testing
