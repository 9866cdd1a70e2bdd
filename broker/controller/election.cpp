// The controller's leader-election rules (see election.h).
#include "broker/controller/election.h"

#include <algorithm>

namespace sluice::broker::controller {
namespace {

bool contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The ISR members that may stay in it (alive, not shutting down), in ISR order.
std::vector<int32_t> eligible_isr(const Leadership& current, const Brokers& brokers) {
  std::vector<int32_t> isr;
  for (int32_t b : current.isr) {
    if (brokers.eligible(b)) isr.push_back(b);
  }
  return isr;
}

// The first replica in assignment order that is in `candidates`, or -1.
int32_t first_assigned_in(const std::vector<int32_t>& replicas,
                          const std::vector<int32_t>& candidates) {
  for (int32_t r : replicas) {
    if (contains(candidates, r)) return r;
  }
  return -1;
}

ElectionResult result(Change change, int32_t leader, int32_t leader_epoch,
                      std::vector<int32_t> isr) {
  return ElectionResult{change, Leadership{leader, leader_epoch, std::move(isr)}};
}

}  // namespace

std::string_view to_string(Change change) {
  switch (change) {
    case Change::shrink_isr:
      return "shrink_isr";
    case Change::restarted_leader:
      return "restarted_leader";
    case Change::first_leader:
      return "first_leader";
    case Change::leader_from_isr:
      return "leader_from_isr";
    case Change::controlled_shutdown:
      return "controlled_shutdown";
    case Change::unclean:
      return "unclean";
    case Change::offline:
      return "offline";
    case Change::preferred_leader:
      return "preferred_leader";
  }
  return "unknown";
}

Leadership initial_leadership(const std::vector<int32_t>& replicas, const Brokers& brokers) {
  Leadership fresh;
  for (int32_t r : replicas) {
    if (brokers.alive(r)) fresh.isr.push_back(r);
  }
  fresh.leader = fresh.isr.empty() ? -1 : fresh.isr.front();
  return fresh;
}

bool has_live_isr_member(const Leadership& current, const Brokers& brokers) {
  return std::any_of(current.isr.begin(), current.isr.end(),
                     [&](int32_t b) { return brokers.alive(b); });
}

bool unclean_election_allowed(const Leadership& current, const Brokers& brokers,
                              bool unclean_enabled) {
  return unclean_enabled && !has_live_isr_member(current, brokers);
}

std::optional<ElectionResult> shrink_isr(const Leadership& current, const Brokers& brokers) {
  std::vector<int32_t> isr = eligible_isr(current, brokers);
  if (isr == current.isr) return std::nullopt;
  return result(Change::shrink_isr, current.leader, current.leader_epoch, std::move(isr));
}

ElectionResult restarted_leader_election(const Leadership& current,
                                         const std::vector<int32_t>& replicas,
                                         const Brokers& brokers) {
  std::vector<int32_t> isr = eligible_isr(current, brokers);
  int32_t leader = current.leader;
  for (int32_t r : replicas) {
    if (r != current.leader && contains(isr, r)) {
      leader = r;
      std::erase(isr, current.leader);  // it catches up as a follower
      break;
    }
  }
  return result(Change::restarted_leader, leader, current.leader_epoch + 1, std::move(isr));
}

std::optional<ElectionResult> first_leader_election(const Leadership& current,
                                                    const std::vector<int32_t>& replicas,
                                                    const Brokers& brokers) {
  std::vector<int32_t> isr;
  for (int32_t r : replicas) {
    if (brokers.eligible(r)) isr.push_back(r);
  }
  if (isr.empty()) return std::nullopt;
  const int32_t leader = isr.front();
  return result(Change::first_leader, leader, current.leader_epoch + 1, std::move(isr));
}

std::optional<ElectionResult> offline_partition_election(const Leadership& current,
                                                         const std::vector<int32_t>& replicas,
                                                         const Brokers& brokers,
                                                         bool unclean_enabled) {
  std::vector<int32_t> isr = eligible_isr(current, brokers);
  const int32_t leader = first_assigned_in(replicas, isr);
  if (leader >= 0) {
    return result(Change::leader_from_isr, leader, current.leader_epoch + 1, std::move(isr));
  }
  if (unclean_election_allowed(current, brokers, unclean_enabled)) {
    for (int32_t r : replicas) {
      if (brokers.eligible(r)) return result(Change::unclean, r, current.leader_epoch + 1, {r});
    }
  }
  if (current.leader == -1) return std::nullopt;  // offline already
  return result(Change::offline, -1, current.leader_epoch + 1, current.isr);
}

std::optional<ElectionResult> controlled_shutdown_election(const Leadership& current,
                                                           const std::vector<int32_t>& replicas,
                                                           const Brokers& brokers,
                                                           bool unclean_enabled) {
  auto elected = offline_partition_election(current, replicas, brokers, unclean_enabled);
  if (!elected || elected->change == Change::offline) return std::nullopt;
  if (elected->change == Change::leader_from_isr) elected->change = Change::controlled_shutdown;
  return elected;
}

std::optional<ElectionResult> preferred_leader_election(const Leadership& current,
                                                        const std::vector<int32_t>& replicas,
                                                        const Brokers& brokers) {
  if (replicas.empty()) return std::nullopt;
  const int32_t preferred = replicas.front();
  if (current.leader == preferred || !brokers.eligible(preferred) ||
      !contains(current.isr, preferred)) {
    return std::nullopt;
  }
  return result(Change::preferred_leader, preferred, current.leader_epoch + 1, current.isr);
}

std::optional<ElectionResult> elect(const Leadership& current, const std::vector<int32_t>& replicas,
                                    const Brokers& brokers, const ElectionFlags& flags) {
  std::optional<ElectionResult> elected;
  if (current.leader >= 0 && brokers.eligible(current.leader)) {
    if (flags.leader_restarted) {
      elected = restarted_leader_election(current, replicas, brokers);
    } else {
      elected = shrink_isr(current, brokers);
    }
  } else if (current.leader < 0 && current.isr.empty()) {
    elected = first_leader_election(current, replicas, brokers);
  } else if (current.leader >= 0 && brokers.alive(current.leader)) {
    elected = controlled_shutdown_election(current, replicas, brokers, flags.unclean_enabled);
  } else {
    elected = offline_partition_election(current, replicas, brokers, flags.unclean_enabled);
  }
  if (flags.preferred_leader_wanted) {
    const Leadership& outcome = elected ? elected->leadership : current;
    auto moved = preferred_leader_election(outcome, replicas, brokers);
    if (moved) {
      moved->leadership.leader_epoch = current.leader_epoch + 1;  // one bump per write
      elected = moved;
    }
  }
  return elected;
}

}  // namespace sluice::broker::controller
