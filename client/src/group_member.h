// GroupMember: the consumer's side of Kafka's classic group protocol, and its committed
// offsets. It finds the coordinator (FindCoordinator, again after NOT_COORDINATOR or a lost
// connection), joins (JoinGroup; with MEMBER_ID_REQUIRED it joins again with the id it was
// given), runs the assignor when it is the leader, gets its assignment (SyncGroup) and
// heartbeats while it is a member. REBALANCE_IN_PROGRESS from a heartbeat or commit makes it
// rejoin; ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID mean its partitions were lost (another
// member may own them now) and it rejoins as a new member; FENCED_INSTANCE_ID is fatal.
// A member that does not poll for max.poll.interval.ms leaves the group (its partitions are
// lost) and rejoins on its next poll.
//
// Rebalances follow the protocol the group selected: eager strategies (range, roundrobin)
// revoke every owned partition before joining; cooperative-sticky keeps them while joining,
// revokes only what the new assignment takes away and then rejoins at once, so the second
// rebalance hands those partitions to their new owners (KIP-429).
//
// The application's rebalance listener must run on the thread that polls (it may commit or
// seek), so the join never calls it: it queues a ListenerCall and waits until the consumer
// has run it (take_calls / ack_calls). A join therefore only makes progress while the
// application polls, as with the Java client.
//
// Threading: all members run on the consumer's runtime executor (serial).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/src/assignors.h"
#include "client/src/cluster.h"
#include "client/src/event.h"
#include "client/src/fetcher.h"
#include "client/src/subscription_state.h"
#include "common/awaitable.h"
#include "sluice/config.h"
#include "sluice/error.h"
#include "sluice/record.h"

namespace sluice::protocol {
struct JoinGroupRequest;
struct JoinGroupResponse;
struct SyncGroupRequest;
}  // namespace sluice::protocol

namespace sluice::client::detail {

struct ListenerCall {
  enum class Kind { assigned = 0, revoked = 1, lost = 2 };
  Kind kind = Kind::assigned;
  std::vector<TopicPartition> partitions;
};

class GroupMember : public std::enable_shared_from_this<GroupMember> {
 public:
  using Clock = std::chrono::steady_clock;

  GroupMember(std::shared_ptr<Cluster> cluster, std::shared_ptr<SubscriptionState> state,
              ConsumerConfig config);

  const std::string& group_id() const { return config_.group_id; }
  const std::string& member_id() const { return member_id_; }
  int32_t generation() const { return generation_; }
  const std::string& protocol_name() const { return protocol_name_; }
  bool is_static() const { return config_.group_instance_id.has_value(); }

  // Which listener callbacks the application set (the others are not queued).
  void set_listening(bool assigned, bool revoked, bool lost) {
    listening_ = {assigned, revoked, lost};
  }

  // The subscription changed, or a rebalance is wanted: rejoin at the next poll.
  void request_rejoin() { rejoin_needed_ = true; }
  // Called by every poll: remembers the time (max.poll.interval.ms) and starts a join when
  // one is needed and none runs.
  void on_poll();
  bool joining() const { return join_running_; }
  bool in_group() const { return member_state_ == MemberState::stable; }

  // Queued listener calls, for the polling thread; ack_calls(n) once it ran n of them.
  std::vector<ListenerCall> take_calls();
  void ack_calls(std::size_t n);
  // A fatal group error (FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, ...), reported once.
  std::optional<Error> take_error();

  // OffsetCommit with this member's generation (or as a simple commit, generation -1, when
  // it is not a group member), retried on coordinator errors until `deadline`.
  awaitable<Status> commit(OffsetMap offsets, Clock::time_point deadline);
  // Commits the positions of `partitions` (those that have one).
  awaitable<Status> commit_positions(std::vector<TopicPartition> partitions,
                                     Clock::time_point deadline);
  // OffsetFetch; partitions without a committed offset are absent.
  awaitable<Result<OffsetMap>> committed(std::vector<TopicPartition> partitions,
                                         Clock::time_point deadline);

  // Gives up membership: LeaveGroup (unless static: a static member's partitions wait for it
  // to come back), then forgets member id and generation. Owned partitions are dropped from
  // the subscription state without listener calls (the caller ran them).
  awaitable<void> leave(std::string reason);
  // Partitions the group gave this member (what a rebalance would revoke).
  const std::vector<TopicPartition>& owned() const { return owned_; }
  // After leave() on unsubscribe/close, whose caller ran on_revoked itself: nothing is lost.
  void forget_owned() {
    owned_.clear();
    lost_pending_ = false;
  }
  // Stops the heartbeat loop and any join.
  void stop();

 private:
  enum class MemberState { unjoined, joining, stable };
  // Outcome of one JoinGroup+SyncGroup attempt.
  enum class Attempt { done, retry_now, retry_later, fatal };

  static awaitable<void> join_loop(std::shared_ptr<GroupMember> self);
  static awaitable<void> heartbeat_loop(std::shared_ptr<GroupMember> self);
  // One JoinGroup + SyncGroup round, in named steps; a step's Attempt ends the round early.
  awaitable<Attempt> join_once();
  std::vector<std::string> sorted_topics() const;
  protocol::JoinGroupRequest join_request(const std::vector<std::string>& topics) const;
  awaitable<void> note_partition_counts(std::vector<std::string> topics);
  // JoinGroup: on success `joined` is the group's answer and this member's id, generation
  // and protocol are the new ones.
  awaitable<std::optional<Attempt>> join_group(std::shared_ptr<Connection> coordinator,
                                               protocol::JoinGroupResponse& joined);
  protocol::SyncGroupRequest sync_request() const;
  // The leader's part: every member's assignment, into `sync`.
  awaitable<std::optional<Attempt>> assign_as_leader(const protocol::JoinGroupResponse& joined,
                                                     protocol::SyncGroupRequest& sync);
  // SyncGroup: on success `assignment` is this member's.
  awaitable<std::optional<Attempt>> sync_group(std::shared_ptr<Connection> coordinator,
                                               const protocol::SyncGroupRequest& sync,
                                               std::vector<TopicPartition>& assignment);
  // What a JoinGroup or SyncGroup error code means for the round (`api` names a fatal one).
  Attempt after_group_error(int16_t code, const char* api);
  void become_stable();
  awaitable<Attempt> apply_assignment(std::vector<TopicPartition> assignment);
  awaitable<void> call_listener(ListenerCall::Kind kind, std::vector<TopicPartition> partitions);
  awaitable<void> revoke(std::vector<TopicPartition> partitions, ListenerCall::Kind kind,
                         bool commit_first);
  // The leader's part: every member's assignment (encoded), from their subscriptions.
  using EncodedByMember = std::map<std::string, std::vector<uint8_t>>;
  awaitable<Result<EncodedByMember>> leader_assign(std::string protocol,
                                                   std::vector<AssignorMember> members);
  awaitable<bool> subscription_changed();
  // ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID: partitions lost, rejoin as a new member.
  void reset_member(bool lost);
  void fail(Error error);

  std::shared_ptr<Cluster> cluster_;
  std::shared_ptr<SubscriptionState> state_;
  ConsumerConfig config_;
  std::array<bool, 3> listening_{false, false, false};

  MemberState member_state_ = MemberState::unjoined;
  std::string member_id_;
  int32_t generation_ = -1;
  std::string protocol_name_;
  std::vector<TopicPartition> owned_;
  std::map<std::string, int32_t> partition_counts_;  // of the subscribed topics at the last join
  bool rejoin_needed_ = true;
  bool lost_pending_ = false;
  bool join_running_ = false;
  bool heartbeat_running_ = false;
  bool stopped_ = false;
  std::optional<Error> fatal_;
  Clock::time_point last_poll_ = Clock::now();

  std::deque<ListenerCall> calls_;
  uint64_t calls_issued_ = 0;
  uint64_t calls_acked_ = 0;
  Event calls_done_;
  Event heartbeat_wake_;
};

}  // namespace sluice::client::detail
