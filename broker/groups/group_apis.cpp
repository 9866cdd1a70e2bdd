// The group APIs: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, DescribeGroups, ListGroups,
// DeleteGroups. Each finds the group (locate), hands the request to its state machine
// (group.h) and turns the result into the response; errors are KafkaErrc until they are
// written into a response field (protocol::to_wire).
#include <cctype>
#include <set>

#include "broker/groups/coordinator_impl.h"
#include "common/async_event.h"
#include "common/log.h"

namespace sluice::broker::groups {
namespace {

using Impl = GroupCoordinator::Impl;
using protocol::KafkaErrc;
using protocol::to_wire;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

JoinRequest to_join_request(protocol::JoinGroupRequest& request, int16_t version,
                            std::string client_id, std::string client_host) {
  JoinRequest join;
  join.member_id = request.member_id;
  join.group_instance_id = request.group_instance_id;
  join.client_id = std::move(client_id);
  join.client_host = std::move(client_host);
  join.session_timeout_ms = request.session_timeout_ms;
  join.rebalance_timeout_ms = request.rebalance_timeout_ms;  // v0: -1, the session timeout
  join.protocol_type = request.protocol_type;
  for (auto& p : request.protocols)
    join.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  join.require_known_member_id = version >= 4 && !request.group_instance_id;
  return join;
}

void fill_join_response(protocol::JoinGroupResponse& response, JoinResult& result,
                        int16_t version) {
  response.error_code = to_wire(result.error);
  response.generation_id = result.generation;
  response.member_id = result.member_id;
  response.leader = result.leader;
  if (version >= 7) {
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name;
  } else {
    response.protocol_name = result.protocol_name.value_or("");
  }
  for (auto& m : result.members) {
    protocol::JoinGroupResponseMember member;
    member.member_id = std::move(m.member_id);
    member.group_instance_id = std::move(m.group_instance_id);
    member.metadata = std::move(m.metadata);
    response.members.push_back(std::move(member));
  }
}

// No ACLs: every group operation a describer may ask about is allowed (READ, DELETE, DESCRIBE
// as Kafka's AclOperation bits).
constexpr int32_t kAllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

void describe(const Group& g, protocol::DescribedGroup& d) {
  const bool stable = g.state() == GroupState::stable;
  d.group_state = std::string(to_string(g.state()));
  d.protocol_type = g.protocol_type();
  if (stable) d.protocol_data = g.protocol_name().value_or("");
  for (const auto& m : g.members()) {
    protocol::DescribedGroupMember member;
    member.member_id = m.second.member_id;
    member.group_instance_id = m.second.group_instance_id;
    member.client_id = m.second.client_id;
    member.client_host = m.second.client_host;
    if (stable) {
      if (const auto* md = m.second.metadata_for(g.protocol_name().value_or("")))
        member.member_metadata = *md;
      member.member_assignment = m.second.assignment;
    }
    d.members.push_back(std::move(member));
  }
}

}  // namespace

// ---- JoinGroup ----

awaitable<protocol::JoinGroupResponse> GroupCoordinator::join_group(
    protocol::JoinGroupRequest request, int16_t version, std::string client_id,
    std::string client_host) {
  auto self = impl_;
  protocol::JoinGroupResponse response;
  response.member_id = request.member_id;
  response.protocol_name =
      version >= 7 ? std::optional<std::string>() : std::optional<std::string>(std::string());
  std::shared_ptr<GroupEntry> entry;
  const KafkaErrc located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != KafkaErrc::none) {
    response.error_code = to_wire(located);
    co_return response;
  }
  if (!entry) {
    if (!request.member_id.empty()) {
      response.error_code = to_wire(KafkaErrc::unknown_member_id);
      co_return response;
    }
    entry = self->create_entry(request.group_id);
  }
  JoinRequest join =
      to_join_request(request, version, std::move(client_id), std::move(client_host));
  auto reply = std::make_shared<AsyncValue<JoinResult>>(self->zk.get_executor());
  entry->group->join(std::move(join), [reply](JoinResult r) { reply->set(std::move(r)); });
  JoinResult result = co_await reply->wait();
  if (!entry->unloaded) self->groups.drop_if_unused(entry);
  fill_join_response(response, result, version);
  if (result.error == KafkaErrc::none) {
    SLUICE_LOG(debug) << "groups: " << request.group_id << " member " << result.member_id
                      << " joined generation " << result.generation
                      << (result.member_id == result.leader ? " as leader" : "");
  }
  co_return response;
}

// ---- SyncGroup ----

awaitable<protocol::SyncGroupResponse> GroupCoordinator::sync_group(
    protocol::SyncGroupRequest request, int16_t version) {
  auto self = impl_;
  protocol::SyncGroupResponse response;
  std::shared_ptr<GroupEntry> entry;
  const KafkaErrc located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != KafkaErrc::none) {
    response.error_code = to_wire(located);
    co_return response;
  }
  if (!entry) {
    response.error_code = to_wire(KafkaErrc::unknown_member_id);
    co_return response;
  }
  SyncRequest sync;
  sync.member_id = request.member_id;
  sync.group_instance_id = request.group_instance_id;
  sync.generation = request.generation_id;
  sync.protocol_type = request.protocol_type;
  sync.protocol_name = request.protocol_name;
  for (auto& a : request.assignments)
    sync.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  auto reply = std::make_shared<AsyncValue<SyncResult>>(self->zk.get_executor());
  entry->group->sync(std::move(sync), [reply](SyncResult r) { reply->set(std::move(r)); });
  SyncResult result = co_await reply->wait();
  response.error_code = to_wire(result.error);
  response.assignment = std::move(result.assignment);
  if (version >= 5 && result.error == KafkaErrc::none) {
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name;
  }
  co_return response;
}

// ---- Heartbeat ----

awaitable<protocol::HeartbeatResponse> GroupCoordinator::heartbeat(
    protocol::HeartbeatRequest request) {
  auto self = impl_;
  protocol::HeartbeatResponse response;
  std::shared_ptr<GroupEntry> entry;
  KafkaErrc error = self->locate(request.group_id, entry);
  if (error == KafkaErrc::none && !entry) {
    error = KafkaErrc::unknown_member_id;
  } else if (error == KafkaErrc::none) {
    MemberIdentity who{request.member_id, request.group_instance_id};
    error = entry->group->heartbeat(who, request.generation_id);
  }
  response.error_code = to_wire(error);
  co_return response;
}

// ---- LeaveGroup ----

awaitable<protocol::LeaveGroupResponse> GroupCoordinator::leave_group(
    protocol::LeaveGroupRequest request, int16_t version) {
  auto self = impl_;
  protocol::LeaveGroupResponse response;
  std::vector<MemberIdentity> leaving;
  if (version < 3) {
    leaving.push_back({request.member_id, std::nullopt});
  } else {
    for (const auto& m : request.members) leaving.push_back({m.member_id, m.group_instance_id});
  }
  std::shared_ptr<GroupEntry> entry;
  const KafkaErrc located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != KafkaErrc::none) {
    response.error_code = to_wire(located);
    co_return response;
  }
  if (entry && entry->group->state() == GroupState::dead) {
    response.error_code = to_wire(KafkaErrc::coordinator_not_available);
    co_return response;
  }
  for (const auto& who : leaving) {
    const KafkaErrc error = entry ? entry->group->leave(who) : KafkaErrc::unknown_member_id;
    if (error == KafkaErrc::none) {
      SLUICE_LOG(debug) << "groups: " << request.group_id << " member "
                        << (who.member_id.empty() ? who.group_instance_id.value_or("")
                                                  : who.member_id)
                        << " left";
    }
    if (version < 3) {
      response.error_code = to_wire(error);
    } else {
      protocol::LeaveGroupMemberResponse member;
      member.member_id = who.member_id;
      member.group_instance_id = who.group_instance_id;
      member.error_code = to_wire(error);
      response.members.push_back(std::move(member));
    }
  }
  co_return response;
}

// ---- DescribeGroups ----

awaitable<protocol::DescribeGroupsResponse> GroupCoordinator::describe_groups(
    protocol::DescribeGroupsRequest request) {
  auto self = impl_;
  protocol::DescribeGroupsResponse response;
  for (const auto& id : request.groups) {
    protocol::DescribedGroup d;
    d.group_id = id;
    std::shared_ptr<GroupEntry> entry;
    const KafkaErrc error = co_await Impl::locate_or_load(self, id, entry);
    d.error_code = to_wire(error);
    if (error == KafkaErrc::none) {
      if (!entry) {
        d.group_state = "Dead";  // Kafka describes unknown groups as Dead, without error
      } else {
        describe(*entry->group, d);
      }
      if (request.include_authorized_operations) d.authorized_operations = kAllGroupOperations;
    }
    response.groups.push_back(std::move(d));
  }
  co_return response;
}

// ---- ListGroups ----

awaitable<protocol::ListGroupsResponse> GroupCoordinator::list_groups(
    protocol::ListGroupsRequest request) {
  auto self = impl_;
  protocol::ListGroupsResponse response;
  if (self->slots.any_loading()) {
    response.error_code = to_wire(KafkaErrc::coordinator_load_in_progress);
    co_return response;
  }
  std::set<std::string> states;
  for (const auto& s : request.states_filter) states.insert(lower(s));
  for (const auto& entry : self->groups.all()) {
    const Group& g = *entry.second->group;
    if (g.state() == GroupState::dead) continue;
    const std::string state(to_string(g.state()));
    if (!states.empty() && !states.count(lower(state))) continue;
    protocol::ListedGroup listed;
    listed.group_id = entry.first;
    listed.protocol_type = g.protocol_type();
    listed.group_state = state;
    response.groups.push_back(std::move(listed));
  }
  co_return response;
}

// ---- DeleteGroups ----

awaitable<protocol::DeleteGroupsResponse> GroupCoordinator::delete_groups(
    protocol::DeleteGroupsRequest request) {
  auto self = impl_;
  protocol::DeleteGroupsResponse response;
  for (const auto& id : request.groups_names) {
    protocol::DeletableGroupResult result;
    result.group_id = id;
    std::shared_ptr<GroupEntry> entry;
    // Like the reads: a group of ours not loaded yet is looked up in ZooKeeper before it is
    // called missing; the removal itself is fenced by the slot's version.
    KafkaErrc error = co_await Impl::locate_or_load(self, id, entry);
    if (error != KafkaErrc::none) {
      // answered as located
    } else if (!entry || entry->group->state() == GroupState::dead) {
      error = KafkaErrc::group_id_not_found;
    } else if (entry->group->state() != GroupState::empty) {
      error = KafkaErrc::non_empty_group;
    } else {
      error = co_await Impl::erase_group(self, entry, /*only_if_unused=*/false);
      if (error == KafkaErrc::none) SLUICE_LOG(info) << "groups: deleted group " << id;
    }
    result.error_code = to_wire(error);
    response.results.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace sluice::broker::groups
