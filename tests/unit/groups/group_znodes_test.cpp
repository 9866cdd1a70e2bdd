// The /consumers znodes: paths as docs/groups.md documents them (ids percent-encoded only
// where ZooKeeper needs it) and JSON that round-trips.
#include "broker/groups/group_znodes.h"

#include <gtest/gtest.h>

namespace sluice::broker::groups {
namespace {

TEST(GroupZnodes, PathsFollowTheDocumentedLayout) {
  EXPECT_EQ(group_path("g1"), "/consumers/g1");
  EXPECT_EQ(member_path("g1", "rdkafka-1b2c"), "/consumers/g1/members/rdkafka-1b2c");
  EXPECT_EQ(offset_path("g1", "orders", 3), "/consumers/g1/offsets/orders/3");
}

TEST(GroupZnodes, IdsThatAreNotZnodeNamesArePercentEncoded) {
  EXPECT_EQ(encode_znode_name("my group/1"), "my%20group%2F1");
  EXPECT_EQ(encode_znode_name("."), "%2E");
  EXPECT_EQ(encode_znode_name(".."), "%2E%2E");
  EXPECT_EQ(encode_znode_name("a.b"), "a.b");
  EXPECT_EQ(encode_znode_name("100%"), "100%25");
  for (std::string id : {"my group/1", ".", "..", "grüße", "100%", "plain-id_1.x"}) {
    EXPECT_EQ(decode_znode_name(encode_znode_name(id)), id);
  }
  EXPECT_FALSE(decode_znode_name("bad%2"));
  EXPECT_FALSE(decode_znode_name("bad%zz"));
}

TEST(GroupZnodes, GroupJson) {
  GroupRecord g;
  g.protocol_type = "consumer";
  g.generation = 7;
  g.protocol = "range";
  g.leader = "m-1";
  g.state = "Stable";
  g.state_timestamp_ms = 1660000000000;
  g.coordinator = 2;
  g.members.resize(2);
  EXPECT_EQ(
      encode_group(g),
      R"({"version":1,"protocol_type":"consumer","generation":7,"protocol":"range","leader":"m-1",)"
      R"("state":"Stable","state_timestamp":"1660000000000","members":2,"coordinator":2})");
  auto back = decode_group(encode_group(g));
  ASSERT_TRUE(back);
  g.members.clear();  // members live in their own znodes
  EXPECT_EQ(*back, g);
  GroupRecord empty;
  empty.state = "Empty";
  EXPECT_EQ(decode_group(encode_group(empty))->protocol, std::nullopt);
  EXPECT_FALSE(decode_group(R"({"version":1})"));
}

TEST(GroupZnodes, MemberJsonCarriesReadableConsumerFields) {
  MemberRecord m;
  m.member_id = "rdkafka-1";
  m.client_id = "rdkafka";
  m.client_host = "/127.0.0.1";
  m.session_timeout_ms = 10000;
  m.rebalance_timeout_ms = 300000;
  // Subscription v0 ["t"], assignment v0 {t:[0,1]}.
  m.metadata = {0, 0, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff};
  m.assignment = {0, 0, 0, 0, 0, 1, 0, 1, 't',  0,    0,    0,   2,
                  0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff};
  const std::string json = encode_member(m, "consumer");
  EXPECT_NE(json.find(R"("subscribed_topics":["t"])"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("assigned_partitions":{"t":[0,1]})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("group_instance_id":null)"), std::string::npos) << json;
  auto back = decode_member(json);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  // Other protocol types: bytes only.
  EXPECT_EQ(encode_member(m, "connect").find("subscribed_topics"), std::string::npos);
}

TEST(GroupZnodes, OffsetJsonAndKafkasOldBareNumbers) {
  OffsetRecord o{42, 3, "meta", 1660000000000};
  EXPECT_EQ(
      encode_offset(o),
      R"({"version":1,"offset":42,"leader_epoch":3,"metadata":"meta","commit_timestamp":"1660000000000"})");
  EXPECT_EQ(decode_offset(encode_offset(o)).value_or(OffsetRecord{}), o);
  auto old = decode_offset("1234");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->offset, 1234);
  EXPECT_FALSE(decode_offset("12x"));
}

TEST(GroupZnodes, Base64RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10"}) {
    protocol::Bytes b(s.begin(), s.end());
    EXPECT_EQ(from_base64(to_base64(b)), b) << s;
  }
  EXPECT_EQ(to_base64(protocol::Bytes{'M', 'a', 'n'}), "TWFu");
  EXPECT_FALSE(from_base64("abc"));
  EXPECT_FALSE(from_base64("a=bc"));
}

}  // namespace
}  // namespace sluice::broker::groups
