// Partition assignors: how a consumer group's leader splits the partitions of the subscribed
// topics among the members (the "consumer" protocol's assignment strategies). Pure functions,
// identical on every member; they follow the Java client's assignors so a group that mixes
// this client with Java members gets the same assignment either way:
//
//   range               per topic, its partitions in contiguous ranges over the members
//                       subscribed to it, sorted (the first P % M members get one more);
//   roundrobin          all topic-partitions (topics sorted, partitions ascending) dealt in
//                       turn to the sorted members, skipping members not subscribed to a topic;
//   cooperative-sticky  keeps every member's valid owned partitions (up to its fair share),
//                       deals the rest round-robin to the members below their share, and never
//                       hands a partition straight from one member to another in one
//                       rebalance: the new owner gets it in the follow-up rebalance, after
//                       the old owner revoked it (KIP-429 incremental cooperative rebalancing).
//
// "Sorted members" is Java's MemberInfo order: by group.instance.id when members have one
// (static members first), else by member id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/record.h"

namespace sluice::client::detail {

struct AssignorMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<std::string> topics;    // the member's subscription
  std::vector<TopicPartition> owned;  // partitions it owns now (cooperative)
  int32_t generation = -1;            // generation its owned partitions are from
};

// member id -> its partitions (sorted by topic, then partition). Every member of the input
// has an entry, possibly empty.
using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;
// topic -> number of partitions; topics missing here (unknown to the cluster) get nothing.
using PartitionCounts = std::map<std::string, int32_t>;

enum class RebalanceProtocol { eager, cooperative };

// True for the strategy names this client implements ("range", "roundrobin",
// "cooperative-sticky").
bool is_known_assignor(std::string_view name);
// How members using `name` give partitions up: cooperative-sticky is cooperative, the others
// eager (revoke everything before joining).
RebalanceProtocol protocol_of(std::string_view name);

GroupAssignment range_assign(const PartitionCounts& counts,
                             const std::vector<AssignorMember>& members);
GroupAssignment roundrobin_assign(const PartitionCounts& counts,
                                  const std::vector<AssignorMember>& members);
GroupAssignment cooperative_sticky_assign(const PartitionCounts& counts,
                                          const std::vector<AssignorMember>& members);

// Dispatches on the strategy name. REQUIRES: is_known_assignor(name).
GroupAssignment assign(std::string_view name, const PartitionCounts& counts,
                       const std::vector<AssignorMember>& members);

}  // namespace sluice::client::detail
