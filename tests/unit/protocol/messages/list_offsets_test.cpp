// ListOffsets: byte-exact classic and flexible vectors worked out from the protocol guide, round
// trips at every version.
#include "protocol/messages/list_offsets.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::encoded;
using testing::hex;
using testing::to_hex;

ListOffsetsRequest sample_list_offsets() {
  ListOffsetsRequest req;
  ListOffsetsTopic t;
  t.name = "t";
  ListOffsetsPartition p;
  p.timestamp = kLatestTimestamp;
  t.partitions.push_back(p);
  req.topics.push_back(t);
  return req;
}

TEST(ListOffsets, EncodesV1RequestAndV6Flexible) {
  EXPECT_EQ(to_hex(encoded(sample_list_offsets(), 1)),
            to_hex(hex("ff ff ff ff | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | "
                       "ff ff ff ff ff ff ff ff")));
  EXPECT_EQ(to_hex(encoded(sample_list_offsets(), 6)),
            to_hex(hex("ff ff ff ff | 00 | 02 | 02 74 | 02 | 00 00 00 00 | ff ff ff ff | "
                       "ff ff ff ff ff ff ff ff | 00 | 00 | 00")));
  // v0 carries max_num_offsets.
  EXPECT_EQ(to_hex(encoded(sample_list_offsets(), 0)),
            to_hex(hex("ff ff ff ff | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | "
                       "ff ff ff ff ff ff ff ff | 00 00 00 01")));
}

TEST(ListOffsets, EncodesV0AndV4Responses) {
  ListOffsetsResponse resp;
  ListOffsetsTopicResponse t;
  t.name = "t";
  ListOffsetsPartitionResponse p;
  p.old_style_offsets = {7};
  p.timestamp = -1;
  p.offset = 7;
  p.leader_epoch = 2;
  t.partitions.push_back(p);
  resp.topics.push_back(t);
  EXPECT_EQ(to_hex(encoded(resp, 0)),
            to_hex(hex("00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00 | "
                       "00 00 00 01 00 00 00 00 00 00 00 07")));
  EXPECT_EQ(to_hex(encoded(resp, 4)),
            to_hex(hex("00 00 00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00 | "
                       "ff ff ff ff ff ff ff ff | 00 00 00 00 00 00 00 07 | 00 00 00 02")));
}

TEST(ListOffsets, RoundTripEveryVersion) {
  testing::expect_round_trip_all_versions(sample_list_offsets(), kListOffsetsApi);
}

}  // namespace
}  // namespace sluice::protocol
