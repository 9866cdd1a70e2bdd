// LeaveGroup: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/leave_group.h"

#include <optional>
#include <string>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(LeaveGroup, EncodesV0V3V4) {
  LeaveGroupRequest req;
  req.group_id = "g";
  req.member_id = "m";
  req.members.push_back({{}, "m", std::nullopt});
  EXPECT_BYTES(req, 0, "00 01 67 | 00 01 6d");
  EXPECT_BYTES(req, 4, "02 67 | 02 | 02 6d | 00 | 00 | 00");
  LeaveGroupResponse resp;
  resp.members.push_back({{}, "m", std::nullopt, 0});
  EXPECT_BYTES(resp, 3, "00 00 00 00 | 00 00 | 00 00 00 01 | 00 01 6d | ff ff | 00 00");
}

TEST(LeaveGroup, RoundTripEveryVersion) {
  LeaveGroupRequest lg;
  lg.group_id = "g";
  lg.member_id = "m";
  lg.members.push_back({{}, "m", std::string("i")});
  testing::expect_round_trip_all_versions(lg, kLeaveGroupApi);
}

}  // namespace
}  // namespace sluice::protocol
