// DescribeGroups (key 15): state, protocol and members of groups. v3 adds authorized
// operations, v4 static membership, v5 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct DescribeGroupsRequest : MessageStruct {
  std::vector<std::string> groups;
  bool include_authorized_operations = false;

  template <class F>
  void fields(F& f) {
    f.field("groups", groups, {});
    f.field("include_authorized_operations", include_authorized_operations, {.since = 3});
  }
};

struct DescribedGroupMember : MessageStruct {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  Bytes member_metadata;
  Bytes member_assignment;

  template <class F>
  void fields(F& f) {
    f.field("member_id", member_id, {});
    f.field("group_instance_id", group_instance_id, {.since = 4, .nullable_since = 4});
    f.field("client_id", client_id, {});
    f.field("client_host", client_host, {});
    f.field("member_metadata", member_metadata, {});
    f.field("member_assignment", member_assignment, {});
  }
};

struct DescribedGroup : MessageStruct {
  int16_t error_code = 0;
  std::string group_id;
  std::string group_state;
  std::string protocol_type;
  std::string protocol_data;
  std::vector<DescribedGroupMember> members;
  int32_t authorized_operations = INT32_MIN;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("group_id", group_id, {});
    f.field("group_state", group_state, {});
    f.field("protocol_type", protocol_type, {});
    f.field("protocol_data", protocol_data, {});
    f.field("members", members, {});
    f.field("authorized_operations", authorized_operations, {.since = 3});
  }
};

struct DescribeGroupsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<DescribedGroup> groups;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("groups", groups, {});
  }
};

SLUICE_DECLARE_CODEC(DescribeGroupsRequest);
SLUICE_DECLARE_CODEC(DescribeGroupsResponse);

}  // namespace sluice::protocol
