// The partitions this broker hosts and its role for each (leader or follower), as ZooKeeper's
// partition states say — never as the broker remembers. Produce appends and Fetch/ListOffsets
// reads go through here: it checks leadership and leader epochs, owns the partition logs
// (through the LogManager), keeps the high watermark, and wakes waiting fetches.
//
// Threading: apply_metadata() is called on the control thread after each metadata change;
// append/read/list_offsets are called concurrently from network threads. The partition
// table is guarded by a shared mutex; each PartitionLog serialises its own writers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "broker/cluster/metadata.h"
#include "broker/replication/append_notifier.h"
#include "broker/storage/log_manager.h"
#include "protocol/wire.h"

namespace sluice::broker::config {
class BrokerConfig;
}

namespace sluice::broker::replication {

struct ProduceOutcome {
  int16_t error_code = 0;
  std::string error_message;
  int64_t base_offset = -1;
  int64_t last_offset = -1;
  int64_t log_append_time = -1;
  int64_t log_start_offset = -1;
};

struct FetchOutcome {
  int16_t error_code = 0;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int64_t log_end_offset = -1;
  protocol::FileRegion records;  // length 0: nothing to return yet
  int32_t leader_id = -1;        // for the current_leader hint on NOT_LEADER (v12+)
  int32_t leader_epoch = -1;
};

struct OffsetOutcome {
  int16_t error_code = 0;
  int64_t timestamp = -1;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
};

// The storage settings of a topic: its overrides over the broker's defaults.
storage::LogConfig log_config_for(const config::BrokerConfig& broker,
                                  const std::map<std::string, std::string>& overrides);

class ReplicaManager {
 public:
  ReplicaManager(int32_t broker_id, storage::LogManager& logs, const config::BrokerConfig& config,
                 AppendNotifier& notifier);

  // Brings the hosted partitions in line with `snapshot`: creates logs for partitions
  // assigned here, records leadership and leader epochs, applies topic configs, and deletes
  // the logs of topics that no longer exist.
  void apply_metadata(const cluster::Snapshot& snapshot);

  // Leader append of a produce request's records for one partition (modified in place:
  // base offsets are rewritten). acks is checked by the caller except min.insync.replicas.
  ProduceOutcome append(const std::string& topic, int32_t partition, std::span<uint8_t> records,
                        int16_t acks);

  // A consumer (replica_id < 0) reads up to the high watermark; a follower up to the log end.
  FetchOutcome read(const std::string& topic, int32_t partition, int64_t offset, int32_t max_bytes,
                    int32_t current_leader_epoch, int32_t replica_id, bool min_one_batch);

  // ListOffsets: -1 latest, -2 earliest, -3 max timestamp, otherwise by timestamp.
  OffsetOutcome list_offset(const std::string& topic, int32_t partition, int64_t timestamp,
                            int32_t current_leader_epoch, int32_t replica_id);

  // The high watermark once every ISR member has `offset` (acks=all); nullopt while not.
  bool replicated(const std::string& topic, int32_t partition, int64_t offset) const;

  AppendNotifier& notifier() { return notifier_; }
  std::size_t hosted() const;
  std::size_t leading() const;

 private:
  struct Partition {
    std::shared_ptr<storage::PartitionLog> log;
    bool leader = false;
    int32_t leader_id = -1;
    int32_t leader_epoch = -1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    int32_t min_insync_replicas = 1;
  };
  // Error code for a request naming `current_leader_epoch` (-1: unchecked) against `p`.
  static int16_t check_epoch(const Partition& p, int32_t current_leader_epoch);
  std::optional<Partition> find(const std::string& topic, int32_t partition) const;
  void advance_high_watermark(const Partition& p);

  const int32_t broker_id_;
  storage::LogManager& logs_;
  const config::BrokerConfig& config_;
  AppendNotifier& notifier_;
  mutable std::shared_mutex mu_;
  std::map<storage::TopicPartition, Partition> partitions_;
};

}  // namespace sluice::broker::replication
