// Keeps the broker's MetadataCache equal to what ZooKeeper says. Every znode it reads is
// watched (once per path until the watch fires); any event marks the view dirty and the run
// loop re-reads and publishes a new Snapshot, then tells listeners (replica manager,
// groups) what changed. A periodic re-read is a safety net against lost events.
//
// Threading: runs on the ZkSession's executor; listeners are called there too.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "broker/cluster/metadata.h"
#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_session.h"

namespace sluice::broker::cluster {

class MetadataSync {
 public:
  using Listener = std::function<void(const std::shared_ptr<const Snapshot>& previous,
                                      const std::shared_ptr<const Snapshot>& current)>;

  MetadataSync(coordination::ZkSession& zk, MetadataCache& cache, std::string cluster_id);
  ~MetadataSync();

  void add_listener(Listener l) { listeners_.push_back(std::move(l)); }
  // One full read (arming watches) and publish. Used at start-up before serving.
  awaitable<Status> refresh();
  // Re-reads after every change until stop(). Errors are logged and retried.
  awaitable<void> run();
  // Marks the view dirty (e.g. right after this broker wrote a znode).
  void request_refresh();
  void stop();

  struct Signal;

 private:
  coordination::Watcher watch(const std::string& path);

  coordination::ZkSession& zk_;
  MetadataCache& cache_;
  std::string cluster_id_;
  std::shared_ptr<Signal> signal_;
  std::vector<Listener> listeners_;
  int listener_id_ = 0;
  int64_t version_ = 0;
};

}  // namespace sluice::broker::cluster
