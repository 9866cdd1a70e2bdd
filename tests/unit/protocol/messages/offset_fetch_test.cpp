// OffsetFetch: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/offset_fetch.h"

#include <optional>
#include <vector>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

TEST(OffsetFetch, EncodesV1V2V6V8) {
  OffsetFetchRequest req;
  req.group_id = "g";
  req.topics = std::vector<OffsetFetchRequestTopic>{{{}, "t", {0}}};
  req.groups.push_back({{}, "g", std::nullopt});
  EXPECT_BYTES(req, 1, "00 01 67 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00");
  EXPECT_BYTES(req, 6, "02 67 | 02 | 02 74 | 02 00 00 00 00 | 00 | 00");
  EXPECT_BYTES(req, 8, "02 | 02 67 | 00 | 00 | 00 | 00");
  req.topics.reset();
  EXPECT_BYTES(req, 2, "00 01 67 | ff ff ff ff");
  OffsetFetchResponse resp;
  OffsetFetchResponsePartition p;
  p.committed_offset = 10;
  resp.topics.push_back({{}, "t", {p}});
  EXPECT_BYTES(resp, 1,
               "00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00 00 00 00 00 00 0a | 00 "
               "00 | 00 00");
}

TEST(OffsetFetch, RoundTripEveryVersion) {
  OffsetFetchRequest of;
  of.group_id = "g";
  of.topics = std::vector<OffsetFetchRequestTopic>{{{}, "t", {0, 1}}};
  of.groups.push_back({{}, "g", std::vector<OffsetFetchRequestTopic>{{{}, "t", {0}}}});
  testing::expect_round_trip_all_versions(of, kOffsetFetchApi);
  OffsetFetchResponse ofr;
  ofr.topics.push_back({{}, "t", {OffsetFetchResponsePartition{}}});
  ofr.groups.push_back({{}, "g", {{{}, "t", {OffsetFetchResponsePartitions{}}}}, 0});
  testing::expect_round_trip_all_versions(ofr, kOffsetFetchApi);
}

}  // namespace
}  // namespace sluice::protocol
