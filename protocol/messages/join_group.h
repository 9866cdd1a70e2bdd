// JoinGroup (key 11): a member joins (or rejoins) a consumer group with the protocols it
// supports; the coordinator answers when the rebalance completes. v1 adds the rebalance
// timeout, v4 requires a member id first (MEMBER_ID_REQUIRED), v5 static membership, v6 is
// flexible, v7 returns the protocol type.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct JoinGroupRequestProtocol : MessageStruct {
  std::string name;
  Bytes metadata;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("metadata", metadata, {});
  }
};

struct JoinGroupRequest : MessageStruct {
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  std::vector<JoinGroupRequestProtocol> protocols;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("session_timeout_ms", session_timeout_ms, {});
    f.field("rebalance_timeout_ms", rebalance_timeout_ms, {.since = 1});
    f.field("member_id", member_id, {});
    f.field("group_instance_id", group_instance_id, {.since = 5, .nullable_since = 5});
    f.field("protocol_type", protocol_type, {});
    f.field("protocols", protocols, {});
  }
};

struct JoinGroupResponseMember : MessageStruct {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  Bytes metadata;

  template <class F>
  void fields(F& f) {
    f.field("member_id", member_id, {});
    f.field("group_instance_id", group_instance_id, {.since = 5, .nullable_since = 5});
    f.field("metadata", metadata, {});
  }
};

struct JoinGroupResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name = std::string();
  std::string leader;
  std::string member_id;
  std::vector<JoinGroupResponseMember> members;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 2});
    f.field("error_code", error_code, {});
    f.field("generation_id", generation_id, {});
    f.field("protocol_type", protocol_type, {.since = 7, .nullable_since = 7});
    f.field("protocol_name", protocol_name, {.nullable_since = 7});
    f.field("leader", leader, {});
    f.field("member_id", member_id, {});
    f.field("members", members, {});
  }
};

SLUICE_DECLARE_CODEC(JoinGroupRequest);
SLUICE_DECLARE_CODEC(JoinGroupResponse);

}  // namespace sluice::protocol
