// OffsetForLeaderEpoch, InitProducerId, DeleteRecords, SaslHandshake, SaslAuthenticate,
// DescribeCluster, AlterConfigs: byte-exact classic and flexible vectors, round trips.
#include "protocol/messages/alter_configs.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "protocol/messages/sasl.h"
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::encoded;
using testing::hex;
using testing::to_hex;

TEST(OffsetForLeaderEpoch, EncodesV2AndV4) {
  OffsetForLeaderEpochRequest req;
  req.topics.push_back({{}, "t", {{{}, 0, -1, 3}}});
  EXPECT_EQ(to_hex(encoded(req, 2)),
            to_hex(hex(
                "00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | ff ff ff ff | 00 00 00 03")));
  EXPECT_EQ(to_hex(encoded(req, 4)), to_hex(hex("ff ff ff fe | 02 | 02 74 | 02 | 00 00 00 00 | ff "
                                                "ff ff ff | 00 00 00 03 | 00 | 00 | 00")));
  OffsetForLeaderEpochResponse resp;
  resp.topics.push_back({{}, "t", {{{}, 0, 0, 3, 16}}});
  EXPECT_EQ(
      to_hex(encoded(resp, 0)),
      to_hex(hex(
          "00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 | 00 00 00 00 | 00 00 00 00 00 00 00 10")));
  EXPECT_EQ(to_hex(encoded(resp, 4)),
            to_hex(hex("00 00 00 00 | 02 | 02 74 | 02 | 00 00 | 00 00 00 00 | 00 00 00 03 | "
                       "00 00 00 00 00 00 00 10 | 00 | 00 | 00")));
}

TEST(InitProducerId, EncodesV1V2V3) {
  InitProducerIdRequest req;
  req.transaction_timeout_ms = 60000;
  EXPECT_EQ(to_hex(encoded(req, 1)), to_hex(hex("ff ff | 00 00 ea 60")));
  EXPECT_EQ(to_hex(encoded(req, 2)), to_hex(hex("00 | 00 00 ea 60 | 00")));
  EXPECT_EQ(to_hex(encoded(req, 3)),
            to_hex(hex("00 | 00 00 ea 60 | ff ff ff ff ff ff ff ff | ff ff | 00")));
  InitProducerIdResponse resp;
  resp.producer_id = 7;
  EXPECT_EQ(to_hex(encoded(resp, 2)),
            to_hex(hex("00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 07 | 00 00 | 00")));
}

TEST(DeleteRecords, EncodesV1AndV2) {
  DeleteRecordsRequest req;
  req.topics.push_back({{}, "t", {{{}, 0, 5}}});
  req.timeout_ms = 1000;
  EXPECT_EQ(to_hex(encoded(req, 1)), to_hex(hex("00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 "
                                                "00 | 00 00 00 00 00 00 00 05 | 00 00 03 e8")));
  EXPECT_EQ(
      to_hex(encoded(req, 2)),
      to_hex(hex(
          "02 | 02 74 | 02 | 00 00 00 00 | 00 00 00 00 00 00 00 05 | 00 | 00 | 00 00 03 e8 | 00")));
}

TEST(Sasl, EncodesHandshakeAndAuthenticate) {
  SaslHandshakeRequest hs;
  hs.mechanism = "PLAIN";
  EXPECT_EQ(to_hex(encoded(hs, 1)), to_hex(hex("00 05 50 4c 41 49 4e")));
  SaslHandshakeResponse hr;
  hr.mechanisms = {"PLAIN"};
  EXPECT_EQ(to_hex(encoded(hr, 0)), to_hex(hex("00 00 | 00 00 00 01 | 00 05 50 4c 41 49 4e")));
  SaslAuthenticateRequest auth;
  auth.auth_bytes = {'a', 'b', 'c'};
  EXPECT_EQ(to_hex(encoded(auth, 0)), to_hex(hex("00 00 00 03 61 62 63")));
  EXPECT_EQ(to_hex(encoded(auth, 2)), to_hex(hex("04 61 62 63 | 00")));
  SaslAuthenticateResponse ar;
  ar.session_lifetime_ms = 1;
  EXPECT_EQ(to_hex(encoded(ar, 1)),
            to_hex(hex("00 00 | ff ff | 00 00 00 00 | 00 00 00 00 00 00 00 01")));
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

TEST(AlterConfigs, EncodesV1AndV2) {
  AlterConfigsRequest req;
  req.resources.push_back({{}, int8_t{2}, "t", {{{}, "a", "1"}}});
  EXPECT_EQ(to_hex(encoded(req, 1)),
            to_hex(hex("00 00 00 01 | 02 | 00 01 74 | 00 00 00 01 | 00 01 61 | 00 01 31 | 00")));
  EXPECT_EQ(to_hex(encoded(req, 2)),
            to_hex(hex("02 | 02 | 02 74 | 02 | 02 61 | 02 31 | 00 | 00 | 00 | 00")));
}

TEST(MiscApis, RoundTripEveryVersion) {
  OffsetForLeaderEpochRequest o;
  o.replica_id = 3;
  o.topics.push_back({{}, "t", {{{}, 1, 2, 3}}});
  testing::expect_round_trip_all_versions(o, kOffsetForLeaderEpochApi);
  InitProducerIdRequest i;
  i.transactional_id = "tx";
  testing::expect_round_trip_all_versions(i, kInitProducerIdApi);
  DeleteRecordsResponse d;
  d.topics.push_back({{}, "t", {{{}, 0, 9, 0}}});
  testing::expect_round_trip_all_versions(d, kDeleteRecordsApi);
  SaslAuthenticateResponse s;
  s.error_message = "bad";
  s.auth_bytes = {1};
  testing::expect_round_trip_all_versions(s, kSaslAuthenticateApi);
  AlterConfigsResponse a;
  a.responses.push_back({{}, 0, std::nullopt, 2, "t"});
  testing::expect_round_trip_all_versions(a, kAlterConfigsApi);
}

}  // namespace
}  // namespace sluice::protocol
