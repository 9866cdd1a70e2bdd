// The consumer's partition assignors (client/src/assignors.h): range and roundrobin against the
// assignments the Java client documents, cooperative-sticky's stickiness, balance and its
// two-phase hand-over.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "client/src/assignors.h"

namespace sluice::client::detail {
namespace {

std::vector<TopicPartition> tps(const std::string& topic, std::vector<int32_t> partitions) {
  std::vector<TopicPartition> out;
  for (auto p : partitions) out.push_back({topic, p});
  return out;
}

std::vector<TopicPartition> concat(std::vector<TopicPartition> a,
                                   const std::vector<TopicPartition>& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  return a;
}

AssignorMember member(std::string id, std::vector<std::string> topics,
                      std::vector<TopicPartition> owned = {}, int32_t generation = -1) {
  AssignorMember m;
  m.member_id = std::move(id);
  m.topics = std::move(topics);
  m.owned = std::move(owned);
  m.generation = generation;
  return m;
}

// Every partition at most once, only to members subscribed to its topic.
void expect_valid(const GroupAssignment& a, const std::vector<AssignorMember>& members,
                  const PartitionCounts& counts) {
  std::set<TopicPartition> seen;
  for (const auto& m : members) {
    ASSERT_TRUE(a.contains(m.member_id)) << m.member_id;
    for (const auto& tp : a.at(m.member_id)) {
      EXPECT_TRUE(seen.insert(tp).second) << tp.to_string() << " assigned twice";
      EXPECT_NE(std::find(m.topics.begin(), m.topics.end(), tp.topic), m.topics.end())
          << tp.to_string() << " given to " << m.member_id << ", not subscribed";
      ASSERT_TRUE(counts.contains(tp.topic));
      EXPECT_LT(tp.partition, counts.at(tp.topic));
    }
  }
}

TEST(RangeAssignor, SplitsEachTopicInRangesOverSortedMembers) {
  // Java's RangeAssignor javadoc: C0, C1; t0 and t1 with 3 partitions each.
  PartitionCounts counts{{"t0", 3}, {"t1", 3}};
  std::vector<AssignorMember> members{member("C1", {"t0", "t1"}), member("C0", {"t0", "t1"})};
  auto a = range_assign(counts, members);
  EXPECT_EQ(a["C0"], concat(tps("t0", {0, 1}), tps("t1", {0, 1})));
  EXPECT_EQ(a["C1"], concat(tps("t0", {2}), tps("t1", {2})));
}

TEST(RangeAssignor, GivesTheRemainderToTheFirstMembers) {
  PartitionCounts counts{{"t", 10}};
  std::vector<AssignorMember> members{member("c", {"t"}), member("a", {"t"}), member("b", {"t"})};
  auto a = range_assign(counts, members);
  EXPECT_EQ(a["a"], tps("t", {0, 1, 2, 3}));
  EXPECT_EQ(a["b"], tps("t", {4, 5, 6}));
  EXPECT_EQ(a["c"], tps("t", {7, 8, 9}));
}

TEST(RangeAssignor, OnlyCountsMembersSubscribedToTheTopic) {
  PartitionCounts counts{{"t0", 2}, {"t1", 4}};
  std::vector<AssignorMember> members{member("a", {"t0"}), member("b", {"t0", "t1"}),
                                      member("c", {"t1"})};
  auto a = range_assign(counts, members);
  EXPECT_EQ(a["a"], tps("t0", {0}));
  EXPECT_EQ(a["b"], concat(tps("t0", {1}), tps("t1", {0, 1})));
  EXPECT_EQ(a["c"], tps("t1", {2, 3}));
  expect_valid(a, members, counts);
}

TEST(RangeAssignor, MoreMembersThanPartitionsLeavesSomeEmpty) {
  PartitionCounts counts{{"t", 2}};
  std::vector<AssignorMember> members{member("a", {"t"}), member("b", {"t"}), member("c", {"t"})};
  auto a = range_assign(counts, members);
  EXPECT_EQ(a["a"], tps("t", {0}));
  EXPECT_EQ(a["b"], tps("t", {1}));
  EXPECT_TRUE(a["c"].empty());
}

TEST(RangeAssignor, UnknownTopicsGetNothing) {
  PartitionCounts counts{{"t", 2}};
  std::vector<AssignorMember> members{member("a", {"t", "missing"})};
  auto a = range_assign(counts, members);
  EXPECT_EQ(a["a"], tps("t", {0, 1}));
}

TEST(RangeAssignor, SortsStaticMembersByInstanceId) {
  PartitionCounts counts{{"t", 3}};
  auto z = member("m-1", {"t"});
  z.group_instance_id = "z";
  auto a_ = member("m-2", {"t"});
  a_.group_instance_id = "a";
  auto dynamic = member("m-0", {"t"});
  auto a = range_assign(counts, {z, a_, dynamic});
  EXPECT_EQ(a["m-2"], tps("t", {0}));  // instance "a"
  EXPECT_EQ(a["m-1"], tps("t", {1}));  // instance "z"
  EXPECT_EQ(a["m-0"], tps("t", {2}));  // no instance id: after the static members
}

TEST(RoundRobinAssignor, DealsAllPartitionsInTurn) {
  // Java's RoundRobinAssignor javadoc, first example.
  PartitionCounts counts{{"t0", 3}, {"t1", 3}};
  std::vector<AssignorMember> members{member("C0", {"t0", "t1"}), member("C1", {"t0", "t1"})};
  auto a = roundrobin_assign(counts, members);
  EXPECT_EQ(a["C0"], concat(tps("t0", {0, 2}), tps("t1", {1})));
  EXPECT_EQ(a["C1"], concat(tps("t0", {1}), tps("t1", {0, 2})));
}

TEST(RoundRobinAssignor, SkipsMembersNotSubscribed) {
  // Java's RoundRobinAssignor javadoc, second example: t0 1 partition, t1 2, t2 3;
  // C0 reads t0; C1 t0, t1; C2 t0, t1, t2.
  PartitionCounts counts{{"t0", 1}, {"t1", 2}, {"t2", 3}};
  std::vector<AssignorMember> members{member("C0", {"t0"}), member("C1", {"t0", "t1"}),
                                      member("C2", {"t0", "t1", "t2"})};
  auto a = roundrobin_assign(counts, members);
  EXPECT_EQ(a["C0"], tps("t0", {0}));
  EXPECT_EQ(a["C1"], tps("t1", {0}));
  EXPECT_EQ(a["C2"], concat(tps("t1", {1}), tps("t2", {0, 1, 2})));
  expect_valid(a, members, counts);
}

TEST(CooperativeStickyAssignor, FreshGroupIsBalancedRoundRobin) {
  PartitionCounts counts{{"t", 4}};
  std::vector<AssignorMember> members{member("C1", {"t"}), member("C0", {"t"})};
  auto a = cooperative_sticky_assign(counts, members);
  EXPECT_EQ(a["C0"], tps("t", {0, 2}));
  EXPECT_EQ(a["C1"], tps("t", {1, 3}));
}

TEST(CooperativeStickyAssignor, NewMemberGetsPartitionsOnlyAfterTheirOwnerRevokedThem) {
  PartitionCounts counts{{"t", 4}};
  // Round 1: C2 joins C0 {0,2} and C1 {1,3}. C0 keeps its 2 (one member may stay above the
  // minimum quota), C1 keeps 1 and must give up t-3 — which C2 does not get yet.
  std::vector<AssignorMember> round1{member("C0", {"t"}, tps("t", {0, 2}), 1),
                                     member("C1", {"t"}, tps("t", {1, 3}), 1), member("C2", {"t"})};
  auto a1 = cooperative_sticky_assign(counts, round1);
  EXPECT_EQ(a1["C0"], tps("t", {0, 2}));
  EXPECT_EQ(a1["C1"], tps("t", {1}));
  EXPECT_TRUE(a1["C2"].empty());
  // Round 2 (C1 revoked t-3 and rejoined): C2 gets it, nobody else moves.
  std::vector<AssignorMember> round2{member("C0", {"t"}, a1["C0"], 2),
                                     member("C1", {"t"}, a1["C1"], 2), member("C2", {"t"}, {}, 2)};
  auto a2 = cooperative_sticky_assign(counts, round2);
  EXPECT_EQ(a2["C0"], tps("t", {0, 2}));
  EXPECT_EQ(a2["C1"], tps("t", {1}));
  EXPECT_EQ(a2["C2"], tps("t", {3}));
}

TEST(CooperativeStickyAssignor, PartitionsOfALeavingMemberGoToTheOthersAtOnce) {
  PartitionCounts counts{{"t", 6}};
  // C2 (owning 2 and 5) left; the survivors keep theirs and share C2's, unowned now.
  std::vector<AssignorMember> members{member("C0", {"t"}, tps("t", {0, 3}), 4),
                                      member("C1", {"t"}, tps("t", {1, 4}), 4)};
  auto a = cooperative_sticky_assign(counts, members);
  EXPECT_EQ(a["C0"].size(), 3u);
  EXPECT_EQ(a["C1"].size(), 3u);
  for (const auto& tp : tps("t", {0, 3}))
    EXPECT_NE(std::find(a["C0"].begin(), a["C0"].end(), tp), a["C0"].end());
  for (const auto& tp : tps("t", {1, 4}))
    EXPECT_NE(std::find(a["C1"].begin(), a["C1"].end(), tp), a["C1"].end());
  expect_valid(a, members, counts);
}

TEST(CooperativeStickyAssignor, TheHigherGenerationWinsAConflictingClaim) {
  PartitionCounts counts{{"t", 2}};
  // A stale member (generation 3) still claims t-0, which C1 got in generation 5.
  std::vector<AssignorMember> members{member("C0", {"t"}, tps("t", {0}), 3),
                                      member("C1", {"t"}, tps("t", {0}), 5)};
  auto a = cooperative_sticky_assign(counts, members);
  EXPECT_EQ(a["C1"], tps("t", {0}));
  // C0 must revoke t-0 first, and gets t-1 (owned by nobody) right away.
  EXPECT_EQ(a["C0"], tps("t", {1}));
}

TEST(CooperativeStickyAssignor, DropsOwnedPartitionsOfTopicsNoLongerSubscribed) {
  PartitionCounts counts{{"a", 2}, {"b", 2}};
  std::vector<AssignorMember> members{member("C0", {"b"}, tps("a", {0, 1}), 1),
                                      member("C1", {"a", "b"}, {}, 1)};
  auto a = cooperative_sticky_assign(counts, members);
  expect_valid(a, members, counts);
  // C0 still owns a-0/a-1 until it revokes them: C1 cannot get them in this round.
  for (const auto& tp : a["C1"]) EXPECT_NE(tp.topic, "a");
}

TEST(CooperativeStickyAssignor, UnequalSubscriptionsStayValidAndBalanced) {
  PartitionCounts counts{{"t1", 2}, {"t2", 2}};
  std::vector<AssignorMember> members{member("C0", {"t1"}), member("C1", {"t1", "t2"})};
  auto a = cooperative_sticky_assign(counts, members);
  EXPECT_EQ(a["C0"], tps("t1", {0, 1}));
  EXPECT_EQ(a["C1"], tps("t2", {0, 1}));
}

// Runs rebalances the way a group does — every member adopts its assignment, revokes what it
// lost, rejoins — until nothing changes; checks that no partition ever has two owners.
GroupAssignment converge(const PartitionCounts& counts, std::vector<AssignorMember> members,
                         int* rounds) {
  GroupAssignment a;
  int32_t generation = 100;
  for (*rounds = 1; *rounds <= 10; ++*rounds) {
    a = cooperative_sticky_assign(counts, members);
    std::set<TopicPartition> owned_after;
    bool changed = false;
    ++generation;
    for (auto& m : members) {
      auto& next = a[m.member_id];
      // What the member owns after this round: what it kept plus what it was given.
      if (next != m.owned) changed = true;
      m.owned = next;
      m.generation = generation;
      for (const auto& tp : next) {
        EXPECT_TRUE(owned_after.insert(tp).second) << tp.to_string() << " owned twice";
      }
    }
    if (!changed) return a;
  }
  ADD_FAILURE() << "cooperative rebalancing did not converge";
  return a;
}

TEST(CooperativeStickyAssignor, ConvergesToABalancedStickyAssignment) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    PartitionCounts counts{{"x", static_cast<int32_t>(rng() % 12 + 1)},
                           {"y", static_cast<int32_t>(rng() % 7 + 1)}};
    const int total = counts["x"] + counts["y"];
    const int n = static_cast<int>(rng() % 5 + 1);
    std::vector<AssignorMember> members;
    for (int i = 0; i < n; ++i) members.push_back(member("m" + std::to_string(i), {"x", "y"}));
    int rounds = 0;
    auto a = converge(counts, members, &rounds);
    expect_valid(a, members, counts);
    std::size_t lo = SIZE_MAX, hi = 0, sum = 0;
    for (const auto& m : members) {
      lo = std::min(lo, a[m.member_id].size());
      hi = std::max(hi, a[m.member_id].size());
      sum += a[m.member_id].size();
    }
    EXPECT_EQ(sum, static_cast<std::size_t>(total)) << "trial " << trial;
    EXPECT_LE(hi - lo, 1u) << "trial " << trial;

    // A member joins: survivors lose only what balance requires (they keep at least the
    // new minimum quota of their own partitions).
    for (auto& m : members) m.owned = a[m.member_id], m.generation = 200;
    auto before = a;
    members.push_back(member("m" + std::to_string(n), {"x", "y"}));
    auto after = converge(counts, members, &rounds);
    EXPECT_LE(rounds, 3) << "trial " << trial;
    const std::size_t min_quota = static_cast<std::size_t>(total) / members.size();
    for (int i = 0; i < n; ++i) {
      const auto id = "m" + std::to_string(i);
      std::size_t kept = 0;
      for (const auto& tp : after[id]) kept += std::count(before[id].begin(), before[id].end(), tp);
      EXPECT_GE(kept, std::min(min_quota, before[id].size())) << "trial " << trial << " " << id;
    }
  }
}

TEST(Assignors, KnowTheirNamesAndProtocols) {
  EXPECT_TRUE(is_known_assignor("range"));
  EXPECT_TRUE(is_known_assignor("roundrobin"));
  EXPECT_TRUE(is_known_assignor("cooperative-sticky"));
  EXPECT_FALSE(is_known_assignor("sticky"));
  EXPECT_EQ(protocol_of("cooperative-sticky"), RebalanceProtocol::cooperative);
  EXPECT_EQ(protocol_of("range"), RebalanceProtocol::eager);
}

}  // namespace
}  // namespace sluice::client::detail
