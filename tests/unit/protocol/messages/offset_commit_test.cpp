// OffsetCommit: byte-exact classic and flexible vectors worked out from the protocol guide
// ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/offset_commit.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

OffsetCommitRequest sample_commit() {
  OffsetCommitRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = "m";
  OffsetCommitRequestTopic t;
  t.name = "t";
  OffsetCommitRequestPartition p;
  p.committed_offset = 10;
  p.committed_metadata = "";
  t.partitions.push_back(p);
  req.topics.push_back(t);
  return req;
}

TEST(OffsetCommit, EncodesV2AndV8) {
  EXPECT_BYTES(
      sample_commit(), 2,
      "00 01 67 | 00 00 00 01 | 00 01 6d | ff ff ff ff ff ff ff ff | 00 00 00 01 | 00 01 74 | "
      "00 00 00 01 | 00 00 00 00 | 00 00 00 00 00 00 00 0a | 00 00");
  EXPECT_BYTES(sample_commit(), 8,
               "02 67 | 00 00 00 01 | 02 6d | 00 | 02 | 02 74 | 02 | 00 00 00 00 | "
               "00 00 00 00 00 00 00 0a | ff ff ff ff | 01 | 00 | 00 | 00");
  OffsetCommitResponse resp;
  resp.topics.push_back({{}, "t", {{{}, 0, 0}}});
  EXPECT_BYTES(resp, 3, "00 00 00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00");
}

TEST(OffsetCommit, RoundTripEveryVersion) {
  testing::expect_round_trip_all_versions(sample_commit(), kOffsetCommitApi);
}

}  // namespace
}  // namespace sluice::protocol
