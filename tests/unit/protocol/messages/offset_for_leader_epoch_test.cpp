// OffsetForLeaderEpoch: byte-exact request and response vectors in a classic and (where the API has
// one) a flexible version, worked out by hand from Kafka's message schemas; the same vectors
// decoded and re-encoded; every truncation refused; populated messages round-tripped at every
// version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/offset_for_leader_epoch.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip_all_versions;
using testing::expect_wire;
using testing::hex;
using testing::to_hex;

// OffsetForLeaderEpoch (23): v0-4, flexible from v4.

OffsetForLeaderEpochRequest offset_for_leader_epoch_request() {
  OffsetForLeaderEpochRequest req;
  req.replica_id = -1;  // a consumer
  req.topics.push_back({{}, "logs", {{{}, 0, 5, 4}, {{}, 1, 5, 5}}});
  return req;
}

const Bytes kOffsetForLeaderEpochRequestV0 =
    hex("00 00 00 01 "                 // topics: 1
        "00 04 6c 6f 67 73 "           //   topic "logs"
        "00 00 00 02 "                 //   partitions: 2
        "00 00 00 00 | 00 00 00 04 "   //     partition 0, leader_epoch 4
        "00 00 00 01 | 00 00 00 05");  //     partition 1, leader_epoch 5

const Bytes kOffsetForLeaderEpochRequestV3 =
    hex("ff ff ff ff "                               // replica_id -1 (v3+)
        "00 00 00 01 "                               // topics: 1
        "00 04 6c 6f 67 73 "                         //   topic "logs"
        "00 00 00 02 "                               //   partitions: 2
        "00 00 00 00 | 00 00 00 05 | 00 00 00 04 "   // partition 0, current epoch 5 (v2+), epoch 4
        "00 00 00 01 | 00 00 00 05 | 00 00 00 05");  // partition 1, current epoch 5, epoch 5

const Bytes kOffsetForLeaderEpochRequestV4 =
    hex("ff ff ff ff "     // replica_id -1
        "02 "              // topics: compact 1
        "05 6c 6f 67 73 "  //   topic "logs"
        "03 "              //   partitions: 2
        "00 00 00 00 | 00 00 00 05 | 00 00 00 04 | 00 "
        "00 00 00 01 | 00 00 00 05 | 00 00 00 05 | 00 "
        "00 "   //   tags
        "00");  // tags

OffsetForLeaderEpochResponse offset_for_leader_epoch_response() {
  OffsetForLeaderEpochResponse resp;
  resp.throttle_time_ms = 2;
  resp.topics.push_back(
      {{}, "logs", {{{}, 0, 0, 4, 120}, {{}, 74, 1, -1, -1}}});  // FENCED_LEADER_EPOCH
  return resp;
}

const Bytes kOffsetForLeaderEpochResponseV1 =
    hex("00 00 00 01 "        // topics: 1 (no throttle before v2)
        "00 04 6c 6f 67 73 "  //   topic "logs"
        "00 00 00 02 "        //   partitions: 2
        "00 00 | 00 00 00 00 | 00 00 00 04 | 00 00 00 00 00 00 00 78 "   // error 0, p0, epoch 4
                                                                         // (v1+), end 120
        "00 4a | 00 00 00 01 | ff ff ff ff | ff ff ff ff ff ff ff ff");  // error 74, p1, -1, -1

const Bytes kOffsetForLeaderEpochResponseV4 =
    hex("00 00 00 02 "     // throttle_time_ms 2 (v2+)
        "02 "              // topics: compact 1
        "05 6c 6f 67 73 "  //   topic "logs"
        "03 "              //   partitions: 2
        "00 00 | 00 00 00 00 | 00 00 00 04 | 00 00 00 00 00 00 00 78 | 00 "
        "00 4a | 00 00 00 01 | ff ff ff ff | ff ff ff ff ff ff ff ff | 00 "
        "00 "   //   tags
        "00");  // tags

TEST(OffsetForLeaderEpochCodec, RequestV0HasPartitionsAndEpochsOnly) {
  expect_wire(offset_for_leader_epoch_request(), 0, kOffsetForLeaderEpochRequestV0);
  auto back = decoded<OffsetForLeaderEpochRequest>(kOffsetForLeaderEpochRequestV0, 0);
  EXPECT_EQ(back.replica_id, -2);  // Kafka's default when not on the wire
  EXPECT_EQ(back.topics[0].partitions[0].current_leader_epoch, -1);
}

TEST(OffsetForLeaderEpochCodec, RequestV3AddsReplicaIdAndCurrentEpochs) {
  expect_wire(offset_for_leader_epoch_request(), 3, kOffsetForLeaderEpochRequestV3);
  // v2 is v3 without the replica id.
  expect_wire(
      offset_for_leader_epoch_request(), 2,
      Bytes(kOffsetForLeaderEpochRequestV3.begin() + 4, kOffsetForLeaderEpochRequestV3.end()));
}

TEST(OffsetForLeaderEpochCodec, RequestV4IsCompact) {
  expect_wire(offset_for_leader_epoch_request(), 4, kOffsetForLeaderEpochRequestV4);
}

TEST(OffsetForLeaderEpochCodec, ResponseV1AddsLeaderEpochButNoThrottle) {
  expect_wire(offset_for_leader_epoch_response(), 1, kOffsetForLeaderEpochResponseV1);
  auto back = decoded<OffsetForLeaderEpochResponse>(kOffsetForLeaderEpochResponseV1, 1);
  EXPECT_EQ(back.throttle_time_ms, 0);
  EXPECT_EQ(back.topics[0].partitions[0].end_offset, 120);
  EXPECT_EQ(back.topics[0].partitions[1].error_code, 74);
}

TEST(OffsetForLeaderEpochCodec, ResponseV0HasNoLeaderEpochAndV2AddsThrottle) {
  expect_wire(offset_for_leader_epoch_response(), 0,
              hex("00 00 00 01 | 00 04 6c 6f 67 73 | 00 00 00 02 "
                  "00 00 | 00 00 00 00 | 00 00 00 00 00 00 00 78 "  // error, partition, end
                  "00 4a | 00 00 00 01 | ff ff ff ff ff ff ff ff"));
  Bytes v2 = hex("00 00 00 02");  // throttle_time_ms 2, then the v1 body
  v2.insert(v2.end(), kOffsetForLeaderEpochResponseV1.begin(),
            kOffsetForLeaderEpochResponseV1.end());
  expect_wire(offset_for_leader_epoch_response(), 2, v2);
  expect_wire(offset_for_leader_epoch_response(), 3, v2);  // v3 == v2
}

TEST(OffsetForLeaderEpochCodec, ResponseV4HasThrottleAndIsCompact) {
  expect_wire(offset_for_leader_epoch_response(), 4, kOffsetForLeaderEpochResponseV4);
  EXPECT_EQ(
      decoded<OffsetForLeaderEpochResponse>(kOffsetForLeaderEpochResponseV4, 4).throttle_time_ms,
      2);
}

TEST(OffsetForLeaderEpochCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<OffsetForLeaderEpochRequest>(kOffsetForLeaderEpochRequestV0, 0);
  expect_every_truncation_fails<OffsetForLeaderEpochRequest>(kOffsetForLeaderEpochRequestV3, 3);
  expect_every_truncation_fails<OffsetForLeaderEpochRequest>(kOffsetForLeaderEpochRequestV4, 4);
  expect_every_truncation_fails<OffsetForLeaderEpochResponse>(kOffsetForLeaderEpochResponseV1, 1);
  expect_every_truncation_fails<OffsetForLeaderEpochResponse>(kOffsetForLeaderEpochResponseV4, 4);
}

TEST(OffsetForLeaderEpochCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  auto req = offset_for_leader_epoch_request();
  req.replica_id = 3;  // a follower
  expect_round_trip_all_versions(req, kOffsetForLeaderEpochApi);
  expect_round_trip_all_versions(offset_for_leader_epoch_response(), kOffsetForLeaderEpochApi);
}

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

TEST(OffsetForLeaderEpoch, RoundTripEveryVersion) {
  OffsetForLeaderEpochRequest o;
  o.replica_id = 3;
  o.topics.push_back({{}, "t", {{{}, 1, 2, 3}}});
  testing::expect_round_trip_all_versions(o, kOffsetForLeaderEpochApi);
}

}  // namespace
}  // namespace sluice::protocol
