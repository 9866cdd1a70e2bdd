// The range, roundrobin and cooperative-sticky assignors: see assignors.h.
#include "client/src/assignors.h"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <list>
#include <set>

namespace sluice::client::detail {
namespace {

// Java's MemberInfo ordering: members with a group.instance.id first, by it; then by member id.
bool member_less(const AssignorMember& a, const AssignorMember& b) {
  if (a.group_instance_id && b.group_instance_id) {
    if (*a.group_instance_id != *b.group_instance_id)
      return *a.group_instance_id < *b.group_instance_id;
    return a.member_id < b.member_id;
  }
  if (a.group_instance_id) return true;
  if (b.group_instance_id) return false;
  return a.member_id < b.member_id;
}

std::vector<const AssignorMember*> sorted_members(const std::vector<AssignorMember>& members) {
  std::vector<const AssignorMember*> out;
  out.reserve(members.size());
  for (const auto& m : members) out.push_back(&m);
  std::sort(out.begin(), out.end(),
            [](const AssignorMember* a, const AssignorMember* b) { return member_less(*a, *b); });
  return out;
}

bool subscribes(const AssignorMember& m, const std::string& topic) {
  return std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end();
}

GroupAssignment empty_assignment(const std::vector<AssignorMember>& members) {
  GroupAssignment out;
  for (const auto& m : members) out[m.member_id];
  return out;
}

void sort_all(GroupAssignment& a) {
  for (auto& entry : a) std::sort(entry.second.begin(), entry.second.end());
}

// Every topic some member subscribes to and the cluster knows, sorted.
std::set<std::string> subscribed_topics(const PartitionCounts& counts,
                                        const std::vector<AssignorMember>& members) {
  std::set<std::string> topics;
  for (const auto& m : members) {
    for (const auto& t : m.topics) {
      auto it = counts.find(t);
      if (it != counts.end() && it->second > 0) topics.insert(t);
    }
  }
  return topics;
}

}  // namespace

bool is_known_assignor(std::string_view name) {
  return name == "range" || name == "roundrobin" || name == "cooperative-sticky";
}

RebalanceProtocol protocol_of(std::string_view name) {
  return name == "cooperative-sticky" ? RebalanceProtocol::cooperative : RebalanceProtocol::eager;
}

GroupAssignment range_assign(const PartitionCounts& counts,
                             const std::vector<AssignorMember>& members) {
  GroupAssignment out = empty_assignment(members);
  const auto sorted = sorted_members(members);
  for (const auto& topic : subscribed_topics(counts, members)) {
    std::vector<const AssignorMember*> subscribers;
    for (const auto* m : sorted) {
      if (subscribes(*m, topic)) subscribers.push_back(m);
    }
    const int32_t partitions = counts.at(topic);
    const auto n = static_cast<int32_t>(subscribers.size());
    const int32_t per_member = partitions / n;
    const int32_t extra = partitions % n;
    for (int32_t i = 0; i < n; ++i) {
      const int32_t start = per_member * i + std::min(i, extra);
      const int32_t length = per_member + (i < extra ? 1 : 0);
      auto& target = out[subscribers[static_cast<std::size_t>(i)]->member_id];
      for (int32_t p = start; p < start + length; ++p) target.push_back({topic, p});
    }
  }
  sort_all(out);
  return out;
}

GroupAssignment roundrobin_assign(const PartitionCounts& counts,
                                  const std::vector<AssignorMember>& members) {
  GroupAssignment out = empty_assignment(members);
  const auto sorted = sorted_members(members);
  if (sorted.empty()) return out;
  std::size_t next = 0;  // the circular iterator over the sorted members
  for (const auto& topic : subscribed_topics(counts, members)) {
    for (int32_t p = 0; p < counts.at(topic); ++p) {
      // Some member subscribes to `topic` (subscribed_topics), so this ends.
      while (!subscribes(*sorted[next], topic)) next = (next + 1) % sorted.size();
      out[sorted[next]->member_id].push_back({topic, p});
      next = (next + 1) % sorted.size();
    }
  }
  sort_all(out);
  return out;
}

namespace {

// The sticky assignment before the cooperative adjustment. `kept` holds every member's valid
// owned partitions on entry.
void sticky_equal_subscriptions(const std::vector<const AssignorMember*>& sorted,
                                const std::vector<TopicPartition>& all_partitions,
                                GroupAssignment& kept) {
  const auto total = all_partitions.size();
  const auto members = sorted.size();
  const std::size_t min_quota = total / members;
  const std::size_t max_quota = (total + members - 1) / members;
  const std::size_t expected_over_min = total % members;
  std::size_t over_min = 0;

  // 1. Every member keeps its owned partitions up to its quota.
  std::set<TopicPartition> assigned;
  for (const auto* m : sorted) {
    auto& owned = kept[m->member_id];
    std::sort(owned.begin(), owned.end());
    if (owned.size() > min_quota) {
      if (over_min < expected_over_min && max_quota > min_quota) {
        owned.resize(max_quota);
        ++over_min;
      } else {
        owned.resize(min_quota);
      }
    }
    assigned.insert(owned.begin(), owned.end());
  }
  // 2. The rest, in order, dealt round-robin to the members below the minimum quota; once all
  //    reach it, one each to members at the minimum while the remainder allows.
  std::list<std::string> under_min;
  std::deque<std::string> exactly_min;
  for (const auto* m : sorted) {
    const auto size = kept[m->member_id].size();
    if (size < min_quota) {
      under_min.push_back(m->member_id);
    } else if (size == min_quota && over_min < expected_over_min) {
      exactly_min.push_back(m->member_id);
    }
  }
  auto cursor = under_min.begin();
  for (const auto& tp : all_partitions) {
    if (assigned.contains(tp)) continue;
    std::string member;
    if (!under_min.empty()) {
      if (cursor == under_min.end()) cursor = under_min.begin();
      member = *cursor;
      auto& target = kept[member];
      target.push_back(tp);
      if (target.size() >= min_quota) {
        cursor = under_min.erase(cursor);
        if (over_min < expected_over_min) exactly_min.push_back(member);
      } else {
        ++cursor;
      }
    } else {
      if (exactly_min.empty() || over_min >= expected_over_min)
        break;  // cannot happen: counts add up
      member = exactly_min.front();
      exactly_min.pop_front();
      kept[member].push_back(tp);
      ++over_min;
    }
    assigned.insert(tp);
  }
}

// Members subscribe to different topics: keep owned partitions, give each remaining partition
// (fewest candidates first) to the candidate with the fewest partitions, then move partitions
// from the most to the least loaded candidates until no move improves the balance.
void sticky_general(const std::vector<const AssignorMember*>& sorted,
                    const std::vector<TopicPartition>& all_partitions, GroupAssignment& kept) {
  std::set<TopicPartition> assigned;
  for (const auto& entry : kept) assigned.insert(entry.second.begin(), entry.second.end());
  auto candidates = [&](const TopicPartition& tp) {
    std::vector<const AssignorMember*> out;
    for (const auto* m : sorted) {
      if (subscribes(*m, tp.topic)) out.push_back(m);
    }
    return out;
  };
  std::vector<TopicPartition> unassigned;
  for (const auto& tp : all_partitions) {
    if (!assigned.contains(tp)) unassigned.push_back(tp);
  }
  std::stable_sort(unassigned.begin(), unassigned.end(),
                   [&](const TopicPartition& a, const TopicPartition& b) {
                     return candidates(a).size() < candidates(b).size();
                   });
  for (const auto& tp : unassigned) {
    const AssignorMember* best = nullptr;
    for (const auto* m : candidates(tp)) {
      if (best == nullptr || kept[m->member_id].size() < kept[best->member_id].size()) best = m;
    }
    if (best != nullptr) kept[best->member_id].push_back(tp);
  }
  // Balance: each move lowers the sum of squared loads, so this terminates.
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto* from : sorted) {
      auto& source = kept[from->member_id];
      std::sort(source.begin(), source.end());
      for (auto it = source.rbegin(); it != source.rend() && !moved; ++it) {
        for (const auto* to : candidates(*it)) {
          if (to == from) continue;
          if (kept[to->member_id].size() + 1 < source.size()) {
            kept[to->member_id].push_back(*it);
            source.erase(std::next(it).base());
            moved = true;
            break;
          }
        }
      }
      if (moved) break;
    }
  }
}

}  // namespace

GroupAssignment cooperative_sticky_assign(const PartitionCounts& counts,
                                          const std::vector<AssignorMember>& members) {
  GroupAssignment out = empty_assignment(members);
  const auto sorted = sorted_members(members);
  if (sorted.empty()) return out;

  std::vector<TopicPartition> all_partitions;
  for (const auto& topic : subscribed_topics(counts, members)) {
    for (int32_t p = 0; p < counts.at(topic); ++p) all_partitions.push_back({topic, p});
  }
  auto exists = [&](const TopicPartition& tp) {
    auto it = counts.find(tp.topic);
    return it != counts.end() && tp.partition >= 0 && tp.partition < it->second;
  };

  // Who claims what. A partition claimed by several members goes to the claim of the highest
  // generation; claims tied at the highest generation are all void (nobody keeps it).
  std::map<TopicPartition, std::vector<const AssignorMember*>> claims;
  for (const auto* m : sorted) {
    std::set<TopicPartition> seen;
    for (const auto& tp : m->owned) {
      if (exists(tp) && seen.insert(tp).second) claims[tp].push_back(m);
    }
  }
  std::map<TopicPartition, std::string> valid_owner;
  for (const auto& entry : claims) {
    const AssignorMember* winner = nullptr;
    bool tied = false;
    for (const auto* m : entry.second) {
      if (winner == nullptr || m->generation > winner->generation) {
        winner = m;
        tied = false;
      } else if (m->generation == winner->generation) {
        tied = true;
      }
    }
    if (winner != nullptr && !tied) valid_owner[entry.first] = winner->member_id;
    if (winner != nullptr && !tied && subscribes(*winner, entry.first.topic)) {
      out[winner->member_id].push_back(entry.first);
    }
  }

  bool all_equal = true;
  {
    std::set<std::string> first(sorted.front()->topics.begin(), sorted.front()->topics.end());
    for (const auto* m : sorted) {
      if (std::set<std::string>(m->topics.begin(), m->topics.end()) != first) all_equal = false;
    }
  }
  if (all_equal) {
    sticky_equal_subscriptions(sorted, all_partitions, out);
  } else {
    sticky_general(sorted, all_partitions, out);
  }

  // Cooperative adjustment: a partition some other member still owns is not handed over in
  // this rebalance; its owner revokes it and the follow-up rebalance assigns it. (The valid
  // owner keeps it even if a stale member still claims it: that one revokes its claim.)
  for (auto& entry : out) {
    auto& partitions = entry.second;
    std::erase_if(partitions, [&](const TopicPartition& tp) {
      auto it = claims.find(tp);
      if (it == claims.end()) return false;
      auto owner = valid_owner.find(tp);
      if (owner != valid_owner.end() && owner->second == entry.first) return false;
      for (const auto* owner : it->second) {
        if (owner->member_id != entry.first) return true;
      }
      return false;
    });
  }
  sort_all(out);
  return out;
}

GroupAssignment assign(std::string_view name, const PartitionCounts& counts,
                       const std::vector<AssignorMember>& members) {
  if (name == "roundrobin") return roundrobin_assign(counts, members);
  if (name == "cooperative-sticky") return cooperative_sticky_assign(counts, members);
  return range_assign(counts, members);
}

}  // namespace sluice::client::detail
