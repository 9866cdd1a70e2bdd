// DeleteRecords: byte-exact request and response vectors in a classic and (where the API has one) a
// flexible version, worked out by hand from Kafka's message schemas; the same vectors decoded
// and re-encoded; every truncation refused; populated messages round-tripped at every
// version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/delete_records.h"

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

// DeleteRecords (21): v0-2, flexible from v2.

DeleteRecordsRequest delete_records_request() {
  DeleteRecordsRequest req;
  req.topics.push_back({{}, "logs", {{{}, 0, 100}, {{}, 1, -1}}});  // -1: the high watermark
  req.timeout_ms = 5000;
  return req;
}

const Bytes kDeleteRecordsRequestV1 =
    hex("00 00 00 01 "                            // topics: 1
        "00 04 6c 6f 67 73 "                      //   name "logs"
        "00 00 00 02 "                            //   partitions: 2
        "00 00 00 00 | 00 00 00 00 00 00 00 64 "  // partition 0, offset 100
        "00 00 00 01 | ff ff ff ff ff ff ff ff "  // partition 1, offset -1
        "00 00 13 88");                           // timeout_ms 5000

const Bytes kDeleteRecordsRequestV2 =
    hex("02 "                                          // topics: compact 1
        "05 6c 6f 67 73 "                              //   name "logs"
        "03 "                                          //   partitions: 2
        "00 00 00 00 | 00 00 00 00 00 00 00 64 | 00 "  // partition 0, offset 100, tags
        "00 00 00 01 | ff ff ff ff ff ff ff ff | 00 "  // partition 1, offset -1, tags
        "00 "                                          //   tags
        "00 00 13 88 "                                 // timeout_ms 5000
        "00");                                         // tags

DeleteRecordsResponse delete_records_response() {
  DeleteRecordsResponse resp;
  resp.throttle_time_ms = 1;
  resp.topics.push_back({{}, "logs", {{{}, 0, 100, 0}, {{}, 1, -1, 1}}});  // OFFSET_OUT_OF_RANGE
  return resp;
}

const Bytes kDeleteRecordsResponseV0 =
    hex("00 00 00 01 "                                    // throttle_time_ms 1
        "00 00 00 01 "                                    // topics: 1
        "00 04 6c 6f 67 73 "                              //   name "logs"
        "00 00 00 02 "                                    //   partitions: 2
        "00 00 00 00 | 00 00 00 00 00 00 00 64 | 00 00 "  // partition 0, low watermark 100, error 0
        "00 00 00 01 | ff ff ff ff ff ff ff ff | 00 01");  // partition 1, -1, error 1

const Bytes kDeleteRecordsResponseV2 =
    hex("00 00 00 01 "     // throttle_time_ms 1
        "02 "              // topics: compact 1
        "05 6c 6f 67 73 "  //   name "logs"
        "03 "              //   partitions: 2
        "00 00 00 00 | 00 00 00 00 00 00 00 64 | 00 00 | 00 "
        "00 00 00 01 | ff ff ff ff ff ff ff ff | 00 01 | 00 "
        "00 "   //   tags
        "00");  // tags

TEST(DeleteRecordsCodec, RequestV1IsClassic) {
  expect_wire(delete_records_request(), 1, kDeleteRecordsRequestV1);
  expect_wire(delete_records_request(), 0, kDeleteRecordsRequestV1);  // v0 == v1
  auto back = decoded<DeleteRecordsRequest>(kDeleteRecordsRequestV1, 1);
  EXPECT_EQ(back.topics[0].partitions[1].offset, -1);
  EXPECT_EQ(back.timeout_ms, 5000);
}

TEST(DeleteRecordsCodec, RequestV2IsCompact) {
  expect_wire(delete_records_request(), 2, kDeleteRecordsRequestV2);
}

TEST(DeleteRecordsCodec, ResponseV0CarriesLowWatermarks) {
  expect_wire(delete_records_response(), 0, kDeleteRecordsResponseV0);
  auto back = decoded<DeleteRecordsResponse>(kDeleteRecordsResponseV0, 0);
  EXPECT_EQ(back.topics[0].partitions[0].low_watermark, 100);
  EXPECT_EQ(back.topics[0].partitions[1].error_code, 1);
}

TEST(DeleteRecordsCodec, ResponseV2IsCompact) {
  expect_wire(delete_records_response(), 2, kDeleteRecordsResponseV2);
}

TEST(DeleteRecordsCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<DeleteRecordsRequest>(kDeleteRecordsRequestV1, 1);
  expect_every_truncation_fails<DeleteRecordsRequest>(kDeleteRecordsRequestV2, 2);
  expect_every_truncation_fails<DeleteRecordsResponse>(kDeleteRecordsResponseV0, 0);
  expect_every_truncation_fails<DeleteRecordsResponse>(kDeleteRecordsResponseV2, 2);
}

TEST(DeleteRecordsCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(delete_records_request(), kDeleteRecordsApi);
  expect_round_trip_all_versions(delete_records_response(), kDeleteRecordsApi);
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

TEST(DeleteRecords, RoundTripEveryVersion) {
  DeleteRecordsResponse d;
  d.topics.push_back({{}, "t", {{{}, 0, 9, 0}}});
  testing::expect_round_trip_all_versions(d, kDeleteRecordsApi);
}

}  // namespace
}  // namespace sluice::protocol
