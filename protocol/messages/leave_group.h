// LeaveGroup (key 13): members leave a group (one member id up to v2, a batch from v3 with
// static membership), v4 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct LeaveGroupMember : MessageStruct {
  std::string member_id;
  std::optional<std::string> group_instance_id;

  template <class F>
  void fields(F& f) {
    f.field("member_id", member_id, {.since = 3});
    f.field("group_instance_id", group_instance_id, {.since = 3, .nullable_since = 3});
  }
};

struct LeaveGroupRequest : MessageStruct {
  std::string group_id;
  std::string member_id;                  // v0-2
  std::vector<LeaveGroupMember> members;  // v3+

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("member_id", member_id, {.until = 2});
    f.field("members", members, {.since = 3});
  }
};

struct LeaveGroupMemberResponse : MessageStruct {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("member_id", member_id, {.since = 3});
    f.field("group_instance_id", group_instance_id, {.since = 3, .nullable_since = 3});
    f.field("error_code", error_code, {.since = 3});
  }
};

struct LeaveGroupResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<LeaveGroupMemberResponse> members;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("error_code", error_code, {});
    f.field("members", members, {.since = 3});
  }
};

SLUICE_DECLARE_CODEC(LeaveGroupRequest);
SLUICE_DECLARE_CODEC(LeaveGroupResponse);

}  // namespace sluice::protocol
