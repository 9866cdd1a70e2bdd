// DeleteGroups (key 42): delete empty groups and their committed offsets. v2 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct DeleteGroupsRequest : MessageStruct {
  std::vector<std::string> groups_names;

  template <class F>
  void fields(F& f) {
    f.field("groups_names", groups_names, {});
  }
};

struct DeletableGroupResult : MessageStruct {
  std::string group_id;
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("error_code", error_code, {});
  }
};

struct DeleteGroupsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<DeletableGroupResult> results;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("results", results, {});
  }
};

SLUICE_DECLARE_CODEC(DeleteGroupsRequest);
SLUICE_DECLARE_CODEC(DeleteGroupsResponse);

}  // namespace sluice::protocol
