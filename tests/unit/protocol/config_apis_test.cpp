// DescribeConfigs and CreatePartitions: byte-exact classic and flexible vectors, round trips.
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/describe_configs.h"
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::encoded;
using testing::hex;
using testing::to_hex;

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

TEST(CreatePartitions, EncodesV1AndV2) {
  CreatePartitionsRequest req;
  req.topics.push_back({{}, "t", 4, std::nullopt});
  req.timeout_ms = 1000;
  EXPECT_EQ(to_hex(encoded(req, 1)),
            to_hex(hex("00 00 00 01 | 00 01 74 | 00 00 00 04 | ff ff ff ff | 00 00 03 e8 | 00")));
  EXPECT_EQ(to_hex(encoded(req, 2)),
            to_hex(hex("02 | 02 74 | 00 00 00 04 | 00 | 00 | 00 00 03 e8 | 00 | 00")));
  CreatePartitionsResponse resp;
  resp.results.push_back({{}, "t", 37, std::string("no")});
  EXPECT_EQ(to_hex(encoded(resp, 2)),
            to_hex(hex("00 00 00 00 | 02 | 02 74 | 00 25 | 03 6e 6f | 00 | 00")));
}

TEST(ConfigApis, RoundTripEveryVersion) {
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
  CreatePartitionsRequest cp;
  cp.topics.push_back({{}, "t", 3, std::vector<CreatePartitionsAssignment>{{{}, {1, 2}}}});
  testing::expect_round_trip_all_versions(cp, kCreatePartitionsApi);
}

}  // namespace
}  // namespace sluice::protocol
