// ApiVersions: byte-exact vectors worked out from the protocol guide, round trips, and the
// tag section of the flexible version.
#include "protocol/messages/api_versions.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::hex;
using testing::to_hex;

TEST(ApiVersions, RequestV3IsCompactWithTags) {
  ApiVersionsRequest req;
  req.client_software_name = "sluice";
  req.client_software_version = "0.1";
  // compact string = uvarint(len+1) + bytes; then an empty tag section.
  auto expected = hex("07 73 6c 75 69 63 65 | 04 30 2e 31 | 00");
  EXPECT_EQ(to_hex(encoded(req, 3)), to_hex(expected));
  auto back = decoded<ApiVersionsRequest>(expected, 3);
  EXPECT_EQ(back.client_software_name, "sluice");
  EXPECT_EQ(back.client_software_version, "0.1");
}

TEST(ApiVersions, RequestV0IsEmpty) {
  ApiVersionsRequest req;
  req.client_software_name = "ignored below v3";
  EXPECT_TRUE(encoded(req, 0).empty());
}

TEST(ApiVersions, ResponseV0Classic) {
  ApiVersionsResponse resp;
  resp.api_keys.push_back({.api_key = 18, .min_version = 0, .max_version = 3});
  resp.throttle_time_ms = 99;  // not in v0
  auto expected =
      hex("00 00 "        // error_code
          "00 00 00 01 "  // api_keys: int32 count
          "00 12 00 00 00 03");
  EXPECT_EQ(to_hex(encoded(resp, 0)), to_hex(expected));
}

TEST(ApiVersions, ResponseV3WithTaggedField) {
  ApiVersionsResponse resp;
  resp.api_keys.push_back({.api_key = 18, .min_version = 0, .max_version = 3});
  resp.throttle_time_ms = 0;
  resp.finalized_features_epoch = 5;
  auto expected =
      hex("00 00 "                                // error_code
          "02 "                                   // api_keys: compact array of 1
          "00 12 00 00 00 03 00 "                 // key 18, 0..3, empty tags
          "00 00 00 00 "                          // throttle_time_ms
          "01 | 01 08 00 00 00 00 00 00 00 05");  // one tag: 1, size 8, int64 5
  EXPECT_EQ(to_hex(encoded(resp, 3)), to_hex(expected));
  auto back = decoded<ApiVersionsResponse>(expected, 3);
  ASSERT_TRUE(back.finalized_features_epoch.has_value());
  EXPECT_EQ(*back.finalized_features_epoch, 5);
  EXPECT_FALSE(back.supported_features.has_value());
  ASSERT_EQ(back.api_keys.size(), 1u);
  EXPECT_EQ(back.api_keys[0].max_version, 3);
}

TEST(ApiVersions, UnknownTagsSurviveARoundTrip) {
  auto bytes = hex("00 00 01 00 00 00 00 | 01 | 07 02 ab cd");  // unknown tag 7
  auto back = decoded<ApiVersionsResponse>(bytes, 3);
  ASSERT_EQ(back.unknown_tags.size(), 1u);
  EXPECT_EQ(back.unknown_tags[0].tag, 7u);
  EXPECT_EQ(to_hex(encoded(back, 3)), to_hex(bytes));
}

TEST(ApiVersions, RoundTripsEveryVersion) {
  ApiVersionsRequest req;
  req.client_software_name = "librdkafka";
  req.client_software_version = "2.0.2";
  testing::expect_round_trip_all_versions(req, kApiVersionsApi);

  ApiVersionsResponse resp;
  resp.api_keys = {{.api_key = 0, .min_version = 3, .max_version = 9},
                   {.api_key = 1, .min_version = 4, .max_version = 12}};
  resp.throttle_time_ms = 12;
  resp.supported_features =
      std::vector<ApiVersionsSupportedFeature>{{.name = "x", .min_version = 1, .max_version = 2}};
  testing::expect_round_trip_all_versions(resp, kApiVersionsApi);
}

TEST(ApiVersions, HugeArrayCountIsRefusedWithoutAllocating) {
  auto bytes = hex("00 00 7f ff ff ff 00 12");  // claims 2^31-1 keys in 8 bytes
  ApiVersionsResponse resp;
  ByteReader r(bytes);
  auto status = decode(resp, r, 0);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), DecodeErrc::length_too_large);
  EXPECT_NE(status.error().context().find("api_keys"), std::string::npos);
}

TEST(ApiVersions, UnsupportedVersionIsAnError) {
  Bytes empty;
  ApiVersionsRequest req;
  ByteReader r(empty);
  auto status = decode(req, r, 4);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), DecodeErrc::unsupported_version);
}

}  // namespace
}  // namespace sluice::protocol
