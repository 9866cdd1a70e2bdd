// Admin and auxiliary APIs: CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
// AlterConfigs, IncrementalAlterConfigs, DeleteRecords, InitProducerId, OffsetForLeaderEpoch,
// SaslHandshake, SaslAuthenticate and DescribeCluster.
//
// For each API: byte-exact request and response vectors in a classic and (where the API
// has one) a flexible version, worked out by hand from Kafka's message schemas; the same
// vectors decoded and re-encoded; every truncation of them refused; and populated
// messages round-tripped at every version the codec supports.
//
// Notation in the vectors: classic strings are int16 length + bytes, classic arrays/bytes
// int32 count; compact strings/arrays/bytes are uvarint(N+1) (so 00 is null, 01 empty),
// and every struct in a flexible version ends with its tag section (00 = no tags).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/messages/alter_configs.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/incremental_alter_configs.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "protocol/messages/sasl.h"
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip_all_versions;
using testing::hex;
using testing::to_hex;

// `m` encodes at `version` to exactly `expected`, and `expected` decodes (consuming every
// byte) to a message that encodes to the same bytes again.
template <class M>
void expect_wire(const M& m, int16_t version, const Bytes& expected) {
  SCOPED_TRACE("v" + std::to_string(version));
  EXPECT_EQ(to_hex(encoded(m, version)), to_hex(expected));
  EXPECT_EQ(to_hex(encoded(decoded<M>(expected, version), version)), to_hex(expected));
}

template <class M>
Status decode_status(const Bytes& bytes, int16_t version) {
  M m;
  ByteReader r(bytes);
  return decode(m, r, version);
}

// 16 consecutive bytes starting at `first` (a recognisable topic id).
Uuid uuid_from(uint8_t first) {
  Uuid id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(first + i);
  return id;
}

// =======================================================================================
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

// =======================================================================================
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

// =======================================================================================
// CreatePartitions (37): v0-3, flexible from v2.

CreatePartitionsRequest create_partitions_request() {
  CreatePartitionsRequest req;
  req.topics.push_back(
      {{}, "logs", 6, std::vector<CreatePartitionsAssignment>{{{}, {1, 2}}, {{}, {2, 3}}}});
  req.topics.push_back({{}, "a", 2, std::nullopt});  // broker chooses the replicas
  req.timeout_ms = 10000;
  req.validate_only = false;
  return req;
}

const Bytes kCreatePartitionsRequestV1 =
    hex("00 00 00 02 "                          // topics: 2
        "00 04 6c 6f 67 73 "                    //   name "logs"
        "00 00 00 06 "                          //   count 6
        "00 00 00 02 "                          //   assignments: 2
        "00 00 00 02 00 00 00 01 00 00 00 02 "  // broker_ids [1, 2]
        "00 00 00 02 00 00 00 02 00 00 00 03 "  // broker_ids [2, 3]
        "00 01 61 "                             //   name "a"
        "00 00 00 02 "                          //   count 2
        "ff ff ff ff "                          //   assignments null
        "00 00 27 10 "                          // timeout_ms 10000
        "00");                                  // validate_only false

const Bytes kCreatePartitionsRequestV2 =
    hex("03 "                               // topics: compact 2
        "05 6c 6f 67 73 "                   //   name "logs"
        "00 00 00 06 "                      //   count 6
        "03 "                               //   assignments: 2
        "03 00 00 00 01 00 00 00 02 | 00 "  //   broker_ids [1, 2], tags
        "03 00 00 00 02 00 00 00 03 | 00 "  //   broker_ids [2, 3], tags
        "00 "                               //   tags
        "02 61 "                            //   name "a"
        "00 00 00 02 "                      //   count 2
        "00 "                               //   assignments null
        "00 "                               //   tags
        "00 00 27 10 "                      // timeout_ms 10000
        "00 "                               // validate_only false
        "00");                              // tags

CreatePartitionsResponse create_partitions_response() {
  CreatePartitionsResponse resp;
  resp.throttle_time_ms = 5;
  resp.results.push_back({{}, "logs", 0, std::nullopt});
  resp.results.push_back({{}, "a", 37, std::string("shrink")});  // INVALID_PARTITIONS
  return resp;
}

const Bytes kCreatePartitionsResponseV0 =
    hex("00 00 00 05 "                                  // throttle_time_ms 5
        "00 00 00 02 "                                  // results: 2
        "00 04 6c 6f 67 73 | 00 00 | ff ff "            // "logs", error 0, message null
        "00 01 61 | 00 25 | 00 06 73 68 72 69 6e 6b");  // "a", error 37, "shrink"

const Bytes kCreatePartitionsResponseV2 =
    hex("00 00 00 05 "                                // throttle_time_ms 5
        "03 "                                         // results: compact 2
        "05 6c 6f 67 73 | 00 00 | 00 | 00 "           // "logs", error 0, message null, tags
        "02 61 | 00 25 | 07 73 68 72 69 6e 6b | 00 "  // "a", error 37, "shrink", tags
        "00");                                        // tags

TEST(CreatePartitionsCodec, RequestV1HasNullableAssignments) {
  expect_wire(create_partitions_request(), 1, kCreatePartitionsRequestV1);
  expect_wire(create_partitions_request(), 0, kCreatePartitionsRequestV1);  // v0 == v1
  auto back = decoded<CreatePartitionsRequest>(kCreatePartitionsRequestV1, 1);
  ASSERT_TRUE(back.topics[0].assignments.has_value());
  EXPECT_EQ((*back.topics[0].assignments)[1].broker_ids, (std::vector<int32_t>{2, 3}));
  EXPECT_FALSE(back.topics[1].assignments.has_value());
}

TEST(CreatePartitionsCodec, RequestV2IsCompactWithNullAsZero) {
  expect_wire(create_partitions_request(), 2, kCreatePartitionsRequestV2);
  expect_wire(create_partitions_request(), 3, kCreatePartitionsRequestV2);  // v3 == v2
  EXPECT_FALSE(
      decoded<CreatePartitionsRequest>(kCreatePartitionsRequestV2, 2).topics[1].assignments);
}

TEST(CreatePartitionsCodec, ResponseV0HasThrottleAndNullableMessages) {
  expect_wire(create_partitions_response(), 0, kCreatePartitionsResponseV0);
  auto back = decoded<CreatePartitionsResponse>(kCreatePartitionsResponseV0, 0);
  EXPECT_EQ(back.results[0].error_message, std::nullopt);
  EXPECT_EQ(back.results[1].error_message, std::optional<std::string>("shrink"));
}

TEST(CreatePartitionsCodec, ResponseV2IsCompact) {
  expect_wire(create_partitions_response(), 2, kCreatePartitionsResponseV2);
}

TEST(CreatePartitionsCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<CreatePartitionsRequest>(kCreatePartitionsRequestV1, 1);
  expect_every_truncation_fails<CreatePartitionsRequest>(kCreatePartitionsRequestV2, 2);
  expect_every_truncation_fails<CreatePartitionsResponse>(kCreatePartitionsResponseV0, 0);
  expect_every_truncation_fails<CreatePartitionsResponse>(kCreatePartitionsResponseV2, 2);
}

TEST(CreatePartitionsCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  auto req = create_partitions_request();
  req.validate_only = true;
  expect_round_trip_all_versions(req, kCreatePartitionsApi);
  expect_round_trip_all_versions(create_partitions_response(), kCreatePartitionsApi);
}

// =======================================================================================
// DescribeConfigs (32): v0-4, flexible from v4.

DescribeConfigsRequest describe_configs_request() {
  DescribeConfigsRequest req;
  req.resources.push_back({{}, kResourceTopic, "logs", std::vector<std::string>{"retention.ms"}});
  req.resources.push_back({{}, kResourceBroker, "1", std::nullopt});  // every key
  req.include_synonyms = true;
  req.include_documentation = true;
  return req;
}

const Bytes kDescribeConfigsRequestV3 =
    hex("00 00 00 02 "                                              // resources: 2
        "02 | 00 04 6c 6f 67 73 "                                   //   type 2 (topic), name "logs"
        "00 00 00 01 | 00 0c 72 65 74 65 6e 74 69 6f 6e 2e 6d 73 "  // keys ["retention.ms"]
        "04 | 00 01 31 | ff ff ff ff "  //   type 4 (broker), name "1", keys null
        "01 "                           // include_synonyms (v1+)
        "01");                          // include_documentation (v3+)

const Bytes kDescribeConfigsRequestV4 =
    hex("03 "                                                // resources: compact 2
        "02 | 05 6c 6f 67 73 "                               //   type 2, name "logs"
        "02 | 0d 72 65 74 65 6e 74 69 6f 6e 2e 6d 73 | 00 "  // keys ["retention.ms"], tags
        "04 | 02 31 | 00 | 00 "                              //   type 4, name "1", keys null, tags
        "01 | 01 "  // include_synonyms, include_documentation
        "00");      // tags

DescribeConfigsResponse describe_configs_response() {
  DescribeConfigsResponse resp;
  resp.throttle_time_ms = 3;
  DescribeConfigsResult r;
  r.resource_type = kResourceTopic;
  r.resource_name = "logs";
  DescribeConfigsResourceResult x;
  x.name = "x";
  x.value = "1";
  x.config_source = 1;  // DYNAMIC_TOPIC_CONFIG
  x.synonyms.push_back({{}, "x", std::string("1"), 1});
  x.synonyms.push_back({{}, "y", std::string("2"), 5});
  x.config_type = 5;  // LONG
  x.documentation = "doc";
  r.configs.push_back(x);
  DescribeConfigsResourceResult p;
  p.name = "p";
  p.value = std::nullopt;  // sensitive: hidden
  p.read_only = true;
  p.is_default = true;
  p.config_source = 4;  // STATIC_BROKER_CONFIG
  p.is_sensitive = true;
  p.config_type = 9;  // PASSWORD
  p.documentation = std::nullopt;
  r.configs.push_back(p);
  resp.results.push_back(r);
  return resp;
}

const Bytes kDescribeConfigsResponseV0 =
    hex("00 00 00 03 "                         // throttle_time_ms 3
        "00 00 00 01 "                         // results: 1
        "00 00 | ff ff "                       //   error 0, message null
        "02 | 00 04 6c 6f 67 73 "              //   type 2, name "logs"
        "00 00 00 02 "                         //   configs: 2
        "00 01 78 | 00 01 31 | 00 | 00 | 00 "  // "x" = "1", read_only, is_default (v0), sensitive
        "00 01 70 | ff ff | 01 | 01 | 01");    // "p" = null, read_only, is_default, sensitive

const Bytes kDescribeConfigsResponseV3 =
    hex("00 00 00 03 "  // throttle_time_ms 3
        "00 00 00 01 "  // results: 1
        "00 00 | ff ff | 02 | 00 04 6c 6f 67 73 "
        "00 00 00 02 "               //   configs: 2
        "00 01 78 | 00 01 31 | 00 "  //     "x" = "1", read_only
        "01 | 00 "                   //     config_source 1 (v1+), sensitive
        "00 00 00 02 "               //     synonyms: 2 (v1+)
        "00 01 78 | 00 01 31 | 01 "  //       "x" = "1", source 1
        "00 01 79 | 00 01 32 | 05 "  //       "y" = "2", source 5
        "05 | 00 03 64 6f 63 "       //     config_type 5, documentation "doc" (v3+)
        "00 01 70 | ff ff | 01 "     //     "p" = null, read_only
        "04 | 01 "                   //     config_source 4, sensitive
        "00 00 00 00 "               //     synonyms: 0
        "09 | ff ff");               //     config_type 9, documentation null

const Bytes kDescribeConfigsResponseV4 =
    hex("00 00 00 03 "                       // throttle_time_ms 3
        "02 "                                // results: compact 1
        "00 00 | 00 | 02 | 05 6c 6f 67 73 "  // error 0, message null, type 2, "logs"
        "03 "                                //   configs: 2
        "02 78 | 02 31 | 00 | 01 | 00 "      //     "x" = "1", read_only, source 1, sensitive
        "03 | 02 78 02 31 01 00 | 02 79 02 32 05 00 "  // synonyms: 2, each with tags
        "05 | 04 64 6f 63 | 00 "                       //     config_type 5, "doc", tags
        "02 70 | 00 | 01 | 04 | 01 "  //     "p" = null, read_only, source 4, sensitive
        "01 | 09 | 00 | 00 "          //     synonyms: 0, type 9, doc null, tags
        "00 "                         //   tags
        "00");                        // tags

TEST(DescribeConfigsCodec, RequestV3HasSynonymAndDocumentationFlags) {
  expect_wire(describe_configs_request(), 3, kDescribeConfigsRequestV3);
  auto back = decoded<DescribeConfigsRequest>(kDescribeConfigsRequestV3, 3);
  EXPECT_EQ(back.resources[0].configuration_keys,
            std::optional<std::vector<std::string>>({"retention.ms"}));
  EXPECT_FALSE(back.resources[1].configuration_keys.has_value());
  EXPECT_TRUE(back.include_synonyms);
  EXPECT_TRUE(back.include_documentation);
}

TEST(DescribeConfigsCodec, RequestV0HasNeitherFlag) {
  expect_wire(describe_configs_request(), 0,
              Bytes(kDescribeConfigsRequestV3.begin(), kDescribeConfigsRequestV3.end() - 2));
}

TEST(DescribeConfigsCodec, RequestV1HasSynonymFlagOnly) {
  expect_wire(describe_configs_request(), 1,
              Bytes(kDescribeConfigsRequestV3.begin(), kDescribeConfigsRequestV3.end() - 1));
}

TEST(DescribeConfigsCodec, RequestV4IsCompact) {
  expect_wire(describe_configs_request(), 4, kDescribeConfigsRequestV4);
}

TEST(DescribeConfigsCodec, ResponseV0HasIsDefaultAndNoSources) {
  expect_wire(describe_configs_response(), 0, kDescribeConfigsResponseV0);
  auto back = decoded<DescribeConfigsResponse>(kDescribeConfigsResponseV0, 0);
  EXPECT_TRUE(back.results[0].configs[1].is_default);
  EXPECT_EQ(back.results[0].configs[1].config_source, -1);  // not on the wire in v0
}

TEST(DescribeConfigsCodec, ResponseV1ReplacesIsDefaultWithSourceAndSynonyms) {
  auto expected =
      hex("00 00 00 03 | 00 00 00 01 | 00 00 | ff ff | 02 | 00 04 6c 6f 67 73 | 00 00 00 02 "
          "00 01 78 | 00 01 31 | 00 | 01 | 00 "  // "x" = "1", read_only, source 1, sensitive
          "00 00 00 02 | 00 01 78 00 01 31 01 | 00 01 79 00 01 32 05 "  // synonyms; no type/doc
          "00 01 70 | ff ff | 01 | 04 | 01 | 00 00 00 00");  // "p": no is_default after v0
  expect_wire(describe_configs_response(), 1, expected);
  expect_wire(describe_configs_response(), 2, expected);  // v2 == v1
  EXPECT_FALSE(decoded<DescribeConfigsResponse>(expected, 1).results[0].configs[1].is_default);
}

TEST(DescribeConfigsCodec, ResponseV3HasSourcesSynonymsTypesAndDocumentation) {
  expect_wire(describe_configs_response(), 3, kDescribeConfigsResponseV3);
  auto back = decoded<DescribeConfigsResponse>(kDescribeConfigsResponseV3, 3);
  const auto& x = back.results[0].configs[0];
  EXPECT_FALSE(x.is_default);  // v0 only
  ASSERT_EQ(x.synonyms.size(), 2u);
  EXPECT_EQ(x.synonyms[1].source, 5);
  EXPECT_EQ(x.documentation, std::optional<std::string>("doc"));
  EXPECT_EQ(back.results[0].configs[1].documentation, std::nullopt);
}

TEST(DescribeConfigsCodec, ResponseV4IsCompact) {
  expect_wire(describe_configs_response(), 4, kDescribeConfigsResponseV4);
}

TEST(DescribeConfigsCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<DescribeConfigsRequest>(kDescribeConfigsRequestV3, 3);
  expect_every_truncation_fails<DescribeConfigsRequest>(kDescribeConfigsRequestV4, 4);
  expect_every_truncation_fails<DescribeConfigsResponse>(kDescribeConfigsResponseV0, 0);
  expect_every_truncation_fails<DescribeConfigsResponse>(kDescribeConfigsResponseV3, 3);
  expect_every_truncation_fails<DescribeConfigsResponse>(kDescribeConfigsResponseV4, 4);
}

TEST(DescribeConfigsCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(describe_configs_request(), kDescribeConfigsApi);
  auto resp = describe_configs_response();
  resp.results.push_back({{}, 29, std::string("denied"), kResourceBroker, "1", {}});
  expect_round_trip_all_versions(resp, kDescribeConfigsApi);
}

// =======================================================================================
// AlterConfigs (33): v0-2, flexible from v2.

AlterConfigsRequest alter_configs_request() {
  AlterConfigsRequest req;
  req.resources.push_back(
      {{}, kResourceTopic, "logs", {{{}, "x", std::string("1")}, {{}, "y", std::nullopt}}});
  req.validate_only = true;
  return req;
}

const Bytes kAlterConfigsRequestV1 =
    hex("00 00 00 01 "             // resources: 1
        "02 | 00 04 6c 6f 67 73 "  //   type 2 (topic), name "logs"
        "00 00 00 02 "             //   configs: 2
        "00 01 78 | 00 01 31 "     //     "x" = "1"
        "00 01 79 | ff ff "        //     "y" = null
        "01");                     // validate_only

const Bytes kAlterConfigsRequestV2 =
    hex("02 "                   // resources: compact 1
        "02 | 05 6c 6f 67 73 "  //   type 2, name "logs"
        "03 "                   //   configs: 2
        "02 78 | 02 31 | 00 "   //     "x" = "1", tags
        "02 79 | 00 | 00 "      //     "y" = null, tags
        "00 "                   //   tags
        "01 "                   // validate_only
        "00");                  // tags

AlterConfigsResponse alter_configs_response() {
  AlterConfigsResponse resp;
  resp.throttle_time_ms = 9;
  resp.responses.push_back({{}, 0, std::nullopt, kResourceTopic, "logs"});
  resp.responses.push_back({{}, 40, std::string("bad"), kResourceBroker, "1"});  // INVALID_CONFIG
  return resp;
}

const Bytes kAlterConfigsResponseV0 =
    hex("00 00 00 09 "                              // throttle_time_ms 9
        "00 00 00 02 "                              // responses: 2
        "00 00 | ff ff | 02 | 00 04 6c 6f 67 73 "   // error 0, null, topic "logs"
        "00 28 | 00 03 62 61 64 | 04 | 00 01 31");  // error 40, "bad", broker "1"

const Bytes kAlterConfigsResponseV2 =
    hex("00 00 00 09 "                            // throttle_time_ms 9
        "03 "                                     // responses: compact 2
        "00 00 | 00 | 02 | 05 6c 6f 67 73 | 00 "  // error 0, null, topic "logs", tags
        "00 28 | 04 62 61 64 | 04 | 02 31 | 00 "  // error 40, "bad", broker "1", tags
        "00");                                    // tags

TEST(AlterConfigsCodec, RequestV1IsClassicWithNullableValues) {
  expect_wire(alter_configs_request(), 1, kAlterConfigsRequestV1);
  expect_wire(alter_configs_request(), 0, kAlterConfigsRequestV1);  // v0 == v1
  auto back = decoded<AlterConfigsRequest>(kAlterConfigsRequestV1, 1);
  EXPECT_EQ(back.resources[0].configs[1].value, std::nullopt);
}

TEST(AlterConfigsCodec, RequestV2IsCompact) {
  expect_wire(alter_configs_request(), 2, kAlterConfigsRequestV2);
}

TEST(AlterConfigsCodec, ResponseV0CarriesPerResourceErrors) {
  expect_wire(alter_configs_response(), 0, kAlterConfigsResponseV0);
  auto back = decoded<AlterConfigsResponse>(kAlterConfigsResponseV0, 0);
  EXPECT_EQ(back.responses[1].error_code, 40);
  EXPECT_EQ(back.responses[1].error_message, std::optional<std::string>("bad"));
}

TEST(AlterConfigsCodec, ResponseV2IsCompact) {
  expect_wire(alter_configs_response(), 2, kAlterConfigsResponseV2);
}

TEST(AlterConfigsCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<AlterConfigsRequest>(kAlterConfigsRequestV1, 1);
  expect_every_truncation_fails<AlterConfigsRequest>(kAlterConfigsRequestV2, 2);
  expect_every_truncation_fails<AlterConfigsResponse>(kAlterConfigsResponseV0, 0);
  expect_every_truncation_fails<AlterConfigsResponse>(kAlterConfigsResponseV2, 2);
}

TEST(AlterConfigsCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(alter_configs_request(), kAlterConfigsApi);
  expect_round_trip_all_versions(alter_configs_response(), kAlterConfigsApi);
}

// =======================================================================================
// IncrementalAlterConfigs (44): v0-1, flexible from v1 (Kafka's IncrementalAlterConfigs
// Request/Response.json): like AlterConfigs plus an int8 config_operation per entry.

IncrementalAlterConfigsRequest incremental_alter_configs_request() {
  IncrementalAlterConfigsRequest req;
  req.resources.push_back({{},
                           kResourceTopic,
                           "logs",
                           {{{}, "x", kConfigOpSet, std::string("1")},
                            {{}, "y", kConfigOpDelete, std::nullopt},
                            {{}, "z", kConfigOpAppend, std::string("a")}}});
  req.validate_only = false;
  return req;
}

const Bytes kIncrementalAlterConfigsRequestV0 =
    hex("00 00 00 01 "               // resources: 1
        "02 | 00 04 6c 6f 67 73 "    //   type 2 (topic), name "logs"
        "00 00 00 03 "               //   configs: 3
        "00 01 78 | 00 | 00 01 31 "  //     "x" SET "1"
        "00 01 79 | 01 | ff ff "     //     "y" DELETE null
        "00 01 7a | 02 | 00 01 61 "  //     "z" APPEND "a"
        "00");                       // validate_only false

const Bytes kIncrementalAlterConfigsRequestV1 =
    hex("02 "                       // resources: compact 1
        "02 | 05 6c 6f 67 73 "      //   type 2, name "logs"
        "04 "                       //   configs: compact 3
        "02 78 | 00 | 02 31 | 00 "  //     "x" SET "1", tags
        "02 79 | 01 | 00 | 00 "     //     "y" DELETE null, tags
        "02 7a | 02 | 02 61 | 00 "  //     "z" APPEND "a", tags
        "00 "                       //   tags
        "00 "                       // validate_only false
        "00");                      // tags

IncrementalAlterConfigsResponse incremental_alter_configs_response() {
  IncrementalAlterConfigsResponse resp;
  resp.throttle_time_ms = 0;
  resp.responses.push_back(
      {{}, 3, std::string("no"), kResourceTopic, "t"});  // UNKNOWN_TOPIC_OR_PARTITION
  return resp;
}

const Bytes kIncrementalAlterConfigsResponseV0 =
    hex("00 00 00 00 "                           // throttle_time_ms 0
        "00 00 00 01 "                           // responses: 1
        "00 03 | 00 02 6e 6f | 02 | 00 01 74");  // error 3, "no", topic "t"

const Bytes kIncrementalAlterConfigsResponseV1 =
    hex("00 00 00 00 "                         // throttle_time_ms 0
        "02 "                                  // responses: compact 1
        "00 03 | 03 6e 6f | 02 | 02 74 | 00 "  // error 3, "no", topic "t", tags
        "00");                                 // tags

TEST(IncrementalAlterConfigsCodec, RequestV0CarriesTheOperationPerEntry) {
  expect_wire(incremental_alter_configs_request(), 0, kIncrementalAlterConfigsRequestV0);
  auto back = decoded<IncrementalAlterConfigsRequest>(kIncrementalAlterConfigsRequestV0, 0);
  ASSERT_EQ(back.resources[0].configs.size(), 3u);
  EXPECT_EQ(back.resources[0].configs[1].config_operation, kConfigOpDelete);
  EXPECT_EQ(back.resources[0].configs[1].value, std::nullopt);
  EXPECT_EQ(back.resources[0].configs[2].config_operation, kConfigOpAppend);
}

TEST(IncrementalAlterConfigsCodec, RequestV1IsCompact) {
  expect_wire(incremental_alter_configs_request(), 1, kIncrementalAlterConfigsRequestV1);
}

TEST(IncrementalAlterConfigsCodec, ResponsesCarryPerResourceErrors) {
  expect_wire(incremental_alter_configs_response(), 0, kIncrementalAlterConfigsResponseV0);
  expect_wire(incremental_alter_configs_response(), 1, kIncrementalAlterConfigsResponseV1);
}

TEST(IncrementalAlterConfigsCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<IncrementalAlterConfigsRequest>(kIncrementalAlterConfigsRequestV0,
                                                                0);
  expect_every_truncation_fails<IncrementalAlterConfigsRequest>(kIncrementalAlterConfigsRequestV1,
                                                                1);
  expect_every_truncation_fails<IncrementalAlterConfigsResponse>(kIncrementalAlterConfigsResponseV0,
                                                                 0);
  expect_every_truncation_fails<IncrementalAlterConfigsResponse>(kIncrementalAlterConfigsResponseV1,
                                                                 1);
}

TEST(IncrementalAlterConfigsCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(incremental_alter_configs_request(), kIncrementalAlterConfigsApi);
  expect_round_trip_all_versions(incremental_alter_configs_response(), kIncrementalAlterConfigsApi);
}

// =======================================================================================
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

// =======================================================================================
// InitProducerId (22): v0-4, flexible from v2; v3 adds the current producer id and epoch.

InitProducerIdRequest init_producer_id_request() {
  InitProducerIdRequest req;
  req.transactional_id = "tx";
  req.transaction_timeout_ms = 60000;
  req.producer_id = 42;
  req.producer_epoch = 3;
  return req;
}

const Bytes kInitProducerIdRequestV1 =
    hex("00 02 74 78 "   // transactional_id "tx"
        "00 00 ea 60");  // transaction_timeout_ms 60000

const Bytes kInitProducerIdRequestV3 =
    hex("03 74 78 "                 // transactional_id "tx"
        "00 00 ea 60 "              // transaction_timeout_ms 60000
        "00 00 00 00 00 00 00 2a "  // producer_id 42 (v3+)
        "00 03 "                    // producer_epoch 3 (v3+)
        "00");                      // tags

InitProducerIdResponse init_producer_id_response() {
  InitProducerIdResponse resp;
  resp.throttle_time_ms = 0;
  resp.error_code = 0;
  resp.producer_id = 42;
  resp.producer_epoch = 4;
  return resp;
}

const Bytes kInitProducerIdResponseV1 =
    hex("00 00 00 00 "              // throttle_time_ms 0
        "00 00 "                    // error_code 0
        "00 00 00 00 00 00 00 2a "  // producer_id 42
        "00 04");                   // producer_epoch 4

const Bytes kInitProducerIdResponseV4 =
    hex("00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 2a | 00 04 "
        "00");  // tags

TEST(InitProducerIdCodec, RequestV1HasIdAndTimeoutOnly) {
  expect_wire(init_producer_id_request(), 1, kInitProducerIdRequestV1);
  expect_wire(init_producer_id_request(), 0, kInitProducerIdRequestV1);  // v0 == v1
  auto back = decoded<InitProducerIdRequest>(kInitProducerIdRequestV1, 1);
  EXPECT_EQ(back.producer_id, -1);  // defaults when not on the wire
  EXPECT_EQ(back.producer_epoch, -1);
}

TEST(InitProducerIdCodec, NullTransactionalIdIsMinusOneLengthOrCompactZero) {
  InitProducerIdRequest idempotent;
  idempotent.transaction_timeout_ms = 60000;
  expect_wire(idempotent, 1, hex("ff ff | 00 00 ea 60"));
  expect_wire(idempotent, 2, hex("00 | 00 00 ea 60 | 00"));
  EXPECT_EQ(decoded<InitProducerIdRequest>(hex("ff ff | 00 00 ea 60"), 1).transactional_id,
            std::nullopt);
}

TEST(InitProducerIdCodec, RequestV2IsCompactWithoutProducerIdAndEpoch) {
  expect_wire(init_producer_id_request(), 2, hex("03 74 78 | 00 00 ea 60 | 00"));
}

TEST(InitProducerIdCodec, RequestV3AddsCurrentProducerIdAndEpoch) {
  expect_wire(init_producer_id_request(), 3, kInitProducerIdRequestV3);
  expect_wire(init_producer_id_request(), 4, kInitProducerIdRequestV3);  // v4 == v3
  auto back = decoded<InitProducerIdRequest>(kInitProducerIdRequestV3, 3);
  EXPECT_EQ(back.producer_id, 42);
  EXPECT_EQ(back.producer_epoch, 3);
}

TEST(InitProducerIdCodec, ResponseV1IsClassic) {
  expect_wire(init_producer_id_response(), 1, kInitProducerIdResponseV1);
}

TEST(InitProducerIdCodec, ResponseV4AddsOnlyATagSection) {
  expect_wire(init_producer_id_response(), 4, kInitProducerIdResponseV4);
  InitProducerIdResponse fenced;
  fenced.error_code = 90;  // PRODUCER_FENCED
  fenced.producer_id = -1;
  fenced.producer_epoch = -1;
  expect_wire(fenced, 4, hex("00 00 00 00 | 00 5a | ff ff ff ff ff ff ff ff | ff ff | 00"));
}

TEST(InitProducerIdCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<InitProducerIdRequest>(kInitProducerIdRequestV1, 1);
  expect_every_truncation_fails<InitProducerIdRequest>(kInitProducerIdRequestV3, 3);
  expect_every_truncation_fails<InitProducerIdResponse>(kInitProducerIdResponseV1, 1);
  expect_every_truncation_fails<InitProducerIdResponse>(kInitProducerIdResponseV4, 4);
}

TEST(InitProducerIdCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(init_producer_id_request(), kInitProducerIdApi);
  auto resp = init_producer_id_response();
  resp.throttle_time_ms = 20;
  resp.error_code = 47;  // INVALID_PRODUCER_EPOCH
  expect_round_trip_all_versions(resp, kInitProducerIdApi);
}

// =======================================================================================
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

// =======================================================================================
// SaslHandshake (17): v0-1, never flexible.

const Bytes kSaslHandshakeRequestV1 = hex("00 05 50 4c 41 49 4e");  // mechanism "PLAIN"

SaslHandshakeResponse sasl_handshake_response() {
  SaslHandshakeResponse resp;
  resp.error_code = 33;  // UNSUPPORTED_SASL_MECHANISM
  resp.mechanisms = {"PLAIN", "SCRAM-SHA-256"};
  return resp;
}

const Bytes kSaslHandshakeResponseV1 =
    hex("00 21 "                                          // error_code 33
        "00 00 00 02 "                                    // mechanisms: 2
        "00 05 50 4c 41 49 4e "                           //   "PLAIN"
        "00 0d 53 43 52 41 4d 2d 53 48 41 2d 32 35 36");  // "SCRAM-SHA-256"

TEST(SaslHandshakeCodec, RequestIsAClassicMechanismStringInBothVersions) {
  SaslHandshakeRequest req;
  req.mechanism = "PLAIN";
  expect_wire(req, 0, kSaslHandshakeRequestV1);
  expect_wire(req, 1, kSaslHandshakeRequestV1);  // no tag section: never flexible
  EXPECT_EQ(decoded<SaslHandshakeRequest>(kSaslHandshakeRequestV1, 1).mechanism, "PLAIN");
}

TEST(SaslHandshakeCodec, ResponseListsEnabledMechanisms) {
  expect_wire(sasl_handshake_response(), 1, kSaslHandshakeResponseV1);
  expect_wire(sasl_handshake_response(), 0, kSaslHandshakeResponseV1);
  auto back = decoded<SaslHandshakeResponse>(kSaslHandshakeResponseV1, 1);
  EXPECT_EQ(back.error_code, 33);
  EXPECT_EQ(back.mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"}));
}

TEST(SaslHandshakeCodec, VersionTwoIsUnsupported) {
  auto status = decode_status<SaslHandshakeRequest>(kSaslHandshakeRequestV1, 2);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), DecodeErrc::unsupported_version);
}

TEST(SaslHandshakeCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<SaslHandshakeRequest>(kSaslHandshakeRequestV1, 1);
  expect_every_truncation_fails<SaslHandshakeResponse>(kSaslHandshakeResponseV1, 1);
}

TEST(SaslHandshakeCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  SaslHandshakeRequest req;
  req.mechanism = "SCRAM-SHA-512";
  expect_round_trip_all_versions(req, kSaslHandshakeApi);
  expect_round_trip_all_versions(sasl_handshake_response(), kSaslHandshakeApi);
}

// =======================================================================================
// SaslAuthenticate (36): v0-2, flexible from v2; v1 adds the session lifetime.

SaslAuthenticateRequest sasl_authenticate_request() {
  SaslAuthenticateRequest req;
  req.auth_bytes = {0x00, 'u', 0x00, 'p'};  // PLAIN: authzid NUL user NUL password
  return req;
}

const Bytes kSaslAuthenticateRequestV0 = hex("00 00 00 04 | 00 75 00 70");  // int32 length
const Bytes kSaslAuthenticateRequestV2 = hex("05 | 00 75 00 70 | 00");      // uvarint 4+1, tags

SaslAuthenticateResponse sasl_authenticate_response() {
  SaslAuthenticateResponse resp;
  resp.error_code = 0;
  resp.error_message = std::nullopt;
  resp.auth_bytes = {0x01, 0x02};
  resp.session_lifetime_ms = 3600000;
  return resp;
}

const Bytes kSaslAuthenticateResponseV1 =
    hex("00 00 "                     // error_code 0
        "ff ff "                     // error_message null
        "00 00 00 02 | 01 02 "       // auth_bytes
        "00 00 00 00 00 36 ee 80");  // session_lifetime_ms 3600000 (v1+)

const Bytes kSaslAuthenticateResponseV2 =
    hex("00 00 "                    // error_code 0
        "00 "                       // error_message null
        "03 | 01 02 "               // auth_bytes
        "00 00 00 00 00 36 ee 80 "  // session_lifetime_ms 3600000
        "00");                      // tags

TEST(SaslAuthenticateCodec, RequestV0CarriesClassicBytes) {
  expect_wire(sasl_authenticate_request(), 0, kSaslAuthenticateRequestV0);
  expect_wire(sasl_authenticate_request(), 1, kSaslAuthenticateRequestV0);  // v1 == v0
  EXPECT_EQ(decoded<SaslAuthenticateRequest>(kSaslAuthenticateRequestV0, 0).auth_bytes,
            (Bytes{0x00, 'u', 0x00, 'p'}));
}

TEST(SaslAuthenticateCodec, RequestV2CarriesCompactBytes) {
  expect_wire(sasl_authenticate_request(), 2, kSaslAuthenticateRequestV2);
}

TEST(SaslAuthenticateCodec, ResponseV1AddsSessionLifetime) {
  expect_wire(sasl_authenticate_response(), 1, kSaslAuthenticateResponseV1);
  expect_wire(sasl_authenticate_response(), 0,
              Bytes(kSaslAuthenticateResponseV1.begin(), kSaslAuthenticateResponseV1.end() - 8));
  EXPECT_EQ(decoded<SaslAuthenticateResponse>(kSaslAuthenticateResponseV1, 1).session_lifetime_ms,
            3600000);
}

TEST(SaslAuthenticateCodec, ResponseV2IsCompact) {
  expect_wire(sasl_authenticate_response(), 2, kSaslAuthenticateResponseV2);
  SaslAuthenticateResponse failed;
  failed.error_code = 58;  // SASL_AUTHENTICATION_FAILED
  failed.error_message = "bad";
  expect_wire(failed, 2, hex("00 3a | 04 62 61 64 | 01 | 00 00 00 00 00 00 00 00 | 00"));
}

TEST(SaslAuthenticateCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<SaslAuthenticateRequest>(kSaslAuthenticateRequestV0, 0);
  expect_every_truncation_fails<SaslAuthenticateRequest>(kSaslAuthenticateRequestV2, 2);
  expect_every_truncation_fails<SaslAuthenticateResponse>(kSaslAuthenticateResponseV1, 1);
  expect_every_truncation_fails<SaslAuthenticateResponse>(kSaslAuthenticateResponseV2, 2);
}

TEST(SaslAuthenticateCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(sasl_authenticate_request(), kSaslAuthenticateApi);
  auto resp = sasl_authenticate_response();
  resp.error_code = 58;
  resp.error_message = "Authentication failed";
  expect_round_trip_all_versions(resp, kSaslAuthenticateApi);
}

// =======================================================================================
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

}  // namespace
}  // namespace sluice::protocol
