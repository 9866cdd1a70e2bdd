// The controller's leader-election rules (broker/controller/election.h), table by table: each
// row is a partition's leadership, its assignment and the brokers' states, and the exact
// leadership the controller must write (or nothing). No ZooKeeper.
#include "broker/controller/election.h"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>

namespace sluice::broker::controller {

void PrintTo(const Leadership& l, std::ostream* os) {
  *os << "{leader " << l.leader << ", epoch " << l.leader_epoch << ", isr [";
  for (std::size_t i = 0; i < l.isr.size(); ++i) *os << (i ? "," : "") << l.isr[i];
  *os << "]}";
}

void PrintTo(const ElectionResult& r, std::ostream* os) {
  *os << to_string(r.change) << " ";
  PrintTo(r.leadership, os);
}

namespace {

using Ids = std::vector<int32_t>;

const ElectionFlags kNoFlags{};
const ElectionFlags kUnclean{.unclean_enabled = true};
const ElectionFlags kRestarted{.leader_restarted = true};
const ElectionFlags kPreferred{.preferred_leader_wanted = true};
const std::optional<ElectionResult> kUnchanged = std::nullopt;

struct Row {
  const char* name;
  Leadership current;  // {leader, leader epoch, isr}
  Ids replicas;        // assignment, preferred first
  Brokers brokers;     // {live, shutting down}
  ElectionFlags flags;
  std::optional<ElectionResult> expected;
};

using Rule = std::function<std::optional<ElectionResult>(const Row&)>;

// Every row through elect(), the controller's entry point, and through `rule`, the function
// for the case the table is about, when given: both must give exactly `expected`.
void check(const std::vector<Row>& rows, const Rule& rule) {
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(elect(row.current, row.replicas, row.brokers, row.flags), row.expected);
    if (rule) {
      EXPECT_EQ(rule(row), row.expected);
    }
  }
}

TEST(ControllerElection, InitialLeadershipOfANewPartition) {
  struct InitialRow {
    const char* name;
    Ids replicas;
    Brokers brokers;
    Leadership expected;
  };
  const std::vector<InitialRow> rows = {
      {"every replica alive", {1, 2, 3}, {{1, 2, 3}, {}}, {1, 0, {1, 2, 3}}},
      {"assignment order, not id order", {3, 1, 2}, {{1, 2, 3}, {}}, {3, 0, {3, 1, 2}}},
      {"a dead replica is left out", {1, 2, 3}, {{2, 3}, {}}, {2, 0, {2, 3}}},
      {"no replica alive: no leader", {1, 2}, {{3}, {}}, {-1, 0, {}}},
      {"brokers shutting down count as live", {1, 2}, {{1, 2}, {1}}, {1, 0, {1, 2}}},
      {"no replicas", {}, {{1}, {}}, {-1, 0, {}}},
  };
  for (const InitialRow& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(initial_leadership(row.replicas, row.brokers), row.expected);
  }
}

TEST(ControllerElection, UncleanGate) {
  struct GateRow {
    const char* name;
    Ids isr;
    Brokers brokers;
    bool enabled;
    bool has_live_isr_member;
    bool allowed;
  };
  const std::vector<GateRow> rows = {
      {"off, no ISR member alive", {1, 2}, {{3}, {}}, false, false, false},
      {"on, no ISR member alive", {1, 2}, {{3}, {}}, true, false, true},
      {"on, an ISR member alive", {1, 2}, {{2, 3}, {}}, true, true, false},
      {"on, an ISR member alive but shutting down", {1, 2}, {{2, 3}, {2}}, true, true, false},
      {"on, empty ISR", {}, {{1}, {}}, true, false, true},
      {"on, nobody alive", {1}, {{}, {}}, true, false, true},
  };
  for (const GateRow& row : rows) {
    SCOPED_TRACE(row.name);
    const Leadership current{-1, 3, row.isr};
    EXPECT_EQ(has_live_isr_member(current, row.brokers), row.has_live_isr_member);
    EXPECT_EQ(unclean_election_allowed(current, row.brokers, row.enabled), row.allowed);
  }
}

TEST(ControllerElection, LiveLeaderShrinksTheIsr) {
  const std::vector<Row> rows = {
      {"every ISR member eligible: nothing to write",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kNoFlags,
       kUnchanged},
      {"a dead follower leaves the ISR, same leader epoch",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2}, {}},
       kNoFlags,
       ElectionResult{Change::shrink_isr, {1, 4, {1, 2}}}},
      {"a follower shutting down leaves the ISR",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {3}},
       kNoFlags,
       ElectionResult{Change::shrink_isr, {1, 4, {1, 2}}}},
      {"ISR order is kept",
       {1, 4, {3, 1, 2}},
       {1, 2, 3},
       {{1, 3}, {}},
       kNoFlags,
       ElectionResult{Change::shrink_isr, {1, 4, {3, 1}}}},
      {"a leader outside the assignment keeps leading",
       {4, 4, {4, 1, 2}},
       {1, 2, 3},
       {{1, 4}, {}},
       kNoFlags,
       ElectionResult{Change::shrink_isr, {4, 4, {4, 1}}}},
      {"a live leader outside its own ISR stays",
       {1, 4, {2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kNoFlags,
       kUnchanged},
      {"a live leader with an empty ISR: nothing to write",
       {1, 4, {}},
       {1, 2},
       {{1}, {}},
       kNoFlags,
       kUnchanged},
      {"dead replicas outside the ISR do not matter",
       {1, 4, {1, 2}},
       {1, 2, 3},
       {{1, 2}, {}},
       kNoFlags,
       kUnchanged},
      {"unclean on changes nothing",
       {1, 4, {1, 2}},
       {1, 2},
       {{1}, {}},
       kUnclean,
       ElectionResult{Change::shrink_isr, {1, 4, {1}}}},
  };
  check(rows, [](const Row& r) { return shrink_isr(r.current, r.brokers); });
}

TEST(ControllerElection, RestartedLeader) {
  const std::vector<Row> rows = {
      {"another ISR member leads, the restarted one leaves the ISR",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {2, 5, {2, 3}}}},
      {"assignment order picks the new leader, ISR order kept",
       {1, 4, {1, 2, 3}},
       {1, 3, 2},
       {{1, 2, 3}, {}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {3, 5, {2, 3}}}},
      {"the only ISR member leads again, epoch + 1",
       {1, 4, {1}},
       {1, 2},
       {{1, 2}, {}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {1, 5, {1}}}},
      {"other ISR members dead: it leads again, they leave",
       {1, 4, {1, 2}},
       {1, 2},
       {{1}, {}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {1, 5, {1}}}},
      {"other ISR members shutting down: it leads again, they leave",
       {1, 4, {1, 2}},
       {1, 2},
       {{1, 2}, {2}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {1, 5, {1}}}},
      {"dead followers leave in the same write",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 3}, {}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {3, 5, {3}}}},
      {"a replica outside the ISR is not elected",
       {1, 4, {1, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {3, 5, {3}}}},
      {"a leader outside the assignment hands over",
       {4, 4, {4, 2}},
       {1, 2, 3},
       {{2, 4}, {}},
       kRestarted,
       ElectionResult{Change::restarted_leader, {2, 5, {2}}}},
  };
  check(rows, [](const Row& r) {
    return std::optional(restarted_leader_election(r.current, r.replicas, r.brokers));
  });
}

TEST(ControllerElection, FirstLeaderOfAPartitionThatNeverHadOne) {
  const std::vector<Row> rows = {
      {"eligible replicas form the ISR, the first leads, epoch + 1",
       {-1, 3, {}},
       {1, 2, 3},
       {{2, 3}, {}},
       kNoFlags,
       ElectionResult{Change::first_leader, {2, 4, {2, 3}}}},
      {"assignment order",
       {-1, 3, {}},
       {3, 1, 2},
       {{1, 2, 3}, {}},
       kNoFlags,
       ElectionResult{Change::first_leader, {3, 4, {3, 1, 2}}}},
      {"no replica alive: nothing to write", {-1, 3, {}}, {1, 2}, {{4}, {}}, kNoFlags, kUnchanged},
      {"brokers shutting down are left out",
       {-1, 3, {}},
       {1, 2, 3},
       {{1, 2, 3}, {1}},
       kNoFlags,
       ElectionResult{Change::first_leader, {2, 4, {2, 3}}}},
      {"every live replica shutting down: nothing to write",
       {-1, 3, {}},
       {1, 2},
       {{1}, {1}},
       kNoFlags,
       kUnchanged},
      {"unclean on changes nothing", {-1, 3, {}}, {1, 2}, {{}, {}}, kUnclean, kUnchanged},
  };
  check(rows, [](const Row& r) { return first_leader_election(r.current, r.replicas, r.brokers); });
}

TEST(ControllerElection, OfflinePartition) {
  const std::vector<Row> rows = {
      {"dead leader: the first live ISR member in assignment order leads",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{2, 3}, {}},
       kNoFlags,
       ElectionResult{Change::leader_from_isr, {2, 5, {2, 3}}}},
      {"assignment order decides, ISR order kept",
       {1, 4, {1, 2, 3}},
       {1, 3, 2},
       {{2, 3}, {}},
       kNoFlags,
       ElectionResult{Change::leader_from_isr, {3, 5, {2, 3}}}},
      {"ISR members shutting down are passed over and leave the ISR",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{2, 3}, {2}},
       kNoFlags,
       ElectionResult{Change::leader_from_isr, {3, 5, {3}}}},
      {"a dead leader outside the assignment",
       {4, 4, {4, 2}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kNoFlags,
       ElectionResult{Change::leader_from_isr, {2, 5, {2}}}},
      {"no live ISR member, unclean off: offline, last ISR kept",
       {1, 4, {1, 2}},
       {1, 2, 3},
       {{3}, {}},
       kNoFlags,
       ElectionResult{Change::offline, {-1, 5, {1, 2}}}},
      {"no live ISR member, unclean on: the first live replica leads alone",
       {1, 4, {1, 2}},
       {1, 2, 3},
       {{3}, {}},
       kUnclean,
       ElectionResult{Change::unclean, {3, 5, {3}}}},
      {"unclean on, an ISR member alive but shutting down: offline",
       {1, 4, {1, 2}},
       {1, 2, 3},
       {{2, 3}, {2}},
       kUnclean,
       ElectionResult{Change::offline, {-1, 5, {1, 2}}}},
      {"unclean on, no replica alive: offline",
       {1, 4, {1, 2}},
       {1, 2, 3},
       {{}, {}},
       kUnclean,
       ElectionResult{Change::offline, {-1, 5, {1, 2}}}},
      {"unclean on: a replica shutting down is not chosen",
       {1, 4, {1}},
       {1, 2, 3},
       {{2, 3}, {2}},
       kUnclean,
       ElectionResult{Change::unclean, {3, 5, {3}}}},
      {"unclean on, every live replica shutting down: offline",
       {1, 4, {1}},
       {1, 2},
       {{2}, {2}},
       kUnclean,
       ElectionResult{Change::offline, {-1, 5, {1}}}},
      {"offline already, no ISR member back: nothing to write",
       {-1, 5, {1, 2}},
       {1, 2, 3},
       {{3}, {}},
       kNoFlags,
       kUnchanged},
      {"offline already, an ISR member returns and leads",
       {-1, 5, {1, 2}},
       {1, 2, 3},
       {{2, 3}, {}},
       kNoFlags,
       ElectionResult{Change::leader_from_isr, {2, 6, {2}}}},
      {"offline already, unclean turned on: a live replica leads",
       {-1, 5, {1, 2}},
       {1, 2, 3},
       {{3}, {}},
       kUnclean,
       ElectionResult{Change::unclean, {3, 6, {3}}}},
      {"empty ISR and a dead leader, unclean off: offline",
       {1, 4, {}},
       {1, 2},
       {{2}, {}},
       kNoFlags,
       ElectionResult{Change::offline, {-1, 5, {}}}},
      {"empty ISR and a dead leader, unclean on",
       {1, 4, {}},
       {1, 2},
       {{2}, {}},
       kUnclean,
       ElectionResult{Change::unclean, {2, 5, {2}}}},
      {"a live ISR member outside the assignment cannot lead and closes the gate",
       {1, 4, {1, 3}},
       {1, 2},
       {{2, 3}, {}},
       kUnclean,
       ElectionResult{Change::offline, {-1, 5, {1, 3}}}},
  };
  check(rows, [](const Row& r) {
    return offline_partition_election(r.current, r.replicas, r.brokers, r.flags.unclean_enabled);
  });
}

TEST(ControllerElection, ControlledShutdownOfTheLeader) {
  const std::vector<Row> rows = {
      {"leadership moves to the first eligible ISR member, the leader leaves the ISR",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {1}},
       kNoFlags,
       ElectionResult{Change::controlled_shutdown, {2, 5, {2, 3}}}},
      {"assignment order",
       {1, 4, {1, 2, 3}},
       {1, 3, 2},
       {{1, 2, 3}, {1}},
       kNoFlags,
       ElectionResult{Change::controlled_shutdown, {3, 5, {2, 3}}}},
      {"a dead follower leaves with the leader",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 3}, {1}},
       kNoFlags,
       ElectionResult{Change::controlled_shutdown, {3, 5, {3}}}},
      {"no other ISR member: the leader keeps leading",
       {1, 4, {1}},
       {1, 2},
       {{1, 2}, {1}},
       kNoFlags,
       kUnchanged},
      {"the other ISR members shutting down too: the leader keeps leading",
       {1, 4, {1, 2}},
       {1, 2},
       {{1, 2}, {1, 2}},
       kNoFlags,
       kUnchanged},
      {"the other ISR members dead: the leader keeps leading, ISR untouched",
       {1, 4, {1, 2}},
       {1, 2},
       {{1}, {1}},
       kNoFlags,
       kUnchanged},
      {"unclean on changes nothing while the leader is in the ISR",
       {1, 4, {1}},
       {1, 2},
       {{1, 2}, {1}},
       kUnclean,
       kUnchanged},
      {"a restart does not matter: it is shutting down",
       {1, 4, {1, 2}},
       {1, 2},
       {{1, 2}, {1}},
       kRestarted,
       ElectionResult{Change::controlled_shutdown, {2, 5, {2}}}},
      {"leader outside its ISR, no live ISR member, unclean on: a replica leads alone",
       {1, 4, {3}},
       {1, 2},
       {{1, 2}, {1}},
       kUnclean,
       ElectionResult{Change::unclean, {2, 5, {2}}}},
      {"leader outside its ISR, no live ISR member, unclean off: it keeps leading",
       {1, 4, {3}},
       {1, 2},
       {{1, 2}, {1}},
       kNoFlags,
       kUnchanged},
  };
  check(rows, [](const Row& r) {
    return controlled_shutdown_election(r.current, r.replicas, r.brokers, r.flags.unclean_enabled);
  });
}

TEST(ControllerElection, PreferredLeader) {
  const std::vector<Row> rows = {
      {"moves to the first assigned replica, epoch + 1",
       {2, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kPreferred,
       ElectionResult{Change::preferred_leader, {1, 5, {1, 2, 3}}}},
      {"not wanted: nothing to write",
       {2, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kNoFlags,
       kUnchanged},
      {"already the leader: nothing to write",
       {1, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kPreferred,
       kUnchanged},
      {"preferred replica not live: nothing to write",
       {2, 4, {2, 3}},
       {1, 2, 3},
       {{2, 3}, {}},
       kPreferred,
       kUnchanged},
      {"preferred replica not in the ISR: nothing to write",
       {2, 4, {2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {}},
       kPreferred,
       kUnchanged},
      {"preferred replica shutting down: not moved, it leaves the ISR",
       {2, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2, 3}, {1}},
       kPreferred,
       ElectionResult{Change::shrink_isr, {2, 4, {2, 3}}}},
      {"no replicas assigned: nothing to write",
       {2, 4, {2}},
       {},
       {{2}, {}},
       kPreferred,
       kUnchanged},
      {"after an ISR shrink in the same write: one epoch bump",
       {2, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 2}, {}},
       kPreferred,
       ElectionResult{Change::preferred_leader, {1, 5, {1, 2}}}},
      {"dead leader: the ISR election picks the preferred replica itself",
       {2, 4, {1, 2, 3}},
       {1, 2, 3},
       {{1, 3}, {}},
       kPreferred,
       ElectionResult{Change::leader_from_isr, {1, 5, {1, 3}}}},
      {"restarted preferred leader: it does not take leadership back",
       {1, 4, {1, 2}},
       {1, 2},
       {{1, 2}, {}},
       {.leader_restarted = true, .preferred_leader_wanted = true},
       ElectionResult{Change::restarted_leader, {2, 5, {2}}}},
      {"offline partition: nothing to write",
       {-1, 5, {1}},
       {1, 2},
       {{2}, {}},
       kPreferred,
       kUnchanged},
  };
  check(rows, nullptr);
}

TEST(ControllerElection, PreferredLeaderRuleAlone) {
  const Brokers all{{1, 2, 3}, {}};
  const Leadership on_2{2, 4, {1, 2, 3}};
  EXPECT_EQ(preferred_leader_election(on_2, {1, 2, 3}, all),
            (ElectionResult{Change::preferred_leader, {1, 5, {1, 2, 3}}}));
  EXPECT_EQ(preferred_leader_election(on_2, {2, 1, 3}, all), kUnchanged);
  EXPECT_EQ(preferred_leader_election(on_2, {3, 1, 2}, all),
            (ElectionResult{Change::preferred_leader, {3, 5, {1, 2, 3}}}));
  EXPECT_EQ(preferred_leader_election(on_2, {4, 1, 2}, all), kUnchanged);
}

}  // namespace
}  // namespace sluice::broker::controller
