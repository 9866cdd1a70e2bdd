// Which coordinator slots this broker owns, as far as it knows: one SlotInfo per slot of
// /coordinators, the watch flags that keep that view current, and the rules that turn one read
// of the slot znodes into slots taken and given up. Pure: the ZooKeeper reads and the loading
// and unloading of groups are in slot_ownership.cpp (docs/groups.md, "Who coordinates a group").
//
// Threading: not thread-safe; the coordinator uses it on its control executor.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "broker/controller/coordinators.h"
#include "broker/groups/group_store.h"

namespace sluice::broker::groups {

enum class SlotStatus { not_owned, loading, active };

struct SlotInfo {
  int32_t owner = -1;  // as last read from /coordinators/<slot>
  bool armed = false;  // a watch is set on the slot znode
  SlotStatus status = SlotStatus::not_owned;
  int32_t owned_version = -1;  // znode version when this broker took it: the fence
  uint64_t load_id = 0;        // which load of the slot is current
};

class SlotTable {
 public:
  // What one read of the slot znodes changed.
  struct Changes {
    std::vector<int32_t> acquired;  // now kLoading: their groups must be loaded
    std::vector<int32_t> released;  // given up (also those rewritten while ours, then acquired)
  };

  // Forgets everything: `count` slots, none owned.
  void reset(int32_t count);
  int32_t count() const { return static_cast<int32_t>(slots_.size()); }

  SlotInfo& at(int32_t slot) { return slots_[static_cast<std::size_t>(slot)]; }
  const SlotInfo& at(int32_t slot) const { return slots_[static_cast<std::size_t>(slot)]; }
  // REQUIRES: count() > 0.
  int32_t slot_of(std::string_view group) const;

  // The fencing token of an owned slot's writes.
  Fence fence(int32_t slot) const;
  bool any_loading() const;
  // Whether the load `load_id` of `slot` is still the one in progress.
  bool still_loading(int32_t slot, uint64_t load_id) const;

  // Takes the slots `views` name `broker_id` as owner (new ones, or rewritten since we took
  // them) and gives up those naming another broker. `handed_watch[s]`: a watch went out with
  // the read of slot s; a slot read as absent has none (ZooKeeper sets no watch then).
  Changes apply(const std::vector<controller::SlotView>& views,
                const std::vector<bool>& handed_watch, int32_t broker_id);
  // Marks the slot not owned. False when it was not ours.
  bool release(int32_t slot);
  // Forgets every watch (after a session expiry, which drops them all).
  void disarm_all();

  bool children_armed = false;  // a watch is set on the children of /coordinators

 private:
  std::vector<SlotInfo> slots_;
  uint64_t next_load_id_ = 0;
};

}  // namespace sluice::broker::groups
