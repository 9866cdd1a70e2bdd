// Group-coordinator slots: every consumer group hashes onto one of a fixed number of slots
// (offsets.topic.num.partitions, fixed when the cluster first starts), and the controller
// gives each slot to one live broker, as it gives partitions a leader. The owner of a slot
// coordinates every group of that slot. Layout and rules: docs/groups.md.
//
//   /coordinators          {"version":1,"slots":50}
//   /coordinators/<slot>   {"version":1,"broker":2,"coordinator_epoch":4,"controller_epoch":3}
//
// A slot znode is written only by the controller, with a version CAS and a check of
// /controller_epoch in the same multi. Its znode version is the coordinator's fencing token:
// every write a coordinator makes under /consumers carries a check of the slot's version, so
// a broker that lost the slot can never write again.
//
// Threading: the awaitable functions run on the ZkSession's executor.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_session.h"

namespace sluice::broker::controller {

// ---- schema ----
std::string coordinators_root();             // /coordinators
std::string coordinator_slot(int32_t slot);  // /coordinators/<slot>

struct CoordinatorSlot {
  int32_t broker = -1;            // owner; -1: none
  int32_t coordinator_epoch = 0;  // bumped at each change of owner
  int32_t controller_epoch = 0;   // epoch of the controller that wrote it
  friend bool operator==(const CoordinatorSlot&, const CoordinatorSlot&) = default;
};
std::string encode(const CoordinatorSlot& s);
Result<CoordinatorSlot> decode_coordinator_slot(std::string_view json);
std::string encode_slot_count(int32_t slots);
Result<int32_t> decode_slot_count(std::string_view json);

// The slot of a group: Kafka's choice of __consumer_offsets partition, i.e.
// abs(Java String.hashCode(group)) % slots, so a group maps like it would in Kafka.
int32_t group_slot(std::string_view group, int32_t slots);

// ---- decisions (pure) ----
// Given the current owner of each slot (-1: none or unknown) and the live brokers, returns
// the new owner of every slot that must change: slots of dead (or no) owners go to the least
// loaded live broker, then slots move from the most to the least loaded broker until loads
// differ by at most one. Ties go to the lower broker id; moves take the highest slot first.
std::map<int32_t, int32_t> plan_coordinator_slots(const std::vector<int32_t>& owners,
                                                  const std::set<int32_t>& live);

// ---- ZooKeeper ----
struct SlotView {
  std::optional<CoordinatorSlot> slot;  // nullopt: no znode (or one that does not decode)
  int32_t zk_version = -1;              // -1: no znode
};
// Reads the `count` slot znodes concurrently (about one round trip). `watch(slot)`, when
// given, returns the watcher to arm on a slot (empty: none). A get on a missing znode sets
// no watch: to notice slots being created, watch the children of /coordinators.
awaitable<Result<std::vector<SlotView>>> read_coordinator_slots(
    coordination::ZkSession& zk, int32_t count,
    std::function<coordination::Watcher(int32_t)> watch = {});

// Creates /coordinators with `slots` when absent (the first broker of a cluster decides) and
// returns the slot count in force.
awaitable<Result<int32_t>> ensure_coordinators_root(coordination::ZkSession& zk, int32_t slots);

// The controller's part, called in every reconcile round: reads the slots and writes the
// changes plan_coordinator_slots asks for in one multi fenced by the controller epoch's znode
// version. Does nothing while /coordinators does not exist yet (brokers create it at start).
awaitable<Status> assign_coordinator_slots(coordination::ZkSession& zk,
                                           const std::set<int32_t>& live, int32_t controller_epoch,
                                           int32_t controller_epoch_zk_version);

}  // namespace sluice::broker::controller
