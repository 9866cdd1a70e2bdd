// IncrementalAlterConfigs: byte-exact request and response vectors in a classic and (where the API
// has one) a flexible version, worked out by hand from Kafka's message schemas; the same vectors
// decoded and re-encoded; every truncation refused; populated messages round-tripped at every
// version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/incremental_alter_configs.h"

#include <optional>
#include <string>

#include "protocol/messages/describe_configs.h"  // kResourceTopic, kResourceBroker
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip_all_versions;
using testing::expect_wire;
using testing::hex;

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

}  // namespace
}  // namespace sluice::protocol
