// ReplicaManager: leadership from ZooKeeper's partition states, appends and reads on logs,
// follower tracking, the high watermark and ISR decisions (see replica_manager.h).
#include "broker/replication/replica_manager.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "broker/config/broker_config.h"
#include "broker/config/topic_config.h"
#include "broker/storage/storage_error.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::replication {
namespace {

using protocol::KafkaErrc;
using storage::LeaderEpochCache;

// The Kafka error for a failed log operation: storage errors as storage::to_kafka_errc maps
// them, anything else UNKNOWN_SERVER_ERROR.
KafkaErrc to_kafka_error(const Error& e) {
  if (e.code().category() == storage::storage_category()) {
    return storage::to_kafka_errc(static_cast<storage::StorageErrc>(e.code().value()));
  }
  return KafkaErrc::unknown_server_error;
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

// What a follower's fetches tell the leader.
struct FollowerState {
  int64_t log_end_offset = -1;  // -1: has not fetched since we became leader
  int64_t last_fetch_ms = 0;
  int64_t last_fetch_leader_leo = -1;  // our log end at its previous fetch
  int64_t last_caught_up_ms = 0;
};

struct ReplicaManager::Partition {
  // Set once, before the partition is published in partitions_; not guarded (PartitionLog
  // has locks of its own).
  std::shared_ptr<storage::PartitionLog> log;
  mutable Mutex mu;  // guards everything below
  bool leader GUARDED_BY(mu) = false;
  int32_t leader_id GUARDED_BY(mu) = -1;
  int32_t leader_epoch GUARDED_BY(mu) = -1;
  std::vector<int32_t> replicas GUARDED_BY(mu);
  coordination::znodes::PartitionState state GUARDED_BY(mu);  // as last read or written
  int32_t zk_version GUARDED_BY(mu) = -1;
  int32_t min_insync_replicas GUARDED_BY(mu) = 1;
  // Leader only.
  int64_t leader_epoch_start_offset GUARDED_BY(mu) = 0;
  std::map<int32_t, FollowerState> followers GUARDED_BY(mu);
  // Written, not yet confirmed.
  std::optional<std::vector<int32_t>> pending_isr GUARDED_BY(mu);
};

// Defined before their callers, so that the REQUIRES here is seen at every call.
void ReplicaManager::advance_high_watermark_locked(Partition& p) REQUIRES(p.mu) {
  if (!p.leader) return;
  int64_t hw = p.log->log_end_offset();
  auto consider = [&](int32_t r) REQUIRES(p.mu) {
    if (r == broker_id_) return;
    auto f = p.followers.find(r);
    hw = (f == p.followers.end() || f->second.log_end_offset < 0)
             ? std::min<int64_t>(hw, p.log->high_watermark())
             : std::min(hw, f->second.log_end_offset);
  };
  for (int32_t r : p.state.isr) consider(r);
  if (p.pending_isr) {
    for (int32_t r : *p.pending_isr) consider(r);
  }
  if (hw > p.log->high_watermark()) {
    p.log->set_high_watermark(hw);
    notifier_.notify({p.log->topic_partition().topic, p.log->topic_partition().partition});
  }
}

std::optional<IsrUpdate> ReplicaManager::propose_isr_locked(Partition& p, std::vector<int32_t> isr)
    REQUIRES(p.mu) {
  if (!p.leader || p.pending_isr || isr == p.state.isr) return std::nullopt;
  IsrUpdate u;
  u.tp = p.log->topic_partition();
  u.state = p.state;
  u.state.isr = isr;
  u.zk_version = p.zk_version;
  p.pending_isr = std::move(isr);
  return u;
}

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
                               const config::BrokerConfig& config, AppendNotifier& notifier,
                               Clock clock)
    : broker_id_(broker_id),
      logs_(logs),
      config_(config),
      notifier_(notifier),
      clock_(clock ? std::move(clock) : Clock(steady_ms)) {}

void ReplicaManager::set_isr_writer(IsrWriter writer) {
  WriterLock lock(mu_);
  isr_writer_ = std::move(writer);
}

void ReplicaManager::set_followed_listener(std::function<void(std::vector<FollowedPartition>)> l) {
  WriterLock lock(mu_);
  followed_listener_ = std::move(l);
}

void ReplicaManager::apply_metadata(const cluster::Snapshot& snapshot) {
  const int64_t now = clock_();
  std::set<storage::TopicPartition> assigned;
  std::vector<std::shared_ptr<Partition>> became_leader;
  std::vector<storage::TopicPartition> lost_leadership;  // their acks=all waiters must hear it
  std::vector<FollowedPartition> followed;
  std::function<void(std::vector<FollowedPartition>)> followed_listener;
  // Our registration's czxid: a state written before it (by the controller for an earlier
  // run or session of ours) does not make us leader; the controller re-elects first.
  auto me = snapshot.brokers.find(broker_id_);
  const int64_t registered_at = me == snapshot.brokers.end() ? -1 : me->second.czxid;
  {
    WriterLock lock(mu_);
    session_lost_ = false;
    shutting_down_ = snapshot.shutting_down;
    successors_.clear();
    for (const auto& entry : snapshot.brokers) {
      if (entry.first != broker_id_ && !snapshot.shutting_down.count(entry.first))
        successors_.insert(entry.first);
    }
    for (const auto& [name, topic] : snapshot.topics) {
      const auto cfg = log_config_for(config_, topic.config);
      const auto settings = config::log_settings(config_, topic.config);
      for (const auto& [index, info] : topic.partitions) {
        if (!contains(info.replicas, broker_id_)) continue;
        storage::TopicPartition tp{name, index};
        auto& slot = partitions_[tp];
        if (!slot) {
          auto log = logs_.get_or_create(tp, cfg);
          if (!log) {
            SLUICE_LOG(error) << "partition " << tp.to_string()
                              << ": cannot open its log: " << log.error().to_string();
            partitions_.erase(tp);
            continue;
          }
          slot = std::make_shared<Partition>();
          slot->log = *log;
        } else if (Status st = slot->log->update_config(cfg); !st) {
          SLUICE_LOG(warning) << "partition " << tp.to_string()
                              << ": topic config not applied: " << st.error().to_string();
        }
        assigned.insert(tp);
        Partition& p = *slot;
        MutexLock plock(p.mu);
        p.replicas = info.replicas;
        p.min_insync_replicas = settings.min_insync_replicas;
        if (!info.state) {
          p.leader = false;
          p.leader_id = -1;
          continue;
        }
        const auto& st = *info.state;
        // Our own ISR write may be newer than this snapshot (same epoch, higher version).
        const bool stale =
            st.leader_epoch == p.leader_epoch && info.state_zk_version < p.zk_version;
        if (!stale) {
          const bool new_epoch = st.leader_epoch != p.leader_epoch || !p.leader;
          p.state = st;
          p.zk_version = info.state_zk_version;
          p.leader_id = st.leader;
          const bool named = st.leader == broker_id_;
          const bool lead = named && registered_at > 0 && info.state_mzxid > registered_at;
          if (named && !lead && (p.leader || p.leader_epoch != st.leader_epoch)) {
            SLUICE_LOG(info)
                << "partition " << tp.to_string() << ": named leader (epoch " << st.leader_epoch
                << ") by a state older than this registration; waiting for the controller";
          }
          if (lead && new_epoch) {
            p.leader_epoch = st.leader_epoch;
            p.leader = true;
            p.pending_isr.reset();
            p.followers.clear();
            for (int32_t r : p.replicas) {
              if (r != broker_id_) p.followers[r].last_caught_up_ms = now;
            }
            p.leader_epoch_start_offset = p.log->log_end_offset();
            if (Status as =
                    p.log->leader_epochs().assign(p.leader_epoch, p.leader_epoch_start_offset);
                !as) {
              SLUICE_LOG(error) << "partition " << tp.to_string()
                                << ": leader epoch cache: " << as.error().to_string();
            }
            SLUICE_LOG(info) << "partition " << tp.to_string() << ": leader, epoch "
                             << p.leader_epoch << ", log end " << p.leader_epoch_start_offset
                             << ", high watermark " << p.log->high_watermark();
            became_leader.push_back(slot);
          } else if (!lead) {
            if (p.leader) {
              SLUICE_LOG(info) << "partition " << tp.to_string() << ": no longer leader (leader "
                               << st.leader << ", epoch " << st.leader_epoch << ")";
              lost_leadership.push_back(tp);
            } else if (p.leader_epoch != st.leader_epoch && st.leader >= 0 && !named) {
              SLUICE_LOG(info) << "partition " << tp.to_string() << ": follower of broker "
                               << st.leader << ", epoch " << st.leader_epoch;
            }
            p.leader = false;
            p.leader_epoch = st.leader_epoch;
            p.pending_isr.reset();
            p.followers.clear();
          }
        }
      }
    }
    for (auto it = partitions_.begin(); it != partitions_.end();) {
      it = assigned.count(it->first) ? std::next(it) : partitions_.erase(it);
    }
    followed = followed_locked();
    followed_listener = followed_listener_;
  }
  for (const auto& p : became_leader) {
    MutexLock plock(p->mu);
    advance_high_watermark_locked(*p);
  }
  if (followed_listener) followed_listener(std::move(followed));
  for (const auto& tp : lost_leadership) notifier_.notify({tp.topic, tp.partition});

  // Logs of partitions no longer assigned here (topic deleted): remove from disk.
  for (const auto& tp : logs_.partitions()) {
    if (assigned.count(tp)) continue;
    if (snapshot.topic(tp.topic) != nullptr)
      continue;  // still a topic; reassignment is not handled
    SLUICE_LOG(info) << "partition " << tp.to_string() << ": deleting its log (topic gone)";
    if (Status st = logs_.remove(tp); !st) {
      SLUICE_LOG(warning) << "deleting log " << tp.to_string() << ": " << st.error().to_string();
    }
  }
}

std::vector<FollowedPartition> ReplicaManager::followed_locked() const {
  std::vector<FollowedPartition> out;
  for (const auto& [tp, p] : partitions_) {
    MutexLock plock(p->mu);
    if (!p->leader && p->leader_id >= 0 && p->leader_id != broker_id_) {
      out.push_back({tp, p->leader_id, p->leader_epoch});
    }
  }
  return out;
}

void ReplicaManager::on_session_lost() {
  std::vector<storage::TopicPartition> led_here;
  {
    WriterLock lock(mu_);
    session_lost_ = true;
    for (const auto& [tp, p] : partitions_) {
      MutexLock plock(p->mu);
      if (p->leader) led_here.push_back(tp);
    }
  }
  const std::size_t led = led_here.size();
  for (const auto& tp : led_here) notifier_.notify({tp.topic, tp.partition});
  if (led > 0) {
    SLUICE_LOG(warning) << "ZooKeeper session lost: refusing writes to the " << led
                        << " partitions led here until the new session's view is read";
  }
}

std::shared_ptr<ReplicaManager::Partition> ReplicaManager::find(const std::string& topic,
                                                                int32_t partition) const {
  return find(storage::TopicPartition{topic, partition});
}

std::shared_ptr<ReplicaManager::Partition> ReplicaManager::find(
    const storage::TopicPartition& tp) const {
  ReaderLock lock(mu_);
  if (session_lost_) return nullptr;
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : it->second;
}

namespace {
// The error for a request naming `current_leader_epoch` (-1: unchecked) against `epoch`.
KafkaErrc check_epoch(int32_t epoch, int32_t current_leader_epoch) {
  if (current_leader_epoch < 0) return KafkaErrc::none;
  if (current_leader_epoch < epoch) return KafkaErrc::fenced_leader_epoch;
  if (current_leader_epoch > epoch) return KafkaErrc::unknown_leader_epoch;
  return KafkaErrc::none;
}
}  // namespace

void ReplicaManager::send(std::optional<IsrUpdate> update) {
  if (!update) return;
  IsrWriter writer;
  {
    ReaderLock lock(mu_);
    writer = isr_writer_;
  }
  if (writer) {
    SLUICE_LOG(info) << "partition " << update->tp.to_string() << ": ISR change to "
                     << coordination::znodes::encode(update->state);
    writer(std::move(*update));
  } else {
    isr_write_failed(*update);
  }
}

void ReplicaManager::isr_write_done(const IsrUpdate& update, int32_t new_zk_version) {
  auto p = find(update.tp);
  if (!p) return;
  MutexLock plock(p->mu);
  if (!p->leader || p->leader_epoch != update.state.leader_epoch) return;
  p->state = update.state;
  p->zk_version = new_zk_version;
  p->pending_isr.reset();
  advance_high_watermark_locked(*p);
}

void ReplicaManager::isr_write_failed(const IsrUpdate& update) {
  auto p = find(update.tp);
  if (!p) return;
  MutexLock plock(p->mu);
  if (p->leader_epoch == update.state.leader_epoch) p->pending_isr.reset();
}

void ReplicaManager::check_isr_lag() {
  const int64_t now = clock_();
  const int64_t lag = config_.replica_lag_time_max_ms;
  std::vector<std::shared_ptr<Partition>> all;
  {
    ReaderLock lock(mu_);
    if (session_lost_) return;
    for (const auto& [tp, p] : partitions_) all.push_back(p);
  }
  for (const auto& p : all) {
    std::optional<IsrUpdate> update;
    {
      MutexLock plock(p->mu);
      if (!p->leader || p->pending_isr) continue;
      std::vector<int32_t> isr;
      for (int32_t r : p->state.isr) {
        auto f = p->followers.find(r);
        bool out_of_sync =
            r != broker_id_ && (f == p->followers.end() || now - f->second.last_caught_up_ms > lag);
        if (!out_of_sync) isr.push_back(r);
      }
      update = propose_isr_locked(*p, std::move(isr));
      if (update) {
        SLUICE_LOG(info) << "partition " << p->log->topic_partition().to_string()
                         << ": followers not caught up for " << lag << " ms leave the ISR";
      }
    }
    send(std::move(update));
  }
}

ProduceOutcome ReplicaManager::append(const std::string& topic, int32_t partition,
                                      std::span<uint8_t> records, int16_t acks) {
  ProduceOutcome out;
  auto p = find(topic, partition);
  if (!p) {
    ReaderLock lock(mu_);
    out.error =
        session_lost_ ? KafkaErrc::not_leader_or_follower : KafkaErrc::unknown_topic_or_partition;
    return out;
  }
  MutexLock plock(p->mu);
  if (!p->leader) {
    out.error = KafkaErrc::not_leader_or_follower;
    return out;
  }
  if (acks == -1 && static_cast<int32_t>(p->state.isr.size()) < p->min_insync_replicas) {
    out.error = KafkaErrc::not_enough_replicas;
    out.error_message = "The size of the current ISR (" + std::to_string(p->state.isr.size()) +
                        ") is insufficient to satisfy the min.isr requirement of " +
                        std::to_string(p->min_insync_replicas);
    return out;
  }
  auto appended = p->log->append(records, p->leader_epoch);
  if (!appended) {
    out.error = to_kafka_error(appended.error());
    out.error_message = appended.error().context();
    SLUICE_LOG(warning) << "produce to " << topic << "-" << partition
                        << " refused: " << appended.error().to_string();
    return out;
  }
  out.base_offset = appended->first_offset;
  out.last_offset = appended->last_offset;
  out.log_append_time = appended->log_append_time;
  out.log_start_offset = appended->log_start_offset;
  out.leader_epoch = p->leader_epoch;
  advance_high_watermark_locked(*p);
  notifier_.notify({topic, partition});
  return out;
}

Replication ReplicaManager::replicated(const std::string& topic, int32_t partition, int64_t offset,
                                       int32_t leader_epoch) const {
  auto p = find(topic, partition);
  if (!p) return Replication::leadership_lost;
  MutexLock plock(p->mu);
  if (!p->leader || p->leader_epoch != leader_epoch) return Replication::leadership_lost;
  if (p->log->high_watermark() <= offset) return Replication::pending;
  return static_cast<int32_t>(p->state.isr.size()) < p->min_insync_replicas
             ? Replication::too_few_replicas
             : Replication::done;
}

FetchOutcome ReplicaManager::read(const std::string& topic, int32_t partition, int64_t offset,
                                  int32_t max_bytes, int32_t current_leader_epoch,
                                  int32_t replica_id, bool min_one_batch,
                                  int32_t last_fetched_epoch) {
  FetchOutcome out;
  auto p = find(topic, partition);
  if (!p) {
    out.error = KafkaErrc::unknown_topic_or_partition;
    return out;
  }
  std::optional<IsrUpdate> update;
  bool replica_leaving = false;
  if (replica_id >= 0) {
    ReaderLock lock(mu_);
    replica_leaving = shutting_down_.count(replica_id) != 0;
  }
  {
    MutexLock plock(p->mu);
    out.leader_id = p->leader_id;
    out.leader_epoch = p->leader_epoch;
    if (!p->leader) {
      out.error = KafkaErrc::not_leader_or_follower;
      return out;
    }
    if (KafkaErrc e = check_epoch(p->leader_epoch, current_leader_epoch); e != KafkaErrc::none) {
      out.error = e;
      return out;
    }
    const bool follower =
        replica_id >= 0 && replica_id != broker_id_ && contains(p->replicas, replica_id);
    if (follower && last_fetched_epoch >= 0) {
      // KIP-595: a follower whose last fetched epoch ends earlier here (or is unknown here)
      // must truncate before fetching on.
      auto end = p->log->end_offset_for_epoch(last_fetched_epoch);
      if (end.epoch != LeaderEpochCache::kUndefinedEpoch &&
          (end.end_offset < offset || end.epoch < last_fetched_epoch)) {
        out.diverging_epoch = end;
        out.high_watermark = p->log->high_watermark();
        out.log_start_offset = p->log->log_start_offset();
        out.log_end_offset = p->log->log_end_offset();
        return out;
      }
    }
    if (follower && offset <= p->log->log_end_offset()) {
      const int64_t now = clock_();
      const int64_t leo = p->log->log_end_offset();
      auto& f = p->followers[replica_id];
      f.log_end_offset = offset;
      if (offset >= leo) {
        f.last_caught_up_ms = now;
      } else if (f.last_fetch_leader_leo >= 0 && offset >= f.last_fetch_leader_leo) {
        f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
      }
      f.last_fetch_leader_leo = leo;
      f.last_fetch_ms = now;
      // A follower in a controlled shutdown keeps fetching (it stays caught up while its
      // leaderships move) but does not rejoin: the controller has just taken it out.
      if (!replica_leaving && !contains(p->state.isr, replica_id) &&
          offset >= p->log->high_watermark() && offset >= p->leader_epoch_start_offset) {
        std::vector<int32_t> isr = p->state.isr;
        isr.push_back(replica_id);
        update = propose_isr_locked(*p, std::move(isr));
        if (update) {
          SLUICE_LOG(info) << "partition " << p->log->topic_partition().to_string() << ": follower "
                           << replica_id << " caught up at " << offset << ", joins the ISR";
        }
      }
      advance_high_watermark_locked(*p);
    }
  }
  send(std::move(update));

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
    out.error = to_kafka_error(r.error());
    return out;
  }
  if (replica_id < 0 && offset > out.high_watermark) {
    out.error = KafkaErrc::offset_out_of_range;
    return out;
  }
  out.records = r->region;
  return out;
}

OffsetOutcome ReplicaManager::list_offset(const std::string& topic, int32_t partition,
                                          int64_t timestamp, int32_t current_leader_epoch,
                                          int32_t replica_id) {
  OffsetOutcome out;
  auto p = find(topic, partition);
  if (!p) {
    out.error = KafkaErrc::unknown_topic_or_partition;
    return out;
  }
  int32_t epoch = -1;
  {
    MutexLock plock(p->mu);
    if (!p->leader && replica_id != -2) {
      out.error = KafkaErrc::not_leader_or_follower;
      return out;
    }
    epoch = p->leader_epoch;
  }
  if (KafkaErrc e = check_epoch(epoch, current_leader_epoch); e != KafkaErrc::none) {
    out.error = e;
    return out;
  }
  out.leader_epoch = epoch;
  if (timestamp == -1) {  // latest: the high watermark for consumers, the log end for replicas
    out.offset = replica_id >= 0 ? p->log->log_end_offset() : p->log->high_watermark();
    return out;
  }
  if (timestamp == -2) {  // earliest
    out.offset = p->log->log_start_offset();
    return out;
  }
  auto found =
      timestamp == -3 ? p->log->offset_of_max_timestamp() : p->log->offset_for_timestamp(timestamp);
  if (!found) {
    out.error = to_kafka_error(found.error());
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

OffsetOutcome ReplicaManager::offset_for_leader_epoch(const std::string& topic, int32_t partition,
                                                      int32_t current_leader_epoch, int32_t epoch) {
  OffsetOutcome out;
  auto p = find(topic, partition);
  if (!p) {
    out.error = KafkaErrc::unknown_topic_or_partition;
    return out;
  }
  MutexLock plock(p->mu);
  if (!p->leader) {
    out.error = KafkaErrc::not_leader_or_follower;
    return out;
  }
  if (KafkaErrc e = check_epoch(p->leader_epoch, current_leader_epoch); e != KafkaErrc::none) {
    out.error = e;
    return out;
  }
  auto end = p->log->end_offset_for_epoch(epoch);
  out.leader_epoch = end.epoch;
  out.offset = end.end_offset;
  return out;
}

// ---- follower side -------------------------------------------------------------------

std::optional<ReplicaManager::FollowerPosition> ReplicaManager::follower_position(
    const storage::TopicPartition& tp, int32_t leader_epoch) const {
  auto p = find(tp);
  if (!p) return std::nullopt;
  MutexLock plock(p->mu);
  if (p->leader || p->leader_epoch != leader_epoch) return std::nullopt;
  FollowerPosition pos;
  pos.log_end_offset = p->log->log_end_offset();
  pos.log_start_offset = p->log->log_start_offset();
  pos.latest_epoch = p->log->leader_epochs().latest_epoch().value_or(-1);
  return pos;
}

template <class Body>
ReplicaManager::FollowerAppend ReplicaManager::as_follower(const storage::TopicPartition& tp,
                                                           int32_t leader_epoch, Body&& body) {
  FollowerAppend out;
  auto p = find(tp);
  if (!p) {
    out.error = KafkaErrc::not_leader_or_follower;
    return out;
  }
  MutexLock plock(p->mu);
  if (p->leader || p->leader_epoch != leader_epoch) {
    out.error = KafkaErrc::not_leader_or_follower;
    out.message = "no longer a follower at this epoch";
    return out;
  }
  body(*p, out);
  return out;
}

ReplicaManager::FollowerAppend ReplicaManager::append_as_follower(const storage::TopicPartition& tp,
                                                                  int32_t leader_epoch,
                                                                  std::span<uint8_t> records,
                                                                  int64_t leader_high_watermark) {
  return as_follower(tp, leader_epoch, [&](Partition& p, FollowerAppend& out) {
    if (!records.empty()) {
      auto appended = p.log->append_as_follower(records);
      if (!appended) {
        out.error = to_kafka_error(appended.error());
        out.message = appended.error().to_string();
        return;
      }
    }
    const int64_t hw = std::min(leader_high_watermark, p.log->log_end_offset());
    if (hw > p.log->high_watermark()) p.log->set_high_watermark(hw);
  });
}

ReplicaManager::FollowerAppend ReplicaManager::truncate_follower(
    const storage::TopicPartition& tp, int32_t leader_epoch, storage::EpochEndOffset leader_end) {
  return as_follower(tp, leader_epoch, [&](Partition& p, FollowerAppend& out) {
    const int64_t leo = p.log->log_end_offset();
    int64_t target = leo;
    if (leader_end.epoch == LeaderEpochCache::kUndefinedEpoch || leader_end.end_offset < 0) {
      // The leader knows no epoch of ours: only what was committed is certain.
      target = std::min(leo, p.log->high_watermark());
    } else {
      // Ours for the same epoch (KIP-279: the leader may answer with an earlier epoch).
      auto mine = p.log->end_offset_for_epoch(leader_end.epoch);
      int64_t own_end = mine.epoch == leader_end.epoch ? mine.end_offset : leo;
      target = std::min({leo, leader_end.end_offset, own_end});
    }
    if (target >= leo) return;
    SLUICE_LOG(info) << "partition " << tp.to_string() << ": truncating from " << leo << " to "
                     << target << " (leader's epoch " << leader_end.epoch << " ends at "
                     << leader_end.end_offset << ")";
    if (Status st = p.log->truncate_to(target); !st) {
      out.error = to_kafka_error(st.error());
      out.message = st.error().to_string();
    }
  });
}

ReplicaManager::FollowerAppend ReplicaManager::reset_follower(const storage::TopicPartition& tp,
                                                              int32_t leader_epoch,
                                                              int64_t leader_log_start_offset) {
  return as_follower(tp, leader_epoch, [&](Partition& p, FollowerAppend& out) {
    SLUICE_LOG(info) << "partition " << tp.to_string() << ": leader's log starts at "
                     << leader_log_start_offset << ", past ours (" << p.log->log_end_offset()
                     << "): starting over there";
    if (Status st = p.log->truncate_fully_and_start_at(leader_log_start_offset); !st) {
      out.error = to_kafka_error(st.error());
      out.message = st.error().to_string();
    }
  });
}

std::size_t ReplicaManager::hosted() const {
  ReaderLock lock(mu_);
  return partitions_.size();
}

std::size_t ReplicaManager::leading_movable() const {
  ReaderLock lock(mu_);
  std::size_t n = 0;
  for (const auto& [tp, p] : partitions_) {
    MutexLock plock(p->mu);
    if (!p->leader) continue;
    // Another in-sync replica, live and not leaving too, could take over.
    const bool other =
        std::any_of(p->state.isr.begin(), p->state.isr.end(),
                    [&](int32_t r) REQUIRES_SHARED(mu_) { return successors_.count(r) != 0; });
    n += other ? 1 : 0;
  }
  return n;
}

std::size_t ReplicaManager::leading() const {
  ReaderLock lock(mu_);
  std::size_t n = 0;
  for (const auto& [tp, p] : partitions_) {
    MutexLock plock(p->mu);
    n += p->leader ? 1 : 0;
  }
  return n;
}

}  // namespace sluice::broker::replication
