// Heartbeat (key 12): a member tells the coordinator it is alive; the answer says whether a
// rebalance is in progress. v3 adds static membership, v4 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct HeartbeatRequest : MessageStruct {
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("generation_id", generation_id, {});
    f.field("member_id", member_id, {});
    f.field("group_instance_id", group_instance_id, {.since = 3, .nullable_since = 3});
  }
};

struct HeartbeatResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("error_code", error_code, {});
  }
};

SLUICE_DECLARE_CODEC(HeartbeatRequest);
SLUICE_DECLARE_CODEC(HeartbeatResponse);

}  // namespace sluice::protocol
