// ListGroups (key 16): the groups a coordinator knows. v3 is flexible, v4 filters by state.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct ListGroupsRequest : MessageStruct {
  std::vector<std::string> states_filter;

  template <class F>
  void fields(F& f) {
    f.field("states_filter", states_filter, {.since = 4});
  }
};

struct ListedGroup : MessageStruct {
  std::string group_id;
  std::string protocol_type;
  std::string group_state;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("protocol_type", protocol_type, {});
    f.field("group_state", group_state, {.since = 4});
  }
};

struct ListGroupsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<ListedGroup> groups;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("error_code", error_code, {});
    f.field("groups", groups, {});
  }
};

SLUICE_DECLARE_CODEC(ListGroupsRequest);
SLUICE_DECLARE_CODEC(ListGroupsResponse);

}  // namespace sluice::protocol
