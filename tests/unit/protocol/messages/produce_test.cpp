// Produce: byte-exact classic and flexible vectors worked out from the protocol guide, round
// trips at every version, hostile lengths.
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

TEST(Produce, RoundTripEveryVersion) {
  testing::expect_round_trip_all_versions(sample_produce(), kProduceApi);
  testing::expect_round_trip_all_versions(sample_produce_response(), kProduceApi);
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
