// The consumer's group membership and offset commits. See group_member.h.
#include "client/src/group_member.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <set>

#include "common/log.h"
#include "protocol/group_protocol.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"

namespace sluice::client::detail {
namespace asio = boost::asio;
using protocol::KafkaErrc;

namespace {

bool is_coordinator_error(int16_t code) {
  switch (static_cast<KafkaErrc>(code)) {
    case KafkaErrc::not_coordinator:
    case KafkaErrc::coordinator_not_available:
    case KafkaErrc::request_timed_out:
    case KafkaErrc::network_exception:
      return true;
    default:
      return false;
  }
}

Error kafka_error(int16_t code, const std::string& context) {
  return Error(make_error_code(static_cast<KafkaErrc>(code)), context);
}

std::vector<protocol::TopicPartitions> group_by_topic(
    const std::vector<TopicPartition>& partitions) {
  std::vector<protocol::TopicPartitions> out;
  auto sorted = partitions;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& tp : sorted) {
    if (out.empty() || out.back().topic != tp.topic) out.push_back({tp.topic, {}});
    out.back().partitions.push_back(tp.partition);
  }
  return out;
}

std::vector<TopicPartition> flatten(const std::vector<protocol::TopicPartitions>& grouped) {
  std::vector<TopicPartition> out;
  for (const auto& t : grouped) {
    for (auto p : t.partitions) out.push_back({t.topic, p});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<TopicPartition> minus(const std::vector<TopicPartition>& a,
                                  const std::vector<TopicPartition>& b) {
  std::vector<TopicPartition> out;
  std::set<TopicPartition> sb(b.begin(), b.end());
  for (const auto& tp : a) {
    if (!sb.contains(tp)) out.push_back(tp);
  }
  return out;
}

}  // namespace

GroupMember::GroupMember(std::shared_ptr<Cluster> cluster, std::shared_ptr<SubscriptionState> state,
                         ConsumerConfig config)
    : cluster_(std::move(cluster)),
      state_(std::move(state)),
      config_(std::move(config)),
      calls_done_(cluster_->executor()),
      heartbeat_wake_(cluster_->executor()) {}

void GroupMember::on_poll() {
  last_poll_ = Clock::now();
  if (stopped_ || fatal_ || join_running_ || state_->mode != SubscriptionMode::subscribed) return;
  if (!rejoin_needed_ && member_state_ == MemberState::stable) return;
  join_running_ = true;
  asio::co_spawn(cluster_->executor(), join_loop(shared_from_this()), asio::detached);
}

std::vector<ListenerCall> GroupMember::take_calls() {
  std::vector<ListenerCall> out(std::make_move_iterator(calls_.begin()),
                                std::make_move_iterator(calls_.end()));
  calls_.clear();
  return out;
}

void GroupMember::ack_calls(std::size_t n) {
  calls_acked_ += n;
  calls_done_.set();
}

std::optional<Error> GroupMember::take_error() {
  auto out = std::move(fatal_);
  fatal_.reset();
  return out;
}

void GroupMember::stop() {
  stopped_ = true;
  calls_done_.set();
  heartbeat_wake_.set();
}

void GroupMember::fail(Error error) {
  SLUICE_LOG(error) << "consumer group " << config_.group_id << ": " << error.to_string();
  fatal_ = std::move(error);
  state_->data_ready.set();
}

void GroupMember::reset_member(bool lost) {
  if (lost && !owned_.empty()) lost_pending_ = true;
  member_id_.clear();
  generation_ = -1;
  member_state_ = MemberState::unjoined;
  rejoin_needed_ = true;
  state_->data_ready.set();
}

awaitable<void> GroupMember::call_listener(ListenerCall::Kind kind,
                                           std::vector<TopicPartition> partitions) {
  if (!listening_[static_cast<std::size_t>(kind)]) co_return;
  calls_.push_back(ListenerCall{kind, std::move(partitions)});
  const uint64_t mine = ++calls_issued_;
  state_->data_ready.set();
  while (calls_acked_ < mine && !stopped_) {
    calls_done_.reset();
    (void)co_await calls_done_.wait_for(std::chrono::seconds(1));
  }
}

awaitable<void> GroupMember::revoke(std::vector<TopicPartition> partitions, ListenerCall::Kind kind,
                                    bool commit_first) {
  for (const auto& tp : partitions) {
    auto it = state_->assigned.find(tp);
    if (it != state_->assigned.end()) it->second.revoking = true;
  }
  if (commit_first && config_.enable_auto_commit) {
    auto st = co_await commit_positions(partitions, Clock::now() + config_.request_timeout);
    if (!st) {
      SLUICE_LOG(warning) << "consumer group " << config_.group_id
                          << ": auto-commit before revocation failed: " << st.error().to_string();
    }
  }
  co_await call_listener(kind, partitions);
  state_->remove(partitions);
  owned_ = minus(owned_, partitions);
}

awaitable<void> GroupMember::join_loop(std::shared_ptr<GroupMember> self) {
  while (!self->stopped_ && !self->fatal_ && self->state_->mode == SubscriptionMode::subscribed &&
         (self->rejoin_needed_ || self->member_state_ != MemberState::stable)) {
    // Before joining: partitions lost with the old membership go without a commit; eager
    // protocols give up everything (after committing); cooperative only what the
    // subscription no longer covers.
    if (self->lost_pending_) {
      self->lost_pending_ = false;
      co_await self->revoke(self->owned_, ListenerCall::Kind::lost, false);
    }
    if (!self->owned_.empty()) {
      std::vector<TopicPartition> to_revoke;
      if (protocol_of(self->protocol_name_) == RebalanceProtocol::eager) {
        to_revoke = self->owned_;
      } else {
        std::set<std::string> topics(self->state_->topics.begin(), self->state_->topics.end());
        for (const auto& tp : self->owned_) {
          if (!topics.contains(tp.topic)) to_revoke.push_back(tp);
        }
      }
      if (!to_revoke.empty())
        co_await self->revoke(std::move(to_revoke), ListenerCall::Kind::revoked, true);
    }
    if (self->stopped_) break;
    self->rejoin_needed_ = false;  // a request arriving during this join sets it again
    auto attempt = co_await self->join_once();
    if (attempt == Attempt::done || attempt == Attempt::fatal) continue;
    self->rejoin_needed_ = true;
    if (attempt == Attempt::retry_later) co_await sleep_for(self->config_.retry_backoff);
  }
  self->join_running_ = false;
  self->state_->data_ready.set();
}

// One JoinGroup + SyncGroup round. Each step either goes on or ends the attempt with the
// Attempt it returns (a retry, or fatal after fail()).
awaitable<GroupMember::Attempt> GroupMember::join_once() {
  member_state_ = MemberState::joining;
  auto found = co_await cluster_->coordinator(config_.group_id);
  if (!found) {
    SLUICE_LOG(debug) << "group " << config_.group_id
                      << ": no coordinator: " << found.error().to_string();
    member_state_ = MemberState::unjoined;
    co_return Attempt::retry_later;
  }
  std::shared_ptr<Connection> coordinator = *found;
  protocol::JoinGroupResponse joined;
  std::optional<Attempt> ended = co_await join_group(coordinator, joined);
  if (ended) co_return *ended;
  protocol::SyncGroupRequest sync = sync_request();
  if (joined.leader == joined.member_id) {
    ended = co_await assign_as_leader(joined, sync);
    if (ended) co_return *ended;
  }
  std::vector<TopicPartition> assignment;
  ended = co_await sync_group(coordinator, sync, assignment);
  if (ended) co_return *ended;
  become_stable();
  co_return co_await apply_assignment(std::move(assignment));
}

std::vector<std::string> GroupMember::sorted_topics() const {
  std::vector<std::string> topics = state_->topics;
  std::sort(topics.begin(), topics.end());
  return topics;
}

protocol::JoinGroupRequest GroupMember::join_request(const std::vector<std::string>& topics) const {
  // Subscription metadata: topics, owned partitions (cooperative), generation.
  protocol::ConsumerSubscription subscription;
  subscription.topics = topics;
  subscription.owned_partitions = group_by_topic(owned_);
  subscription.generation_id = generation_;
  const auto metadata = protocol::encode_subscription(subscription);

  protocol::JoinGroupRequest join;
  join.group_id = config_.group_id;
  join.session_timeout_ms = static_cast<int32_t>(config_.session_timeout.count());
  join.rebalance_timeout_ms = static_cast<int32_t>(config_.max_poll_interval.count());
  join.member_id = member_id_;
  join.group_instance_id = config_.group_instance_id;
  join.protocol_type = "consumer";
  for (const auto& name : config_.assignment_strategies) {
    if (!is_known_assignor(name)) continue;
    protocol::JoinGroupRequestProtocol p;
    p.name = name;
    p.metadata = metadata;
    join.protocols.push_back(std::move(p));
  }
  return join;
}

awaitable<void> GroupMember::note_partition_counts(std::vector<std::string> topics) {
  partition_counts_.clear();
  for (const auto& topic : topics) {
    auto info = co_await cluster_->topic(topic);
    partition_counts_[topic] =
        (info && (*info)->error_code == 0) ? static_cast<int32_t>((*info)->partitions.size()) : 0;
  }
}

awaitable<std::optional<GroupMember::Attempt>> GroupMember::join_group(
    std::shared_ptr<Connection> coordinator, protocol::JoinGroupResponse& joined) {
  const std::vector<std::string> topics = sorted_topics();
  const protocol::JoinGroupRequest join = join_request(topics);
  // Partition counts of the subscription as of this join: a change later means rejoin.
  co_await note_partition_counts(topics);

  const int16_t min_join = config_.group_instance_id ? 5 : 1;
  // The broker may hold a JoinGroup for the whole rebalance timeout (max.poll.interval.ms);
  // as Java's client does, wait that long plus 5 s rather than request.timeout.ms.
  // (An optional already: see docs/conventions.md, Coroutines.)
  const std::optional<std::chrono::milliseconds> join_timeout = std::max<std::chrono::milliseconds>(
      config_.request_timeout, config_.max_poll_interval + std::chrono::seconds(5));
  auto resp = co_await cluster_->call<protocol::JoinGroupResponse>(
      coordinator, protocol::kJoinGroupApi, join, min_join, 7, join_timeout);
  if (!resp) {
    cluster_->invalidate_coordinator(config_.group_id);
    if (resp.error() == ClientErrc::unsupported_version) {
      fail(Error(resp.error().code(), "JoinGroup: " + resp.error().context()));
      co_return Attempt::fatal;
    }
    member_state_ = MemberState::unjoined;
    co_return Attempt::retry_later;
  }
  joined = std::move(resp->body);
  if (static_cast<KafkaErrc>(joined.error_code) == KafkaErrc::member_id_required) {
    member_id_ = joined.member_id;
    co_return Attempt::retry_now;
  }
  if (joined.error_code != 0) co_return after_group_error(joined.error_code, "JoinGroup");
  member_id_ = joined.member_id;
  generation_ = joined.generation_id;
  protocol_name_ = joined.protocol_name.value_or("");
  co_return std::nullopt;
}

GroupMember::Attempt GroupMember::after_group_error(int16_t code, const char* api) {
  switch (static_cast<KafkaErrc>(code)) {
    case KafkaErrc::unknown_member_id:
    case KafkaErrc::illegal_generation:
      reset_member(true);
      return Attempt::retry_now;
    case KafkaErrc::rebalance_in_progress:
      return Attempt::retry_now;
    case KafkaErrc::coordinator_load_in_progress:
      return Attempt::retry_later;
    default:
      if (is_coordinator_error(code)) {
        cluster_->invalidate_coordinator(config_.group_id);
        return Attempt::retry_later;
      }
      fail(kafka_error(code, std::string(api) + " " + config_.group_id));
      return Attempt::fatal;
  }
}

protocol::SyncGroupRequest GroupMember::sync_request() const {
  protocol::SyncGroupRequest sync;
  sync.group_id = config_.group_id;
  sync.generation_id = generation_;
  sync.member_id = member_id_;
  sync.group_instance_id = config_.group_instance_id;
  sync.protocol_type = "consumer";
  sync.protocol_name = protocol_name_;
  return sync;
}

awaitable<std::optional<GroupMember::Attempt>> GroupMember::assign_as_leader(
    const protocol::JoinGroupResponse& joined, protocol::SyncGroupRequest& sync) {
  std::vector<AssignorMember> members;
  for (const auto& m : joined.members) {
    auto sub = protocol::decode_subscription(m.metadata);
    AssignorMember am;
    am.member_id = m.member_id;
    am.group_instance_id = m.group_instance_id;
    if (sub) {
      am.topics = sub->topics;
      am.owned = flatten(sub->owned_partitions);
      am.generation = sub->generation_id;
    }
    members.push_back(std::move(am));
  }
  auto assignments = co_await leader_assign(protocol_name_, std::move(members));
  if (!assignments) {
    fail(std::move(assignments).error());
    co_return Attempt::fatal;
  }
  for (auto& entry : *assignments) {
    protocol::SyncGroupRequestAssignment a;
    a.member_id = entry.first;
    a.assignment = std::move(entry.second);
    sync.assignments.push_back(std::move(a));
  }
  co_return std::nullopt;
}

awaitable<std::optional<GroupMember::Attempt>> GroupMember::sync_group(
    std::shared_ptr<Connection> coordinator, const protocol::SyncGroupRequest& sync,
    std::vector<TopicPartition>& assignment) {
  const int16_t min_sync = config_.group_instance_id ? 3 : 0;
  auto resp = co_await cluster_->call<protocol::SyncGroupResponse>(
      coordinator, protocol::kSyncGroupApi, sync, min_sync, 5);
  if (!resp) {
    cluster_->invalidate_coordinator(config_.group_id);
    member_state_ = MemberState::unjoined;
    co_return Attempt::retry_later;
  }
  const auto& sr = resp->body;
  if (sr.error_code != 0) co_return after_group_error(sr.error_code, "SyncGroup");
  if (sr.assignment.empty()) co_return std::nullopt;
  auto decoded = protocol::decode_assignment(sr.assignment);
  if (!decoded) {
    fail(Error(
        make_error_code(ClientErrc::protocol_error),
        "SyncGroup " + config_.group_id + ": bad assignment: " + decoded.error().to_string()));
    co_return Attempt::fatal;
  }
  assignment = flatten(decoded->assigned_partitions);
  co_return std::nullopt;
}

void GroupMember::become_stable() {
  member_state_ = MemberState::stable;
  if (!heartbeat_running_) {
    heartbeat_running_ = true;
    asio::co_spawn(cluster_->executor(), heartbeat_loop(shared_from_this()), asio::detached);
  }
}

awaitable<GroupMember::Attempt> GroupMember::apply_assignment(
    std::vector<TopicPartition> assignment) {
  SLUICE_LOG(debug) << "group " << config_.group_id << " member " << member_id_ << " generation "
                    << generation_ << ": " << assignment.size() << " partitions (" << protocol_name_
                    << ")";
  auto revoked = minus(owned_, assignment);
  auto added = minus(assignment, owned_);
  if (!revoked.empty()) {
    // Only cooperative members get here with partitions (eager ones revoked all before
    // joining). What the group took away goes now; the rejoin lets its new owner have it.
    co_await revoke(std::move(revoked), ListenerCall::Kind::revoked, true);
    rejoin_needed_ = true;
  }
  owned_ = assignment;
  state_->add(added);
  co_await call_listener(ListenerCall::Kind::assigned, added);
  co_return Attempt::done;
}

awaitable<Result<GroupMember::EncodedByMember>> GroupMember::leader_assign(
    std::string protocol, std::vector<AssignorMember> members) {
  if (!is_known_assignor(protocol)) {
    co_return Error(make_error_code(KafkaErrc::inconsistent_group_protocol),
                    "group " + config_.group_id + " selected assignor '" + protocol +
                        "', which this client lacks");
  }
  PartitionCounts counts;
  for (const auto& m : members) {
    for (const auto& topic : m.topics) {
      if (counts.contains(topic)) continue;
      auto info = co_await cluster_->topic(topic);
      counts[topic] =
          (info && (*info)->error_code == 0) ? static_cast<int32_t>((*info)->partitions.size()) : 0;
    }
  }
  auto assignment = assign(protocol, counts, members);
  EncodedByMember out;
  for (const auto& entry : assignment) {
    protocol::ConsumerAssignment a;
    a.assigned_partitions = group_by_topic(entry.second);
    out[entry.first] = protocol::encode_assignment(a);
  }
  co_return out;
}

awaitable<bool> GroupMember::subscription_changed() {
  for (const auto& topic : state_->topics) {
    auto info = co_await cluster_->topic(topic);
    const int32_t count =
        (info && (*info)->error_code == 0) ? static_cast<int32_t>((*info)->partitions.size()) : 0;
    auto it = partition_counts_.find(topic);
    if (it == partition_counts_.end() || it->second != count) co_return true;
  }
  co_return false;
}

awaitable<void> GroupMember::heartbeat_loop(std::shared_ptr<GroupMember> self) {
  while (!self->stopped_) {
    self->heartbeat_wake_.reset();
    (void)co_await self->heartbeat_wake_.wait_for(self->config_.heartbeat_interval);
    if (self->stopped_) break;
    if (self->member_state_ != MemberState::stable) continue;

    if (Clock::now() - self->last_poll_ > self->config_.max_poll_interval) {
      SLUICE_LOG(warning) << "group " << self->config_.group_id
                          << ": no poll for max.poll.interval.ms ("
                          << self->config_.max_poll_interval.count() << " ms); leaving the group";
      co_await self->leave("max.poll.interval.ms exceeded");
      continue;
    }
    if (!self->rejoin_needed_ && co_await self->subscription_changed()) {
      self->rejoin_needed_ = true;
      self->state_->data_ready.set();
    }

    auto conn = co_await self->cluster_->coordinator(self->config_.group_id);
    if (!conn) continue;
    protocol::HeartbeatRequest req;
    req.group_id = self->config_.group_id;
    req.generation_id = self->generation_;
    req.member_id = self->member_id_;
    req.group_instance_id = self->config_.group_instance_id;
    const int32_t generation = self->generation_;
    auto resp = co_await self->cluster_->call<protocol::HeartbeatResponse>(
        *conn, protocol::kHeartbeatApi, req, self->config_.group_instance_id ? 3 : 0, 4);
    if (!resp) {
      self->cluster_->invalidate_coordinator(self->config_.group_id);
      continue;
    }
    const int16_t code = resp->body.error_code;
    if (code == 0 || self->generation_ != generation || self->member_state_ != MemberState::stable)
      continue;
    switch (static_cast<KafkaErrc>(code)) {
      case KafkaErrc::rebalance_in_progress:
        self->rejoin_needed_ = true;
        self->state_->data_ready.set();
        break;
      case KafkaErrc::illegal_generation:
      case KafkaErrc::unknown_member_id:
        self->reset_member(true);
        break;
      case KafkaErrc::fenced_instance_id:
        self->fail(kafka_error(code, "heartbeat of group " + self->config_.group_id));
        self->reset_member(true);
        break;
      default:
        if (is_coordinator_error(code))
          self->cluster_->invalidate_coordinator(self->config_.group_id);
        break;
    }
  }
  self->heartbeat_running_ = false;
}

awaitable<void> GroupMember::leave(std::string reason) {
  SLUICE_LOG(debug) << "group " << config_.group_id << " member " << member_id_
                    << " leaves: " << reason;
  if (!member_id_.empty() && !config_.group_instance_id) {
    auto conn = co_await cluster_->coordinator(config_.group_id);
    if (conn) {
      protocol::LeaveGroupRequest req;
      req.group_id = config_.group_id;
      req.member_id = member_id_;
      protocol::LeaveGroupMember m;
      m.member_id = member_id_;
      req.members.push_back(std::move(m));
      auto resp = co_await cluster_->call<protocol::LeaveGroupResponse>(
          *conn, protocol::kLeaveGroupApi, req, 0, 4);
      if (!resp) {
        SLUICE_LOG(debug) << "LeaveGroup " << config_.group_id << ": " << resp.error().to_string();
      }
    }
  }
  const bool had_partitions = !owned_.empty();
  member_id_.clear();
  generation_ = -1;
  member_state_ = MemberState::unjoined;
  rejoin_needed_ = true;
  if (had_partitions) lost_pending_ = true;
  state_->data_ready.set();
}

awaitable<Status> GroupMember::commit_positions(std::vector<TopicPartition> partitions,
                                                Clock::time_point deadline) {
  OffsetMap offsets;
  for (const auto& tp : partitions) {
    auto it = state_->assigned.find(tp);
    if (it != state_->assigned.end() && it->second.position) offsets[tp] = *it->second.position;
  }
  co_return co_await commit(std::move(offsets), deadline);
}

awaitable<Status> GroupMember::commit(OffsetMap offsets, Clock::time_point deadline) {
  if (offsets.empty()) co_return ok_status();
  protocol::OffsetCommitRequest req;
  req.group_id = config_.group_id;
  for (const auto& entry : offsets) {
    if (req.topics.empty() || req.topics.back().name != entry.first.topic) {
      protocol::OffsetCommitRequestTopic t;
      t.name = entry.first.topic;
      req.topics.push_back(std::move(t));
    }
    protocol::OffsetCommitRequestPartition p;
    p.partition_index = entry.first.partition;
    p.committed_offset = entry.second;
    auto it = state_->assigned.find(entry.first);
    if (it != state_->assigned.end() && it->second.position == entry.second) {
      p.committed_leader_epoch = it->second.position_epoch;
    }
    req.topics.back().partitions.push_back(std::move(p));
  }
  for (;;) {
    const bool member = state_->mode == SubscriptionMode::subscribed && generation_ >= 0;
    req.generation_id = member ? generation_ : -1;
    req.member_id = member ? member_id_ : std::string();
    req.group_instance_id = member ? config_.group_instance_id : std::nullopt;
    Error failure(make_error_code(ClientErrc::timed_out), "commit to group " + config_.group_id);
    auto conn = co_await cluster_->coordinator(config_.group_id);
    if (!conn) {
      failure = std::move(conn).error();
    } else {
      auto resp = co_await cluster_->call<protocol::OffsetCommitResponse>(
          *conn, protocol::kOffsetCommitApi, req, 2, 8);
      if (!resp) {
        failure = std::move(resp).error();
        cluster_->invalidate_coordinator(config_.group_id);
      } else {
        int16_t code = 0;
        std::string where;
        for (const auto& t : resp->body.topics) {
          for (const auto& p : t.partitions) {
            if (p.error_code != 0 && code == 0) {
              code = p.error_code;
              where = t.name + "-" + std::to_string(p.partition_index);
            }
          }
        }
        if (code == 0) co_return ok_status();
        failure = kafka_error(code, "commit to group " + config_.group_id + " (" + where + ")");
        switch (static_cast<KafkaErrc>(code)) {
          case KafkaErrc::rebalance_in_progress:
            rejoin_needed_ = true;
            state_->data_ready.set();
            co_return Error(make_error_code(ClientErrc::rebalance_in_progress),
                            "commit to group " + config_.group_id +
                                ": the group is rebalancing; poll and retry");
          case KafkaErrc::illegal_generation:
          case KafkaErrc::unknown_member_id:
            if (member) reset_member(true);
            co_return Error(failure.code(),
                            failure.context() + ": the group rebalanced without this member");
          case KafkaErrc::coordinator_load_in_progress:
            break;
          default:
            if (is_coordinator_error(code)) {
              cluster_->invalidate_coordinator(config_.group_id);
              break;
            }
            co_return failure;
        }
      }
    }
    if (Clock::now() + config_.retry_backoff >= deadline || !is_retriable(failure))
      co_return failure;
    co_await sleep_for(config_.retry_backoff);
  }
}

awaitable<Result<OffsetMap>> GroupMember::committed(std::vector<TopicPartition> partitions,
                                                    Clock::time_point deadline) {
  OffsetMap out;
  if (partitions.empty()) co_return out;
  std::sort(partitions.begin(), partitions.end());
  protocol::OffsetFetchRequest req;
  req.group_id = config_.group_id;
  std::vector<protocol::OffsetFetchRequestTopic> topics;
  for (const auto& tp : partitions) {
    if (topics.empty() || topics.back().name != tp.topic) {
      protocol::OffsetFetchRequestTopic t;
      t.name = tp.topic;
      topics.push_back(std::move(t));
    }
    topics.back().partition_indexes.push_back(tp.partition);
  }
  req.topics = topics;
  for (;;) {
    Error failure(make_error_code(ClientErrc::timed_out),
                  "committed offsets of group " + config_.group_id);
    auto conn = co_await cluster_->coordinator(config_.group_id);
    if (!conn) {
      failure = std::move(conn).error();
    } else {
      auto resp = co_await cluster_->call<protocol::OffsetFetchResponse>(
          *conn, protocol::kOffsetFetchApi, req, 1, 7);
      if (!resp) {
        failure = std::move(resp).error();
        cluster_->invalidate_coordinator(config_.group_id);
      } else {
        int16_t code = resp->body.error_code;
        for (const auto& t : resp->body.topics) {
          for (const auto& p : t.partitions) {
            if (p.error_code != 0) {
              if (code == 0) code = p.error_code;
              continue;
            }
            if (p.committed_offset >= 0)
              out[TopicPartition{t.name, p.partition_index}] = p.committed_offset;
          }
        }
        if (code == 0) co_return out;
        out.clear();
        failure = kafka_error(code, "committed offsets of group " + config_.group_id);
        if (is_coordinator_error(code)) cluster_->invalidate_coordinator(config_.group_id);
        if (!is_retriable(failure) &&
            code != static_cast<int16_t>(KafkaErrc::unstable_offset_commit)) {
          co_return failure;
        }
      }
    }
    if (Clock::now() + config_.retry_backoff >= deadline) co_return failure;
    co_await sleep_for(config_.retry_backoff);
  }
}

}  // namespace sluice::client::detail
