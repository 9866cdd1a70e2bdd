// Request/response headers: which header version each API version uses, byte-exact layouts.
#include "protocol/header.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::hex;
using testing::to_hex;

TEST(Header, VersionsFollowFlexibility) {
  EXPECT_EQ(request_header_version(3, 4), 1);  // Metadata v4: classic
  EXPECT_EQ(request_header_version(3, 9), 2);  // Metadata v9: flexible
  EXPECT_EQ(response_header_version(3, 9), 1);
  EXPECT_EQ(request_header_version(18, 3), 2);   // ApiVersions v3 request is flexible...
  EXPECT_EQ(response_header_version(18, 3), 0);  // ...but its response header is always v0
  EXPECT_EQ(request_header_version(999, 0), 1);  // unknown API: classic header, body unread
}

TEST(Header, RequestV1ByteExact) {
  RequestHeader h;
  h.api_key = 3;
  h.api_version = 4;
  h.correlation_id = 7;
  h.client_id = "rdkafka";
  ByteWriter w;
  encode_request_header(h, w);
  EXPECT_EQ(to_hex(w.bytes()),
            to_hex(hex("00 03 | 00 04 | 00 00 00 07 | 00 07 72 64 6b 61 66 6b 61")));
  ByteReader r(w.bytes());
  auto back = decode_request_header(r);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->api_key, 3);
  EXPECT_EQ(back->correlation_id, 7);
  EXPECT_EQ(*back->client_id, "rdkafka");
  EXPECT_EQ(back->header_version, 1);
}

TEST(Header, RequestV2KeepsClassicClientIdAndAddsTags) {
  // Metadata v9, null client id: the client id stays a classic int16 string even in v2.
  auto bytes = hex("00 03 | 00 09 | 00 00 00 01 | ff ff | 00");
  ByteReader r(bytes);
  auto h = decode_request_header(r);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->client_id.has_value());
  EXPECT_EQ(h->header_version, 2);
  EXPECT_EQ(r.remaining(), 0u);
  ByteWriter w;
  encode_request_header(*h, w);
  EXPECT_EQ(to_hex(w.bytes()), to_hex(bytes));
}

TEST(Header, ResponseHeaders) {
  ByteWriter v0;
  encode_response_header(42, 18, 3, v0);
  EXPECT_EQ(to_hex(v0.bytes()), "00 00 00 2a");
  ByteWriter v1;
  encode_response_header(42, 3, 9, v1);
  EXPECT_EQ(to_hex(v1.bytes()), "00 00 00 2a 00");
  ByteReader r(v1.bytes());
  auto corr = decode_response_header(r, 3, 9);
  ASSERT_TRUE(corr.ok());
  EXPECT_EQ(*corr, 42);
}

TEST(Header, TruncatedHeadersFail) {
  auto bytes = hex("00 03 00 09 00 00 00 01 00 02 61 62 00");
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    ByteReader r(prefix);
    EXPECT_FALSE(decode_request_header(r).ok()) << cut;
  }
}

}  // namespace
}  // namespace sluice::protocol
