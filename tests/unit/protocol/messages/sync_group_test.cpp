// SyncGroup: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/sync_group.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(SyncGroup, EncodesV0AndV5) {
  SyncGroupRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = "m";
  req.protocol_type = "consumer";
  req.protocol_name = "range";
  req.assignments.push_back({{}, "m", {0xbb}});
  EXPECT_BYTES(req, 0,
               "00 01 67 | 00 00 00 01 | 00 01 6d | 00 00 00 01 | 00 01 6d | 00 00 00 01 bb");
  EXPECT_BYTES(
      req, 5,
      "02 67 | 00 00 00 01 | 02 6d | 00 | 09 63 6f 6e 73 75 6d 65 72 | 06 72 61 6e 67 65 | "
      "02 | 02 6d | 02 bb | 00 | 00");
  SyncGroupResponse resp;
  resp.protocol_type = "consumer";
  resp.protocol_name = "range";
  resp.assignment = {0xbb};
  EXPECT_BYTES(resp, 0, "00 00 | 00 00 00 01 bb");
  EXPECT_BYTES(resp, 5,
               "00 00 00 00 | 00 00 | 09 63 6f 6e 73 75 6d 65 72 | 06 72 61 6e 67 65 | 02 bb | 00");
}

TEST(SyncGroup, RoundTripEveryVersion) {
  SyncGroupRequest sg;
  sg.group_id = "g";
  sg.assignments.push_back({{}, "m", {3}});
  testing::expect_round_trip_all_versions(sg, kSyncGroupApi);
}

}  // namespace
}  // namespace sluice::protocol
