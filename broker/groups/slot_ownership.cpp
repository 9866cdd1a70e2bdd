// Slot ownership: which coordinator slots this broker owns through ZooKeeper. Watches on
// /coordinators and on every slot znode bring each change; slots that name this broker are
// taken (their groups loaded, COORDINATOR_LOAD_IN_PROGRESS meanwhile), the others given up
// (their groups unloaded: NOT_COORDINATOR). docs/groups.md, "Who coordinates a group".
#include <map>
#include <set>

#include "broker/groups/coordinator_impl.h"
#include "common/log.h"

namespace sluice::broker::groups {
namespace {

using Impl = GroupCoordinator::Impl;
using protocol::KafkaErrc;

void log_released(int slots_released, int groups_unloaded, const char* why) {
  if (slots_released == 0) return;
  SLUICE_LOG(info) << "groups: no longer coordinator of " << slots_released << " slots (" << why
                   << "), " << groups_unloaded << " groups unloaded";
}

coordination::Watcher children_watcher(std::weak_ptr<Impl> weak) {
  return [weak](const coordination::WatchEvent&) {
    auto self = weak.lock();
    if (!self) return;
    self->slots.children_armed = false;
    self->poke();
  };
}

coordination::Watcher slot_watcher(std::weak_ptr<Impl> weak, int32_t slot) {
  return [weak, slot](const coordination::WatchEvent&) {
    auto self = weak.lock();
    if (!self) return;
    self->slots.at(slot).armed = false;
    self->poke();
  };
}

// Arms the watch on the children of /coordinators when it is not set. False when the read
// failed (the slots are re-read later).
awaitable<bool> arm_children_watch(std::shared_ptr<Impl> self) {
  if (self->slots.children_armed) co_return true;
  // Slots the controller creates later show up here (a get on a missing znode sets no watch).
  // Armed before the call, like the slots: a firing during the call must stick.
  self->slots.children_armed = true;
  auto kids = co_await self->zk.children(controller::coordinators_root(),
                                         children_watcher(self->weak_from_this()));
  if (!kids && !self->stopped) {
    self->slots.children_armed = false;
    self->slots_dirty = true;
    co_return false;
  }
  co_return true;
}

// What load_slots read: the groups of each slot, and the slots that could not be read.
struct SlotGroups {
  std::map<int32_t, std::vector<std::shared_ptr<GroupEntry>>> loaded;
  std::set<int32_t> failed;
};

// Reads the groups of the slots in `loading` (slot -> load id) from /consumers.
awaitable<SlotGroups> read_slot_groups(std::shared_ptr<Impl> self,
                                       std::map<int32_t, uint64_t> loading) {
  SlotGroups out;
  auto ids = co_await read_group_ids(self->zk);
  if (self->stopped) co_return out;
  if (!ids) {
    SLUICE_LOG(warning) << "groups: listing /consumers: " << ids.error().to_string();
    for (const auto& entry : loading) out.failed.insert(entry.first);
    co_return out;
  }
  for (const auto& id : *ids) {
    const int32_t s = self->slots.slot_of(id);
    auto it = loading.find(s);
    if (it == loading.end() || out.failed.count(s) || !self->slots.still_loading(s, it->second))
      continue;
    auto group = co_await read_group(self->zk, id);
    if (self->stopped) co_return out;
    if (!group) {
      SLUICE_LOG(warning) << "groups: loading group " << id << ": " << group.error().to_string();
      out.failed.insert(s);
      continue;
    }
    if (!group->record) continue;  // deleted meanwhile
    out.loaded[s].push_back(self->groups.restore(id, s, std::move(*group)));
  }
  co_return out;
}

// Loads the groups of newly owned slots; their requests get COORDINATOR_LOAD_IN_PROGRESS
// until this finishes.
awaitable<void> load_slots(std::shared_ptr<Impl> self, std::vector<int32_t> slots) {
  std::map<int32_t, uint64_t> loading;
  for (int32_t s : slots) loading[s] = self->slots.at(s).load_id;
  auto started = Clock::now();
  SlotGroups read = co_await read_slot_groups(self, loading);
  if (self->stopped) co_return;
  int groups_loaded = 0;
  for (const auto& entry : loading) {
    const int32_t s = entry.first;
    if (!self->slots.still_loading(s, entry.second)) continue;
    if (read.failed.count(s)) {
      // Try again at the next refresh.
      self->slots.at(s).status = SlotStatus::not_owned;
      self->poke();
      continue;
    }
    for (auto& g : read.loaded[s]) {
      self->groups.add(g);
      ++groups_loaded;
    }
    self->slots.at(s).status = SlotStatus::active;
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  SLUICE_LOG(info) << "groups: coordinator of " << loading.size() << " more slots, loaded "
                   << groups_loaded << " groups in " << took << " ms";
}

}  // namespace

void Impl::on_session_event(coordination::SessionEvent event) {
  switch (event) {
    case coordination::SessionEvent::expired:
      release_all("ZooKeeper session expired");
      slots.disarm_all();
      break;
    case coordination::SessionEvent::disconnected:
      if (!disconnected_since) disconnected_since = Clock::now();
      break;
    case coordination::SessionEvent::connected:
    case coordination::SessionEvent::reestablished:
      disconnected_since.reset();
      break;
  }
  poke();
}

awaitable<void> Impl::refresh_slots(std::shared_ptr<Impl> self) {
  self->slots_dirty = false;
  if (!co_await arm_children_watch(self) || self->stopped) co_return;
  // A slot counts as armed from the moment its watch is handed over, so a watch that fires
  // while the read is still in flight clears the flag for good (setting it after the read
  // would hide that firing and leave the slot unwatched).
  auto handed = std::make_shared<std::vector<bool>>(self->slots.count(), false);
  std::function<coordination::Watcher(int32_t)> watch =
      [self, handed](int32_t s) -> coordination::Watcher {
    auto& info = self->slots.at(s);
    if (info.armed) return {};
    info.armed = true;
    (*handed)[static_cast<std::size_t>(s)] = true;
    return slot_watcher(self->weak_from_this(), s);
  };
  auto views =
      co_await controller::read_coordinator_slots(self->zk, self->slots.count(), std::move(watch));
  if (self->stopped) co_return;
  if (!views) {
    SLUICE_LOG(debug) << "groups: reading coordinator slots: " << views.error().to_string();
    // Which of the gets armed their watch is unknown: arm them all again next time (a slot
    // watched twice only wakes us twice).
    for (int32_t s = 0; s < self->slots.count(); ++s) {
      if ((*handed)[static_cast<std::size_t>(s)]) self->slots.at(s).armed = false;
    }
    self->slots_dirty = true;
    co_return;
  }
  SlotTable::Changes changes = self->slots.apply(*views, *handed, self->broker_id);
  int unloaded = 0;
  for (int32_t s : changes.released)
    unloaded += self->groups.unload_slot(s, KafkaErrc::not_coordinator);
  log_released(static_cast<int>(changes.released.size()), unloaded, "reassigned by the controller");
  if (!changes.acquired.empty()) {
    self->spawn(load_slots(self, std::move(changes.acquired)));
  }
}

void Impl::release_all(const char* why) {
  int released = 0;
  int unloaded = 0;
  for (int32_t s = 0; s < slots.count(); ++s) {
    if (!slots.release(s)) continue;
    ++released;
    unloaded += groups.unload_slot(s, KafkaErrc::not_coordinator);
  }
  log_released(released, unloaded, why);
}

KafkaErrc Impl::locate(const std::string& group, std::shared_ptr<GroupEntry>& out) {
  out.reset();
  if (group.empty()) return KafkaErrc::invalid_group_id;
  if (stopped || slots.count() == 0) return KafkaErrc::not_coordinator;
  switch (slots.at(slots.slot_of(group)).status) {
    case SlotStatus::not_owned:
      return KafkaErrc::not_coordinator;
    case SlotStatus::loading:
      return KafkaErrc::coordinator_load_in_progress;
    case SlotStatus::active:
      break;
  }
  out = groups.find(group);
  return KafkaErrc::none;
}

// A group this broker does not hold although it owns the group's slot is read from ZooKeeper
// before it is reported as unknown. ZooKeeper fences writes, not reads: while this broker has
// not yet processed a slot's move (its watch is on the way), the new owner may already have
// created the group, and a client that asked the old view would otherwise be told the group
// does not exist. The entry found this way is kept (writes through it are still fenced), and
// the slots are re-read in case the slot left us.
awaitable<KafkaErrc> Impl::locate_or_load(std::shared_ptr<Impl> self, std::string group,
                                          std::shared_ptr<GroupEntry>& out) {
  KafkaErrc error = self->locate(group, out);
  if (error != KafkaErrc::none || out) co_return error;
  auto loaded = co_await read_group(self->zk, group);
  if (self->stopped) co_return KafkaErrc::not_coordinator;
  error = self->locate(group, out);  // the world may have moved during the read
  if (error != KafkaErrc::none || out || !loaded || !loaded->record) co_return error;
  const int32_t s = self->slots.slot_of(group);
  out = self->groups.restore(group, s, std::move(*loaded));
  self->groups.add(out);
  SLUICE_LOG(info) << "groups: group " << group << " was not loaded although slot " << s
                   << " is ours; read it from ZooKeeper and re-reading the slots";
  self->poke();
  co_return KafkaErrc::none;
}

std::shared_ptr<GroupEntry> Impl::create_entry(const std::string& group) {
  return groups.create(group, slots.slot_of(group));
}

}  // namespace sluice::broker::groups
