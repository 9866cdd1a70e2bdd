// The group state machine (see group.h). The rules follow Kafka's GroupCoordinator and
// GroupMetadata (2.4-3.x, before KIP-848) so that clients see the same answers.
#include "broker/groups/group.h"

#include <algorithm>

#include "protocol/error_codes.h"
#include "protocol/group_protocol.h"

namespace sluice::broker::groups {
namespace {

using protocol::KafkaErrc;

JoinResult join_error(KafkaErrc e, std::string member_id = {}) {
  JoinResult r;
  r.error = e;
  r.member_id = std::move(member_id);
  return r;
}

SyncResult sync_error(KafkaErrc e) {
  SyncResult r;
  r.error = e;
  return r;
}

}  // namespace

std::string_view to_string(GroupState s) {
  switch (s) {
    case GroupState::empty:
      return "Empty";
    case GroupState::preparing_rebalance:
      return "PreparingRebalance";
    case GroupState::completing_rebalance:
      return "CompletingRebalance";
    case GroupState::stable:
      return "Stable";
    case GroupState::dead:
      return "Dead";
  }
  return "Dead";
}

const protocol::Bytes* Group::Member::metadata_for(std::string_view protocol) const {
  for (const auto& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

Group::Group(std::string id, const GroupEnv& env) : id_(std::move(id)), env_(env) {
  state_timestamp_ms_ = env_.wall_ms ? env_.wall_ms() : 0;
}

Group::~Group() { shutdown(KafkaErrc::not_coordinator); }

// ---- JoinGroup ----

void Group::join(JoinRequest request, JoinCallback done) {
  if (request.session_timeout_ms < env_.config.min_session_timeout.count() ||
      request.session_timeout_ms > env_.config.max_session_timeout.count()) {
    done(join_error(KafkaErrc::invalid_session_timeout, request.member_id));
    return;
  }
  if (request.rebalance_timeout_ms <= 0) request.rebalance_timeout_ms = request.session_timeout_ms;
  // Kafka's acceptJoiningMember: known and pending members always, new ones while room.
  const bool known = !request.member_id.empty() && (members_.count(request.member_id) != 0 ||
                                                    pending_.count(request.member_id) != 0);
  const bool static_known =
      request.group_instance_id && static_members_.count(*request.group_instance_id);
  if (!known && !static_known &&
      members_.size() >= static_cast<std::size_t>(env_.config.max_size)) {
    done(join_error(KafkaErrc::group_max_size_reached, request.member_id));
    return;
  }
  if (request.member_id.empty()) {
    new_member_join(request, done);
  } else {
    current_member_join(request, done);
  }
}

void Group::new_member_join(JoinRequest& request, JoinCallback& done) {
  if (state_ == GroupState::dead) {
    done(join_error(KafkaErrc::coordinator_not_available));
    return;
  }
  if (!supports_protocols(request.protocol_type, request.protocols)) {
    done(join_error(KafkaErrc::inconsistent_group_protocol));
    return;
  }
  std::string member_id = env_.new_member_id(request.client_id);
  if (request.group_instance_id) {
    auto it = static_members_.find(*request.group_instance_id);
    if (it == static_members_.end()) {
      add_member_and_rebalance(request, member_id, std::move(done));
    } else {
      std::string old_id = it->second;
      update_static_member(old_id, member_id, request, std::move(done));
    }
    return;
  }
  if (request.require_known_member_id) {
    // The client must come back with this id: a member is only added once the client
    // provably knows its id, so lost responses cannot leave ghosts in the group.
    pending_[member_id] = env_.now() + std::chrono::milliseconds(request.session_timeout_ms);
    done(join_error(KafkaErrc::member_id_required, member_id));
    return;
  }
  add_member_and_rebalance(request, member_id, std::move(done));
}

void Group::current_member_join(JoinRequest& request, JoinCallback& done) {
  const std::string id = request.member_id;
  if (state_ == GroupState::dead) {
    done(join_error(KafkaErrc::coordinator_not_available, id));
    return;
  }
  if (!supports_protocols(request.protocol_type, request.protocols)) {
    done(join_error(KafkaErrc::inconsistent_group_protocol, id));
    return;
  }
  if (pending_.count(id)) {
    add_member_and_rebalance(request, id, std::move(done));
    return;
  }
  if (static_member_fenced({id, request.group_instance_id})) {
    done(join_error(KafkaErrc::fenced_instance_id, id));
    return;
  }
  auto it = members_.find(id);
  if (it == members_.end()) {
    done(join_error(KafkaErrc::unknown_member_id, id));
    return;
  }
  Member& member = it->second;
  const bool same = member.protocols == request.protocols;
  switch (state_) {
    case GroupState::preparing_rebalance:
      update_member_and_rebalance(member, request, std::move(done));
      return;
    case GroupState::completing_rebalance:
      if (same) {
        // A member that lost its JoinGroup response: give it the current generation again.
        done(current_generation_result(id));
      } else {
        update_member_and_rebalance(member, request, std::move(done));
      }
      return;
    case GroupState::stable:
      if (id == leader_ || !same) {
        // The leader rejoins to have the assignment recomputed (e.g. new partitions); a
        // member with a new subscription needs a new assignment.
        update_member_and_rebalance(member, request, std::move(done));
      } else {
        schedule_heartbeat(member);
        done(current_generation_result(id));
      }
      return;
    case GroupState::empty:
    case GroupState::dead:
      done(join_error(KafkaErrc::unknown_member_id, id));
      return;
  }
}

void Group::add_member_and_rebalance(JoinRequest& request, const std::string& member_id,
                                     JoinCallback done) {
  Member m;
  m.member_id = member_id;
  m.group_instance_id = request.group_instance_id;
  m.client_id = request.client_id;
  m.client_host = request.client_host;
  m.session_timeout_ms = request.session_timeout_ms;
  m.rebalance_timeout_ms = request.rebalance_timeout_ms;
  m.protocol_type = request.protocol_type;
  m.protocols = std::move(request.protocols);
  m.is_new = true;
  m.awaiting_join = std::move(done);
  // A new member has this long to complete its join before it is dropped.
  m.heartbeat_deadline = env_.now() + env_.config.new_member_join_timeout;
  if (state_ == GroupState::preparing_rebalance && generation_ == 0) new_member_added_ = true;
  if (members_.empty()) protocol_type_ = request.protocol_type;
  if (leader_.empty()) leader_ = member_id;
  if (m.group_instance_id) static_members_[*m.group_instance_id] = member_id;
  pending_.erase(member_id);
  members_.emplace(member_id, std::move(m));
  maybe_prepare_rebalance();
  try_complete_join();
}

void Group::update_member(Member& member, JoinRequest& request, JoinCallback done) {
  if (member.awaiting_join) {
    // A second JoinGroup while the first still waits: the first one's client gave up on it.
    auto old = std::move(member.awaiting_join);
    member.awaiting_join = nullptr;
    old(join_error(KafkaErrc::rebalance_in_progress, member.member_id));
  }
  member.protocols = std::move(request.protocols);
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.client_id = request.client_id;
  member.client_host = request.client_host;
  member.awaiting_join = std::move(done);
}

void Group::update_member_and_rebalance(Member& member, JoinRequest& request, JoinCallback done) {
  update_member(member, request, std::move(done));
  maybe_prepare_rebalance();
  try_complete_join();
}

void Group::update_static_member(const std::string& old_id, const std::string& new_id,
                                 JoinRequest& request, JoinCallback done) {
  // The instance rejoined with a new member id (its process restarted): the new id replaces
  // the old one and fences it.
  auto node = members_.extract(old_id);
  Member& old = node.mapped();
  if (old.awaiting_join) {
    auto cb = std::move(old.awaiting_join);
    old.awaiting_join = nullptr;
    cb(join_error(KafkaErrc::fenced_instance_id, old_id));
  }
  if (old.awaiting_sync) {
    auto cb = std::move(old.awaiting_sync);
    old.awaiting_sync = nullptr;
    cb(sync_error(KafkaErrc::fenced_instance_id));
  }
  node.key() = new_id;
  node.mapped().member_id = new_id;
  auto inserted = members_.insert(std::move(node));
  Member& member = inserted.position->second;
  static_members_[*request.group_instance_id] = new_id;
  const bool was_leader = leader_ == old_id;
  if (was_leader) leader_ = new_id;
  std::vector<MemberProtocol> old_protocols = member.protocols;
  schedule_heartbeat(member);
  update_member(member, request, std::move(done));

  switch (state_) {
    case GroupState::stable: {
      if (protocol_name_ && select_protocol() == *protocol_name_) {
        // Same protocol: no rebalance. Store the new member id, then answer with the current
        // generation; the member gets its old assignment from SyncGroup.
        auto alive = std::weak_ptr<int>(alive_);
        const int32_t generation = generation_;
        env_.persist(
            id_, record(),
            [this, alive, generation, old_id, new_id, old_protocols, was_leader](KafkaErrc error) {
              if (alive.expired()) return;
              auto it = members_.find(new_id);
              if (it == members_.end() || !it->second.awaiting_join) return;
              if (error != KafkaErrc::none || generation != generation_) {
                // Not stored: put the old member id back (as Kafka does) and report the error.
                auto cb = std::move(it->second.awaiting_join);
                it->second.awaiting_join = nullptr;
                if (state_ == GroupState::stable && generation == generation_) {
                  auto back = members_.extract(new_id);
                  back.key() = old_id;
                  back.mapped().member_id = old_id;
                  back.mapped().protocols = old_protocols;
                  if (back.mapped().group_instance_id)
                    static_members_[*back.mapped().group_instance_id] = old_id;
                  if (was_leader) leader_ = old_id;
                  members_.insert(std::move(back));
                }
                cb(join_error(error != KafkaErrc::none ? error : KafkaErrc::rebalance_in_progress,
                              new_id));
                return;
              }
              auto cb = std::move(it->second.awaiting_join);
              it->second.awaiting_join = nullptr;
              cb(current_generation_result(new_id));
            });
      } else {
        maybe_prepare_rebalance();
      }
      return;
    }
    case GroupState::completing_rebalance:
      // The leader may already be assigning to the old member id: start over.
      prepare_rebalance();
      return;
    case GroupState::preparing_rebalance:
      try_complete_join();
      return;
    case GroupState::empty:
    case GroupState::dead:
      return;  // cannot happen: a static member exists
  }
}

// ---- rebalance ----

void Group::maybe_prepare_rebalance() {
  if (state_ == GroupState::stable || state_ == GroupState::completing_rebalance ||
      state_ == GroupState::empty) {
    prepare_rebalance();
  }
}

void Group::prepare_rebalance() {
  if (state_ == GroupState::completing_rebalance) {
    reset_and_propagate_assignment_error(KafkaErrc::rebalance_in_progress);
  }
  const auto now = env_.now();
  if (state_ == GroupState::empty) {
    // Kafka's InitialDelayedJoin: wait for more members before the first assignment.
    const auto delay = env_.config.initial_rebalance_delay;
    initial_join_ = true;
    new_member_added_ = false;
    initial_remaining_ms_ = std::max<int64_t>(rebalance_timeout_ms() - delay.count(), 0);
    join_deadline_ = now + delay;
  } else {
    initial_join_ = false;
    join_deadline_ = now + std::chrono::milliseconds(rebalance_timeout_ms());
  }
  transition(GroupState::preparing_rebalance);
}

bool Group::all_members_joined() const {
  if (!pending_.empty()) return false;
  for (const auto& entry : members_) {
    if (!entry.second.awaiting_join) return false;
  }
  return true;
}

void Group::try_complete_join() {
  if (state_ != GroupState::preparing_rebalance || initial_join_) return;
  if (all_members_joined()) complete_join();
}

void Group::complete_join() {
  // Members that did not rejoin in time leave the group.
  std::vector<std::string> gone;
  for (const auto& entry : members_) {
    if (!entry.second.awaiting_join) gone.push_back(entry.first);
  }
  for (const auto& id : gone) remove_member(id, KafkaErrc::none);
  join_deadline_.reset();
  initial_join_ = false;
  if (state_ == GroupState::dead) return;

  ++generation_;
  if (members_.empty()) {
    protocol_name_.reset();
    transition(GroupState::empty);
  } else {
    protocol_name_ = select_protocol();
    transition(GroupState::completing_rebalance);
  }
  for (auto& entry : members_) entry.second.assignment.clear();
  env_.persist(id_, record(), [](KafkaErrc) {});
  if (state_ == GroupState::empty) return;

  std::vector<std::pair<JoinCallback, JoinResult>> replies;
  for (auto& entry : members_) {
    Member& m = entry.second;
    replies.emplace_back(std::move(m.awaiting_join), current_generation_result(m.member_id));
    m.awaiting_join = nullptr;
    m.is_new = false;
    schedule_heartbeat(m);
  }
  for (auto& reply : replies) reply.first(std::move(reply.second));
}

std::string Group::select_protocol() const {
  // Candidates: protocols every member supports. Each member votes for its first candidate;
  // most votes wins, ties going to the leader's preference order.
  std::map<std::string, std::size_t> support;
  for (const auto& entry : members_) {
    for (const auto& p : entry.second.protocols) ++support[p.name];
  }
  std::map<std::string, int> votes;
  for (const auto& entry : members_) {
    for (const auto& p : entry.second.protocols) {
      if (support[p.name] == members_.size()) {
        ++votes[p.name];
        break;
      }
    }
  }
  const Member* order = nullptr;
  if (auto it = members_.find(leader_); it != members_.end())
    order = &it->second;
  else if (!members_.empty())
    order = &members_.begin()->second;
  std::string best;
  int best_votes = -1;
  if (order != nullptr) {
    for (const auto& p : order->protocols) {
      auto v = votes.find(p.name);
      if (v != votes.end() && v->second > best_votes) {
        best = p.name;
        best_votes = v->second;
      }
    }
  }
  return best;
}

int32_t Group::rebalance_timeout_ms() const {
  int32_t t = 0;
  for (const auto& entry : members_) t = std::max(t, entry.second.rebalance_timeout_ms);
  return t;
}

void Group::reset_and_propagate_assignment_error(KafkaErrc error) {
  std::vector<SyncCallback> waiting;
  for (auto& entry : members_) {
    entry.second.assignment.clear();
    if (entry.second.awaiting_sync) {
      waiting.push_back(std::move(entry.second.awaiting_sync));
      entry.second.awaiting_sync = nullptr;
    }
  }
  for (auto& cb : waiting) cb(sync_error(error));
}

void Group::remove_member(const std::string& id, KafkaErrc join_error_code) {
  auto it = members_.find(id);
  if (it == members_.end()) return;
  auto node = members_.extract(it);
  Member& m = node.mapped();
  if (m.group_instance_id) {
    auto s = static_members_.find(*m.group_instance_id);
    if (s != static_members_.end() && s->second == id) static_members_.erase(s);
  }
  if (leader_ == id) leader_ = members_.empty() ? std::string() : members_.begin()->first;
  if (m.awaiting_join) {
    m.awaiting_join(join_error(
        join_error_code != KafkaErrc::none ? join_error_code : KafkaErrc::unknown_member_id, id));
  }
  if (m.awaiting_sync) m.awaiting_sync(sync_error(KafkaErrc::unknown_member_id));
}

void Group::remove_member_and_update_group(const std::string& id) {
  remove_member(id, KafkaErrc::unknown_member_id);
  switch (state_) {
    case GroupState::stable:
    case GroupState::completing_rebalance:
      maybe_prepare_rebalance();
      break;
    case GroupState::preparing_rebalance:
      try_complete_join();
      break;
    case GroupState::empty:
    case GroupState::dead:
      break;
  }
}

// ---- SyncGroup ----

void Group::sync(SyncRequest request, SyncCallback done) {
  if (state_ == GroupState::dead) return done(sync_error(KafkaErrc::coordinator_not_available));
  if (static_member_fenced({request.member_id, request.group_instance_id})) {
    return done(sync_error(KafkaErrc::fenced_instance_id));
  }
  auto it = members_.find(request.member_id);
  if (it == members_.end()) return done(sync_error(KafkaErrc::unknown_member_id));
  if (request.generation != generation_) return done(sync_error(KafkaErrc::illegal_generation));
  if ((request.protocol_type && *request.protocol_type != protocol_type_) ||
      (request.protocol_name && request.protocol_name != protocol_name_)) {
    return done(sync_error(KafkaErrc::inconsistent_group_protocol));
  }
  Member& member = it->second;
  switch (state_) {
    case GroupState::empty:
      return done(sync_error(KafkaErrc::unknown_member_id));
    case GroupState::preparing_rebalance:
      return done(sync_error(KafkaErrc::rebalance_in_progress));
    case GroupState::stable: {
      schedule_heartbeat(member);
      SyncResult r;
      r.protocol_type = protocol_type_;
      r.protocol_name = protocol_name_;
      r.assignment = member.assignment;
      return done(std::move(r));
    }
    case GroupState::dead:
      return done(sync_error(KafkaErrc::coordinator_not_available));
    case GroupState::completing_rebalance:
      break;
  }
  if (member.awaiting_sync) {
    auto old = std::move(member.awaiting_sync);
    member.awaiting_sync = nullptr;
    old(sync_error(KafkaErrc::rebalance_in_progress));
  }
  member.awaiting_sync = std::move(done);
  schedule_heartbeat(member);
  if (request.member_id != leader_) return;  // followers wait for the leader

  // The leader's assignment: members it left out get an empty one; unknown ids are ignored.
  auto assignment = std::make_shared<std::map<std::string, protocol::Bytes>>();
  for (auto& entry : members_) (*assignment)[entry.first] = {};
  for (auto& a : request.assignments) {
    if (members_.count(a.first)) (*assignment)[a.first] = std::move(a.second);
  }
  GroupRecord rec = record();
  rec.state = std::string(to_string(GroupState::stable));
  rec.state_timestamp_ms = env_.wall_ms ? env_.wall_ms() : 0;
  for (auto& m : rec.members) m.assignment = (*assignment)[m.member_id];
  auto alive = std::weak_ptr<int>(alive_);
  const int32_t generation = generation_;
  env_.persist(id_, std::move(rec), [this, alive, generation, assignment](KafkaErrc error) {
    if (alive.expired()) return;
    // A rebalance that started meanwhile has already answered the waiting members.
    if (state_ != GroupState::completing_rebalance || generation != generation_) return;
    if (error != KafkaErrc::none) {
      reset_and_propagate_assignment_error(error);
      maybe_prepare_rebalance();
      return;
    }
    transition(GroupState::stable);
    std::vector<std::pair<SyncCallback, SyncResult>> replies;
    for (auto& entry : members_) {
      entry.second.assignment = (*assignment)[entry.first];
      if (entry.second.awaiting_sync) {
        SyncResult r;
        r.protocol_type = protocol_type_;
        r.protocol_name = protocol_name_;
        r.assignment = entry.second.assignment;
        replies.emplace_back(std::move(entry.second.awaiting_sync), std::move(r));
        entry.second.awaiting_sync = nullptr;
      }
    }
    for (auto& reply : replies) reply.first(std::move(reply.second));
  });
}

// ---- Heartbeat, LeaveGroup, OffsetCommit checks ----

KafkaErrc Group::heartbeat(const MemberIdentity& who, int32_t generation) {
  if (state_ == GroupState::dead) return KafkaErrc::coordinator_not_available;
  if (static_member_fenced(who)) return KafkaErrc::fenced_instance_id;
  if (state_ == GroupState::empty) return KafkaErrc::unknown_member_id;
  auto it = members_.find(who.member_id);
  if (it == members_.end()) return KafkaErrc::unknown_member_id;
  if (generation != generation_) return KafkaErrc::illegal_generation;
  schedule_heartbeat(it->second);
  if (state_ == GroupState::preparing_rebalance) return KafkaErrc::rebalance_in_progress;
  return KafkaErrc::none;
}

KafkaErrc Group::leave(const MemberIdentity& who) {
  if (state_ == GroupState::dead) return KafkaErrc::coordinator_not_available;
  std::string id = who.member_id;
  if (id.empty()) {
    if (!who.group_instance_id) return KafkaErrc::unknown_member_id;
    auto s = static_members_.find(*who.group_instance_id);
    if (s == static_members_.end()) return KafkaErrc::unknown_member_id;
    id = s->second;
  } else if (static_member_fenced(who)) {
    return KafkaErrc::fenced_instance_id;
  }
  if (pending_.erase(id)) {
    try_complete_join();
    return KafkaErrc::none;
  }
  if (!members_.count(id)) return KafkaErrc::unknown_member_id;
  remove_member_and_update_group(id);
  return KafkaErrc::none;
}

KafkaErrc Group::validate_offset_commit(const MemberIdentity& who, int32_t generation) {
  if (state_ == GroupState::dead) return KafkaErrc::coordinator_not_available;
  if (static_member_fenced(who)) return KafkaErrc::fenced_instance_id;
  if (generation < 0 && state_ == GroupState::empty)
    return KafkaErrc::none;  // offsets only, no membership
  auto it = members_.find(who.member_id);
  if (it == members_.end()) return KafkaErrc::unknown_member_id;
  if (generation != generation_) return KafkaErrc::illegal_generation;
  if (state_ == GroupState::completing_rebalance) return KafkaErrc::rebalance_in_progress;
  schedule_heartbeat(it->second);
  return KafkaErrc::none;
}

// ---- timers ----

void Group::tick() {
  const auto now = env_.now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second <= now)
      it = pending_.erase(it);
    else
      ++it;
  }
  std::vector<std::string> expired;
  for (const auto& entry : members_) {
    const Member& m = entry.second;
    // A member waiting in JoinGroup or SyncGroup cannot heartbeat on that connection; it is
    // alive as long as it waits (except a new member, bounded by the new-member timeout).
    const bool waiting = !m.is_new && (m.awaiting_join || m.awaiting_sync);
    if (!waiting && m.heartbeat_deadline <= now) expired.push_back(entry.first);
  }
  for (const auto& id : expired) {
    if (members_.count(id)) remove_member_and_update_group(id);
  }
  if (state_ == GroupState::preparing_rebalance) {
    if (join_deadline_ && *join_deadline_ <= now) {
      if (initial_join_ && new_member_added_ && initial_remaining_ms_ > 0) {
        // Members keep arriving: wait another delay (bounded by the rebalance timeout).
        new_member_added_ = false;
        const int64_t delay =
            std::min<int64_t>(env_.config.initial_rebalance_delay.count(), initial_remaining_ms_);
        initial_remaining_ms_ = std::max<int64_t>(initial_remaining_ms_ - delay, 0);
        join_deadline_ = now + std::chrono::milliseconds(delay);
      } else {
        complete_join();
      }
    } else {
      try_complete_join();
    }
  }
}

void Group::shutdown(KafkaErrc error) {
  std::vector<JoinCallback> joins;
  std::vector<SyncCallback> syncs;
  for (auto& entry : members_) {
    if (entry.second.awaiting_join) joins.push_back(std::move(entry.second.awaiting_join));
    if (entry.second.awaiting_sync) syncs.push_back(std::move(entry.second.awaiting_sync));
    entry.second.awaiting_join = nullptr;
    entry.second.awaiting_sync = nullptr;
  }
  if (state_ != GroupState::dead) transition(GroupState::dead);
  join_deadline_.reset();
  for (auto& cb : joins) cb(join_error(error));
  for (auto& cb : syncs) cb(sync_error(error));
}

void Group::restore(const GroupRecord& rec) {
  const auto now = env_.now();
  protocol_type_ = rec.protocol_type;
  generation_ = rec.generation;
  protocol_name_ = rec.protocol;
  leader_ = rec.leader;
  state_timestamp_ms_ = rec.state_timestamp_ms;
  for (const auto& r : rec.members) {
    Member m;
    m.member_id = r.member_id;
    m.group_instance_id = r.group_instance_id;
    m.client_id = r.client_id;
    m.client_host = r.client_host;
    m.session_timeout_ms = r.session_timeout_ms;
    m.rebalance_timeout_ms = r.rebalance_timeout_ms;
    m.protocol_type = rec.protocol_type;
    m.protocols.push_back({rec.protocol.value_or(""), r.metadata});
    m.assignment = r.assignment;
    m.heartbeat_deadline = now + std::chrono::milliseconds(r.session_timeout_ms);
    if (m.group_instance_id) static_members_[*m.group_instance_id] = m.member_id;
    members_.emplace(m.member_id, std::move(m));
  }
  if (members_.empty()) {
    leader_.clear();
    state_ = GroupState::empty;
    return;
  }
  if (!members_.count(leader_)) leader_ = members_.begin()->first;
  if (rec.state == to_string(GroupState::stable)) {
    state_ = GroupState::stable;
    return;
  }
  // Stored at CompletingRebalance: the assignment was never stored, so rebalance again.
  for (auto& entry : members_) entry.second.assignment.clear();
  state_ = GroupState::preparing_rebalance;
  initial_join_ = false;
  join_deadline_ = now + std::chrono::milliseconds(rebalance_timeout_ms());
}

// ---- helpers ----

void Group::schedule_heartbeat(Member& member) {
  member.heartbeat_deadline = env_.now() + std::chrono::milliseconds(member.session_timeout_ms);
}

void Group::transition(GroupState next) {
  state_ = next;
  if (env_.wall_ms) state_timestamp_ms_ = env_.wall_ms();
}

bool Group::supports_protocols(const std::string& type,
                               const std::vector<MemberProtocol>& protocols) const {
  if (state_ == GroupState::empty) return !type.empty() && !protocols.empty();
  if (type != protocol_type_) return false;
  for (const auto& p : protocols) {
    bool everyone = true;
    for (const auto& entry : members_) {
      if (entry.second.metadata_for(p.name) == nullptr) {
        everyone = false;
        break;
      }
    }
    if (everyone) return true;
  }
  return false;
}

bool Group::static_member_fenced(const MemberIdentity& who) const {
  if (!who.group_instance_id) return false;
  auto it = static_members_.find(*who.group_instance_id);
  return it != static_members_.end() && it->second != who.member_id;
}

std::vector<JoinedMember> Group::current_member_metadata() const {
  std::vector<JoinedMember> out;
  for (const auto& entry : members_) {
    JoinedMember jm;
    jm.member_id = entry.first;
    jm.group_instance_id = entry.second.group_instance_id;
    if (protocol_name_) {
      if (const auto* md = entry.second.metadata_for(*protocol_name_)) jm.metadata = *md;
    }
    out.push_back(std::move(jm));
  }
  return out;
}

JoinResult Group::current_generation_result(const std::string& member_id) const {
  JoinResult r;
  r.generation = generation_;
  r.protocol_type = protocol_type_;
  r.protocol_name = protocol_name_;
  r.leader = leader_;
  r.member_id = member_id;
  if (member_id == leader_) r.members = current_member_metadata();
  return r;
}

GroupRecord Group::record() const {
  GroupRecord rec;
  rec.protocol_type = protocol_type_;
  rec.generation = generation_;
  rec.protocol = protocol_name_;
  rec.leader = leader_;
  // PreparingRebalance is never stored: it is what a reader resumes into anyway.
  rec.state = std::string(to_string(
      state_ == GroupState::preparing_rebalance ? GroupState::completing_rebalance : state_));
  rec.state_timestamp_ms = state_timestamp_ms_;
  for (const auto& entry : members_) {
    const Member& m = entry.second;
    MemberRecord mr;
    mr.member_id = m.member_id;
    mr.group_instance_id = m.group_instance_id;
    mr.client_id = m.client_id;
    mr.client_host = m.client_host;
    mr.session_timeout_ms = m.session_timeout_ms;
    mr.rebalance_timeout_ms = m.rebalance_timeout_ms;
    if (protocol_name_) {
      if (const auto* md = m.metadata_for(*protocol_name_)) mr.metadata = *md;
    } else if (!m.protocols.empty()) {
      mr.metadata = m.protocols.front().metadata;
    }
    mr.assignment = m.assignment;
    rec.members.push_back(std::move(mr));
  }
  return rec;
}

bool Group::subscribed_to(std::string_view topic) const {
  if (protocol_type_ != "consumer") return false;
  for (const auto& entry : members_) {
    const protocol::Bytes* md = nullptr;
    if (protocol_name_) md = entry.second.metadata_for(*protocol_name_);
    if (md == nullptr && !entry.second.protocols.empty())
      md = &entry.second.protocols.front().metadata;
    if (md == nullptr) continue;
    auto sub = protocol::decode_subscription(*md);
    if (!sub) continue;
    if (std::find(sub->topics.begin(), sub->topics.end(), topic) != sub->topics.end()) return true;
  }
  return false;
}

}  // namespace sluice::broker::groups
