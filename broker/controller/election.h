// The controller's leader-election rules, as pure functions: no ZooKeeper, no Asio, no I/O.
// Each takes what one reconcile round knows about a partition (its current leader, leader epoch
// and ISR; its assigned replicas in preference order) and about the brokers (which are alive,
// which are in a controlled shutdown), and returns the leadership the controller should write,
// or nullopt to leave the partition as it is. The controller (controller.cpp) reads ZooKeeper,
// calls elect() for every partition and writes what it returns. The rules in words:
// docs/cluster.md, "Reconciliation". Tests: tests/unit/controller/election_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

namespace sluice::broker::controller {

// The part of a partition's state znode that elections decide (the controller adds its epoch).
struct Leadership {
  int32_t leader = -1;  // -1: no leader (the partition is offline)
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
  friend bool operator==(const Leadership&, const Leadership&) = default;
};

// The brokers as one reconcile round sees them.
struct Brokers {
  std::set<int32_t> live;           // registered: /brokers/ids/<id>
  std::set<int32_t> shutting_down;  // in a controlled shutdown: /admin/controlled_shutdown/<id>

  bool alive(int32_t id) const { return live.count(id) != 0; }
  // Alive and not shutting down: may be elected leader and may stay in an ISR.
  bool eligible(int32_t id) const { return alive(id) && shutting_down.count(id) == 0; }
};

// Which rule changed the leadership.
enum class Change {
  shrink_isr,           // the leader stays; dead or shutting-down followers leave the ISR
  restarted_leader,     // the leader registered after the state was written: elected again
  first_leader,         // never had a leader nor an ISR: its eligible replicas start it
  leader_from_isr,      // the leader is gone: the first eligible ISR member leads
  controlled_shutdown,  // the leader is shutting down: the first eligible ISR member leads
  unclean,              // no ISR member is alive: a replica outside the ISR leads alone
  offline,              // no one may lead: leader -1, the last ISR kept
  preferred_leader,     // leadership back to the first assigned replica
};
std::string_view to_string(Change change);

struct ElectionResult {
  Change change = Change::shrink_isr;
  Leadership leadership;  // what to write
  friend bool operator==(const ElectionResult&, const ElectionResult&) = default;
};

// ---- The rules ----

// A partition without a state znode yet: its live replicas, in assignment order, form the ISR
// and the first leads, at leader epoch 0. Brokers shutting down count as live here.
Leadership initial_leadership(const std::vector<int32_t>& replicas, const Brokers& brokers);

// True when some ISR member is alive, shutting down or not.
bool has_live_isr_member(const Leadership& current, const Brokers& brokers);

// The unclean gate: a replica outside the ISR may lead only when the topic enables it
// (unclean.leader.election.enable) and no ISR member is alive. An ISR member that is alive but
// shutting down closes the gate: a controlled shutdown never loses acknowledged records.
bool unclean_election_allowed(const Leadership& current, const Brokers& brokers,
                              bool unclean_enabled);

// The leader is eligible: ISR members that are not (dead or shutting down) leave the ISR.
// nullopt when every ISR member is eligible.
std::optional<ElectionResult> shrink_isr(const Leadership& current, const Brokers& brokers);

// The leader is eligible but registered after this state was written (it restarted, or got a
// new session): it may have lost what it had not flushed, so the first other eligible ISR
// member (assignment order) leads and the restarted broker leaves the ISR; when there is none
// it leads again. Leader epoch + 1 either way; ineligible members leave the ISR.
ElectionResult restarted_leader_election(const Leadership& current,
                                         const std::vector<int32_t>& replicas,
                                         const Brokers& brokers);

// No leader and an empty ISR (created while none of its replicas was alive, so nothing was
// ever written): like a new partition, the eligible replicas form the ISR and the first
// leads, leader epoch + 1. nullopt when no replica is eligible.
std::optional<ElectionResult> first_leader_election(const Leadership& current,
                                                    const std::vector<int32_t>& replicas,
                                                    const Brokers& brokers);

// The leader is dead, or there is none: the first replica in assignment order that is an
// eligible ISR member leads, and the ISR shrinks to its eligible members. Failing that, the
// unclean gate may let the first eligible replica lead alone. Failing that, the partition goes
// offline and keeps its last ISR, so the first ISR member to return leads again without losing
// acknowledged records (nullopt when it is offline already). Leader epoch + 1.
std::optional<ElectionResult> offline_partition_election(const Leadership& current,
                                                         const std::vector<int32_t>& replicas,
                                                         const Brokers& brokers,
                                                         bool unclean_enabled);

// The leader is alive but shutting down: as offline_partition_election, except that when no one
// else may lead the leader keeps leading (nullopt) rather than take the partition offline.
std::optional<ElectionResult> controlled_shutdown_election(const Leadership& current,
                                                           const std::vector<int32_t>& replicas,
                                                           const Brokers& brokers,
                                                           bool unclean_enabled);

// The first assigned replica leads when it is eligible, in the ISR and not the leader already;
// leader epoch + 1. nullopt otherwise.
std::optional<ElectionResult> preferred_leader_election(const Leadership& current,
                                                        const std::vector<int32_t>& replicas,
                                                        const Brokers& brokers);

// ---- The controller's decision for one partition ----

struct ElectionFlags {
  // The leader registered after the state was written (its registration's czxid is greater
  // than the state znode's mzxid).
  bool leader_restarted = false;
  // unclean.leader.election.enable: the topic's, else the broker's.
  bool unclean_enabled = false;
  // A preferred-leader election covers this partition (requested, or due periodically).
  bool preferred_leader_wanted = false;
};

// Picks the rule by the leader's state — eligible: shrink_isr (restarted_leader_election when
// it restarted); none and no ISR: first_leader_election; alive but shutting down:
// controlled_shutdown_election; else offline_partition_election — then, when wanted,
// preferred_leader_election on the outcome. One write bumps the leader epoch at most once.
std::optional<ElectionResult> elect(const Leadership& current, const std::vector<int32_t>& replicas,
                                    const Brokers& brokers, const ElectionFlags& flags);

}  // namespace sluice::broker::controller
