// JoinGroup: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/join_group.h"

#include <optional>
#include <string>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

JoinGroupRequest sample_join() {
  JoinGroupRequest req;
  req.group_id = "g";
  req.session_timeout_ms = 30000;
  req.rebalance_timeout_ms = 60000;
  req.protocol_type = "consumer";
  req.protocols.push_back({{}, "range", {0xaa}});
  return req;
}

TEST(JoinGroup, EncodesV1RequestAndV6Flexible) {
  EXPECT_BYTES(sample_join(), 1,
               "00 01 67 | 00 00 75 30 | 00 00 ea 60 | 00 00 | 00 08 63 6f 6e 73 75 6d 65 72 | "
               "00 00 00 01 | 00 05 72 61 6e 67 65 | 00 00 00 01 aa");
  EXPECT_BYTES(sample_join(), 6,
               "02 67 | 00 00 75 30 | 00 00 ea 60 | 01 | 00 | 09 63 6f 6e 73 75 6d 65 72 | "
               "02 | 06 72 61 6e 67 65 | 02 aa | 00 | 00");
}

TEST(JoinGroup, EncodesV0AndV7Responses) {
  JoinGroupResponse resp;
  resp.generation_id = 1;
  resp.protocol_type = "consumer";
  resp.protocol_name = "range";
  resp.leader = "m";
  resp.member_id = "m";
  resp.members.push_back({{}, "m", std::nullopt, {0xaa}});
  EXPECT_BYTES(resp, 0,
               "00 00 | 00 00 00 01 | 00 05 72 61 6e 67 65 | 00 01 6d | 00 01 6d | "
               "00 00 00 01 | 00 01 6d | 00 00 00 01 aa");
  EXPECT_BYTES(
      resp, 7,
      "00 00 00 00 | 00 00 | 00 00 00 01 | 09 63 6f 6e 73 75 6d 65 72 | 06 72 61 6e 67 65 | "
      "02 6d | 02 6d | 02 | 02 6d | 00 | 02 aa | 00 | 00");
}

TEST(JoinGroup, RoundTripEveryVersion) {
  testing::expect_round_trip_all_versions(sample_join(), kJoinGroupApi);
  JoinGroupResponse jr;
  jr.members.push_back({{}, "m", std::string("i"), {1, 2}});
  jr.protocol_type = "consumer";
  testing::expect_round_trip_all_versions(jr, kJoinGroupApi);
}

}  // namespace
}  // namespace sluice::protocol
