// AlterConfigs: byte-exact request and response vectors in a classic and (where the API has one) a
// flexible version, worked out by hand from Kafka's message schemas; the same vectors decoded
// and re-encoded; every truncation refused; populated messages round-tripped at every
// version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/alter_configs.h"

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/messages/describe_configs.h"  // kResourceTopic, kResourceBroker
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

TEST(AlterConfigs, EncodesV1AndV2) {
  AlterConfigsRequest req;
  req.resources.push_back({{}, int8_t{2}, "t", {{{}, "a", "1"}}});
  EXPECT_EQ(to_hex(encoded(req, 1)),
            to_hex(hex("00 00 00 01 | 02 | 00 01 74 | 00 00 00 01 | 00 01 61 | 00 01 31 | 00")));
  EXPECT_EQ(to_hex(encoded(req, 2)),
            to_hex(hex("02 | 02 | 02 74 | 02 | 02 61 | 02 31 | 00 | 00 | 00 | 00")));
}

TEST(AlterConfigs, RoundTripEveryVersion) {
  AlterConfigsResponse a;
  a.responses.push_back({{}, 0, std::nullopt, 2, "t"});
  testing::expect_round_trip_all_versions(a, kAlterConfigsApi);
}

}  // namespace
}  // namespace sluice::protocol
