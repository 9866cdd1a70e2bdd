// Helpers for byte-exact protocol tests (tests/unit/protocol/messages/<message>_test.cpp has
// one file per protocol/messages/<message>.h).
//
// Notation in the hex vectors: classic strings are int16 length + bytes, classic arrays/bytes
// int32 count; compact strings/arrays/bytes are uvarint(N+1) (so 00 is null, 01 empty), and
// every struct in a flexible version ends with its tag section (00 = no tags). '|' separates
// fields for readability.
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

// `m` encodes at `version` to exactly `expected`, and `expected` decodes (consuming every
// byte) to a message that encodes to the same bytes again.
template <class M>
void expect_wire(const M& m, int16_t version, const Bytes& expected) {
  SCOPED_TRACE("v" + std::to_string(version));
  EXPECT_EQ(to_hex(encoded(m, version)), to_hex(expected));
  EXPECT_EQ(to_hex(encoded(decoded<M>(expected, version), version)), to_hex(expected));
}

template <class M>
Status decode_status(const Bytes& bytes, int16_t version) {
  M m;
  ByteReader r(bytes);
  return decode(m, r, version);
}

// 16 consecutive bytes starting at `first` (a recognisable topic id).
inline Uuid uuid_from(uint8_t first) {
  Uuid id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(first + i);
  return id;
}

}  // namespace sluice::protocol::testing

// `msg` encodes at version `v` to exactly the hex `text`.
#define EXPECT_BYTES(msg, v, text)                                                             \
  EXPECT_EQ(::sluice::protocol::testing::to_hex(::sluice::protocol::testing::encoded(msg, v)), \
            ::sluice::protocol::testing::to_hex(::sluice::protocol::testing::hex(text)))
