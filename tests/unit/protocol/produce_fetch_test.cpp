// Produce, Fetch and ListOffsets: byte-exact classic and flexible vectors worked out from the
// protocol guide, round trips at every version, truncations, hostile lengths.
#include "protocol/messages/fetch.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/produce.h"
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::hex;
using testing::to_hex;

const Bytes kAbc = {'a', 'b', 'c'};

ProduceRequest sample_produce() {
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 1000;
  ProduceTopicData t;
  t.name = "t";
  ProducePartitionData p;
  p.index = 0;
  p.records = Records::owned(kAbc);
  t.partition_data.push_back(p);
  req.topic_data.push_back(t);
  return req;
}

TEST(Produce, EncodesV3RequestClassic) {
  auto expected = hex(
      "ff ff "                                              // transactional_id: null
      "ff ff | 00 00 03 e8 "                                // acks -1, timeout 1000
      "00 00 00 01 | 00 01 74 "                             // one topic "t"
      "00 00 00 01 | 00 00 00 00 | 00 00 00 03 61 62 63");  // partition 0, records (int32 length)
  EXPECT_EQ(to_hex(encoded(sample_produce(), 3)), to_hex(expected));
  auto back = decoded<ProduceRequest>(expected, 3);
  ASSERT_EQ(back.topic_data.size(), 1u);
  auto bytes = back.topic_data[0].partition_data[0].records.bytes();
  EXPECT_EQ(Bytes(bytes.begin(), bytes.end()), kAbc);
}

TEST(Produce, EncodesV9RequestFlexible) {
  auto expected =
      hex("00 | ff ff | 00 00 03 e8 "             // null compact transactional_id, acks, timeout
          "02 | 02 74 "                           // compact array of 1 topic, compact string "t"
          "02 | 00 00 00 00 | 04 61 62 63 | 00 "  // partition 0, compact records, partition tags
          "00 | 00");                             // topic tags, request tags
  EXPECT_EQ(to_hex(encoded(sample_produce(), 9)), to_hex(expected));
}

ProduceResponse sample_produce_response() {
  ProduceResponse resp;
  ProduceTopicResponse t;
  t.name = "t";
  ProducePartitionResponse p;
  p.base_offset = 5;
  p.log_start_offset = 0;
  t.partition_responses.push_back(p);
  resp.responses.push_back(t);
  return resp;
}

TEST(Produce, EncodesV7ResponseClassic) {
  auto expected =
      hex("00 00 00 01 | 00 01 74 | 00 00 00 01 "               // one topic "t", one partition
          "00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 05 "      // index, error, base_offset
          "ff ff ff ff ff ff ff ff | 00 00 00 00 00 00 00 00 "  // log_append_time -1, log_start 0
          "00 00 00 00");                                       // throttle_time_ms
  EXPECT_EQ(to_hex(encoded(sample_produce_response(), 7)), to_hex(expected));
}

TEST(Produce, EncodesV9ResponseFlexible) {
  auto expected =
      hex("02 | 02 74 | 02 "
          "00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 05 "
          "ff ff ff ff ff ff ff ff | 00 00 00 00 00 00 00 00 "
          "01 | 00 | 00 "  // record_errors (empty), error_message (null), partition tags
          "00 "            // topic tags
          "00 00 00 00 | 00");
  EXPECT_EQ(to_hex(encoded(sample_produce_response(), 9)), to_hex(expected));
}

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

ListOffsetsRequest sample_list_offsets() {
  ListOffsetsRequest req;
  ListOffsetsTopic t;
  t.name = "t";
  ListOffsetsPartition p;
  p.timestamp = kLatestTimestamp;
  t.partitions.push_back(p);
  req.topics.push_back(t);
  return req;
}

TEST(ListOffsets, EncodesV1RequestAndV6Flexible) {
  EXPECT_EQ(to_hex(encoded(sample_list_offsets(), 1)),
            to_hex(hex("ff ff ff ff | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | "
                       "ff ff ff ff ff ff ff ff")));
  EXPECT_EQ(to_hex(encoded(sample_list_offsets(), 6)),
            to_hex(hex("ff ff ff ff | 00 | 02 | 02 74 | 02 | 00 00 00 00 | ff ff ff ff | "
                       "ff ff ff ff ff ff ff ff | 00 | 00 | 00")));
  // v0 carries max_num_offsets.
  EXPECT_EQ(to_hex(encoded(sample_list_offsets(), 0)),
            to_hex(hex("ff ff ff ff | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | "
                       "ff ff ff ff ff ff ff ff | 00 00 00 01")));
}

TEST(ListOffsets, EncodesV0AndV4Responses) {
  ListOffsetsResponse resp;
  ListOffsetsTopicResponse t;
  t.name = "t";
  ListOffsetsPartitionResponse p;
  p.old_style_offsets = {7};
  p.timestamp = -1;
  p.offset = 7;
  p.leader_epoch = 2;
  t.partitions.push_back(p);
  resp.topics.push_back(t);
  EXPECT_EQ(to_hex(encoded(resp, 0)),
            to_hex(hex("00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00 | "
                       "00 00 00 01 00 00 00 00 00 00 00 07")));
  EXPECT_EQ(to_hex(encoded(resp, 4)),
            to_hex(hex("00 00 00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00 | "
                       "ff ff ff ff ff ff ff ff | 00 00 00 00 00 00 00 07 | 00 00 00 02")));
}

TEST(ProduceFetch, RoundTripEveryVersion) {
  testing::expect_round_trip_all_versions(sample_produce(), kProduceApi);
  testing::expect_round_trip_all_versions(sample_produce_response(), kProduceApi);
  testing::expect_round_trip_all_versions(sample_fetch(), kFetchApi);
  auto fr = sample_fetch_response();
  fr.responses[0].partitions[0].diverging_epoch = FetchEpochEndOffset{};
  testing::expect_round_trip_all_versions(fr, kFetchApi);
  testing::expect_round_trip_all_versions(sample_list_offsets(), kListOffsetsApi);
}

TEST(ProduceFetch, RecordsLengthBeyondFrameFails) {
  // A produce v3 request whose records claim 2 GiB.
  auto frame =
      hex("ff ff | 00 01 | 00 00 03 e8 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | "
          "00 00 00 00 | 7f ff ff ff 61");
  ProduceRequest req;
  ByteReader r(frame);
  EXPECT_FALSE(decode(req, r, 3).ok());
}

}  // namespace
}  // namespace sluice::protocol
