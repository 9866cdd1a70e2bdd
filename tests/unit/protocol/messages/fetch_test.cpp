// Fetch: byte-exact classic and flexible vectors worked out from the protocol guide, round
// trips at every version.
#include "protocol/messages/fetch.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::hex;
using testing::to_hex;

const Bytes kAbc = {'a', 'b', 'c'};

FetchRequest sample_fetch() {
  FetchRequest req;
  req.replica_id = -1;
  req.max_wait_ms = 500;
  req.min_bytes = 1;
  req.max_bytes = 0x100000;
  FetchTopic t;
  t.topic = "t";
  FetchPartition p;
  p.fetch_offset = 10;
  p.partition_max_bytes = 0x100000;
  t.partitions.push_back(p);
  req.topics.push_back(t);
  return req;
}

TEST(Fetch, EncodesV4RequestClassic) {
  auto expected =
      hex("ff ff ff ff | 00 00 01 f4 | 00 00 00 01 | 00 10 00 00 | 00 "  // replica, wait, min, max,
                                                                         // isolation
          "00 00 00 01 | 00 01 74 | 00 00 00 01 "
          "00 00 00 00 | 00 00 00 00 00 00 00 0a | 00 10 00 00");  // partition, offset, max bytes
  EXPECT_EQ(to_hex(encoded(sample_fetch(), 4)), to_hex(expected));
}

TEST(Fetch, EncodesV12RequestFlexible) {
  auto expected =
      hex("ff ff ff ff | 00 00 01 f4 | 00 00 00 01 | 00 10 00 00 | 00 "
          "00 00 00 00 | ff ff ff ff "  // session id 0, session epoch -1
          "02 | 02 74 | 02 "
          "00 00 00 00 | ff ff ff ff | 00 00 00 00 00 00 00 0a "       // partition, current leader
                                                                       // epoch, offset
          "ff ff ff ff | ff ff ff ff ff ff ff ff | 00 10 00 00 | 00 "  // last fetched epoch, log
                                                                       // start, max, tags
          "00 "                                                        // topic tags
          "01 | 01 "  // forgotten topics (empty), rack_id ""
          "00");      // tags (cluster_id null: absent)
  EXPECT_EQ(to_hex(encoded(sample_fetch(), 12)), to_hex(expected));
  auto back = decoded<FetchRequest>(expected, 12);
  EXPECT_FALSE(back.cluster_id.has_value());
}

FetchResponse sample_fetch_response() {
  FetchResponse resp;
  FetchableTopicResponse t;
  t.topic = "t";
  FetchPartitionData p;
  p.high_watermark = 3;
  p.last_stable_offset = 3;
  p.log_start_offset = 0;
  p.records = Records::owned(kAbc);
  t.partitions.push_back(p);
  resp.responses.push_back(t);
  return resp;
}

TEST(Fetch, EncodesV4ResponseClassic) {
  auto expected = hex(
      "00 00 00 00 "  // throttle
      "00 00 00 01 | 00 01 74 | 00 00 00 01 "
      "00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 03 | 00 00 00 00 00 00 00 03 "  // index, error,
                                                                                  // hw, lso
      "ff ff ff ff "            // aborted transactions: null
      "00 00 00 03 61 62 63");  // records
  EXPECT_EQ(to_hex(encoded(sample_fetch_response(), 4)), to_hex(expected));
}

TEST(Fetch, EncodesV12ResponseWithTaggedCurrentLeader) {
  auto resp = sample_fetch_response();
  resp.responses[0].partitions[0].current_leader = FetchLeaderIdAndEpoch{};
  resp.responses[0].partitions[0].current_leader->leader_id = 1;
  resp.responses[0].partitions[0].current_leader->leader_epoch = 5;
  auto expected =
      hex("00 00 00 00 | 00 00 | 00 00 00 00 "  // throttle, error, session id
          "02 | 02 74 | 02 "
          "00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 03 | 00 00 00 00 00 00 00 03 "
          "00 00 00 00 00 00 00 00 "         // log start offset
          "00 | ff ff ff ff | 04 61 62 63 "  // aborted null, preferred replica -1, records
          "01 | 01 | 09 | 00 00 00 01 00 00 00 05 00 "  // 1 tagged field: tag 1, 9 bytes: leader,
                                                        // epoch, tags
          "00 | 00");
  EXPECT_EQ(to_hex(encoded(resp, 12)), to_hex(expected));
  auto back = decoded<FetchResponse>(expected, 12);
  ASSERT_TRUE(back.responses[0].partitions[0].current_leader.has_value());
  EXPECT_EQ(back.responses[0].partitions[0].current_leader->leader_epoch, 5);
  EXPECT_FALSE(back.responses[0].partitions[0].diverging_epoch.has_value());
}

TEST(Fetch, RoundTripEveryVersion) {
  testing::expect_round_trip_all_versions(sample_fetch(), kFetchApi);
  auto fr = sample_fetch_response();
  fr.responses[0].partitions[0].diverging_epoch = FetchEpochEndOffset{};
  testing::expect_round_trip_all_versions(fr, kFetchApi);
}

}  // namespace
}  // namespace sluice::protocol
