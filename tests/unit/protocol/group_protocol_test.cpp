// The consumer embedded protocol: byte-exact subscriptions (v0, v1) and assignment, round
// trips of v0-3, and a future version read by its known prefix.
#include "protocol/group_protocol.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::hex;
using testing::to_hex;

TEST(GroupProtocol, EncodesSubscriptionV0AndV1) {
  ConsumerSubscription s;
  s.topics = {"t"};
  s.owned_partitions = {{"t", {0}}};
  EXPECT_EQ(
      to_hex(encode_subscription(s, 0)),
      to_hex(
          hex("00 00 | 00 00 00 01 | 00 01 74 | ff ff ff ff")));  // version, topics, null user data
  EXPECT_EQ(to_hex(encode_subscription(s, 1)),
            to_hex(hex("00 01 | 00 00 00 01 | 00 01 74 | ff ff ff ff | 00 00 00 01 | 00 01 74 | "
                       "00 00 00 01 | 00 00 00 00")));
}

TEST(GroupProtocol, EncodesAssignmentV0) {
  ConsumerAssignment a;
  a.assigned_partitions = {{"t", {0, 1}}};
  a.user_data = Bytes{};
  EXPECT_EQ(
      to_hex(encode_assignment(a, 0)),
      to_hex(hex(
          "00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 02 00 00 00 00 00 00 00 01 | 00 00 00 00")));
}

TEST(GroupProtocol, RoundTripsEveryVersion) {
  ConsumerSubscription s{{"a", "b"}, Bytes{1, 2}, {{"a", {3}}}, 7, std::string("rack1")};
  for (int16_t v = 0; v <= 3; ++v) {
    auto back = decode_subscription(encode_subscription(s, v));
    ASSERT_TRUE(back.ok()) << "v" << v << " " << back.error().to_string();
    EXPECT_EQ(back->topics, s.topics);
    if (v >= 3) {
      EXPECT_EQ(*back, s);
    }
  }
  ConsumerAssignment a{{{"a", {1, 2}}}, std::nullopt};
  for (int16_t v = 0; v <= 3; ++v) EXPECT_EQ(*decode_assignment(encode_assignment(a, v)), a);
}

TEST(GroupProtocol, ReadsNewerVersionsByTheirKnownPrefix) {
  ConsumerSubscription s{{"t"}, std::nullopt, {}, 3, std::nullopt};
  Bytes v3 = encode_subscription(s, 3);
  Bytes v9 = v3;
  v9[1] = 9;                          // claims version 9 ...
  v9.insert(v9.end(), {0xde, 0xad});  // ... with fields we do not know
  auto back = decode_subscription(v9);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->topics, s.topics);
  EXPECT_EQ(back->generation_id, 3);
}

TEST(GroupProtocol, RejectsTruncatedAndHostileInput) {
  ConsumerSubscription s{{"topic"}, Bytes{1}, {}, -1, std::nullopt};
  Bytes ok = encode_subscription(s, 1);
  for (std::size_t cut = 0; cut < ok.size(); ++cut) {
    EXPECT_FALSE(decode_subscription(std::span(ok.data(), cut)).ok()) << cut;
  }
  EXPECT_FALSE(decode_subscription(hex("00 00 7f ff ff ff")).ok());
  EXPECT_FALSE(decode_assignment(hex("ff ff")).ok());
}

}  // namespace
}  // namespace sluice::protocol
