// Primitive types: varint vectors from the protocol guide's zig-zag rules, compact lengths,
// bounds checks, UUID text form.
#include "protocol/wire.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::hex;
using testing::to_hex;

Bytes varint_bytes(int32_t v) {
  ByteWriter w;
  w.write_varint(v);
  return w.bytes();
}

TEST(Wire, ZigZagVarintVectors) {
  EXPECT_EQ(to_hex(varint_bytes(0)), "00");
  EXPECT_EQ(to_hex(varint_bytes(-1)), "01");
  EXPECT_EQ(to_hex(varint_bytes(1)), "02");
  EXPECT_EQ(to_hex(varint_bytes(-2)), "03");
  EXPECT_EQ(to_hex(varint_bytes(63)), "7e");
  EXPECT_EQ(to_hex(varint_bytes(-64)), "7f");
  EXPECT_EQ(to_hex(varint_bytes(64)), "80 01");
  EXPECT_EQ(to_hex(varint_bytes(300)), "d8 04");
  EXPECT_EQ(to_hex(varint_bytes(INT32_MAX)), "fe ff ff ff 0f");
  EXPECT_EQ(to_hex(varint_bytes(INT32_MIN)), "ff ff ff ff 0f");
}

TEST(Wire, VarintsRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{127}, int64_t{-128},
                    int64_t{1} << 40, INT64_MAX, INT64_MIN}) {
    ByteWriter w;
    w.write_varlong(v);
    w.write_uvarlong(static_cast<uint64_t>(v));
    ByteReader r(w.bytes());
    EXPECT_EQ(r.read_varlong(), v);
    EXPECT_EQ(r.read_uvarlong(), static_cast<uint64_t>(v));
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(Wire, UnsignedVarint) {
  ByteWriter w;
  w.write_uvarint(300);
  EXPECT_EQ(to_hex(w.bytes()), "ac 02");
}

TEST(Wire, OverlongVarintIsRejected) {
  auto bytes = hex("ff ff ff ff ff 01");  // six bytes: more than an int32 can hold
  ByteReader r(bytes);
  r.set_field("length");
  r.read_uvarint();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), DecodeErrc::bad_varint);
  EXPECT_NE(r.error().context().find("length"), std::string::npos);
}

TEST(Wire, FixedWidthBigEndian) {
  ByteWriter w;
  w.write_i16(0x0102);
  w.write_i32(-2);
  w.write_i64(0x0102030405060708);
  w.write_f64(1.5);
  EXPECT_EQ(to_hex(w.bytes()), "01 02 ff ff ff fe 01 02 03 04 05 06 07 08 3f f8 00 00 00 00 00 00");
  ByteReader r(w.bytes());
  EXPECT_EQ(r.read_i16(), 0x0102);
  EXPECT_EQ(r.read_i32(), -2);
  EXPECT_EQ(r.read_i64(), 0x0102030405060708);
  EXPECT_EQ(r.read_f64(), 1.5);
  EXPECT_TRUE(r.ok());
}

TEST(Wire, ReadsPastTheEndFailStickily) {
  auto bytes = hex("00 01 02");
  ByteReader r(bytes);
  r.set_field("correlation_id");
  EXPECT_EQ(r.read_i32(), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), DecodeErrc::truncated);
  EXPECT_NE(r.error().context().find("correlation_id"), std::string::npos);
  r.set_field("other");
  EXPECT_EQ(r.read_i8(), 0);  // later reads return zero and keep the first error
  EXPECT_NE(r.error().context().find("correlation_id"), std::string::npos);
}

TEST(Wire, CompactLengthsAreNPlusOne) {
  ByteWriter w;
  w.write_string_length(-1, true);  // null
  w.write_string_length(0, true);
  w.write_string_length(5, true);
  EXPECT_EQ(to_hex(w.bytes()), "00 01 06");
}

TEST(Wire, LengthsLargerThanTheFrameAreRefused) {
  {
    auto bytes = hex("7f ff 61 62");  // string claims 32767 bytes
    ByteReader r(bytes);
    EXPECT_EQ(r.read_string_length(false), -1);
    EXPECT_EQ(r.error().code(), DecodeErrc::length_too_large);
  }
  {
    auto bytes = hex("7f ff ff ff");  // bytes claims 2 GiB
    ByteReader r(bytes);
    EXPECT_EQ(r.read_bytes_length(false), -1);
    EXPECT_EQ(r.error().code(), DecodeErrc::length_too_large);
  }
  {
    auto bytes = hex("00 00 00 02 00 00 00 01");  // two int32 elements need 8 bytes, 4 left
    ByteReader r(bytes);
    EXPECT_EQ(r.read_array_length(false, 4), -1);
    EXPECT_EQ(r.error().code(), DecodeErrc::length_too_large);
  }
  {
    auto bytes = hex("ff fe");  // -2
    ByteReader r(bytes);
    EXPECT_EQ(r.read_string_length(false), -1);
    EXPECT_EQ(r.error().code(), DecodeErrc::negative_length);
  }
}

TEST(Wire, UuidBase64MatchesKafkasTextForm) {
  Uuid u;
  for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<uint8_t>(i);
  // base64url of 00 01 .. 0f without padding
  EXPECT_EQ(u.to_base64(), "AAECAwQFBgcICQoLDA0ODw");
  EXPECT_TRUE(Uuid{}.is_zero());
  EXPECT_FALSE(u.is_zero());
}

TEST(Wire, PatchedLengthPrefix) {
  ByteWriter w;
  auto at = w.reserve_i32();
  w.write_raw(std::string_view("abc"));
  w.patch_i32(at, static_cast<int32_t>(w.size() - 4));
  EXPECT_EQ(to_hex(w.bytes()), "00 00 00 03 61 62 63");
}

}  // namespace
}  // namespace sluice::protocol

namespace sluice::protocol {
namespace {
TEST(Uuid, Base64RoundTripsAndRejectsGarbage) {
  Uuid u;
  for (std::size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<uint8_t>(i * 17 + 3);
  auto text = u.to_base64();
  EXPECT_EQ(text.size(), 22u);
  auto back = Uuid::from_base64(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, u);
  EXPECT_FALSE(Uuid::from_base64("short").has_value());
  EXPECT_FALSE(Uuid::from_base64("!!!!!!!!!!!!!!!!!!!!!!").has_value());
}
}  // namespace
}  // namespace sluice::protocol
