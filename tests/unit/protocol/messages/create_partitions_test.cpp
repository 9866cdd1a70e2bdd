// CreatePartitions: byte-exact request and response vectors in a classic and (where the API has
// one) a flexible version, worked out by hand from Kafka's message schemas; the same vectors
// decoded and re-encoded; every truncation refused; populated messages round-tripped at every
// version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/create_partitions.h"

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

TEST(CreatePartitions, RoundTripEveryVersion) {
  CreatePartitionsRequest cp;
  cp.topics.push_back({{}, "t", 3, std::vector<CreatePartitionsAssignment>{{{}, {1, 2}}}});
  testing::expect_round_trip_all_versions(cp, kCreatePartitionsApi);
}

}  // namespace
}  // namespace sluice::protocol
