// CreateTopics: byte-exact request and response vectors in a classic and (where the API has one) a
// flexible version, worked out by hand from Kafka's message schemas; the same vectors decoded
// and re-encoded; every truncation refused; populated messages round-tripped at every
// version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/create_topics.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
using testing::uuid_from;

// CreateTopics (19): v0-7, flexible from v5.

CreateTopicsRequest create_topics_request() {
  CreateTopicsRequest req;
  CreatableTopic t;
  t.name = "logs";
  t.num_partitions = -1;  // manual assignment below
  t.replication_factor = -1;
  t.assignments.push_back({{}, 0, {1, 2}});
  t.configs.push_back({{}, "x", std::string("1")});
  t.configs.push_back({{}, "y", std::nullopt});  // null value: use the default
  req.topics.push_back(t);
  req.timeout_ms = 30000;
  req.validate_only = true;
  return req;
}

const Bytes kCreateTopicsRequestV1 =
    hex("00 00 00 01 "                          // topics: 1
        "00 04 6c 6f 67 73 "                    //   name "logs"
        "ff ff ff ff "                          //   num_partitions -1
        "ff ff "                                //   replication_factor -1
        "00 00 00 01 "                          //   assignments: 1
        "00 00 00 00 "                          //     partition_index 0
        "00 00 00 02 00 00 00 01 00 00 00 02 "  // broker_ids [1, 2]
        "00 00 00 02 "                          //   configs: 2
        "00 01 78 | 00 01 31 "                  //     "x" = "1"
        "00 01 79 | ff ff "                     //     "y" = null
        "00 00 75 30 "                          // timeout_ms 30000
        "01");                                  // validate_only (v1+)

const Bytes kCreateTopicsRequestV5 =
    hex("02 "                          // topics: compact 1
        "05 6c 6f 67 73 "              //   name "logs"
        "ff ff ff ff "                 //   num_partitions -1
        "ff ff "                       //   replication_factor -1
        "02 "                          //   assignments: 1
        "00 00 00 00 "                 //     partition_index 0
        "03 00 00 00 01 00 00 00 02 "  //     broker_ids [1, 2]
        "00 "                          //     tags
        "03 "                          //   configs: 2
        "02 78 | 02 31 | 00 "          //     "x" = "1", tags
        "02 79 | 00 | 00 "             //     "y" = null, tags
        "00 "                          //   topic tags
        "00 00 75 30 "                 // timeout_ms 30000
        "01 "                          // validate_only
        "00");                         // tags

CreateTopicsResponse create_topics_response() {
  CreateTopicsResponse resp;
  resp.throttle_time_ms = 100;
  CreatableTopicResult ok;
  ok.name = "logs";
  ok.topic_id = uuid_from(0x00);
  ok.num_partitions = 3;
  ok.replication_factor = 2;
  ok.configs = std::vector<CreatableTopicConfigs>{{{}, "x", std::string("1"), false, 1, false}};
  resp.topics.push_back(ok);
  CreatableTopicResult no_configs;  // created, but its configs could not be described
  no_configs.name = "x";
  no_configs.error_message = "cfg";
  no_configs.topic_config_error_code = 29;  // TOPIC_AUTHORIZATION_FAILED
  no_configs.num_partitions = 1;
  no_configs.replication_factor = 1;
  resp.topics.push_back(no_configs);
  return resp;
}

const Bytes kCreateTopicsResponseV2 =
    hex("00 00 00 64 "                         // throttle_time_ms 100 (v2+)
        "00 00 00 02 "                         // topics: 2
        "00 04 6c 6f 67 73 | 00 00 | ff ff "   // "logs", error 0, error_message null
        "00 01 78 | 00 00 | 00 03 63 66 67");  // "x", error 0, "cfg"

const Bytes kCreateTopicsResponseV7 =
    hex("00 00 00 64 "                                      // throttle_time_ms 100
        "03 "                                               // topics: compact 2
        "05 6c 6f 67 73 "                                   //   name "logs"
        "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "  // topic_id (v7+)
        "00 00 "                                            //   error_code 0
        "00 "                                               //   error_message null
        "00 00 00 03 "                                      //   num_partitions 3
        "00 02 "                                            //   replication_factor 2
        "02 "                                               //   configs: 1
        "02 78 | 02 31 | 00 | 01 | 00 | 00 "  // "x" = "1", read_only, source 1, sensitive, tags
        "00 "                                 //   tags: none (no topic_config_error_code)
        "02 78 "                              //   name "x"
        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "  // topic_id zero
        "00 00 "                                            //   error_code 0
        "04 63 66 67 "                                      //   error_message "cfg"
        "00 00 00 01 "                                      //   num_partitions 1
        "00 01 "                                            //   replication_factor 1
        "00 "                                               //   configs null
        "01 | 00 | 02 | 00 1d "  //   tags: 1; tag 0 topic_config_error_code, 2 bytes, 29
        "00");                   // tags

TEST(CreateTopicsCodec, RequestV1IsClassicWithValidateOnly) {
  expect_wire(create_topics_request(), 1, kCreateTopicsRequestV1);
  auto back = decoded<CreateTopicsRequest>(kCreateTopicsRequestV1, 1);
  ASSERT_EQ(back.topics.size(), 1u);
  ASSERT_EQ(back.topics[0].configs.size(), 2u);
  EXPECT_EQ(back.topics[0].configs[0].value, std::optional<std::string>("1"));
  EXPECT_EQ(back.topics[0].configs[1].value, std::nullopt);
  EXPECT_EQ(back.topics[0].assignments[0].broker_ids, (std::vector<int32_t>{1, 2}));
  EXPECT_TRUE(back.validate_only);
}

TEST(CreateTopicsCodec, RequestV0HasNoValidateOnly) {
  Bytes v0(kCreateTopicsRequestV1.begin(), kCreateTopicsRequestV1.end() - 1);
  expect_wire(create_topics_request(), 0, v0);
  EXPECT_FALSE(decoded<CreateTopicsRequest>(v0, 0).validate_only);
}

TEST(CreateTopicsCodec, RequestV5IsCompactWithTagSections) {
  expect_wire(create_topics_request(), 5, kCreateTopicsRequestV5);
  // v6 and v7 requests are laid out exactly like v5.
  expect_wire(create_topics_request(), 6, kCreateTopicsRequestV5);
  expect_wire(create_topics_request(), 7, kCreateTopicsRequestV5);
}

TEST(CreateTopicsCodec, ResponseV2CarriesThrottleAndMessagesButNoV5Fields) {
  expect_wire(create_topics_response(), 2, kCreateTopicsResponseV2);
  auto back = decoded<CreateTopicsResponse>(kCreateTopicsResponseV2, 2);
  EXPECT_EQ(back.throttle_time_ms, 100);
  EXPECT_EQ(back.topics[0].error_message, std::nullopt);
  EXPECT_EQ(back.topics[1].error_message, std::optional<std::string>("cfg"));
  EXPECT_EQ(back.topics[0].num_partitions, -1);  // not on the wire before v5: the default
}

TEST(CreateTopicsCodec, ResponseV0HasOnlyNamesAndErrorCodes) {
  expect_wire(create_topics_response(), 0,
              hex("00 00 00 02 | 00 04 6c 6f 67 73 | 00 00 | 00 01 78 | 00 00"));
}

TEST(CreateTopicsCodec, ResponseV7CarriesTopicIdConfigsAndTaggedConfigErrorCode) {
  expect_wire(create_topics_response(), 7, kCreateTopicsResponseV7);
  auto back = decoded<CreateTopicsResponse>(kCreateTopicsResponseV7, 7);
  ASSERT_EQ(back.topics.size(), 2u);
  EXPECT_EQ(back.topics[0].topic_id, uuid_from(0x00));
  EXPECT_EQ(back.topics[0].topic_config_error_code, std::nullopt);
  ASSERT_TRUE(back.topics[0].configs.has_value());
  EXPECT_EQ((*back.topics[0].configs)[0].config_source, 1);
  EXPECT_EQ(back.topics[1].topic_config_error_code, std::optional<int16_t>(29));
  EXPECT_FALSE(back.topics[1].configs.has_value());
  EXPECT_TRUE(back.topics[1].unknown_tags.empty());
}

TEST(CreateTopicsCodec, ResponseV5IsV7WithoutTopicIds) {
  auto expected =
      hex("00 00 00 64 | 03 "
          "05 6c 6f 67 73 | 00 00 | 00 | 00 00 00 03 | 00 02 "  // "logs": no topic_id before v7
          "02 | 02 78 02 31 00 01 00 00 | 00 "
          "02 78 | 00 00 | 04 63 66 67 | 00 00 00 01 | 00 01 | 00 "  // "x"
          "01 00 02 00 1d | 00");
  expect_wire(create_topics_response(), 5, expected);
  expect_wire(create_topics_response(), 6, expected);
}

TEST(CreateTopicsCodec, UnknownTagOnATopicResultSurvivesReencoding) {
  Bytes bytes =
      hex("00 00 00 00 | 02 | 02 78 | 00 00 | 00 | 00 00 00 01 | 00 01 | 01 "
          "02 | 00 02 00 07 | 05 01 ab "  // tag 0 = 7, then unknown tag 5 (1 byte ab)
          "00");
  auto back = decoded<CreateTopicsResponse>(bytes, 5);
  EXPECT_EQ(back.topics[0].topic_config_error_code, std::optional<int16_t>(7));
  ASSERT_EQ(back.topics[0].unknown_tags.size(), 1u);
  EXPECT_EQ(back.topics[0].unknown_tags[0].tag, 5u);
  EXPECT_EQ(to_hex(encoded(back, 5)), to_hex(bytes));
}

TEST(CreateTopicsCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<CreateTopicsRequest>(kCreateTopicsRequestV1, 1);
  expect_every_truncation_fails<CreateTopicsRequest>(kCreateTopicsRequestV5, 5);
  expect_every_truncation_fails<CreateTopicsResponse>(kCreateTopicsResponseV2, 2);
  expect_every_truncation_fails<CreateTopicsResponse>(kCreateTopicsResponseV7, 7);
}

TEST(CreateTopicsCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  auto req = create_topics_request();
  req.topics.push_back({{}, "more", 6, 3, {}, {}});
  expect_round_trip_all_versions(req, kCreateTopicsApi);
  auto resp = create_topics_response();
  resp.topics[0].error_code = 36;  // TOPIC_ALREADY_EXISTS
  resp.topics[0].unknown_tags.push_back({9, {1, 2, 3}});
  expect_round_trip_all_versions(resp, kCreateTopicsApi);
}

CreateTopicsRequest sample_create() {
  CreateTopicsRequest req;
  CreatableTopic t;
  t.name = "t";
  t.num_partitions = 3;
  t.replication_factor = 1;
  t.configs.push_back({{}, "retention.ms", "1000"});
  req.topics.push_back(t);
  req.timeout_ms = 5000;
  req.validate_only = true;
  return req;
}

TEST(CreateTopics, EncodesV4RequestClassic) {
  auto expected =
      hex("00 00 00 01 | 00 01 74 | 00 00 00 03 | 00 01 "  // topic "t", 3 partitions, rf 1
          "00 00 00 00 "                                   // assignments: none
          "00 00 00 01 | 00 0c 72 65 74 65 6e 74 69 6f 6e 2e 6d 73 | 00 04 31 30 30 30 "  // config
          "00 00 13 88 | 01");  // timeout 5000, validate_only
  EXPECT_EQ(to_hex(encoded(sample_create(), 4)), to_hex(expected));
}

TEST(CreateTopics, EncodesV5RequestFlexible) {
  auto expected =
      hex("02 | 02 74 | 00 00 00 03 | 00 01 | 01 "
          "02 | 0d 72 65 74 65 6e 74 69 6f 6e 2e 6d 73 | 05 31 30 30 30 | 00 "  // config + tags
          "00 "                                                                 // topic tags
          "00 00 13 88 | 01 | 00");
  EXPECT_EQ(to_hex(encoded(sample_create(), 5)), to_hex(expected));
}

TEST(CreateTopics, EncodesV5ResponseWithTaggedConfigErrorCode) {
  CreateTopicsResponse resp;
  CreatableTopicResult r;
  r.name = "t";
  r.error_code = 36;  // TOPIC_ALREADY_EXISTS
  r.error_message = "exists";
  r.topic_config_error_code = 0;
  resp.topics.push_back(r);
  auto expected =
      hex("00 00 00 00 | 02 | 02 74 | 00 24 | 07 65 78 69 73 74 73 "
          "ff ff ff ff | ff ff | 00 "  // num_partitions -1, rf -1, configs null
          "01 | 00 | 02 | 00 00 "      // 1 tagged field: tag 0, 2 bytes: int16 0
          "00");
  EXPECT_EQ(to_hex(encoded(resp, 5)), to_hex(expected));
  auto back = decoded<CreateTopicsResponse>(expected, 5);
  EXPECT_EQ(back.topics[0].topic_config_error_code, std::optional<int16_t>(0));
}

TEST(CreateTopics, RoundTripEveryVersion) {
  auto req = sample_create();
  req.topics[0].assignments.push_back({{}, 0, {1, 2}});
  testing::expect_round_trip_all_versions(req, kCreateTopicsApi);
  CreateTopicsResponse resp;
  CreatableTopicResult r;
  r.name = "t";
  r.configs = std::vector<CreatableTopicConfigs>{{{}, "retention.ms", "1", false, 5, false}};
  resp.topics.push_back(r);
  testing::expect_round_trip_all_versions(resp, kCreateTopicsApi);
}

}  // namespace
}  // namespace sluice::protocol
