// ReplicaManager: leadership from ZooKeeper's partition states, appends and reads on logs.
#include "broker/replication/replica_manager.h"

#include <algorithm>
#include <set>

#include "broker/config/broker_config.h"
#include "broker/config/topic_config.h"
#include "broker/storage/storage_error.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::replication {
namespace {

using protocol::KafkaErrc;

int16_t code(KafkaErrc e) { return static_cast<int16_t>(e); }

int16_t storage_code(const Error& e) {
  if (e.code().category() == storage::storage_category()) {
    return code(storage::to_kafka_errc(static_cast<storage::StorageErrc>(e.code().value())));
  }
  return code(KafkaErrc::unknown_server_error);
}

}  // namespace

storage::LogConfig log_config_for(const config::BrokerConfig& broker,
                                  const std::map<std::string, std::string>& overrides) {
  auto s = config::log_settings(broker, overrides);
  storage::LogConfig c;
  c.segment_bytes = s.segment_bytes;
  c.segment_ms = s.segment_ms;
  c.index_interval_bytes = s.index_interval_bytes;
  c.segment_index_bytes = s.segment_index_bytes;
  c.flush_messages = s.flush_messages;
  c.flush_ms = s.flush_ms;
  c.retention_ms = s.retention_ms;
  c.retention_bytes = s.retention_bytes;
  c.delete_policy = s.delete_;
  c.compact = s.compact;
  c.delete_retention_ms = s.delete_retention_ms;
  c.min_compaction_lag_ms = s.min_compaction_lag_ms;
  c.file_delete_delay_ms = s.file_delete_delay_ms;
  c.log_append_time = s.log_append_time;
  return c;
}

ReplicaManager::ReplicaManager(int32_t broker_id, storage::LogManager& logs,
                               const config::BrokerConfig& config, AppendNotifier& notifier)
    : broker_id_(broker_id), logs_(logs), config_(config), notifier_(notifier) {}

void ReplicaManager::apply_metadata(const cluster::Snapshot& snapshot) {
  std::map<storage::TopicPartition, Partition> next;
  for (const auto& [name, topic] : snapshot.topics) {
    const auto cfg = log_config_for(config_, topic.config);
    const auto settings = config::log_settings(config_, topic.config);
    for (const auto& [index, info] : topic.partitions) {
      if (std::find(info.replicas.begin(), info.replicas.end(), broker_id_) == info.replicas.end()) continue;
      storage::TopicPartition tp{name, index};
      auto log = logs_.get_or_create(tp, cfg);
      if (!log) {
        SLUICE_LOG(error) << "partition " << tp.to_string() << ": cannot open its log: "
                          << log.error().to_string();
        continue;
      }
      if (Status st = (*log)->update_config(cfg); !st) {
        SLUICE_LOG(warning) << "partition " << tp.to_string() << ": topic config not applied: "
                            << st.error().to_string();
      }
      Partition p;
      p.log = *log;
      p.replicas = info.replicas;
      p.leader_id = info.leader();
      p.leader_epoch = info.leader_epoch();
      p.leader = info.leader() == broker_id_;
      if (info.state) p.isr = info.state->isr;
      p.min_insync_replicas = settings.min_insync_replicas;
      next[tp] = std::move(p);
    }
  }
  std::vector<storage::TopicPartition> gone;
  {
    std::unique_lock lock(mu_);
    for (const auto& [tp, p] : next) {
      auto old = partitions_.find(tp);
      bool was_leader = old != partitions_.end() && old->second.leader;
      if (p.leader && (!was_leader || old->second.leader_epoch != p.leader_epoch)) {
        SLUICE_LOG(info) << "partition " << tp.to_string() << ": leader, epoch " << p.leader_epoch;
      } else if (!p.leader && was_leader) {
        SLUICE_LOG(info) << "partition " << tp.to_string() << ": no longer leader (leader "
                         << p.leader_id << ", epoch " << p.leader_epoch << ")";
      }
    }
    for (const auto& [tp, p] : partitions_) {
      if (!next.count(tp)) gone.push_back(tp);
    }
    partitions_ = std::move(next);
    for (const auto& [tp, p] : partitions_) advance_high_watermark(p);
  }
  // Logs of partitions no longer assigned here (topic deleted): remove from disk.
  for (const auto& tp : logs_.partitions()) {
    bool hosted = false;
    {
      std::shared_lock lock(mu_);
      hosted = partitions_.count(tp) != 0;
    }
    if (hosted) continue;
    if (snapshot.topic(tp.topic) != nullptr && std::find(gone.begin(), gone.end(), tp) == gone.end()) {
      continue;  // still a topic; a reassignment is not handled here
    }
    SLUICE_LOG(info) << "partition " << tp.to_string() << ": deleting its log (topic gone)";
    if (Status st = logs_.remove(tp); !st) {
      SLUICE_LOG(warning) << "deleting log " << tp.to_string() << ": " << st.error().to_string();
    }
  }
}

std::optional<ReplicaManager::Partition> ReplicaManager::find(const std::string& topic,
                                                              int32_t partition) const {
  std::shared_lock lock(mu_);
  auto it = partitions_.find(storage::TopicPartition{topic, partition});
  if (it == partitions_.end()) return std::nullopt;
  return it->second;
}

int16_t ReplicaManager::check_epoch(const Partition& p, int32_t current_leader_epoch) {
  if (current_leader_epoch < 0) return 0;
  if (current_leader_epoch < p.leader_epoch) return code(KafkaErrc::fenced_leader_epoch);
  if (current_leader_epoch > p.leader_epoch) return code(KafkaErrc::unknown_leader_epoch);
  return 0;
}

void ReplicaManager::advance_high_watermark(const Partition& p) {
  if (!p.leader) return;
  // Followers are not tracked yet: with an ISR of this broker alone the high watermark
  // follows the log end offset; otherwise it waits for the followers (replication layer).
  bool alone = p.isr.size() == 1 && p.isr.front() == broker_id_;
  if (alone) {
    int64_t before = p.log->high_watermark();
    p.log->set_high_watermark(p.log->log_end_offset());
    if (p.log->high_watermark() != before) {
      notifier_.notify({p.log->topic_partition().topic, p.log->topic_partition().partition});
    }
  }
}

ProduceOutcome ReplicaManager::append(const std::string& topic, int32_t partition,
                                      std::span<uint8_t> records, int16_t acks) {
  ProduceOutcome out;
  auto p = find(topic, partition);
  if (!p) {
    out.error_code = code(KafkaErrc::unknown_topic_or_partition);
    return out;
  }
  if (!p->leader) {
    out.error_code = code(KafkaErrc::not_leader_or_follower);
    return out;
  }
  if (acks == -1 && static_cast<int32_t>(p->isr.size()) < p->min_insync_replicas) {
    out.error_code = code(KafkaErrc::not_enough_replicas);
    out.error_message = "The size of the current ISR (" + std::to_string(p->isr.size()) +
                        ") is insufficient to satisfy the min.isr requirement of " +
                        std::to_string(p->min_insync_replicas);
    return out;
  }
  auto appended = p->log->append(records, p->leader_epoch);
  if (!appended) {
    out.error_code = storage_code(appended.error());
    out.error_message = appended.error().context();
    SLUICE_LOG(warning) << "produce to " << topic << "-" << partition << " refused: "
                        << appended.error().to_string();
    return out;
  }
  out.base_offset = appended->first_offset;
  out.last_offset = appended->last_offset;
  out.log_append_time = appended->log_append_time;
  out.log_start_offset = appended->log_start_offset;
  advance_high_watermark(*p);
  notifier_.notify({topic, partition});
  return out;
}

bool ReplicaManager::replicated(const std::string& topic, int32_t partition, int64_t offset) const {
  auto p = find(topic, partition);
  return p && p->log->high_watermark() > offset;
}

FetchOutcome ReplicaManager::read(const std::string& topic, int32_t partition, int64_t offset,
                                  int32_t max_bytes, int32_t current_leader_epoch, int32_t replica_id,
                                  bool min_one_batch) {
  FetchOutcome out;
  auto p = find(topic, partition);
  if (!p) {
    out.error_code = code(KafkaErrc::unknown_topic_or_partition);
    return out;
  }
  out.leader_id = p->leader_id;
  out.leader_epoch = p->leader_epoch;
  if (!p->leader) {
    out.error_code = code(KafkaErrc::not_leader_or_follower);
    return out;
  }
  if (int16_t e = check_epoch(*p, current_leader_epoch); e != 0) {
    out.error_code = e;
    return out;
  }
  storage::ReadOptions options;
  options.max_bytes = std::max<int32_t>(max_bytes, 0);
  options.min_one_batch = min_one_batch;
  if (replica_id < 0) options.max_offset = p->log->high_watermark();
  auto r = p->log->read(offset, options);
  out.high_watermark = p->log->high_watermark();
  out.log_start_offset = p->log->log_start_offset();
  out.log_end_offset = p->log->log_end_offset();
  if (!r) {
    // Reading exactly at the high watermark (nothing new yet) is not out of range.
    if (replica_id < 0 && offset == out.high_watermark) return out;
    out.error_code = storage_code(r.error());
    return out;
  }
  if (replica_id < 0 && offset > out.high_watermark) {
    out.error_code = code(KafkaErrc::offset_out_of_range);
    return out;
  }
  out.records = r->region;
  return out;
}

OffsetOutcome ReplicaManager::list_offset(const std::string& topic, int32_t partition, int64_t timestamp,
                                          int32_t current_leader_epoch, int32_t replica_id) {
  OffsetOutcome out;
  auto p = find(topic, partition);
  if (!p) {
    out.error_code = code(KafkaErrc::unknown_topic_or_partition);
    return out;
  }
  if (!p->leader && replica_id != -2) {
    out.error_code = code(KafkaErrc::not_leader_or_follower);
    return out;
  }
  if (int16_t e = check_epoch(*p, current_leader_epoch); e != 0) {
    out.error_code = e;
    return out;
  }
  out.leader_epoch = p->leader_epoch;
  if (timestamp == -1) {  // latest: the high watermark for consumers, the log end for replicas
    out.offset = replica_id >= 0 ? p->log->log_end_offset() : p->log->high_watermark();
    return out;
  }
  if (timestamp == -2) {  // earliest
    out.offset = p->log->log_start_offset();
    return out;
  }
  auto found = timestamp == -3 ? p->log->offset_of_max_timestamp() : p->log->offset_for_timestamp(timestamp);
  if (!found) {
    out.error_code = storage_code(found.error());
    return out;
  }
  if (!*found || (**found).offset >= p->log->high_watermark()) {
    // No record at or after the timestamp (below the high watermark): Kafka answers -1.
    out.offset = -1;
    out.timestamp = -1;
    return out;
  }
  out.offset = (**found).offset;
  out.timestamp = (**found).timestamp;
  out.leader_epoch = (**found).leader_epoch;
  return out;
}

std::size_t ReplicaManager::hosted() const {
  std::shared_lock lock(mu_);
  return partitions_.size();
}

std::size_t ReplicaManager::leading() const {
  std::shared_lock lock(mu_);
  std::size_t n = 0;
  for (const auto& [tp, p] : partitions_) n += p.leader ? 1 : 0;
  return n;
}

}  // namespace sluice::broker::replication
