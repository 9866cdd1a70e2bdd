// The controller: one broker at a time, elected by holding the /controller ephemeral and
// fenced by /controller_epoch. While elected it reconciles ZooKeeper's partition states
// with the live brokers: it creates the state of new partitions, elects a new leader from the
// ISR (bumping the leader epoch) when a leader dies, drops dead brokers from ISRs, and
// carries out topic deletions. Brokers shutting down (/admin/controlled_shutdown/<id>) lose
// their leaderships and leave ISRs first; preferred-leader elections move leadership back
// (on request through /admin/preferred_replica_election, and periodically when
// auto.leader.rebalance.enable). Every state write is a CAS on the state znode plus a check of
// the controller epoch's znode version, so a deposed controller cannot overwrite its
// successor. Who leads each partition is decided by the pure rules of election.h; reconcile()
// runs one round of named steps around them (controller.cpp). See docs/cluster.md.
//
// Threading: runs on the ZkSession's executor; every member is called from there.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_session.h"

namespace sluice::broker::controller {

struct ControllerOptions {
  bool unclean_leader_election = false;
  bool delete_topic_enable = true;
  // Re-check everything this often even without watch events.
  std::chrono::milliseconds periodic{5000};
  // Move leadership back to preferred replicas this often (auto.leader.rebalance.enable,
  // leader.imbalance.check.interval.seconds); requests in /admin/preferred_replica_election
  // are carried out at once either way.
  bool auto_leader_rebalance = true;
  std::chrono::milliseconds leader_imbalance_check_interval{300000};
};

class Controller {
 public:
  Controller(coordination::ZkSession& zk, int32_t broker_id, ControllerOptions options);
  ~Controller();

  // Campaigns, and while elected reconciles after every change, until stop(); then resigns
  // (deletes /controller) if it was the controller. Keep the Controller and the session alive
  // until run() has returned; destroying them earlier is a crash-stop (no resignation).
  awaitable<void> run();
  void stop();
  void request_reconcile();

  bool active() const;
  int32_t epoch() const;

  struct State;

 private:
  awaitable<bool> campaign();
  awaitable<Status> become_controller();
  awaitable<Status> reconcile();

  coordination::ZkSession& zk_;
  int32_t broker_id_;
  ControllerOptions options_;
  std::shared_ptr<State> state_;
  int listener_id_ = 0;
};

}  // namespace sluice::broker::controller
