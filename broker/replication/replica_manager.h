// The partitions this broker hosts and its role for each (leader or follower), as ZooKeeper's
// partition states say — never as the broker remembers. Produce appends and Fetch/ListOffsets
// reads go through here: it checks leadership and leader epochs, owns the partition logs
// (through the LogManager), and wakes waiting fetches and acks=all produces.
//
// As leader of a partition it tracks each follower from its fetches (log end offset, when it
// was last caught up), advances the high watermark to the minimum log end offset over the
// ISR, and decides ISR changes: a follower that caught up to the high watermark joins, one
// that has not been caught up for replica.lag.time.max.ms leaves. ISR changes are written to
// the state znode by the IsrWriter (a CAS on its version); only a successful write changes
// the ISR used here. As follower it accepts appends from the replica fetcher only for the
// leader and epoch it currently follows. See docs/replication.md.
//
// Threading: apply_metadata() and on_session_lost() run on the control thread; append/read/
// list_offsets on network threads; follower appends and truncation on the replication
// thread. The partition table is guarded by a shared mutex, each partition by its own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "broker/cluster/metadata.h"
#include "broker/replication/append_notifier.h"
#include "broker/storage/log_manager.h"
#include "common/mutex.h"
#include "coordination/znodes.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace sluice::broker::config {
class BrokerConfig;
}

namespace sluice::broker::replication {

struct ProduceOutcome {
  protocol::KafkaErrc error = protocol::KafkaErrc::none;
  std::string error_message;
  int64_t base_offset = -1;
  int64_t last_offset = -1;
  int64_t log_append_time = -1;
  int64_t log_start_offset = -1;
  int32_t leader_epoch = -1;  // the epoch it was appended in (acks=all waits on it)
};

// Where an acks=all append stands.
// `too_few_replicas`: the ISR has it, but the ISR shrank below min.insync.replicas meanwhile
// (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND).
enum class Replication { pending, done, leadership_lost, too_few_replicas };

struct FetchOutcome {
  protocol::KafkaErrc error = protocol::KafkaErrc::none;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int64_t log_end_offset = -1;
  protocol::FileRegion records;  // length 0: nothing to return yet
  int32_t leader_id = -1;        // for the current_leader hint on NOT_LEADER (v12+)
  int32_t leader_epoch = -1;
  // v12 follower fetches: where the follower's log diverges from ours (KIP-595 style).
  std::optional<storage::EpochEndOffset> diverging_epoch;
};

struct OffsetOutcome {
  protocol::KafkaErrc error = protocol::KafkaErrc::none;
  int64_t timestamp = -1;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
};

// An ISR change the leader wants written: `state` replaces the znode at `zk_version`.
struct IsrUpdate {
  storage::TopicPartition tp;
  coordination::znodes::PartitionState state;
  int32_t zk_version = -1;
};

// A partition this broker follows: whom to fetch from, at which leader epoch.
struct FollowedPartition {
  storage::TopicPartition tp;
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
  friend bool operator==(const FollowedPartition&, const FollowedPartition&) = default;
};

// The storage settings of a topic: its overrides over the broker's defaults.
storage::LogConfig log_config_for(const config::BrokerConfig& broker,
                                  const std::map<std::string, std::string>& overrides);

class ReplicaManager {
 public:
  using IsrWriter = std::function<void(IsrUpdate)>;
  using Clock = std::function<int64_t()>;  // milliseconds, monotonic

  ReplicaManager(int32_t broker_id, storage::LogManager& logs, const config::BrokerConfig& config,
                 AppendNotifier& notifier, Clock clock = {});

  // Where ISR changes go (the broker writes them to ZooKeeper and reports back through
  // isr_write_done / isr_write_failed). Without a writer the ISR never changes here.
  void set_isr_writer(IsrWriter writer);
  // Called after every apply_metadata with the partitions to fetch (the replica fetchers).
  void set_followed_listener(std::function<void(std::vector<FollowedPartition>)> listener);

  // Brings the hosted partitions in line with `snapshot`: creates logs for partitions
  // assigned here, records leadership and leader epochs (a new leader epoch starts in the
  // leader-epoch cache at the log end), applies topic configs, and deletes the logs of
  // topics that no longer exist.
  void apply_metadata(const cluster::Snapshot& snapshot);
  // The ZooKeeper session expired: lead nothing until the next apply_metadata, which reads
  // what the new session sees.
  void on_session_lost();

  // Leader append of a produce request's records for one partition (modified in place:
  // base offsets are rewritten). acks=-1 is refused while the ISR is below
  // min.insync.replicas; the caller waits for replicated() before answering acks=-1.
  ProduceOutcome append(const std::string& topic, int32_t partition, std::span<uint8_t> records,
                        int16_t acks);

  // A consumer (replica_id < 0) reads up to the high watermark; a follower (replica_id =
  // its broker id) up to the log end, and its fetch offset tells us its log end offset.
  // `last_fetched_epoch` (v12 followers, -1 otherwise) is checked against our epochs.
  FetchOutcome read(const std::string& topic, int32_t partition, int64_t offset, int32_t max_bytes,
                    int32_t current_leader_epoch, int32_t replica_id, bool min_one_batch,
                    int32_t last_fetched_epoch = -1);

  // ListOffsets: -1 latest, -2 earliest, -3 max timestamp, otherwise by timestamp.
  OffsetOutcome list_offset(const std::string& topic, int32_t partition, int64_t timestamp,
                            int32_t current_leader_epoch, int32_t replica_id);

  // OffsetForLeaderEpoch on the leader: the end offset of `epoch` (the start of the next
  // larger epoch, or the log end for the latest).
  OffsetOutcome offset_for_leader_epoch(const std::string& topic, int32_t partition,
                                        int32_t current_leader_epoch, int32_t epoch);

  // acks=all: done once the high watermark has passed `offset` while this broker still leads
  // in `leader_epoch`; leadership_lost when it no longer does (the record may be truncated
  // away by the new leader, so it must not be acknowledged).
  Replication replicated(const std::string& topic, int32_t partition, int64_t offset,
                         int32_t leader_epoch) const;

  // Follower side, for the replica fetcher. Each fails (stale) when this broker no longer
  // follows `leader_epoch` of the partition.
  struct FollowerAppend {
    // none, or why not (a stale follower: not_leader_or_follower)
    protocol::KafkaErrc error = protocol::KafkaErrc::none;
    std::string message;
  };
  FollowerAppend append_as_follower(const storage::TopicPartition& tp, int32_t leader_epoch,
                                    std::span<uint8_t> records, int64_t leader_high_watermark);
  // The follower's log end offset and latest epoch; nullopt when not followed at that epoch.
  struct FollowerPosition {
    int64_t log_end_offset = 0;
    int64_t log_start_offset = 0;
    int32_t latest_epoch = -1;  // -1: no epoch recorded (empty log)
  };
  std::optional<FollowerPosition> follower_position(const storage::TopicPartition& tp,
                                                    int32_t leader_epoch) const;
  // Truncation after the leader's answer to OffsetForLeaderEpoch (or a diverging epoch):
  // leader_epoch_end is the leader's {epoch, end offset} for the epoch we asked about.
  FollowerAppend truncate_follower(const storage::TopicPartition& tp, int32_t leader_epoch,
                                   storage::EpochEndOffset leader_epoch_end);
  // The leader's log starts after our log end (retention ran there): start over at its start.
  FollowerAppend reset_follower(const storage::TopicPartition& tp, int32_t leader_epoch,
                                int64_t leader_log_start_offset);

  // ISR writer results.
  void isr_write_done(const IsrUpdate& update, int32_t new_zk_version);
  void isr_write_failed(const IsrUpdate& update);
  // Leader side, periodically: followers not caught up for replica.lag.time.max.ms leave.
  void check_isr_lag();

  AppendNotifier& notifier() { return notifier_; }
  std::size_t hosted() const;
  std::size_t leading() const;
  // Partitions led here whose ISR has another member (a controlled shutdown can move them).
  std::size_t leading_movable() const;

  struct Partition;

 private:
  std::shared_ptr<Partition> find(const std::string& topic, int32_t partition) const;
  std::shared_ptr<Partition> find(const storage::TopicPartition& tp) const;
  // REQUIRES(p.mu), said at the definitions (Partition is defined in the .cpp): high
  // watermark over the ISR (and pending additions); notifies on a move.
  void advance_high_watermark_locked(Partition& p);
  // REQUIRES(p.mu), at the definition: an ISR update to send, or nullopt.
  std::optional<IsrUpdate> propose_isr_locked(Partition& p, std::vector<int32_t> isr);
  void send(std::optional<IsrUpdate> update) EXCLUDES(mu_);
  // Takes each partition's mu in turn (partition locks are taken after mu_).
  std::vector<FollowedPartition> followed_locked() const REQUIRES_SHARED(mu_);
  // Runs body(partition, result) under the partition's lock if this broker still follows it
  // at `leader_epoch`; otherwise the result is not_leader_or_follower.
  template <class Body>
  FollowerAppend as_follower(const storage::TopicPartition& tp, int32_t leader_epoch, Body&& body);

  const int32_t broker_id_;
  storage::LogManager& logs_;
  const config::BrokerConfig& config_;
  AppendNotifier& notifier_;
  Clock clock_;
  // Partition::mu (replica_manager.cpp) is taken after mu_, never before.
  mutable SharedMutex mu_;
  IsrWriter isr_writer_ GUARDED_BY(mu_);
  std::function<void(std::vector<FollowedPartition>)> followed_listener_ GUARDED_BY(mu_);
  std::map<storage::TopicPartition, std::shared_ptr<Partition>> partitions_ GUARDED_BY(mu_);
  bool session_lost_ GUARDED_BY(mu_) = false;
  // From the last snapshot: brokers in a controlled shutdown, not taken into any ISR this
  // broker leads (KIP-841); and the live brokers that are not, which are the ones leadership
  // could move to.
  std::set<int32_t> shutting_down_ GUARDED_BY(mu_);
  std::set<int32_t> successors_ GUARDED_BY(mu_);
};

}  // namespace sluice::broker::replication
