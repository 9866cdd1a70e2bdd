// Producer: the accumulator (records encoded into per-partition batches on the caller's
// thread, under one mutex) and the sender (a coroutine on the client's runtime that drains
// ready batches into one Produce request per leader broker, and handles the answers:
// delivery reports, retries in sequence order, metadata refreshes, producer ids).
//
// Threading: send()/flush()/close() run on callers' threads and touch only the accumulator
// (mu_) and atomics. Everything else — the Cluster, in-flight bookkeeping, the producer id —
// lives on the runtime's serial executor. Delivery callbacks are invoked there, never under
// mu_ (a callback may send again).
#include "sluice/producer.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <future>
#include <map>
#include <unordered_map>

#include "client/src/cluster.h"
#include "client/src/event.h"
#include "client/src/partitioner.h"
#include "client/src/record_accumulator.h"
#include "client/src/runtime.h"
#include "common/log.h"
#include "common/mutex.h"
#include "protocol/error_codes.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"

namespace sluice::client {

using namespace detail;  // NOLINT: the implementation's own namespace
namespace asio = boost::asio;

namespace {

constexpr int64_t kPerRecordOverhead = 64;  // delivery callback and bookkeeping, roughly

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error kafka_error(int16_t code, const std::string& context) {
  return Error(std::error_code(static_cast<KafkaErrc>(code)), context);
}

// Topic errors in metadata that no amount of waiting changes (the Java producer's rule: any
// other answer, e.g. INVALID_REPLICATION_FACTOR from an auto-creation while brokers are
// still registering, means "no metadata yet").
bool fails_at_once(int16_t code) {
  const auto e = static_cast<KafkaErrc>(code);
  return e == KafkaErrc::invalid_topic_exception || e == KafkaErrc::topic_authorization_failed;
}

// Errors after which the partition's leader (or the topic) may have moved.
bool invalidates_metadata(int16_t code) {
  switch (static_cast<KafkaErrc>(code)) {
    case KafkaErrc::not_leader_or_follower:
    case KafkaErrc::unknown_topic_or_partition:
    case KafkaErrc::leader_not_available:
    case KafkaErrc::fenced_leader_epoch:
    case KafkaErrc::unknown_leader_epoch:
    case KafkaErrc::kafka_storage_error:
    case KafkaErrc::broker_not_available:
    case KafkaErrc::replica_not_available:
      return true;
    default:
      return false;
  }
}

}  // namespace

// Idle batch buffers kept: enough for the batches a busy producer has open and in flight,
// never more than buffer.memory would allow.
std::shared_ptr<BufferPool> make_batch_pool(const ProducerConfig& config) {
  const auto size =
      protocol::kRecordBatchHeaderSize + static_cast<std::size_t>(std::max(config.batch_size, 1));
  const auto fits = static_cast<std::size_t>(std::max<int64_t>(config.buffer_memory, 0)) / size;
  return std::make_shared<BufferPool>(size, std::min<std::size_t>(fits, 16));
}

class Producer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(ProducerConfig config, PartitionerKind kind, std::optional<asio::any_io_executor> executor)
      : config_(std::move(config)),
        compression_(static_cast<protocol::Compression>(static_cast<int>(config_.compression))),
        idempotent_(config_.enable_idempotence),
        partitioner_(kind),
        batch_pool_(make_batch_pool(config_)),
        runtime_(std::move(executor)) {
    cluster_ =
        std::make_unique<Cluster>(runtime_.executor(), static_cast<const ClientConfig&>(config_));
    wake_ = std::make_shared<Event>(runtime_.executor());
    idle_ = std::make_shared<Event>(runtime_.executor());
  }

  void start() { runtime_.spawn(sender_loop(shared_from_this())); }

  const asio::any_io_executor& executor() const { return runtime_.executor(); }
  Millis delivery_timeout() const { return config_.delivery_timeout; }
  bool on_runtime_thread() const { return runtime_.on_runtime_thread(); }

  // --- callers' threads -------------------------------------------------------------

  void send(ProducerRecord record, DeliveryFn done);
  void flush(Millis timeout, std::function<void(Status)> done);
  Status close(Millis timeout);
  Result<int32_t> partition_count(const std::string& topic);

 private:
  struct Live;  // counts running coroutines, so close() can wait for them
  struct Outcome {
    BatchPtr batch;
    std::optional<Error> error;
    int64_t base_offset = -1;
    int64_t log_append_time = -1;
  };

  TopicQueues& topic_locked(const std::string& name) REQUIRES(mu_);
  // Nullopt when `reserved` more bytes fit in buffer.memory, now or after waiting up to
  // max.block.ms (callers' threads only); else why the record is refused.
  std::optional<Error> wait_for_room_locked(int64_t reserved) REQUIRES(mu_);
  // Partitions and encodes `record`; `done` is moved from only when the record is taken
  // (else `refused` says why). Returns true when the sender should look (a new or full batch).
  // `now` stamps a new batch; send() passes Clock::time_point{} ("read the clock if a batch
  // is created"), so a record appended to an open batch costs no steady-clock read.
  bool append_locked(TopicQueues& t, ProducerRecord& record, int64_t timestamp, DeliveryFn&& done,
                     int64_t reserved, Clock::time_point now, std::optional<Error>& refused)
      REQUIRES(mu_);
  PartitionQueue* queue_locked(const std::string& topic, int32_t partition) REQUIRES(mu_);
  void requeue_locked(PartitionQueue& q, const BatchPtr& batch) REQUIRES(mu_);

  void notify();
  // Reports a batch (success or failure), releases its memory, wakes flushes.
  void finish(const Outcome& outcome);
  void finish_pending(PendingRecord& p, const Error& error);
  void records_done(int64_t records, int64_t bytes);

  // --- runtime -----------------------------------------------------------------------
  struct Round;
  struct Pass;
  // One look at the queues: places records waiting for metadata, expires batches, drains
  // ready batches into Produce requests, asks for metadata and a producer id. Returns when
  // to look again.
  Clock::time_point run_once();
  // The steps of run_once, in order.
  void adopt_partition_count_locked(TopicQueues& t, const TopicMetadata* info) REQUIRES(mu_);
  void place_pending_locked(TopicQueues& t, const TopicMetadata* info, Round& round) REQUIRES(mu_);
  void request_metadata_if_due_locked(TopicQueues& t, const TopicMetadata* info, Round& round)
      REQUIRES(mu_);
  void expire_batches_locked(TopicQueues& t, Round& round) REQUIRES(mu_);
  void drain_locked(bool urgent, Round& round) REQUIRES(mu_);
  bool drain_pass_locked(bool urgent, Round& round) REQUIRES(mu_);
  bool head_ready_locked(PartitionQueue& q, bool urgent, Round& round) REQUIRES(mu_);
  int32_t leader_locked(TopicQueues& t, std::size_t pi, const TopicMetadata* info, Round& round)
      REQUIRES(mu_);
  bool has_room_locked(PartitionQueue& q, int32_t leader, Pass& pass) REQUIRES(mu_);
  void take_head_locked(TopicQueues& t, PartitionQueue& q, int32_t leader, Pass& pass, Round& round)
      REQUIRES(mu_);
  int32_t next_sequence_locked(PartitionQueue& q, const ProducerBatch& batch) REQUIRES(mu_);
  void report(Round& round);
  void request_producer_id_if_needed();
  void handle_result(const BatchPtr& batch, int32_t node, int16_t code, const std::string& message,
                     int64_t base_offset, int64_t log_append_time, std::vector<Outcome>& out);
  void handle_failure(const BatchPtr& batch, int32_t node, const Error& error,
                      std::vector<Outcome>& out);
  bool producer_id_ready() const {
    return !idempotent_ || (producer_id_ >= 0 && !pid_reset_needed_);
  }

  static awaitable<void> sender_loop(std::shared_ptr<Impl> self);
  static awaitable<void> send_request(std::shared_ptr<Impl> self, int32_t node,
                                      std::vector<BatchPtr> batches);
  static awaitable<void> fetch_metadata(std::shared_ptr<Impl> self, std::string topic);
  static awaitable<void> init_producer_id(std::shared_ptr<Impl> self);
  static awaitable<void> flush_co(std::shared_ptr<Impl> self, Millis timeout,
                                  std::function<void(Status)> done);
  static awaitable<Result<bool>> close_co(std::shared_ptr<Impl> self);
  static awaitable<Result<int32_t>> partition_count_co(std::shared_ptr<Impl> self,
                                                       std::string topic);

  const ProducerConfig config_;
  const protocol::Compression compression_;

  // The accumulator. The TopicQueues and PartitionQueues reached through topics_ are
  // guarded by mu_ too; the analysis cannot say so (record_accumulator.h knows no mu_), so
  // only the members here are annotated.
  Mutex mu_;
  CondVar space_cv_;  // buffer memory released
  std::unordered_map<std::string, std::unique_ptr<TopicQueues>> topics_ GUARDED_BY(mu_);
  bool idempotent_;  // written on the runtime only before the first batch is drained
  Partitioner partitioner_ GUARDED_BY(mu_);
  const std::shared_ptr<BufferPool> batch_pool_;  // batch.size buffers, recycled
  int64_t buffer_used_ GUARDED_BY(mu_) = 0;
  uint64_t next_batch_id_ GUARDED_BY(mu_) = 1;
  bool closed_ GUARDED_BY(mu_) = false;

  std::atomic<int64_t> outstanding_{0};  // records sent without a report yet
  std::atomic<bool> wake_pending_{false};
  std::atomic<int> flushing_{0};
  std::atomic<bool> close_started_{false};

  // Runtime only.
  std::unique_ptr<Cluster> cluster_;
  std::shared_ptr<Event> wake_;
  std::shared_ptr<Event> idle_;
  int live_ = 0;
  bool stopping_ = false;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  bool pid_reset_needed_ = false;
  bool pid_requesting_ = false;
  std::map<int32_t, int32_t> node_in_flight_;
  int32_t total_in_flight_ = 0;
  std::vector<std::shared_ptr<Event>> flush_waiters_;

  // Declared last, destroyed first — but destroying it destroys the io_context, and the
  // sockets and timers above must go before that: ~Impl stops the thread, drops them, and
  // only then lets runtime_ go.
  Runtime runtime_;

 public:
  ~Impl() {
    runtime_.stop();
    cluster_.reset();
    wake_.reset();
    idle_.reset();
    flush_waiters_.clear();
  }
};

struct Producer::Impl::Live {
  explicit Live(Impl* impl) : impl_(impl) { ++impl_->live_; }
  ~Live() {
    if (--impl_->live_ == 0) impl_->idle_->set();
  }
  Live(const Live&) = delete;
  Live& operator=(const Live&) = delete;
  Impl* impl_;
};

// ---------------------------------------------------------------------------------------
// Accumulator (callers' threads and the sender, under mu_)

TopicQueues& Producer::Impl::topic_locked(const std::string& name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    auto t = std::make_unique<TopicQueues>();
    t->name = name;
    it = topics_.emplace(name, std::move(t)).first;
  }
  return *it->second;
}

PartitionQueue* Producer::Impl::queue_locked(const std::string& topic, int32_t partition) {
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 ||
      partition >= static_cast<int32_t>(it->second->partitions.size())) {
    return nullptr;
  }
  return &it->second->partitions[static_cast<std::size_t>(partition)];
}

bool Producer::Impl::append_locked(TopicQueues& t, ProducerRecord& record, int64_t timestamp,
                                   DeliveryFn&& done, int64_t reserved, Clock::time_point now,
                                   std::optional<Error>& refused) {
  const int32_t n = t.partition_count;
  int32_t p = 0;
  bool sticky = false;
  if (record.partition) {
    p = *record.partition;
    if (p < 0 || p >= n) {
      refused = Error(make_error_code(ClientErrc::invalid_argument),
                      "partition " + std::to_string(p) + " of topic " + t.name + " with " +
                          std::to_string(n) + " partitions");
      return false;
    }
  } else {
    sticky = !record.key && partitioner_.kind() == PartitionerKind::murmur2_random;
    p = partitioner_.partition(record.key, n, t.sticky);
    if (sticky && t.sticky.batch_id != 0) {
      // KIP-480: stick to the partition until the batch its records went into is closed
      // or sent; then pick another one.
      const auto& q = t.partitions[static_cast<std::size_t>(p)];
      if (q.batches.empty() || q.batches.back()->closed ||
          q.batches.back()->id() != t.sticky.batch_id) {
        t.sticky.reset();
        p = partitioner_.partition(record.key, n, t.sticky);
      }
    }
  }
  PartitionQueue& q = t.partitions[static_cast<std::size_t>(p)];
  bool wake = false;
  ProducerBatch* batch = nullptr;
  if (!q.batches.empty() && !q.batches.back()->closed) batch = q.batches.back().get();
  const auto batch_size = static_cast<std::size_t>(std::max(config_.batch_size, 1));
  if (batch != nullptr && batch->record_count() > 0 &&
      batch->size() + batch->size_of(record, timestamp) > batch_size) {
    batch->closed = true;
    batch = nullptr;
    wake = true;
    if (sticky) {
      // The sticky batch is full: this record starts the next sticky partition's batch.
      t.sticky.reset();
      append_locked(t, record, timestamp, std::move(done), reserved, now, refused);
      return true;
    }
  }
  if (batch == nullptr) {
    if (now == Clock::time_point{}) now = Clock::now();
    std::size_t need = encoded_record_size(record, 0, 0);
    q.batches.push_back(
        std::make_shared<ProducerBatch>(next_batch_id_++, t.name, p, std::max(batch_size, need),
                                        now, now + config_.delivery_timeout, batch_pool_));
    batch = q.batches.back().get();
    wake = true;  // the sender arms the linger timer of a new batch
  }
  batch->append(record, timestamp, std::move(done), reserved);
  if (sticky) t.sticky.batch_id = batch->id();
  if (batch->size() >= batch_size) {
    batch->closed = true;
    wake = true;
  }
  return wake;
}

void Producer::Impl::requeue_locked(PartitionQueue& q, const BatchPtr& batch) {
  // Back in creation (= sequence) order, ahead of the batches not sent yet.
  auto it = std::find_if(q.batches.begin(), q.batches.end(),
                         [&](const BatchPtr& b) { return b->id() > batch->id(); });
  q.batches.insert(it, batch);
  q.recovering = true;
}

std::optional<Error> Producer::Impl::wait_for_room_locked(int64_t reserved) {
  auto refusal = [](ClientErrc code, std::string why) {
    return Error(make_error_code(code), std::move(why));
  };
  if (closed_) return refusal(ClientErrc::closed, "the producer is closed");
  if (buffer_used_ + reserved <= config_.buffer_memory) return std::nullopt;
  if (config_.max_block.count() <= 0 || on_runtime_thread()) {
    return refusal(ClientErrc::buffer_full,
                   "buffer.memory (" + std::to_string(config_.buffer_memory) + " bytes) is full");
  }
  const auto deadline = Clock::now() + config_.max_block;
  while (buffer_used_ + reserved > config_.buffer_memory && !closed_) {
    if (!space_cv_.wait_until(mu_, deadline)) break;
  }
  if (closed_) {
    return refusal(ClientErrc::closed,
                   "the producer was closed while send() waited for buffer memory");
  }
  if (buffer_used_ + reserved > config_.buffer_memory) {
    return refusal(ClientErrc::timed_out, "buffer.memory still full after max.block.ms (" +
                                              std::to_string(config_.max_block.count()) + " ms)");
  }
  return std::nullopt;
}

void Producer::Impl::send(ProducerRecord record, DeliveryFn done) {
  auto refuse = [&done](ClientErrc code, std::string why) {
    if (done) done(Error(make_error_code(code), std::move(why)));
  };
  if (record.topic.empty()) return refuse(ClientErrc::invalid_argument, "a record needs a topic");
  if (record.partition && *record.partition < 0) {
    return refuse(ClientErrc::invalid_argument,
                  "negative partition " + std::to_string(*record.partition));
  }
  const int64_t timestamp = record.timestamp_ms ? *record.timestamp_ms : now_ms();
  const auto size = static_cast<int64_t>(encoded_record_size(record, 0, 0));
  if (size + static_cast<int64_t>(protocol::kRecordBatchHeaderSize) > config_.max_request_size) {
    return refuse(ClientErrc::record_too_large, "record of " + std::to_string(size) +
                                                    " bytes exceeds max.request.size " +
                                                    std::to_string(config_.max_request_size));
  }
  const int64_t reserved = size + kPerRecordOverhead;
  if (reserved > config_.buffer_memory) {
    return refuse(ClientErrc::record_too_large, "record of " + std::to_string(size) +
                                                    " bytes exceeds buffer.memory " +
                                                    std::to_string(config_.buffer_memory));
  }
  bool wake = false;
  std::optional<Error> refused;
  {
    MutexLock lock(mu_);
    refused = wait_for_room_locked(reserved);
    if (!refused) {
      TopicQueues& t = topic_locked(record.topic);
      if (t.partition_count < 0 || !t.pending.empty()) {
        // Metadata not known yet: the sender partitions these once it is.
        wake = t.pending.empty();
        t.pending.push_back({std::move(record), timestamp, std::move(done), reserved,
                             Clock::now() + config_.delivery_timeout});
      } else {
        wake = append_locked(t, record, timestamp, std::move(done), reserved, Clock::time_point{},
                             refused);
      }
    }
    if (!refused) {
      buffer_used_ += reserved;
      outstanding_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (refused) {
    if (done) done(std::move(*refused));
    return;
  }
  if (wake) notify();
}

void Producer::Impl::notify() {
  if (wake_pending_.exchange(true)) return;
  asio::post(runtime_.executor(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->wake_pending_ = false;
      self->wake_->set();
    }
  });
}

void Producer::Impl::records_done(int64_t records, int64_t bytes) {
  {
    MutexLock lock(mu_);
    buffer_used_ -= bytes;
  }
  space_cv_.notify_all();
  if (outstanding_.fetch_sub(records) == records) {
    for (auto& w : flush_waiters_) w->set();
  }
}

void Producer::Impl::finish(const Outcome& o) {
  const int64_t records = o.batch->record_count();
  const int64_t bytes = o.batch->reserved_bytes();
  if (o.batch->done()) return;
  if (o.error) {
    o.batch->fail(*o.error);
  } else {
    o.batch->complete(o.base_offset, o.log_append_time);
  }
  records_done(records, bytes);
}

void Producer::Impl::finish_pending(PendingRecord& p, const Error& error) {
  if (p.on_delivery) p.on_delivery(error);
  p.on_delivery = nullptr;
  records_done(1, p.reserved);
}

// ---------------------------------------------------------------------------------------
// Sender (runtime)

// What one look at the queues found to do; done after mu_ is released (delivery callbacks
// may send again).
struct Producer::Impl::Round {
  Clock::time_point now;
  Clock::time_point next;  // when to look again
  std::vector<Outcome> outcomes;
  std::vector<std::pair<PendingRecord, Error>> failed_pending;
  std::vector<std::string> need_metadata;
};

// The requests one drain pass fills: at most one batch per partition, one request per leader.
struct Producer::Impl::Pass {
  std::map<int32_t, std::vector<BatchPtr>> requests;
  std::map<int32_t, std::size_t> request_bytes;
  bool drained = false;  // some batch went into a request
};

Clock::time_point Producer::Impl::run_once() {
  const auto now = Clock::now();
  Round round{now, now + std::chrono::milliseconds(100)};  // deadlines re-checked this often
  if (stopping_) return round.next;
  const bool urgent = flushing_.load() > 0;
  {
    MutexLock lock(mu_);
    for (auto& entry : topics_) {
      TopicQueues& t = *entry.second;
      auto info = cluster_->cached_topic(t.name);
      adopt_partition_count_locked(t, info.get());
      place_pending_locked(t, info.get(), round);
      request_metadata_if_due_locked(t, info.get(), round);
      expire_batches_locked(t, round);
    }
    if (producer_id_ready()) drain_locked(urgent, round);
  }
  report(round);
  request_producer_id_if_needed();
  return round.next;
}

void Producer::Impl::adopt_partition_count_locked(TopicQueues& t, const TopicMetadata* info) {
  const bool usable = info && info->error_code == 0 && !info->partitions.empty();
  if (usable && static_cast<int32_t>(info->partitions.size()) > t.partition_count) {
    t.partition_count = static_cast<int32_t>(info->partitions.size());
    t.partitions.resize(info->partitions.size());
  }
}

void Producer::Impl::place_pending_locked(TopicQueues& t, const TopicMetadata* info, Round& round) {
  if (t.pending.empty()) return;
  if (t.partition_count > 0) {
    std::vector<PendingRecord> pending;
    pending.swap(t.pending);
    for (auto& p : pending) {
      std::optional<Error> refused;
      append_locked(t, p.record, p.timestamp, std::move(p.on_delivery), p.reserved, round.now,
                    refused);
      if (refused) round.failed_pending.emplace_back(std::move(p), std::move(*refused));
    }
    return;
  }
  // As the Java producer: only an invalid or unauthorised topic fails at once. Any other
  // answer (not created yet, INVALID_REPLICATION_FACTOR from an auto-creation while brokers
  // are still registering, no leader) may change: wait for metadata until the records'
  // delivery timeout, then report the last answer.
  const auto code = info ? static_cast<KafkaErrc>(info->error_code) : KafkaErrc::none;
  if (info && fails_at_once(info->error_code)) {
    Error e = kafka_error(info->error_code, "metadata of topic " + t.name);
    for (auto& p : t.pending) round.failed_pending.emplace_back(std::move(p), e);
    t.pending.clear();
    return;
  }
  auto it = std::partition(t.pending.begin(), t.pending.end(),
                           [&](const PendingRecord& p) { return p.deadline > round.now; });
  if (it != t.pending.end()) {
    std::string why = "no metadata for topic " + t.name + " within delivery.timeout.ms";
    if (code != KafkaErrc::none) {
      why += " (last answer: " + std::string(protocol::kafka_error_name(info->error_code)) + ")";
    }
    for (auto e = it; e != t.pending.end(); ++e) {
      round.failed_pending.emplace_back(std::move(*e),
                                        Error(make_error_code(ClientErrc::timed_out), why));
    }
  }
  t.pending.erase(it, t.pending.end());
}

void Producer::Impl::request_metadata_if_due_locked(TopicQueues& t, const TopicMetadata* info,
                                                    Round& round) {
  if (!t.metadata_requested &&
      (t.partition_count < 0 || !t.pending.empty() || t.metadata_stale ||
       (info && round.now - info->fetched_at > config_.metadata_max_age))) {
    t.metadata_requested = true;
    t.metadata_stale = false;
    round.need_metadata.push_back(t.name);
  }
}

void Producer::Impl::expire_batches_locked(TopicQueues& t, Round& round) {
  for (std::size_t pi = 0; pi < t.partitions.size(); ++pi) {
    PartitionQueue& q = t.partitions[pi];
    for (auto it = q.batches.begin(); it != q.batches.end();) {
      if ((*it)->deadline() > round.now) {
        round.next = std::min(round.next, (*it)->deadline());
        ++it;
        continue;
      }
      if (q.unacked.erase((*it)->id()) > 0 && idempotent_)
        pid_reset_needed_ = true;  // a sequence gap
      round.outcomes.push_back({*it, Error(make_error_code(ClientErrc::timed_out),
                                           "produce to " + t.name + "-" + std::to_string(pi) +
                                               ": not delivered within delivery.timeout.ms")});
      if (!(*it)->closed) t.sticky.reset();
      it = q.batches.erase(it);
    }
  }
}

// Each pass puts at most one batch per partition into at most one request per leader;
// further passes fill further requests while connections have room.
void Producer::Impl::drain_locked(bool urgent, Round& round) {
  for (int pass = 0; pass < std::max(config_.max_in_flight, 1); ++pass) {
    if (!drain_pass_locked(urgent, round)) break;
  }
}

bool Producer::Impl::drain_pass_locked(bool urgent, Round& round) {
  Pass pass;
  for (auto& entry : topics_) {
    TopicQueues& t = *entry.second;
    std::shared_ptr<const TopicMetadata> info;  // read once a partition has a batch to send
    for (std::size_t pi = 0; pi < t.partitions.size(); ++pi) {
      PartitionQueue& q = t.partitions[pi];
      if (!head_ready_locked(q, urgent, round)) continue;
      if (!info) info = cluster_->cached_topic(t.name);
      const int32_t leader = leader_locked(t, pi, info.get(), round);
      if (leader < 0 || !has_room_locked(q, leader, pass)) continue;
      take_head_locked(t, q, leader, pass, round);
    }
  }
  // Each pass's requests leave now (one request per node per pass).
  for (auto& r : pass.requests) {
    if (r.second.empty()) {  // its only batch failed to seal
      --node_in_flight_[r.first];
      --total_in_flight_;
      continue;
    }
    runtime_.spawn(send_request(shared_from_this(), r.first, std::move(r.second)));
  }
  return pass.drained;
}

bool Producer::Impl::head_ready_locked(PartitionQueue& q, bool urgent, Round& round) {
  if (q.batches.empty()) return false;
  if (q.recovering) {
    if (q.in_flight > 0) return false;  // retries go out in order once nothing is in flight
    q.recovering = false;
  }
  const BatchPtr& head = q.batches.front();
  if (head->retry_at > round.now) {
    round.next = std::min(round.next, head->retry_at);
    return false;
  }
  const bool ready = head->closed || q.batches.size() > 1 || urgent ||
                     round.now >= head->created() + config_.linger;
  if (!ready) round.next = std::min(round.next, head->created() + config_.linger);
  return ready;
}

int32_t Producer::Impl::leader_locked(TopicQueues& t, std::size_t pi, const TopicMetadata* info,
                                      Round& round) {
  int32_t leader = -1;
  if (info && pi < info->partitions.size()) leader = info->partitions[pi].leader;
  if (leader < 0 && !t.metadata_requested) {
    t.metadata_requested = true;
    round.need_metadata.push_back(t.name);
  }
  return leader;
}

bool Producer::Impl::has_room_locked(PartitionQueue& q, int32_t leader, Pass& pass) {
  // Idempotence: a partition's batches go to one leader at a time.
  if (q.in_flight > 0 && q.in_flight_node != leader) return false;
  const bool opened = pass.requests.count(leader) != 0;
  if (!opened) return node_in_flight_[leader] < std::max(config_.max_in_flight, 1);
  return pass.request_bytes[leader] + q.batches.front()->size() <=
         static_cast<std::size_t>(config_.max_request_size);
}

void Producer::Impl::take_head_locked(TopicQueues& t, PartitionQueue& q, int32_t leader, Pass& pass,
                                      Round& round) {
  if (pass.requests.count(leader) == 0) {  // a new request for this node
    ++node_in_flight_[leader];
    ++total_in_flight_;
    pass.requests[leader];
    pass.request_bytes[leader] = 0;
  }
  pass.request_bytes[leader] += q.batches.front()->size();
  BatchPtr batch = q.batches.front();
  q.batches.pop_front();
  if (!batch->closed) {
    batch->closed = true;
    if (t.sticky.batch_id == batch->id()) t.sticky.reset();
  }
  if (auto st = batch->seal(compression_, idempotent_ ? producer_id_ : -1,
                            idempotent_ ? producer_epoch_ : -1, next_sequence_locked(q, *batch));
      !st) {
    round.outcomes.push_back({batch, st.error()});
    return;
  }
  ++batch->attempts;
  ++q.in_flight;
  q.in_flight_node = leader;
  q.unacked.insert(batch->id());
  pass.requests[leader].push_back(std::move(batch));
  pass.drained = true;
}

// Sequence numbers: assigned once per producer id, in send order (-1 without idempotence).
int32_t Producer::Impl::next_sequence_locked(PartitionQueue& q, const ProducerBatch& batch) {
  if (!idempotent_) return -1;
  if (batch.sealed() && batch.producer_id() == producer_id_) return batch.base_sequence();
  const int32_t seq = q.next_sequence;
  q.next_sequence = static_cast<int32_t>(
      (static_cast<int64_t>(q.next_sequence) + batch.record_count()) % (int64_t{INT32_MAX} + 1));
  return seq;
}

void Producer::Impl::report(Round& round) {
  for (auto& o : round.outcomes) finish(o);
  for (auto& f : round.failed_pending) finish_pending(f.first, f.second);
  for (auto& name : round.need_metadata)
    runtime_.spawn(fetch_metadata(shared_from_this(), std::move(name)));
}

void Producer::Impl::request_producer_id_if_needed() {
  if (idempotent_ && !pid_requesting_ &&
      (producer_id_ < 0 || (pid_reset_needed_ && total_in_flight_ == 0))) {
    bool any = outstanding_.load() > 0;
    if (any) {
      pid_requesting_ = true;
      runtime_.spawn(init_producer_id(shared_from_this()));
    }
  }
}

awaitable<void> Producer::Impl::sender_loop(std::shared_ptr<Impl> self) {
  Live live(self.get());
  while (!self->stopping_) {
    auto next = self->run_once();
    (void)co_await self->wake_->wait_until(next);
    self->wake_->reset();
  }
}

awaitable<void> Producer::Impl::send_request(std::shared_ptr<Impl> self, int32_t node,
                                             std::vector<BatchPtr> batches) {
  Live live(self.get());
  std::vector<Outcome> outcomes;
  auto done_in_flight = [&]() {
    --self->node_in_flight_[node];
    --self->total_in_flight_;
  };
  auto conn = co_await self->cluster_->broker(node);
  if (!conn) {
    done_in_flight();
    for (auto& b : batches) self->handle_failure(b, node, conn.error(), outcomes);
    for (auto& o : outcomes) self->finish(o);
    self->wake_->set();
    co_return;
  }
  auto version = (*conn)->pick_version(protocol::kProduceApi, 3, protocol::kProduceApi.max_version);
  if (!version) {
    done_in_flight();
    Error e = version.error();
    for (auto& b : batches) self->handle_failure(b, node, e, outcomes);
    for (auto& o : outcomes) self->finish(o);
    self->wake_->set();
    co_return;
  }
  protocol::ProduceRequest request;
  request.acks = static_cast<int16_t>(self->config_.acks);
  request.timeout_ms = static_cast<int32_t>(self->config_.request_timeout.count());
  {
    std::map<std::string, std::size_t> topic_index;
    for (auto& b : batches) {
      auto it = topic_index.find(b->topic());
      if (it == topic_index.end()) {
        it = topic_index.emplace(b->topic(), request.topic_data.size()).first;
        request.topic_data.emplace_back();
        request.topic_data.back().name = b->topic();
      }
      protocol::ProducePartitionData pd;
      pd.index = b->partition();
      // The batch is spliced into the request, not copied into its body: the connection
      // writes it from the batch's own buffer (kept alive by the region's keepalive).
      protocol::FileRegion region;
      region.length = static_cast<int64_t>(b->wire().size());
      region.keepalive = b;
      pd.records = protocol::Records::file(std::move(region));
      request.topic_data[it->second].partition_data.push_back(std::move(pd));
    }
  }
  // The batches' bytes in encoding order (topic by topic, as the request lists them).
  std::vector<std::span<const uint8_t>> spliced;
  spliced.reserve(batches.size());
  std::size_t names = 0;
  for (const auto& td : request.topic_data) {
    names += td.name.size() + 16 * (td.partition_data.size() + 1);
    for (const auto& pd : td.partition_data) {
      spliced.push_back(
          static_cast<const ProducerBatch*>(pd.records.region().keepalive.get())->wire());
    }
  }
  protocol::ByteWriter body(64 + names);
  protocol::encode(request, body, *version);
  const bool expect_response = request.acks != 0;
  auto raw =
      co_await (*conn)->send_spliced(static_cast<int16_t>(protocol::ApiKey::produce), *version,
                                     std::move(body), std::move(spliced), expect_response);
  done_in_flight();
  if (!raw) {
    Error e = raw.error();
    for (auto& b : batches) self->handle_failure(b, node, e, outcomes);
  } else if (!expect_response) {
    for (auto& b : batches) self->handle_result(b, node, 0, {}, -1, -1, outcomes);
  } else {
    protocol::ProduceResponse response;
    protocol::ByteReader reader(raw->frame->bytes().subspan(raw->body_offset));
    if (auto st = protocol::decode(response, reader, *version); !st) {
      Error e(
          make_error_code(ClientErrc::protocol_error),
          "Produce response from broker " + std::to_string(node) + ": " + st.error().to_string());
      for (auto& b : batches) self->handle_failure(b, node, e, outcomes);
    } else {
      for (auto& b : batches) {
        const protocol::ProducePartitionResponse* found = nullptr;
        for (const auto& tr : response.responses) {
          if (tr.name != b->topic()) continue;
          for (const auto& pr : tr.partition_responses) {
            if (pr.index == b->partition()) found = &pr;
          }
        }
        if (found == nullptr) {
          self->handle_failure(
              b, node,
              Error(make_error_code(ClientErrc::protocol_error),
                    "Produce response from broker " + std::to_string(node) + " lacks " +
                        b->topic() + "-" + std::to_string(b->partition())),
              outcomes);
        } else {
          self->handle_result(b, node, found->error_code, found->error_message.value_or(""),
                              found->base_offset, found->log_append_time_ms, outcomes);
        }
      }
    }
  }
  for (auto& o : outcomes) self->finish(o);
  self->wake_->set();
}

void Producer::Impl::handle_result(const BatchPtr& batch, int32_t node, int16_t code,
                                   const std::string& message, int64_t base_offset,
                                   int64_t log_append_time, std::vector<Outcome>& out) {
  const auto kerr = static_cast<KafkaErrc>(code);
  if (code == 0 || kerr == KafkaErrc::duplicate_sequence_number) {
    // DUPLICATE_SEQUENCE_NUMBER: an earlier attempt was written (Kafka's clients count it
    // as delivered; Sluice answers such a retry with success and the original offsets).
    MutexLock lock(mu_);
    if (auto* q = queue_locked(batch->topic(), batch->partition())) {
      --q->in_flight;
      q->unacked.erase(batch->id());
    }
    out.push_back(
        {batch, std::nullopt, kerr == KafkaErrc::none ? base_offset : -1, log_append_time});
    return;
  }
  std::string context = "produce to " + batch->topic() + "-" + std::to_string(batch->partition()) +
                        " on broker " + std::to_string(node);
  if (!message.empty()) context += ": " + message;
  handle_failure(batch, node, kafka_error(code, context), out);
}

void Producer::Impl::handle_failure(const BatchPtr& batch, int32_t node, const Error& error,
                                    std::vector<Outcome>& out) {
  (void)node;
  const int16_t code = kafka_code(error);
  const auto kerr = static_cast<KafkaErrc>(code);
  const auto now = Clock::now();
  const bool stale = code == 0 || invalidates_metadata(code);  // connection failures too
  if (stale) cluster_->invalidate(batch->topic());
  MutexLock lock(mu_);
  if (stale) {
    auto t = topics_.find(batch->topic());
    if (t != topics_.end()) t->second->metadata_stale = true;
  }
  PartitionQueue* q = queue_locked(batch->topic(), batch->partition());
  if (q != nullptr) --q->in_flight;
  bool retriable = client::is_retriable(error);
  if (idempotent_ &&
      (kerr == KafkaErrc::out_of_order_sequence_number || kerr == KafkaErrc::unknown_producer_id)) {
    // If an earlier batch of this partition is still unacknowledged, this one was refused
    // because of that gap: resend it after the earlier one. If it is the earliest, the
    // broker lost this producer's state: continue under a new producer id.
    retriable = true;
    if (q != nullptr && !q->unacked.empty() && *q->unacked.begin() == batch->id())
      pid_reset_needed_ = true;
  }
  Error final_error = error;
  if (kerr == KafkaErrc::invalid_producer_epoch || kerr == KafkaErrc::producer_fenced) {
    retriable = false;
    final_error = Error(make_error_code(ClientErrc::fenced), error.to_string());
  }
  if (stopping_) {
    retriable = false;
    final_error =
        Error(make_error_code(ClientErrc::closed), "the producer closed: " + error.to_string());
  }
  if (retriable && q != nullptr && now < batch->deadline() && batch->attempts <= config_.retries) {
    batch->retry_at = now + config_.retry_backoff;
    requeue_locked(*q, batch);
    SLUICE_LOG(debug) << "producer: retrying " << batch->record_count() << " records of "
                      << batch->topic() << "-" << batch->partition() << " (attempt "
                      << batch->attempts << "): " << error.to_string();
    return;
  }
  if (q != nullptr && q->unacked.erase(batch->id()) > 0 && idempotent_) pid_reset_needed_ = true;
  out.push_back({batch, final_error});
}

awaitable<void> Producer::Impl::fetch_metadata(std::shared_ptr<Impl> self, std::string topic) {
  Live live(self.get());
  auto r = co_await self->cluster_->topic(topic, true);
  bool ok = r && (*r)->error_code == 0 && !(*r)->partitions.empty();
  if (ok) {
    for (const auto& p : (*r)->partitions) {
      if (p.leader < 0) ok = false;
    }
  }
  if (!ok && !self->stopping_) {
    // Unknown yet (being created), or a partition without a leader (an election): ask
    // again after retry.backoff.ms.
    if (!r) SLUICE_LOG(debug) << "producer: metadata of " << topic << ": " << r.error().to_string();
    co_await sleep_for(self->config_.retry_backoff);
    self->cluster_->invalidate(topic);
  }
  {
    MutexLock lock(self->mu_);
    auto it = self->topics_.find(topic);
    if (it != self->topics_.end()) it->second->metadata_requested = false;
  }
  self->wake_->set();
}

awaitable<void> Producer::Impl::init_producer_id(std::shared_ptr<Impl> self) {
  Live live(self.get());
  while (!self->stopping_) {
    auto conn = co_await self->cluster_->any_broker();
    if (conn) {
      protocol::InitProducerIdRequest req;
      req.transaction_timeout_ms = -1;
      auto r = co_await self->cluster_->call<protocol::InitProducerIdResponse>(
          *conn, protocol::kInitProducerIdApi, req, 0, 4);
      if (r && r->body.error_code == 0) {
        MutexLock lock(self->mu_);
        self->producer_id_ = r->body.producer_id;
        self->producer_epoch_ = r->body.producer_epoch;
        self->pid_reset_needed_ = false;
        for (auto& entry : self->topics_) {
          for (auto& q : entry.second->partitions) q.next_sequence = 0;
        }
        break;
      }
      if (!r && r.error() == ClientErrc::unsupported_version) {
        // A broker without InitProducerId: produce without idempotence, as librdkafka does
        // for brokers before 0.11.
        SLUICE_LOG(warning) << "producer: broker has no InitProducerId; idempotence disabled";
        MutexLock lock(self->mu_);
        self->idempotent_ = false;
        self->pid_reset_needed_ = false;
        break;
      }
      if (r) {
        SLUICE_LOG(debug) << "producer: InitProducerId: "
                          << kafka_error(r->body.error_code, "").to_string();
      } else {
        SLUICE_LOG(debug) << "producer: InitProducerId: " << r.error().to_string();
      }
    }
    if (self->stopping_) break;
    co_await sleep_for(self->config_.retry_backoff);
  }
  self->pid_requesting_ = false;
  self->wake_->set();
}

// ---------------------------------------------------------------------------------------
// flush, close, partition_count

void Producer::Impl::flush(Millis timeout, std::function<void(Status)> done) {
  runtime_.spawn(flush_co(shared_from_this(), timeout, std::move(done)));
}

awaitable<void> Producer::Impl::flush_co(std::shared_ptr<Impl> self, Millis timeout,
                                         std::function<void(Status)> done) {
  Live live(self.get());
  if (self->outstanding_.load() == 0) {
    done(Status());
    co_return;
  }
  ++self->flushing_;
  auto waiter = std::make_shared<Event>(self->runtime_.executor());
  self->flush_waiters_.push_back(waiter);
  self->wake_->set();
  const auto deadline = Clock::now() + timeout;
  while (self->outstanding_.load() > 0 && Clock::now() < deadline) {
    waiter->reset();
    (void)co_await waiter->wait_until(deadline);
  }
  std::erase(self->flush_waiters_, waiter);
  --self->flushing_;
  if (self->outstanding_.load() == 0) {
    done(Status());
  } else {
    done(Error(make_error_code(ClientErrc::timed_out),
               std::to_string(self->outstanding_.load()) +
                   " records still without a delivery report after flush(" +
                   std::to_string(timeout.count()) + " ms)"));
  }
}

awaitable<Result<bool>> Producer::Impl::close_co(std::shared_ptr<Impl> self) {
  self->stopping_ = true;
  std::vector<BatchPtr> batches;
  std::vector<PendingRecord> pending;
  {
    MutexLock lock(self->mu_);
    for (auto& entry : self->topics_) {
      for (auto& p : entry.second->pending) pending.push_back(std::move(p));
      entry.second->pending.clear();
      for (auto& q : entry.second->partitions) {
        for (auto& b : q.batches) batches.push_back(b);
        q.batches.clear();
      }
    }
  }
  Error closed(make_error_code(ClientErrc::closed),
               "the producer was closed before the record was delivered");
  for (auto& b : batches) self->finish({b, closed});
  for (auto& p : pending) self->finish_pending(p, closed);
  // Requests in flight fail with the connections; their batches report `closed`.
  self->cluster_->close();
  self->wake_->set();
  if (self->live_ > 0) {
    self->idle_->reset();
    (void)co_await self->idle_->wait_until(Clock::now() + std::chrono::seconds(30));
  }
  co_return true;
}

Status Producer::Impl::close(Millis timeout) {
  if (close_started_.exchange(true)) return {};
  if (on_runtime_thread()) {
    return Error(make_error_code(ClientErrc::invalid_argument),
                 "close() from the producer's own thread");
  }
  std::promise<Status> flushed;
  auto f = flushed.get_future();
  flush(timeout, [&flushed](Status st) { flushed.set_value(std::move(st)); });
  Status st = f.get();
  {
    MutexLock lock(mu_);
    closed_ = true;
  }
  space_cv_.notify_all();
  auto self = shared_from_this();
  (void)runtime_.block_on<bool>([self]() { return close_co(self); });
  return st;
}

awaitable<Result<int32_t>> Producer::Impl::partition_count_co(std::shared_ptr<Impl> self,
                                                              std::string topic) {
  const auto deadline = Clock::now() + std::max(self->config_.max_block, Millis(1));
  while (true) {
    auto r = co_await self->cluster_->topic(topic, true);
    if (!r) {
      if (!is_retriable(r.error()) || Clock::now() >= deadline) co_return std::move(r).error();
    } else if ((*r)->error_code == 0 && !(*r)->partitions.empty()) {
      co_return static_cast<int32_t>((*r)->partitions.size());
    } else if ((*r)->error_code != 0 &&
               (fails_at_once((*r)->error_code) || Clock::now() >= deadline)) {
      co_return kafka_error((*r)->error_code, "metadata of topic " + topic);
    }
    if (Clock::now() >= deadline) {
      co_return Error(make_error_code(ClientErrc::timed_out),
                      "no partitions for topic " + topic + " within max.block.ms");
    }
    self->cluster_->invalidate(topic);
    co_await sleep_for(self->config_.retry_backoff);
  }
}

Result<int32_t> Producer::Impl::partition_count(const std::string& topic) {
  if (topic.empty())
    return Error(make_error_code(ClientErrc::invalid_argument), "empty topic name");
  if (close_started_.load())
    return Error(make_error_code(ClientErrc::closed), "the producer is closed");
  auto self = shared_from_this();
  return runtime_.block_on<int32_t>([self, topic]() { return partition_count_co(self, topic); });
}

// ---------------------------------------------------------------------------------------
// Producer

Result<std::unique_ptr<Producer>> Producer::create(ProducerConfig config,
                                                   std::optional<asio::any_io_executor> executor) {
  if (auto st = config.validate(); !st) return std::move(st).error();
  if (config.security.protocol != SecurityConfig::Protocol::plaintext) {
    return Error(make_error_code(ClientErrc::invalid_config),
                 "security.protocol: only PLAINTEXT is supported");
  }
  auto kind = parse_partitioner(config.partitioner);
  if (!kind) return std::move(kind).error();
  auto impl = std::make_shared<Impl>(std::move(config), *kind, std::move(executor));
  impl->start();
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() {
  if (!impl_) return;
  (void)impl_->close(impl_->delivery_timeout());
  // Handlers posted to the runtime hold the state for a moment; let them finish so the
  // last reference (which stops the runtime's thread) is dropped here, not on that thread.
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (impl_.use_count() > 1 && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_.reset();
}

asio::any_io_executor Producer::executor() const { return impl_->executor(); }

void Producer::send_impl(ProducerRecord record, std::function<void(Result<RecordMetadata>)> done) {
  impl_->send(std::move(record), DeliveryFn(std::move(done)));
}

Result<RecordMetadata> Producer::send(ProducerRecord record) {
  if (impl_->on_runtime_thread()) {
    return Error(make_error_code(ClientErrc::invalid_argument),
                 "a blocking send() on the producer's own thread would deadlock; use async_send");
  }
  auto promise = std::make_shared<std::promise<Result<RecordMetadata>>>();
  auto future = promise->get_future();
  impl_->send(std::move(record),
              [promise](const Result<RecordMetadata>& r) { promise->set_value(r); });
  return future.get();
}

void Producer::send(ProducerRecord record, DeliveryCallback on_delivery) {
  // DeliveryCallback is the accumulator's DeliveryFn: stored as is (an empty one is skipped).
  static_assert(std::is_same_v<DeliveryCallback, DeliveryFn>);
  impl_->send(std::move(record), std::move(on_delivery));
}

void Producer::flush_impl(Millis timeout, std::function<void(Status)> done) {
  impl_->flush(timeout, std::move(done));
}

Status Producer::flush(Millis timeout) {
  if (impl_->on_runtime_thread()) {
    return Error(make_error_code(ClientErrc::invalid_argument),
                 "a blocking flush() on the producer's own thread would deadlock; use async_flush");
  }
  std::promise<Status> promise;
  auto future = promise.get_future();
  impl_->flush(timeout, [&promise](Status st) { promise.set_value(std::move(st)); });
  return future.get();
}

Status Producer::close(Millis timeout) { return impl_->close(timeout); }

Result<int32_t> Producer::partition_count(const std::string& topic) {
  return impl_->partition_count(topic);
}

}  // namespace sluice::client
