// Offset expiry, every offsets.retention.check.interval.ms: the offsets of Empty groups older
// than offsets.retention.minutes are removed, then Empty groups left with nothing.
#include "broker/groups/coordinator_impl.h"
#include "common/log.h"

namespace sluice::broker::groups {
namespace {

using protocol::KafkaErrc;

// The offsets of an Empty group that have expired at `now`.
std::vector<TopicPartitionKey> expired_offsets(const GroupEntry& entry, int64_t retention_ms,
                                               int64_t now) {
  std::vector<TopicPartitionKey> expired;
  for (const auto& o : entry.stored.offsets) {
    // Kafka: offsets of a group with membership expire `retention` after the group
    // became empty; those of a group that only commits, `retention` after the commit.
    const int64_t since = entry.group->protocol_type().empty() ? o.second.commit_timestamp_ms
                                                               : entry.group->state_timestamp_ms();
    if (since + retention_ms <= now) expired.push_back(o.first);
  }
  return expired;
}

}  // namespace

awaitable<void> GroupCoordinator::Impl::expire_offsets(std::shared_ptr<Impl> self) {
  const int64_t now = self->env.wall_ms();
  auto entries = self->groups.snapshot();
  for (const auto& entry : entries) {
    if (entry->unloaded || self->stopped) continue;
    if (entry->group->state() != GroupState::empty) continue;
    auto expired = expired_offsets(*entry, self->offsets.retention_ms, now);
    if (!expired.empty()) {
      std::string why = "offsets.retention.minutes";
      co_await erase_offsets_task(self, entry, std::move(expired), std::move(why));
    }
    const Group& g = *entry->group;
    if (entry->unloaded || self->stopped || g.state() != GroupState::empty ||
        !g.members().empty() || g.pending_members() != 0 || !entry->stored.offsets.empty()) {
      continue;
    }
    const KafkaErrc removed = co_await erase_group(self, entry, /*only_if_unused=*/true);
    if (removed == KafkaErrc::none) {
      SLUICE_LOG(info) << "groups: removed empty group " << entry->id
                       << " (no members, no offsets)";
    }
  }
}

}  // namespace sluice::broker::groups
