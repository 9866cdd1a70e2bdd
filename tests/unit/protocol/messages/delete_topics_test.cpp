// DeleteTopics: byte-exact request and response vectors in a classic and (where the API has one) a
// flexible version, worked out by hand from Kafka's message schemas; the same vectors decoded
// and re-encoded; every truncation refused; populated messages round-tripped at every
// version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/delete_topics.h"

#include <optional>
#include <string>
#include <vector>

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
using testing::uuid_from;

// DeleteTopics (20): v0-6, flexible from v4. TopicNames exists in v0-5 only and Topics
// (name or id) from v6: FieldSpec::until bounds the former.

DeleteTopicsRequest delete_topics_request() {
  DeleteTopicsRequest req;
  req.topic_names = {"a", "logs"};                            // v0-5
  req.topics.push_back({{}, std::string("logs"), Uuid{}});    // v6+: by name
  req.topics.push_back({{}, std::nullopt, uuid_from(0x10)});  // v6+: by id
  req.timeout_ms = 15000;
  return req;
}

const Bytes kDeleteTopicsRequestV3 =
    hex("00 00 00 02 "                   // topic_names: 2
        "00 01 61 | 00 04 6c 6f 67 73 "  //   "a", "logs"
        "00 00 3a 98");                  // timeout_ms 15000

const Bytes kDeleteTopicsRequestV4 =
    hex("03 "                      // topic_names: compact 2
        "02 61 | 05 6c 6f 67 73 "  //   "a", "logs"
        "00 00 3a 98 "             // timeout_ms 15000
        "00");                     // tags

const Bytes kDeleteTopicsRequestV6 =
    hex("03 "                                               // topics: compact 2 (topic_names gone)
        "05 6c 6f 67 73 "                                   //   name "logs"
        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "  // topic_id zero
        "00 "                                               //   tags
        "00 "                                               //   name null
        "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "  // topic_id
        "00 "                                               //   tags
        "00 00 3a 98 "                                      // timeout_ms 15000
        "00");                                              // tags

DeleteTopicsResponse delete_topics_classic_response() {
  DeleteTopicsResponse resp;
  resp.throttle_time_ms = 7;
  resp.responses.push_back({{}, std::string("logs"), Uuid{}, 0, std::nullopt});
  resp.responses.push_back(
      {{}, std::string("a"), Uuid{}, 3, std::nullopt});  // UNKNOWN_TOPIC_OR_PARTITION
  return resp;
}

const Bytes kDeleteTopicsResponseV3 =
    hex("00 00 00 07 "                // throttle_time_ms 7 (v1+)
        "00 00 00 02 "                // responses: 2
        "00 04 6c 6f 67 73 | 00 00 "  //   "logs", error 0
        "00 01 61 | 00 03");          //   "a", error 3

DeleteTopicsResponse delete_topics_flexible_response() {
  DeleteTopicsResponse resp;
  resp.responses.push_back({{}, std::string("logs"), uuid_from(0x01), 0, std::nullopt});
  resp.responses.push_back(
      {{}, std::nullopt, uuid_from(0xa0), 100, std::string("gone")});  // UNKNOWN_TOPIC_ID
  return resp;
}

const Bytes kDeleteTopicsResponseV6 =
    hex("00 00 00 00 "                                      // throttle_time_ms 0
        "03 "                                               // responses: compact 2
        "05 6c 6f 67 73 "                                   //   name "logs"
        "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 "  // topic_id (v6+)
        "00 00 "                                            //   error 0
        "00 "                                               //   error_message null (v5+)
        "00 "                                               //   tags
        "00 "                                               //   name null (nullable from v6)
        "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "  // topic_id
        "00 64 "                                            //   error 100
        "05 67 6f 6e 65 "                                   //   error_message "gone"
        "00 "                                               //   tags
        "00");                                              // tags

TEST(DeleteTopicsCodec, RequestV3ListsTopicNames) {
  expect_wire(delete_topics_request(), 3, kDeleteTopicsRequestV3);
  auto back = decoded<DeleteTopicsRequest>(kDeleteTopicsRequestV3, 3);
  EXPECT_EQ(back.topic_names, (std::vector<std::string>{"a", "logs"}));
  EXPECT_TRUE(back.topics.empty());
}

TEST(DeleteTopicsCodec, RequestV4IsCompactTopicNames) {
  expect_wire(delete_topics_request(), 4, kDeleteTopicsRequestV4);
  expect_wire(delete_topics_request(), 5, kDeleteTopicsRequestV4);  // v5 request == v4
}

TEST(DeleteTopicsCodec, RequestV6ReplacesTopicNamesWithNameOrIdStates) {
  expect_wire(delete_topics_request(), 6, kDeleteTopicsRequestV6);
  auto back = decoded<DeleteTopicsRequest>(kDeleteTopicsRequestV6, 6);
  EXPECT_TRUE(back.topic_names.empty());
  ASSERT_EQ(back.topics.size(), 2u);
  EXPECT_EQ(back.topics[0].name, std::optional<std::string>("logs"));
  EXPECT_EQ(back.topics[1].name, std::nullopt);
  EXPECT_EQ(back.topics[1].topic_id, uuid_from(0x10));
}

TEST(DeleteTopicsCodec, ResponseV3HasThrottleNamesAndErrorCodes) {
  expect_wire(delete_topics_classic_response(), 3, kDeleteTopicsResponseV3);
  // v0 is the same without the throttle time.
  expect_wire(delete_topics_classic_response(), 0,
              Bytes(kDeleteTopicsResponseV3.begin() + 4, kDeleteTopicsResponseV3.end()));
}

TEST(DeleteTopicsCodec, ResponseV5AddsErrorMessagesToTheFlexibleLayout) {
  expect_wire(delete_topics_classic_response(), 4,
              hex("00 00 00 07 | 03 | 05 6c 6f 67 73 | 00 00 | 00 "  // "logs", error 0, tags
                  "02 61 | 00 03 | 00 | 00"));                       // "a", error 3, tags; tags
  expect_wire(delete_topics_classic_response(), 5,
              hex("00 00 00 07 | 03 | 05 6c 6f 67 73 | 00 00 | 00 | 00 "  // ..., message null, tags
                  "02 61 | 00 03 | 00 | 00 | 00"));
}

TEST(DeleteTopicsCodec, ResponseV6CarriesIdsNullNamesAndMessages) {
  expect_wire(delete_topics_flexible_response(), 6, kDeleteTopicsResponseV6);
  auto back = decoded<DeleteTopicsResponse>(kDeleteTopicsResponseV6, 6);
  ASSERT_EQ(back.responses.size(), 2u);
  EXPECT_EQ(back.responses[1].name, std::nullopt);
  EXPECT_EQ(back.responses[1].error_code, 100);
  EXPECT_EQ(back.responses[1].error_message, std::optional<std::string>("gone"));
}

TEST(DeleteTopicsCodec, NullTopicNameIsRefusedBeforeV6) {
  // v5 response: throttle, 1 result whose compact name is null (00).
  Bytes bytes = hex("00 00 00 00 | 02 | 00 | 00 00 | 00 | 00 | 00");
  auto status = decode_status<DeleteTopicsResponse>(bytes, 5);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), DecodeErrc::negative_length);
}

TEST(DeleteTopicsCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<DeleteTopicsRequest>(kDeleteTopicsRequestV3, 3);
  expect_every_truncation_fails<DeleteTopicsRequest>(kDeleteTopicsRequestV4, 4);
  expect_every_truncation_fails<DeleteTopicsRequest>(kDeleteTopicsRequestV6, 6);
  expect_every_truncation_fails<DeleteTopicsResponse>(kDeleteTopicsResponseV3, 3);
  expect_every_truncation_fails<DeleteTopicsResponse>(kDeleteTopicsResponseV6, 6);
}

TEST(DeleteTopicsCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(delete_topics_request(), kDeleteTopicsApi);
  auto resp = delete_topics_flexible_response();
  resp.throttle_time_ms = 12;
  resp.responses[0].error_message = "slow";
  expect_round_trip_all_versions(resp, kDeleteTopicsApi);
}

TEST(DeleteTopics, EncodesV3ByNameAndV6ByState) {
  DeleteTopicsRequest req;
  req.topic_names = {"t"};
  req.topics.push_back({{}, std::string("t"), {}});
  req.timeout_ms = 1000;
  EXPECT_EQ(to_hex(encoded(req, 3)), to_hex(hex("00 00 00 01 | 00 01 74 | 00 00 03 e8")));
  EXPECT_EQ(to_hex(encoded(req, 6)),
            to_hex(hex("02 | 02 74 | 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 | 00 | "
                       "00 00 03 e8 | 00")));
  DeleteTopicsResponse resp;
  resp.responses.push_back({{}, std::string("t"), {}, 3, std::nullopt});
  EXPECT_EQ(to_hex(encoded(resp, 4)), to_hex(hex("00 00 00 00 | 02 | 02 74 | 00 03 | 00 | 00")));
}

TEST(DeleteTopics, RoundTripEveryVersion) {
  DeleteTopicsRequest d;
  d.topic_names = {"a", "b"};
  d.topics.push_back({{}, std::string("a"), {}});
  testing::expect_round_trip_all_versions(d, kDeleteTopicsApi);
}

}  // namespace
}  // namespace sluice::protocol
