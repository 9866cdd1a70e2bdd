// GroupTable (see group_table.h).
#include "broker/groups/group_table.h"

#include <utility>

namespace sluice::broker::groups {

GroupEntry::GroupEntry(std::string group_id, int32_t slot_index, const GroupEnv& env,
                       boost::asio::any_io_executor executor)
    : id(std::move(group_id)),
      slot(slot_index),
      group(std::make_unique<Group>(id, env)),
      lock(std::move(executor)) {}

bool GroupEntry::unused() const {
  return group->state() == GroupState::empty && group->members().empty() &&
         group->pending_members() == 0 && !stored.node && stored.offsets.empty();
}

GroupTable::GroupTable(const GroupEnv& env, boost::asio::any_io_executor executor)
    : env_(env), executor_(std::move(executor)) {}

std::shared_ptr<GroupEntry> GroupTable::find(const std::string& group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : it->second;
}

std::shared_ptr<GroupEntry> GroupTable::create(const std::string& group, int32_t slot) {
  auto entry = std::make_shared<GroupEntry>(group, slot, env_, executor_);
  groups_[group] = entry;
  return entry;
}

std::shared_ptr<GroupEntry> GroupTable::restore(const std::string& group, int32_t slot,
                                                LoadedGroup loaded) {
  auto entry = std::make_shared<GroupEntry>(group, slot, env_, executor_);
  entry->stored = std::move(loaded.stored);
  entry->group->restore(*loaded.record);
  return entry;
}

void GroupTable::add(std::shared_ptr<GroupEntry> entry) {
  auto id = entry->id;
  groups_[id] = std::move(entry);
}

void GroupTable::unload(const std::shared_ptr<GroupEntry>& entry, protocol::KafkaErrc error) {
  forget(entry);
  entry->unloaded = true;
  entry->group->shutdown(error);
}

int GroupTable::unload_slot(int32_t slot, protocol::KafkaErrc error) {
  int unloaded = 0;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (it->second->slot != slot) {
      ++it;
      continue;
    }
    auto entry = it->second;
    it = groups_.erase(it);
    entry->unloaded = true;
    entry->group->shutdown(error);
    ++unloaded;
  }
  return unloaded;
}

void GroupTable::drop_if_unused(const std::shared_ptr<GroupEntry>& entry) {
  if (entry->unused()) forget(entry);
}

std::vector<std::shared_ptr<GroupEntry>> GroupTable::snapshot() const {
  std::vector<std::shared_ptr<GroupEntry>> out;
  out.reserve(groups_.size());
  for (const auto& entry : groups_) out.push_back(entry.second);
  return out;
}

void GroupTable::forget(const std::shared_ptr<GroupEntry>& entry) {
  auto it = groups_.find(entry->id);
  if (it != groups_.end() && it->second == entry) groups_.erase(it);
}

}  // namespace sluice::broker::groups
