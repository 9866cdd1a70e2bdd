// SyncGroup (key 14): after a join, the leader sends every member's assignment and each
// member receives its own. v3 adds static membership, v4 is flexible, v5 carries the
// protocol type and name.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct SyncGroupRequestAssignment : MessageStruct {
  std::string member_id;
  Bytes assignment;

  template <class F>
  void fields(F& f) {
    f.field("member_id", member_id, {});
    f.field("assignment", assignment, {});
  }
};

struct SyncGroupRequest : MessageStruct {
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<SyncGroupRequestAssignment> assignments;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("generation_id", generation_id, {});
    f.field("member_id", member_id, {});
    f.field("group_instance_id", group_instance_id, {.since = 3, .nullable_since = 3});
    f.field("protocol_type", protocol_type, {.since = 5, .nullable_since = 5});
    f.field("protocol_name", protocol_name, {.since = 5, .nullable_since = 5});
    f.field("assignments", assignments, {});
  }
};

struct SyncGroupResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  Bytes assignment;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("error_code", error_code, {});
    f.field("protocol_type", protocol_type, {.since = 5, .nullable_since = 5});
    f.field("protocol_name", protocol_name, {.since = 5, .nullable_since = 5});
    f.field("assignment", assignment, {});
  }
};

SLUICE_DECLARE_CODEC(SyncGroupRequest);
SLUICE_DECLARE_CODEC(SyncGroupResponse);

}  // namespace sluice::protocol
