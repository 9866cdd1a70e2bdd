// CreateTopics and DeleteTopics: byte-exact classic and flexible vectors, round trips.
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_topics.h"
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::hex;
using testing::to_hex;

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

TEST(TopicAdminApis, RoundTripEveryVersion) {
  auto req = sample_create();
  req.topics[0].assignments.push_back({{}, 0, {1, 2}});
  testing::expect_round_trip_all_versions(req, kCreateTopicsApi);
  CreateTopicsResponse resp;
  CreatableTopicResult r;
  r.name = "t";
  r.configs = std::vector<CreatableTopicConfigs>{{{}, "retention.ms", "1", false, 5, false}};
  resp.topics.push_back(r);
  testing::expect_round_trip_all_versions(resp, kCreateTopicsApi);
  DeleteTopicsRequest d;
  d.topic_names = {"a", "b"};
  d.topics.push_back({{}, std::string("a"), {}});
  testing::expect_round_trip_all_versions(d, kDeleteTopicsApi);
}

}  // namespace
}  // namespace sluice::protocol
