// SlotTable (see slot_table.h).
#include "broker/groups/slot_table.h"

namespace sluice::broker::groups {

void SlotTable::reset(int32_t count) {
  slots_.assign(static_cast<std::size_t>(count), SlotInfo{});
  children_armed = false;
}

int32_t SlotTable::slot_of(std::string_view group) const {
  return controller::group_slot(group, count());
}

Fence SlotTable::fence(int32_t slot) const {
  return Fence{controller::coordinator_slot(slot), at(slot).owned_version};
}

bool SlotTable::any_loading() const {
  for (const auto& s : slots_) {
    if (s.status == SlotStatus::loading) return true;
  }
  return false;
}

bool SlotTable::still_loading(int32_t slot, uint64_t load_id) const {
  const auto& info = at(slot);
  return info.status == SlotStatus::loading && info.load_id == load_id;
}

SlotTable::Changes SlotTable::apply(const std::vector<controller::SlotView>& views,
                                    const std::vector<bool>& handed_watch, int32_t broker_id) {
  Changes changes;
  for (int32_t s = 0; s < count(); ++s) {
    auto& info = at(s);
    const controller::SlotView& view = views[static_cast<std::size_t>(s)];
    // ZooKeeper sets no watch when a get finds no znode: the children watch reports its
    // creation, and the next read arms the slot.
    if (handed_watch[static_cast<std::size_t>(s)] && view.zk_version < 0) info.armed = false;
    info.owner = view.slot ? view.slot->broker : -1;
    const bool mine = info.owner == broker_id;
    if (mine && (info.status == SlotStatus::not_owned || info.owned_version != view.zk_version)) {
      // Rewritten while ours (it moved away and back): whatever we hold may be stale.
      if (release(s)) changes.released.push_back(s);
      info.status = SlotStatus::loading;
      info.owned_version = view.zk_version;
      info.load_id = ++next_load_id_;
      changes.acquired.push_back(s);
    } else if (!mine && release(s)) {
      changes.released.push_back(s);
    }
  }
  return changes;
}

bool SlotTable::release(int32_t slot) {
  auto& info = at(slot);
  if (info.status == SlotStatus::not_owned) return false;
  info.status = SlotStatus::not_owned;
  info.owned_version = -1;
  return true;
}

void SlotTable::disarm_all() {
  for (auto& s : slots_) s.armed = false;
  children_armed = false;
}

}  // namespace sluice::broker::groups
