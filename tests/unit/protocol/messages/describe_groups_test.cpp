// DescribeGroups: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/describe_groups.h"

#include <optional>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(DescribeGroups, EncodeClassicAndFlexible) {
  DescribeGroupsRequest d;
  d.groups = {"g"};
  EXPECT_BYTES(d, 0, "00 00 00 01 | 00 01 67");
  EXPECT_BYTES(d, 5, "02 | 02 67 | 00 | 00");
}

TEST(DescribeGroups, RoundTripEveryVersion) {
  DescribeGroupsResponse dg;
  DescribedGroup g;
  g.group_id = "g";
  g.members.push_back({{}, "m", std::nullopt, "c", "/1.2.3.4", {1}, {2}});
  dg.groups.push_back(g);
  testing::expect_round_trip_all_versions(dg, kDescribeGroupsApi);
}

}  // namespace
}  // namespace sluice::protocol
