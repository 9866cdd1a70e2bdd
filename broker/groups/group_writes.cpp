// A loaded group's ZooKeeper writes (group_store.h does the znodes): each one holds the
// group's lock, so writes apply in the order the state machine issued them, and each is
// fenced by the slot's version, so a broker that lost the slot cannot write.

#include "broker/groups/coordinator_impl.h"
#include "common/log.h"

namespace sluice::broker::groups {
namespace {

using Impl = GroupCoordinator::Impl;
using protocol::KafkaErrc;

// Stores `record` and hands the outcome to the state machine.
awaitable<void> persist_task(std::shared_ptr<Impl> self, std::shared_ptr<GroupEntry> entry,
                             GroupRecord record, std::function<void(KafkaErrc)> done) {
  KafkaErrc error = co_await Impl::write_group(self, entry, std::move(record));
  done(error);
}

}  // namespace

KafkaErrc Impl::store_error(const Error& error, const std::string& group, int32_t slot) {
  if (is_fenced(error)) {
    SLUICE_LOG(warning) << "groups: write of group " << group << " fenced: slot " << slot
                        << " has a new owner (" << error.to_string() << ")";
    poke();
    return KafkaErrc::not_coordinator;
  }
  SLUICE_LOG(warning) << "groups: writing group " << group << ": " << error.to_string();
  return KafkaErrc::coordinator_not_available;
}

void Impl::persist(const std::string& group, GroupRecord record,
                   std::function<void(KafkaErrc)> done) {
  auto entry = groups.find(group);
  if (!entry) {
    done(KafkaErrc::not_coordinator);
    return;
  }
  spawn(persist_task(shared_from_this(), entry, std::move(record), std::move(done)));
}

awaitable<KafkaErrc> Impl::write_group(std::shared_ptr<Impl> self,
                                       std::shared_ptr<GroupEntry> entry, GroupRecord record) {
  co_await entry->lock.lock();
  KafkaErrc error = KafkaErrc::none;
  if (entry->unloaded || self->stopped) {
    error = KafkaErrc::not_coordinator;
  } else {
    Status st = co_await store_group(self->zk, self->slots.fence(entry->slot), entry->id, record,
                                     self->broker_id, entry->stored);
    if (!st) error = self->store_error(st.error(), entry->id, entry->slot);
  }
  entry->lock.unlock();
  co_return error;
}

awaitable<KafkaErrc> Impl::write_offsets(std::shared_ptr<Impl> self,
                                         std::shared_ptr<GroupEntry> entry,
                                         std::map<TopicPartitionKey, OffsetRecord> commits) {
  co_await entry->lock.lock();
  KafkaErrc error = KafkaErrc::none;
  if (entry->unloaded || self->stopped) {
    error = KafkaErrc::not_coordinator;
  } else {
    GroupRecord record = entry->group->record();
    Status st = co_await store_offsets(self->zk, self->slots.fence(entry->slot), entry->id, record,
                                       self->broker_id, commits, entry->stored);
    if (!st) error = self->store_error(st.error(), entry->id, entry->slot);
  }
  entry->lock.unlock();
  co_return error;
}

awaitable<KafkaErrc> Impl::erase_offsets(std::shared_ptr<Impl> self,
                                         std::shared_ptr<GroupEntry> entry,
                                         std::vector<TopicPartitionKey> partitions) {
  co_await entry->lock.lock();
  KafkaErrc error = KafkaErrc::none;
  if (entry->unloaded || self->stopped) {
    error = KafkaErrc::not_coordinator;
  } else {
    Status st = co_await remove_offsets(self->zk, self->slots.fence(entry->slot), entry->id,
                                        partitions, entry->stored);
    if (!st) error = self->store_error(st.error(), entry->id, entry->slot);
  }
  entry->lock.unlock();
  co_return error;
}

awaitable<void> Impl::erase_offsets_task(std::shared_ptr<Impl> self,
                                         std::shared_ptr<GroupEntry> entry,
                                         std::vector<TopicPartitionKey> partitions,
                                         std::string why) {
  const std::size_t count = partitions.size();
  KafkaErrc error = co_await erase_offsets(self, entry, std::move(partitions));
  if (error == KafkaErrc::none) {
    SLUICE_LOG(info) << "groups: group " << entry->id << ": removed " << count << " offsets ("
                     << why << ")";
  }
}

awaitable<KafkaErrc> Impl::erase_group(std::shared_ptr<Impl> self,
                                       std::shared_ptr<GroupEntry> entry, bool only_if_unused) {
  co_await entry->lock.lock();
  const Group& g = *entry->group;
  KafkaErrc error = KafkaErrc::none;
  if (entry->unloaded || self->stopped) {
    error = KafkaErrc::not_coordinator;
  } else if (g.state() != GroupState::empty ||
             (only_if_unused && (!g.members().empty() || !entry->stored.offsets.empty()))) {
    error = KafkaErrc::non_empty_group;
  } else {
    Status st =
        co_await remove_group(self->zk, self->slots.fence(entry->slot), entry->id, entry->stored);
    if (!st) error = self->store_error(st.error(), entry->id, entry->slot);
  }
  entry->lock.unlock();
  if (error == KafkaErrc::none) self->groups.unload(entry, KafkaErrc::coordinator_not_available);
  co_return error;
}

}  // namespace sluice::broker::groups
