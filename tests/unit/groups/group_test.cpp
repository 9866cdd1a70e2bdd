// The group state machine as Kafka's clients see it: join phases, protocol selection,
// MEMBER_ID_REQUIRED, the initial rebalance delay, SyncGroup distribution, heartbeats, leaves,
// session and rebalance timeouts, static membership, offset-commit checks, and resuming a
// stored group. Time is a fake clock; persistence a recorder completed by the test.
#include "broker/groups/group.h"

#include <gtest/gtest.h>

#include <deque>

#include "protocol/error_codes.h"

namespace sluice::broker::groups {
namespace {

using protocol::KafkaErrc;
using std::chrono::milliseconds;

protocol::Bytes bytes(std::string_view s) { return protocol::Bytes(s.begin(), s.end()); }

class GroupTest : public ::testing::Test {
 protected:
  GroupTest() {
    env.config.initial_rebalance_delay = milliseconds(3000);
    env.config.min_session_timeout = milliseconds(6000);
    env.config.max_session_timeout = milliseconds(300000);
    env.now = [this] { return now; };
    env.wall_ms = [this] { return wall; };
    env.new_member_id = [this](std::string_view client) {
      return std::string(client) + "-" + std::to_string(++ids);
    };
    env.persist = [this](const std::string&, GroupRecord record,
                         std::function<void(KafkaErrc)> done) {
      stored.push_back(record);
      if (auto_persist)
        done(persist_error);
      else
        pending_persists.push_back(std::move(done));
    };
    group = std::make_unique<Group>("g", env);
  }

  struct Join {
    std::optional<JoinResult> result;
  };
  struct Sync {
    std::optional<SyncResult> result;
  };

  std::shared_ptr<Join> join(const std::string& member_id,
                             std::vector<MemberProtocol> protocols = {{"range", bytes("m")}},
                             bool require_known = true,
                             std::optional<std::string> instance = std::nullopt,
                             std::string type = "consumer", int32_t session_ms = 10000,
                             int32_t rebalance_ms = 30000) {
    JoinRequest r;
    r.member_id = member_id;
    r.group_instance_id = std::move(instance);
    r.client_id = "c";
    r.client_host = "/127.0.0.1";
    r.session_timeout_ms = session_ms;
    r.rebalance_timeout_ms = rebalance_ms;
    r.protocol_type = std::move(type);
    r.protocols = std::move(protocols);
    r.require_known_member_id = require_known;
    auto out = std::make_shared<Join>();
    group->join(std::move(r), [out](JoinResult res) { out->result = std::move(res); });
    return out;
  }

  // MEMBER_ID_REQUIRED round trip: the member id to rejoin with.
  std::string new_member() {
    auto first = join("");
    EXPECT_TRUE(first->result);
    EXPECT_EQ(first->result->error, KafkaErrc::member_id_required);
    return first->result->member_id;
  }

  std::shared_ptr<Sync> sync(const std::string& member_id, int32_t generation,
                             std::vector<std::pair<std::string, protocol::Bytes>> assignments = {},
                             std::optional<std::string> instance = std::nullopt) {
    SyncRequest r;
    r.member_id = member_id;
    r.generation = generation;
    r.group_instance_id = std::move(instance);
    r.assignments = std::move(assignments);
    auto out = std::make_shared<Sync>();
    group->sync(std::move(r), [out](SyncResult res) { out->result = std::move(res); });
    return out;
  }

  // Moves time on in 100 ms steps, ticking like the coordinator's sweep does.
  void advance(milliseconds d) {
    while (d.count() > 0) {
      auto step = std::min(d, milliseconds(100));
      now += step;
      wall += step.count();
      d -= step;
      group->tick();
    }
  }

  // Two members joined and synced: returns their ids (leader first).
  std::pair<std::string, std::string> stable_pair() {
    std::string a = new_member();
    std::string b = new_member();
    auto ja = join(a);
    auto jb = join(b);
    advance(milliseconds(6000));  // a second member extends the initial delay once
    EXPECT_TRUE(ja->result && jb->result);
    std::string leader = ja->result->leader;
    std::string follower = leader == a ? b : a;
    auto sf = sync(follower, 1);
    auto sl = sync(leader, 1, {{leader, bytes("L")}, {follower, bytes("F")}});
    EXPECT_TRUE(sf->result && sl->result);
    EXPECT_EQ(group->state(), GroupState::stable);
    return {leader, follower};
  }

  Clock::time_point now{};
  int64_t wall = 1000000;
  int ids = 0;
  bool auto_persist = true;
  KafkaErrc persist_error = KafkaErrc::none;
  std::vector<GroupRecord> stored;
  std::deque<std::function<void(KafkaErrc)>> pending_persists;
  GroupEnv env;
  std::unique_ptr<Group> group;
};

TEST_F(GroupTest, NewMemberFirstGetsMemberIdRequired) {
  auto first = join("");
  ASSERT_TRUE(first->result);
  EXPECT_EQ(first->result->error, KafkaErrc::member_id_required);
  EXPECT_EQ(first->result->member_id, "c-1");
  EXPECT_EQ(group->state(), GroupState::empty);  // not a member until it comes back
  EXPECT_EQ(group->pending_members(), 1u);
  auto again = join("c-1");
  EXPECT_FALSE(again->result);  // waits for the join phase to end
  EXPECT_EQ(group->state(), GroupState::preparing_rebalance);
  EXPECT_EQ(group->pending_members(), 0u);
}

TEST_F(GroupTest, OldClientsJoinWithoutMemberIdRequired) {
  auto j = join("", {{"range", bytes("m")}}, /*require_known=*/false);
  EXPECT_FALSE(j->result);
  advance(milliseconds(3000));
  ASSERT_TRUE(j->result);
  EXPECT_EQ(j->result->error, KafkaErrc::none);
  EXPECT_EQ(j->result->member_id, "c-1");
  EXPECT_EQ(j->result->generation, 1);
}

TEST_F(GroupTest, InitialDelayCollectsMembersIntoOneGeneration) {
  std::string a = new_member();
  auto ja = join(a);
  advance(milliseconds(1000));
  std::string b = new_member();
  auto jb = join(b);
  advance(milliseconds(1999));
  EXPECT_FALSE(ja->result);  // the delay holds even though everyone has joined
  advance(milliseconds(1));
  // b arrived during the first delay: the delay is extended once.
  EXPECT_FALSE(ja->result);
  advance(milliseconds(3000));
  ASSERT_TRUE(ja->result && jb->result);
  EXPECT_EQ(ja->result->generation, 1);
  EXPECT_EQ(jb->result->generation, 1);
  EXPECT_EQ(ja->result->leader, a);
  EXPECT_EQ(ja->result->members.size(), 2u);  // the leader gets everyone's metadata
  EXPECT_TRUE(jb->result->members.empty());
  EXPECT_EQ(ja->result->protocol_name, "range");
  EXPECT_EQ(group->state(), GroupState::completing_rebalance);
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.back().state, "CompletingRebalance");
  EXPECT_EQ(stored.back().generation, 1);
  EXPECT_EQ(stored.back().members.size(), 2u);
}

TEST_F(GroupTest, SelectsTheProtocolMostMembersPrefer) {
  std::string a = new_member();
  std::string b = new_member();
  std::string c = new_member();
  auto ja = join(a, {{"roundrobin", bytes("1")}, {"range", bytes("2")}});
  auto jb = join(b, {{"range", bytes("3")}, {"roundrobin", bytes("4")}});
  auto jc = join(c, {{"range", bytes("5")}, {"sticky", bytes("6")}, {"roundrobin", bytes("7")}});
  advance(milliseconds(6000));  // a second member extends the initial delay once
  ASSERT_TRUE(ja->result);
  EXPECT_EQ(ja->result->protocol_name, "range");
  // The leader sees each member's metadata for the selected protocol.
  for (const auto& m : ja->result->members) {
    if (m.member_id == a) {
      EXPECT_EQ(m.metadata, bytes("2"));
    }
    if (m.member_id == c) {
      EXPECT_EQ(m.metadata, bytes("5"));
    }
  }
}

TEST_F(GroupTest, UnknownProtocolTypeIsInconsistent) {
  auto pair = stable_pair();
  auto bad = join("", {{"range", bytes("m")}}, true, std::nullopt, "bogus");
  ASSERT_TRUE(bad->result);
  EXPECT_EQ(bad->result->error, KafkaErrc::inconsistent_group_protocol);
  auto none = join("", {{"nothing-in-common", bytes("m")}});
  EXPECT_EQ(none->result->error, KafkaErrc::inconsistent_group_protocol);
  EXPECT_EQ(group->state(), GroupState::stable);  // the group keeps working
  EXPECT_EQ(group->heartbeat({pair.first, std::nullopt}, 1), KafkaErrc::none);
  // An empty group accepts any non-empty protocol type, but not an empty one.
  Group other("h", env);
  std::optional<JoinResult> r;
  JoinRequest req;
  req.session_timeout_ms = 10000;
  req.protocols = {{"range", bytes("m")}};
  other.join(req, [&r](JoinResult res) { r = res; });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, KafkaErrc::inconsistent_group_protocol);
}

TEST_F(GroupTest, SessionTimeoutOutOfRangeIsRejected) {
  auto j = join("", {{"range", bytes("m")}}, true, std::nullopt, "consumer", 1000);
  ASSERT_TRUE(j->result);
  EXPECT_EQ(j->result->error, KafkaErrc::invalid_session_timeout);
}

TEST_F(GroupTest, FollowersGetTheirAssignmentOnceTheLeaderSyncsAndItIsStored) {
  auto_persist = false;
  std::string a = new_member();
  std::string b = new_member();
  auto ja = join(a);
  auto jb = join(b);
  advance(milliseconds(6000));             // a second member extends the initial delay once
  ASSERT_EQ(pending_persists.size(), 1u);  // generation 1 stored (no assignment yet)
  pending_persists.front()(KafkaErrc::none);
  pending_persists.clear();
  auto sb = sync(b, 1);
  EXPECT_FALSE(sb->result);  // waits for the leader
  auto sa = sync(a, 1, {{a, bytes("A")}, {b, bytes("B")}, {"stranger", bytes("X")}});
  EXPECT_FALSE(sa->result);  // waits until the assignment is stored
  ASSERT_EQ(pending_persists.size(), 1u);
  EXPECT_EQ(stored.back().state, "Stable");
  ASSERT_EQ(stored.back().members.size(), 2u);
  EXPECT_FALSE(stored.back().members[0].assignment.empty());
  pending_persists.front()(KafkaErrc::none);
  ASSERT_TRUE(sa->result && sb->result);
  EXPECT_EQ(sa->result->error, KafkaErrc::none);
  EXPECT_EQ(sa->result->assignment, bytes("A"));
  EXPECT_EQ(sb->result->assignment, bytes("B"));
  EXPECT_EQ(group->state(), GroupState::stable);
  // A late SyncGroup in Stable gets the stored assignment at once.
  auto again = sync(b, 1);
  ASSERT_TRUE(again->result);
  EXPECT_EQ(again->result->assignment, bytes("B"));
}

TEST_F(GroupTest, FailedStoreOfTheAssignmentMakesMembersRejoin) {
  auto_persist = false;
  std::string a = new_member();
  auto ja = join(a);
  advance(milliseconds(3000));
  pending_persists.front()(KafkaErrc::none);
  pending_persists.clear();
  auto sa = sync(a, 1, {{a, bytes("A")}});
  pending_persists.front()(KafkaErrc::not_coordinator);
  ASSERT_TRUE(sa->result);
  EXPECT_EQ(sa->result->error, KafkaErrc::not_coordinator);
  EXPECT_EQ(group->state(), GroupState::preparing_rebalance);
}

TEST_F(GroupTest, SyncFromANonMemberOrAStaleGenerationIsRefused) {
  auto pair = stable_pair();
  auto stranger = sync("nobody", 1);
  ASSERT_TRUE(stranger->result);
  EXPECT_EQ(stranger->result->error, KafkaErrc::unknown_member_id);
  auto stale = sync(pair.second, 0);
  EXPECT_EQ(stale->result->error, KafkaErrc::illegal_generation);
  EXPECT_EQ(group->state(), GroupState::stable);
}

TEST_F(GroupTest, HeartbeatTellsMembersToRejoinWhenSomeoneNewJoins) {
  auto pair = stable_pair();
  EXPECT_EQ(group->heartbeat({pair.second, std::nullopt}, 1), KafkaErrc::none);
  std::string c = new_member();
  auto jc = join(c);
  EXPECT_EQ(group->state(), GroupState::preparing_rebalance);
  EXPECT_EQ(group->heartbeat({pair.second, std::nullopt}, 1), KafkaErrc::rebalance_in_progress);
  EXPECT_EQ(group->heartbeat({"nobody", std::nullopt}, 1), KafkaErrc::unknown_member_id);
  auto j1 = join(pair.first);
  auto j2 = join(pair.second);
  // Everyone rejoined: the join phase ends without waiting for the rebalance timeout.
  ASSERT_TRUE(j1->result && j2->result && jc->result);
  EXPECT_EQ(j1->result->generation, 2);
  EXPECT_EQ(group->state(), GroupState::completing_rebalance);
  EXPECT_EQ(group->heartbeat({pair.second, std::nullopt}, 1), KafkaErrc::illegal_generation);
  EXPECT_EQ(group->heartbeat({pair.second, std::nullopt}, 2), KafkaErrc::none);
}

TEST_F(GroupTest, FollowerRejoiningWithTheSameMetadataKeepsTheGeneration) {
  auto pair = stable_pair();
  auto j = join(pair.second);
  ASSERT_TRUE(j->result);
  EXPECT_EQ(j->result->generation, 1);
  EXPECT_EQ(group->state(), GroupState::stable);
  // The leader rejoining forces a rebalance (it wants to recompute the assignment).
  auto l = join(pair.first);
  EXPECT_FALSE(l->result);
  EXPECT_EQ(group->state(), GroupState::preparing_rebalance);
}

TEST_F(GroupTest, SessionTimeoutEvictsAMemberAndRebalances) {
  auto pair = stable_pair();
  advance(milliseconds(6000));
  EXPECT_EQ(group->heartbeat({pair.first, std::nullopt}, 1), KafkaErrc::none);
  advance(milliseconds(4001));  // the follower has been silent for 10 s
  EXPECT_FALSE(group->has_member(pair.second));
  EXPECT_EQ(group->state(), GroupState::preparing_rebalance);
  EXPECT_EQ(group->heartbeat({pair.first, std::nullopt}, 1), KafkaErrc::rebalance_in_progress);
  auto j = join(pair.first);
  ASSERT_TRUE(j->result);  // the only member left has rejoined
  EXPECT_EQ(j->result->generation, 2);
  EXPECT_EQ(j->result->members.size(), 1u);
}

TEST_F(GroupTest, MembersThatDoNotRejoinWithinTheRebalanceTimeoutAreDropped) {
  auto pair = stable_pair();
  std::string c = new_member();
  auto jc = join(c);
  auto j1 = join(pair.first);
  // pair.second keeps heartbeating but never rejoins.
  for (int i = 0; i < 11; ++i) {
    advance(milliseconds(2900));
    (void)group->heartbeat({pair.second, std::nullopt}, 1);
  }
  ASSERT_TRUE(j1->result && jc->result);  // rebalance timeout (30 s) passed
  EXPECT_EQ(j1->result->generation, 2);
  EXPECT_FALSE(group->has_member(pair.second));
  EXPECT_EQ(group->heartbeat({pair.second, std::nullopt}, 2), KafkaErrc::unknown_member_id);
}

TEST_F(GroupTest, LeavingRebalancesAndTheLastLeaveEmptiesTheGroup) {
  auto pair = stable_pair();
  EXPECT_EQ(group->leave({pair.first, std::nullopt}), KafkaErrc::none);
  EXPECT_EQ(group->state(), GroupState::preparing_rebalance);
  EXPECT_EQ(group->leader(), pair.second);  // leadership passes on
  EXPECT_EQ(group->leave({"nobody", std::nullopt}), KafkaErrc::unknown_member_id);
  EXPECT_EQ(group->leave({pair.second, std::nullopt}), KafkaErrc::none);
  EXPECT_EQ(group->state(), GroupState::empty);
  EXPECT_EQ(group->generation(), 2);
  EXPECT_EQ(stored.back().state, "Empty");
  EXPECT_TRUE(stored.back().members.empty());
}

TEST_F(GroupTest, StaticMemberRestartKeepsItsAssignmentWithoutRebalance) {
  auto a = join("", {{"range", bytes("m")}}, true, std::string("host-a"));
  auto b = join("", {{"range", bytes("m")}}, true, std::string("host-b"));
  advance(milliseconds(6000));          // a second member extends the initial delay once
  ASSERT_TRUE(a->result && b->result);  // static members skip MEMBER_ID_REQUIRED
  EXPECT_EQ(a->result->error, KafkaErrc::none);
  const std::string leader = a->result->leader;
  const std::string old_b = b->result->member_id;
  sync(old_b, 1, {}, std::string("host-b"));
  sync(leader, 1, {{leader, bytes("A")}, {old_b, bytes("B")}},
       std::string(leader == old_b ? "host-b" : "host-a"));
  ASSERT_EQ(group->state(), GroupState::stable);
  // host-b restarts: new member id, same instance id.
  auto again = join("", {{"range", bytes("m")}}, true, std::string("host-b"));
  ASSERT_TRUE(again->result);
  EXPECT_EQ(again->result->error, KafkaErrc::none);
  EXPECT_EQ(again->result->generation, 1);  // no rebalance
  EXPECT_NE(again->result->member_id, old_b);
  EXPECT_EQ(group->state(), GroupState::stable);
  auto s = sync(again->result->member_id, 1, {}, std::string("host-b"));
  EXPECT_EQ(s->result->assignment, bytes("B"));
  // The old incarnation is fenced.
  EXPECT_EQ(group->heartbeat({old_b, std::string("host-b")}, 1), KafkaErrc::fenced_instance_id);
  // A static member may leave by instance id alone (LeaveGroup v3+).
  EXPECT_EQ(group->leave({"", std::string("host-b")}), KafkaErrc::none);
  EXPECT_FALSE(group->has_member(again->result->member_id));
}

TEST_F(GroupTest, OffsetCommitChecksMemberAndGeneration) {
  EXPECT_EQ(group->validate_offset_commit({"", std::nullopt}, -1),
            KafkaErrc::none);  // simple commit, empty group
  auto pair = stable_pair();
  EXPECT_EQ(group->validate_offset_commit({pair.first, std::nullopt}, 1), KafkaErrc::none);
  EXPECT_EQ(group->validate_offset_commit({pair.first, std::nullopt}, 0),
            KafkaErrc::illegal_generation);
  EXPECT_EQ(group->validate_offset_commit({"nobody", std::nullopt}, 1),
            KafkaErrc::unknown_member_id);
  EXPECT_EQ(group->validate_offset_commit({"", std::nullopt}, -1), KafkaErrc::unknown_member_id);
  std::string c = new_member();
  join(c);
  // Still allowed while the group prepares a rebalance (members commit before rejoining).
  EXPECT_EQ(group->validate_offset_commit({pair.first, std::nullopt}, 1), KafkaErrc::none);
  join(pair.first);
  join(pair.second);
  EXPECT_EQ(group->state(), GroupState::completing_rebalance);
  EXPECT_EQ(group->validate_offset_commit({pair.first, std::nullopt}, 2),
            KafkaErrc::rebalance_in_progress);
}

TEST_F(GroupTest, AStoredStableGroupResumesWithoutRebalance) {
  auto pair = stable_pair();
  GroupRecord rec = stored.back();
  Group resumed("g", env);
  resumed.restore(rec);
  EXPECT_EQ(resumed.state(), GroupState::stable);
  EXPECT_EQ(resumed.generation(), 1);
  EXPECT_EQ(resumed.leader(), pair.first);
  EXPECT_EQ(resumed.heartbeat({pair.second, std::nullopt}, 1), KafkaErrc::none);
  std::optional<SyncResult> s;
  SyncRequest r;
  r.member_id = pair.second;
  r.generation = 1;
  resumed.sync(r, [&s](SyncResult res) { s = res; });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->assignment, bytes("F"));
  // A member that died meanwhile times out as usual.
  now += milliseconds(5000);
  EXPECT_EQ(resumed.heartbeat({pair.first, std::nullopt}, 1), KafkaErrc::none);
  now += milliseconds(5001);
  resumed.tick();
  EXPECT_EQ(resumed.state(), GroupState::preparing_rebalance);
  EXPECT_FALSE(resumed.has_member(pair.second));
}

TEST_F(GroupTest, AGroupStoredMidRebalanceResumesRebalancing) {
  std::string a = new_member();
  join(a);
  advance(milliseconds(3000));
  ASSERT_EQ(stored.back().state, "CompletingRebalance");
  Group resumed("g", env);
  resumed.restore(stored.back());
  EXPECT_EQ(resumed.state(), GroupState::preparing_rebalance);
  EXPECT_EQ(resumed.heartbeat({a, std::nullopt}, 1), KafkaErrc::rebalance_in_progress);
}

TEST_F(GroupTest, ShutdownAnswersWaitingRequests) {
  std::string a = new_member();
  auto j = join(a);
  group->shutdown(KafkaErrc::not_coordinator);
  ASSERT_TRUE(j->result);
  EXPECT_EQ(j->result->error, KafkaErrc::not_coordinator);
  EXPECT_EQ(group->state(), GroupState::dead);
}

TEST_F(GroupTest, GroupMaxSizeLimitsNewMembers) {
  env.config.max_size = 1;
  std::string a = new_member();
  join(a);
  auto b = join("");
  ASSERT_TRUE(b->result);
  EXPECT_EQ(b->result->error, KafkaErrc::group_max_size_reached);
}

TEST_F(GroupTest, SubscribedToReadsConsumerSubscriptions) {
  // ConsumerProtocolSubscription v0 with topics ["t1"]: version, array of 1, "t1", null user data.
  protocol::Bytes sub = {0, 0, 0, 0, 0, 1, 0, 2, 't', '1', 0xff, 0xff, 0xff, 0xff};
  std::string a = new_member();
  join(a, {{"range", sub}});
  EXPECT_TRUE(group->subscribed_to("t1"));
  EXPECT_FALSE(group->subscribed_to("t2"));
}

}  // namespace
}  // namespace sluice::broker::groups
