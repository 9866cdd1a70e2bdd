// FindCoordinator: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/find_coordinator.h"

#include <optional>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(FindCoordinator, EncodesV1V3V4) {
  FindCoordinatorRequest req;
  req.key = "g";
  req.coordinator_keys = {"g"};
  EXPECT_BYTES(req, 1, "00 01 67 | 00");
  EXPECT_BYTES(req, 3, "02 67 | 00 | 00");
  EXPECT_BYTES(req, 4, "00 | 02 02 67 | 00");
  FindCoordinatorResponse resp;
  resp.node_id = 1;
  resp.host = "h";
  resp.port = 9092;
  EXPECT_BYTES(resp, 0, "00 00 | 00 00 00 01 | 00 01 68 | 00 00 23 84");
  EXPECT_BYTES(resp, 3, "00 00 00 00 | 00 00 | 00 | 00 00 00 01 | 02 68 | 00 00 23 84 | 00");
}

TEST(FindCoordinator, RoundTripEveryVersion) {
  FindCoordinatorResponse fc;
  fc.coordinators.push_back({{}, "g", 1, "h", 1, 0, std::nullopt});
  testing::expect_round_trip_all_versions(fc, kFindCoordinatorApi);
}

}  // namespace
}  // namespace sluice::protocol
