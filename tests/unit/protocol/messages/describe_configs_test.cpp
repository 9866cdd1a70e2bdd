// DescribeConfigs: byte-exact request and response vectors in a classic and (where the API has one)
// a flexible version, worked out by hand from Kafka's message schemas; the same vectors decoded and
// re-encoded; every truncation refused; populated messages round-tripped at every version. Vector
// notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/describe_configs.h"

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

TEST(DescribeConfigs, EncodesV1RequestAndV4Flexible) {
  DescribeConfigsRequest req;
  req.resources.push_back({{}, kResourceTopic, "t", std::nullopt});
  req.include_synonyms = true;
  EXPECT_EQ(to_hex(encoded(req, 1)), to_hex(hex("00 00 00 01 | 02 | 00 01 74 | ff ff ff ff | 01")));
  EXPECT_EQ(to_hex(encoded(req, 4)), to_hex(hex("02 | 02 | 02 74 | 00 | 00 | 01 | 00 | 00")));
}

TEST(DescribeConfigs, EncodesV0AndV4Responses) {
  DescribeConfigsResponse resp;
  DescribeConfigsResult r;
  r.resource_type = kResourceTopic;
  r.resource_name = "t";
  DescribeConfigsResourceResult c;
  c.name = "a";
  c.value = "1";
  c.is_default = true;
  c.config_source = 5;
  r.configs.push_back(c);
  resp.results.push_back(r);
  EXPECT_EQ(
      to_hex(encoded(resp, 0)),
      to_hex(hex("00 00 00 00 | 00 00 00 01 | 00 00 | ff ff | 02 | 00 01 74 | "
                 "00 00 00 01 | 00 01 61 | 00 01 31 | 00 | 01 | 00")));  // read_only, is_default,
                                                                         // sensitive
  EXPECT_EQ(
      to_hex(encoded(resp, 4)),
      to_hex(hex("00 00 00 00 | 02 | 00 00 | 00 | 02 | 02 74 | "
                 "02 | 02 61 | 02 31 | 00 | 05 | 00 | 01 | 00 | 00 | 00 | "  // ..., synonyms, type,
                                                                             // doc, tags
                 "00 | 00")));
}

TEST(DescribeConfigs, RoundTripEveryVersion) {
  DescribeConfigsRequest req;
  req.resources.push_back({{}, kResourceBroker, "1", std::vector<std::string>{"log.dirs"}});
  testing::expect_round_trip_all_versions(req, kDescribeConfigsApi);
  DescribeConfigsResponse resp;
  DescribeConfigsResult r;
  r.resource_name = "t";
  DescribeConfigsResourceResult c;
  c.name = "a";
  c.synonyms.push_back({{}, "log.a", "2", 4});
  r.configs.push_back(c);
  resp.results.push_back(r);
  testing::expect_round_trip_all_versions(resp, kDescribeConfigsApi);
}

}  // namespace
}  // namespace sluice::protocol
