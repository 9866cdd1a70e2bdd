// The state machine of one consumer group, as Kafka's GroupCoordinator runs it: members
// join (JoinGroup), the leader's assignment is handed out (SyncGroup), heartbeats keep members
// alive, leaving or timing out triggers a rebalance. States:
//
//   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance
//     ▲                  ▲        │ (no member left)                 │ leader's SyncGroup
//     └──────────────────┼────────┘                                  ▼   (persisted)
//                        └────── join / leave / member expiry ─── Stable
//   any state ──unload / delete──▶ Dead
//
// Pure: no I/O and no timers of its own. Time comes from GroupEnv::now; the owner calls
// tick() periodically to fire session timeouts and join deadlines; persistence goes through
// GroupEnv::persist, whose completion may come later. Replies are delivered through the
// callbacks given to join() and sync(); every callback is called exactly once (with an error
// at the latest by shutdown()).
//
// Threading: not thread-safe. The coordinator calls everything on its (control) executor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/groups/group_znodes.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace sluice::broker::groups {

using Clock = std::chrono::steady_clock;

enum class GroupState { empty, preparing_rebalance, completing_rebalance, stable, dead };
// Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead".
std::string_view to_string(GroupState s);

struct GroupConfig {
  std::chrono::milliseconds initial_rebalance_delay{3000};  // group.initial.rebalance.delay.ms
  std::chrono::milliseconds min_session_timeout{6000};      // group.min.session.timeout.ms
  std::chrono::milliseconds max_session_timeout{1800000};   // group.max.session.timeout.ms
  // How long a new member that joined may stay without completing its join (Kafka's
  // NewMemberJoinTimeoutMs).
  std::chrono::milliseconds new_member_join_timeout{300000};
  int32_t max_size = INT32_MAX;  // group.max.size
};

struct GroupRecord;

// What every group of a coordinator shares.
struct GroupEnv {
  GroupConfig config;
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
  std::function<int64_t()> wall_ms;  // milliseconds since the epoch (state timestamps)
  // A new member id for a client id (Kafka: "<client.id>-<UUID>").
  std::function<std::string(std::string_view client_id)> new_member_id;
  // Stores `record` of group `group_id`; `done` (possibly called later, possibly never if
  // the group is gone by then) gets NONE or the Kafka error to answer with.
  std::function<void(const std::string& group_id, GroupRecord record,
                     std::function<void(protocol::KafkaErrc)> done)>
      persist;
};

struct MemberProtocol {
  std::string name;
  protocol::Bytes metadata;
  friend bool operator==(const MemberProtocol&, const MemberProtocol&) = default;
};

struct JoinRequest {
  std::string member_id;  // empty: a new member
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<MemberProtocol> protocols;
  bool require_known_member_id = false;  // JoinGroup v4+: answer MEMBER_ID_REQUIRED first
};

struct JoinedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  protocol::Bytes metadata;
};

struct JoinResult {
  protocol::KafkaErrc error = protocol::KafkaErrc::none;
  int32_t generation = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinedMember> members;  // for the leader only
};

struct SyncRequest {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int32_t generation = -1;
  std::optional<std::string> protocol_type;                          // v5+
  std::optional<std::string> protocol_name;                          // v5+
  std::vector<std::pair<std::string, protocol::Bytes>> assignments;  // the leader's
};

struct SyncResult {
  protocol::KafkaErrc error = protocol::KafkaErrc::none;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  protocol::Bytes assignment;
};

struct MemberIdentity {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

class Group {
 public:
  using JoinCallback = std::function<void(JoinResult)>;
  using SyncCallback = std::function<void(SyncResult)>;

  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    std::string protocol_type;
    std::vector<MemberProtocol> protocols;
    protocol::Bytes assignment;
    bool is_new = false;  // joined, first join not completed yet
    JoinCallback awaiting_join;
    SyncCallback awaiting_sync;
    Clock::time_point heartbeat_deadline;

    // The metadata this member gave for `protocol`, or nullptr.
    const protocol::Bytes* metadata_for(std::string_view protocol) const;
  };

  // REQUIRES: `env` outlives the group.
  Group(std::string id, const GroupEnv& env);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  void join(JoinRequest request, JoinCallback done);
  void sync(SyncRequest request, SyncCallback done);
  // Heartbeat's error code (NONE, REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID, ...).
  protocol::KafkaErrc heartbeat(const MemberIdentity& who, int32_t generation);
  // LeaveGroup for one member (by member id, or by instance id when the member id is empty).
  protocol::KafkaErrc leave(const MemberIdentity& who);
  // Whether an OffsetCommit of (member, generation) is accepted: NONE, or the error for all
  // its partitions. generation < 0 with an Empty group is a "simple" commit (no membership).
  protocol::KafkaErrc validate_offset_commit(const MemberIdentity& who, int32_t generation);
  // Fires due timers: member session timeouts, pending-member expiry, join deadlines.
  void tick();
  // Answers every waiting request with `error` and turns the group Dead (unload, deletion).
  void shutdown(protocol::KafkaErrc error);
  // Resumes a group from its stored record: Stable and Empty as they were; a record written
  // at CompletingRebalance (its assignment never stored) resumes as PreparingRebalance, so
  // its members rejoin. REQUIRES: a fresh group.
  void restore(const GroupRecord& record);

  // The record to store (members with their current assignment).
  GroupRecord record() const;

  const std::string& id() const { return id_; }
  GroupState state() const { return state_; }
  int32_t generation() const { return generation_; }
  const std::string& protocol_type() const { return protocol_type_; }
  const std::optional<std::string>& protocol_name() const { return protocol_name_; }
  const std::string& leader() const { return leader_; }
  int64_t state_timestamp_ms() const { return state_timestamp_ms_; }
  const std::map<std::string, Member>& members() const { return members_; }
  std::size_t pending_members() const { return pending_.size(); }
  bool has_member(const std::string& id) const { return members_.count(id) != 0; }
  // Topics some member subscribed to, for protocol type "consumer" (decoded subscriptions).
  bool subscribed_to(std::string_view topic) const;

 private:
  void new_member_join(JoinRequest& request, JoinCallback& done);
  void current_member_join(JoinRequest& request, JoinCallback& done);
  void add_member_and_rebalance(JoinRequest& request, const std::string& member_id,
                                JoinCallback done);
  void update_member_and_rebalance(Member& member, JoinRequest& request, JoinCallback done);
  void update_static_member(const std::string& old_id, const std::string& new_id,
                            JoinRequest& request, JoinCallback done);
  void update_member(Member& member, JoinRequest& request, JoinCallback done);
  void maybe_prepare_rebalance();
  void prepare_rebalance();
  void try_complete_join();
  void complete_join();
  // `join_error` answers the member's waiting JoinGroup (NONE: UNKNOWN_MEMBER_ID).
  void remove_member(const std::string& id, protocol::KafkaErrc join_error);
  void remove_member_and_update_group(const std::string& id);
  void reset_and_propagate_assignment_error(protocol::KafkaErrc error);
  void schedule_heartbeat(Member& member);
  void transition(GroupState next);
  bool supports_protocols(const std::string& type,
                          const std::vector<MemberProtocol>& protocols) const;
  bool static_member_fenced(const MemberIdentity& who) const;
  std::string select_protocol() const;
  int32_t rebalance_timeout_ms() const;
  JoinResult current_generation_result(const std::string& member_id) const;
  std::vector<JoinedMember> current_member_metadata() const;
  bool all_members_joined() const;

  std::string id_;
  const GroupEnv& env_;
  GroupState state_ = GroupState::empty;
  int64_t state_timestamp_ms_ = 0;
  int32_t generation_ = 0;
  std::string protocol_type_;  // empty: none yet
  std::optional<std::string> protocol_name_;
  std::string leader_;
  std::map<std::string, Member> members_;
  std::map<std::string, std::string> static_members_;  // instance id -> member id
  std::map<std::string, Clock::time_point> pending_;   // MEMBER_ID_REQUIRED ids -> expiry
  // PreparingRebalance: when the join phase ends at the latest.
  std::optional<Clock::time_point> join_deadline_;
  bool initial_join_ = false;  // Kafka's InitialDelayedJoin (an empty group's first join)
  int64_t initial_remaining_ms_ = 0;
  bool new_member_added_ = false;
  // Persist completions check it: they may arrive after the group is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sluice::broker::groups
