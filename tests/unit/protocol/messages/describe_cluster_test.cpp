// DescribeCluster: byte-exact request and response vectors in a classic and (where the API has one)
// a flexible version, worked out by hand from Kafka's message schemas; the same vectors decoded and
// re-encoded; every truncation refused; populated messages round-tripped at every version. Vector
// notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/describe_cluster.h"

#include <optional>
#include <string>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decode_status;
using testing::decoded;
using testing::encoded;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip_all_versions;
using testing::expect_wire;
using testing::hex;
using testing::to_hex;

// DescribeCluster (60): v0 only, flexible from v0 (so there is no classic layout).

DescribeClusterResponse describe_cluster_response() {
  DescribeClusterResponse resp;
  resp.cluster_id = "sluice";
  resp.controller_id = 1;
  resp.brokers.push_back({{}, 1, "h1", 9092, std::string("r1")});
  resp.brokers.push_back({{}, 2, "h2", 9093, std::nullopt});
  resp.cluster_authorized_operations = INT32_MIN;  // not requested
  return resp;
}

const Bytes kDescribeClusterResponseV0 =
    hex("00 00 00 00 "                                           // throttle_time_ms 0
        "00 00 "                                                 // error_code 0
        "00 "                                                    // error_message null
        "07 73 6c 75 69 63 65 "                                  // cluster_id "sluice"
        "00 00 00 01 "                                           // controller_id 1
        "03 "                                                    // brokers: compact 2
        "00 00 00 01 | 03 68 31 | 00 00 23 84 | 03 72 31 | 00 "  // 1, "h1", 9092, rack "r1", tags
        "00 00 00 02 | 03 68 32 | 00 00 23 85 | 00 | 00 "        // 2, "h2", 9093, rack null, tags
        "80 00 00 00 "  // cluster_authorized_operations INT32_MIN
        "00");          // tags

TEST(DescribeClusterCodec, RequestV0IsAFlagAndATagSection) {
  DescribeClusterRequest req;
  req.include_cluster_authorized_operations = true;
  expect_wire(req, 0, hex("01 | 00"));
  EXPECT_TRUE(
      decoded<DescribeClusterRequest>(hex("01 00"), 0).include_cluster_authorized_operations);
}

TEST(DescribeClusterCodec, ResponseV0ListsBrokersWithNullableRacks) {
  expect_wire(describe_cluster_response(), 0, kDescribeClusterResponseV0);
  auto back = decoded<DescribeClusterResponse>(kDescribeClusterResponseV0, 0);
  EXPECT_EQ(back.cluster_id, "sluice");
  ASSERT_EQ(back.brokers.size(), 2u);
  EXPECT_EQ(back.brokers[0].rack, std::optional<std::string>("r1"));
  EXPECT_EQ(back.brokers[1].rack, std::nullopt);
  EXPECT_EQ(back.brokers[1].port, 9093);
  EXPECT_EQ(back.cluster_authorized_operations, INT32_MIN);
}

TEST(DescribeClusterCodec, VersionOneIsUnsupported) {
  auto status = decode_status<DescribeClusterRequest>(hex("01 01 00"), 1);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), DecodeErrc::unsupported_version);
}

TEST(DescribeClusterCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<DescribeClusterRequest>(hex("01 00"), 0);
  expect_every_truncation_fails<DescribeClusterResponse>(kDescribeClusterResponseV0, 0);
}

TEST(DescribeClusterCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  DescribeClusterRequest req;
  req.include_cluster_authorized_operations = true;
  expect_round_trip_all_versions(req, kDescribeClusterApi);
  auto resp = describe_cluster_response();
  resp.throttle_time_ms = 4;
  resp.error_code = 31;  // CLUSTER_AUTHORIZATION_FAILED
  resp.error_message = "no";
  resp.cluster_authorized_operations = 0x0c;
  resp.unknown_tags.push_back({3, {0xff}});
  expect_round_trip_all_versions(resp, kDescribeClusterApi);
}

TEST(DescribeCluster, EncodesV0Flexible) {
  DescribeClusterRequest req;
  EXPECT_EQ(to_hex(encoded(req, 0)), to_hex(hex("00 | 00")));
  DescribeClusterResponse resp;
  resp.cluster_id = "c";
  resp.controller_id = 1;
  resp.brokers.push_back({{}, 1, "h", 9092, std::nullopt});
  EXPECT_EQ(to_hex(encoded(resp, 0)),
            to_hex(hex("00 00 00 00 | 00 00 | 00 | 02 63 | 00 00 00 01 | "
                       "02 | 00 00 00 01 | 02 68 | 00 00 23 84 | 00 | 00 | 80 00 00 00 | 00")));
}

}  // namespace
}  // namespace sluice::protocol
