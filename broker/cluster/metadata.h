// The broker's view of the cluster as ZooKeeper last described it: live brokers, topics with
// their replica assignments, and each partition's leader, leader epoch and ISR. Handlers
// read immutable snapshots; MetadataSync publishes a new one after every change.
//
// Threading: MetadataCache::current() may be called from any thread (lock-free atomic
// shared_ptr); publish() is called by MetadataSync only.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordination/znodes.h"

namespace sluice::broker::cluster {

struct PartitionInfo {
  int32_t partition = 0;
  std::vector<int32_t> replicas;  // assignment order; first = preferred leader
  // From the state znode; nullopt until the controller created it.
  std::optional<coordination::znodes::PartitionState> state;
  int32_t state_zk_version = -1;
  int64_t state_mzxid = 0;  // zxid of the state's last write

  int32_t leader() const { return state ? state->leader : -1; }
  int32_t leader_epoch() const { return state ? state->leader_epoch : -1; }
};

struct TopicInfo {
  std::string name;
  std::string topic_id;  // base64 text, may be empty
  std::map<int32_t, PartitionInfo> partitions;
  std::map<std::string, std::string> config;  // per-topic overrides
};

struct Snapshot {
  std::string cluster_id;
  int32_t controller_id = -1;
  std::map<int32_t, coordination::znodes::BrokerRegistration> brokers;  // live brokers
  std::map<std::string, TopicInfo> topics;
  // Brokers in a controlled shutdown (/admin/controlled_shutdown/<id>): leaders keep them out
  // of the ISR while they leave (KIP-841), or the controller's removal would be undone.
  std::set<int32_t> shutting_down;
  int64_t version = 0;  // increases with every publish

  const TopicInfo* topic(const std::string& name) const;
  const PartitionInfo* partition(const std::string& topic, int32_t p) const;
  bool is_live(int32_t broker_id) const { return brokers.count(broker_id) != 0; }
};

class MetadataCache {
 public:
  MetadataCache() : current_(std::make_shared<const Snapshot>()) {}
  std::shared_ptr<const Snapshot> current() const { return current_.load(); }
  void publish(std::shared_ptr<const Snapshot> snapshot) { current_.store(std::move(snapshot)); }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace sluice::broker::cluster
