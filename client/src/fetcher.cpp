// The consumer's fetcher: position lookups and pipelined Fetch requests. See fetcher.h.
#include "client/src/fetcher.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "protocol/messages/fetch.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/record_batch.h"
#include "protocol/record_view.h"
#include "protocol/wire.h"

namespace sluice::client::detail {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using protocol::KafkaErrc;

namespace {

// Errors after which the partition's leader is probably elsewhere: refresh and retry.
bool is_leader_error(int16_t code) {
  switch (static_cast<KafkaErrc>(code)) {
    case KafkaErrc::not_leader_or_follower:
    case KafkaErrc::fenced_leader_epoch:
    case KafkaErrc::unknown_leader_epoch:
    case KafkaErrc::unknown_topic_or_partition:
    case KafkaErrc::leader_not_available:
    case KafkaErrc::replica_not_available:
    case KafkaErrc::kafka_storage_error:
    case KafkaErrc::offset_not_available:
    case KafkaErrc::request_timed_out:
    case KafkaErrc::broker_not_available:
      return true;
    default:
      return false;
  }
}

// A control record's key: version int16, type int16 (0 abort, 1 commit).
std::optional<int16_t> control_type(const protocol::Record& r) {
  if (!r.key || r.key->size() < 4) return std::nullopt;
  const auto& k = *r.key;
  return static_cast<int16_t>((k[2] << 8) | k[3]);
}

}  // namespace

Fetcher::Fetcher(std::shared_ptr<Cluster> cluster, std::shared_ptr<SubscriptionState> state,
                 ConsumerConfig config, CommittedLookup committed)
    : cluster_(std::move(cluster)),
      state_(std::move(state)),
      config_(std::move(config)),
      committed_(std::move(committed)) {}

void Fetcher::start() {
  if (running_) return;
  running_ = true;
  asio::co_spawn(cluster_->executor(), run(shared_from_this()), asio::detached);
}

void Fetcher::stop() {
  running_ = false;
  state_->fetch_wake.set();
}

std::size_t Fetcher::buffer_limit() const {
  return static_cast<std::size_t>(std::max(config_.max_partition_fetch_bytes, 1));
}

awaitable<void> Fetcher::run(std::shared_ptr<Fetcher> self) {
  while (self->running_) {
    self->state_->fetch_wake.reset();
    auto next = co_await self->step(self);
    if (!self->running_) break;
    (void)co_await self->state_->fetch_wake.wait_until(next);
  }
}

void Fetcher::backoff(AssignedPartition& ps, const std::string& topic) {
  ps.retry_at = Clock::now() + config_.retry_backoff;
  cluster_->invalidate(topic);
}

awaitable<Clock::time_point> Fetcher::step(std::shared_ptr<Fetcher> self) {
  const auto now = Clock::now();
  auto next = now + std::chrono::seconds(1);

  // 1. Positions of partitions that have none.
  std::vector<TopicPartition> lookups;
  std::vector<TopicPartition> candidates;
  for (auto& entry : state_->assigned) {
    auto& ps = entry.second;
    if (ps.revoking || ps.awaiting_seek || ps.error) continue;
    if (ps.retry_at > now) {
      next = std::min(next, ps.retry_at);
      continue;
    }
    if (!ps.position) {
      if (!ps.lookup_in_flight) {
        ps.lookup_in_flight = true;
        lookups.push_back(entry.first);
      }
      continue;
    }
    if (ps.paused || ps.fetch_in_flight || ps.buffered_bytes >= buffer_limit()) continue;
    candidates.push_back(entry.first);
  }
  if (!lookups.empty())
    asio::co_spawn(cluster_->executor(), lookup_positions(self, std::move(lookups)),
                   asio::detached);
  if (candidates.empty()) co_return next;

  // 2. Leaders of the fetchable partitions (metadata may need a round trip: re-check each
  //    partition's state afterwards, it may have changed meanwhile).
  std::map<std::string, std::shared_ptr<const TopicMetadata>> topics;
  for (const auto& tp : candidates) {
    if (topics.contains(tp.topic)) continue;
    auto info = co_await cluster_->topic(tp.topic);
    topics[tp.topic] = info ? *info : nullptr;
  }
  std::map<int32_t, std::vector<InFlight>> by_node;
  std::map<int32_t, std::vector<int32_t>> epochs_by_node;
  for (const auto& tp : candidates) {
    auto it = state_->assigned.find(tp);
    if (it == state_->assigned.end()) continue;
    auto& ps = it->second;
    if (!ps.position || ps.paused || ps.fetch_in_flight || ps.revoking || ps.awaiting_seek ||
        ps.error || ps.buffered_bytes >= buffer_limit()) {
      continue;
    }
    const auto& info = topics[tp.topic];
    if (!info || info->error_code != 0 ||
        tp.partition >= static_cast<int32_t>(info->partitions.size()) ||
        info->partitions[static_cast<std::size_t>(tp.partition)].leader < 0) {
      backoff(ps, tp.topic);
      next = std::min(next, ps.retry_at);
      continue;
    }
    const auto& pinfo = info->partitions[static_cast<std::size_t>(tp.partition)];
    if (nodes_in_flight_.contains(pinfo.leader)) continue;
    by_node[pinfo.leader].push_back(InFlight{tp, ps.seq, ps.fetch_offset});
    epochs_by_node[pinfo.leader].push_back(pinfo.leader_epoch);
  }

  // 3. One Fetch per leader. The partition order rotates so a partition whose first batch
  //    exceeds what is left of the response is first in some later request (KIP-74).
  static thread_local std::size_t rotation = 0;
  ++rotation;
  for (auto& node_entry : by_node) {
    const int32_t node = node_entry.first;
    auto parts = std::move(node_entry.second);
    const auto& epochs = epochs_by_node[node];
    auto request = std::make_shared<protocol::FetchRequest>();
    request->replica_id = -1;
    request->max_wait_ms = static_cast<int32_t>(config_.fetch_max_wait.count());
    request->min_bytes = config_.fetch_min_bytes;
    request->max_bytes = config_.fetch_max_bytes;
    request->isolation_level = static_cast<int8_t>(config_.isolation_level);
    request->session_id = 0;
    request->session_epoch = -1;  // full fetches, no fetch session
    const std::size_t n = parts.size();
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (k + rotation) % n;
      const auto& part = parts[i];
      if (request->topics.empty() || request->topics.back().topic != part.tp.topic) {
        protocol::FetchTopic t;
        t.topic = part.tp.topic;
        request->topics.push_back(std::move(t));
      }
      protocol::FetchPartition p;
      p.partition = part.tp.partition;
      p.current_leader_epoch = epochs[i];
      p.fetch_offset = part.fetch_offset;
      p.log_start_offset = -1;
      p.partition_max_bytes = config_.max_partition_fetch_bytes;
      request->topics.back().partitions.push_back(p);
      state_->assigned[part.tp].fetch_in_flight = true;
    }
    nodes_in_flight_.insert(node);
    asio::co_spawn(cluster_->executor(),
                   fetch_from(self, node, std::move(request), std::move(parts)), asio::detached);
  }
  co_return next;
}

awaitable<void> Fetcher::fetch_from(std::shared_ptr<Fetcher> self, int32_t node,
                                    std::shared_ptr<protocol::FetchRequest> request,
                                    std::vector<InFlight> parts) {
  auto finish = [&self, &parts, node](bool failed) {
    self->nodes_in_flight_.erase(node);
    for (const auto& part : parts) {
      auto it = self->state_->assigned.find(part.tp);
      if (it == self->state_->assigned.end() || it->second.seq != part.seq) continue;
      it->second.fetch_in_flight = false;
      if (failed) self->backoff(it->second, part.tp.topic);
    }
    self->state_->fetch_wake.set();
  };

  auto conn = co_await self->cluster_->broker(node);
  if (!conn) {
    finish(true);
    co_return;
  }
  auto resp = co_await self->cluster_->call<protocol::FetchResponse>(*conn, protocol::kFetchApi,
                                                                     *request, 4, 12);
  if (!resp || !self->running_) {
    finish(!resp);
    co_return;
  }
  if (resp->body.error_code != 0) {
    finish(true);
    co_return;
  }
  finish(false);
  for (const auto& topic : resp->body.responses) {
    for (const auto& data : topic.partitions) {
      TopicPartition tp{topic.topic, data.partition_index};
      auto it =
          std::find_if(parts.begin(), parts.end(), [&tp](const InFlight& p) { return p.tp == tp; });
      if (it == parts.end()) continue;
      self->handle_partition(*it, data, -1);
    }
  }
  // `resp` (and the frame the records view) lives until here.
}

void Fetcher::handle_partition(const InFlight& req, const protocol::FetchPartitionData& data,
                               int32_t) {
  auto it = state_->assigned.find(req.tp);
  if (it == state_->assigned.end()) return;
  auto& ps = it->second;
  if (ps.seq != req.seq || ps.fetch_offset != req.fetch_offset)
    return;  // sought or reset meanwhile

  if (data.current_leader && data.current_leader->leader_epoch >= 0) {
    cluster_->note_leader_epoch(req.tp.topic, req.tp.partition, data.current_leader->leader_epoch);
  }
  const auto code = data.error_code;
  if (code == static_cast<int16_t>(KafkaErrc::offset_out_of_range)) {
    if (config_.auto_offset_reset == OffsetReset::none) {
      ps.error =
          Error(make_error_code(KafkaErrc::offset_out_of_range),
                "fetch " + req.tp.to_string() + " at offset " + std::to_string(req.fetch_offset) +
                    " (auto.offset.reset is none: seek to a valid offset)");
      ps.awaiting_seek = true;
      state_->data_ready.set();
    } else {
      ps.reset = config_.auto_offset_reset;
      ps.position.reset();
      ps.clear_buffer();
    }
    return;
  }
  if (is_leader_error(code)) {
    backoff(ps, req.tp.topic);
    return;
  }
  if (code != 0) {
    ps.error = Error(make_error_code(static_cast<KafkaErrc>(code)), "fetch " + req.tp.to_string());
    state_->data_ready.set();
    return;
  }
  ps.high_watermark = data.high_watermark;
  if (data.records.is_null() || data.records.is_file()) return;

  // Aborted transactions (read_committed): producers whose batches from first_offset on are
  // skipped until their abort marker.
  std::vector<protocol::FetchAbortedTransaction> aborted;
  if (config_.isolation_level == IsolationLevel::read_committed && data.aborted_transactions) {
    aborted = *data.aborted_transactions;
    std::sort(aborted.begin(), aborted.end(),
              [](const auto& a, const auto& b) { return a.first_offset < b.first_offset; });
  }
  std::size_t next_aborted = 0;
  std::set<int64_t> aborting;

  int64_t next = ps.fetch_offset;
  bool added = false;
  protocol::BatchIterator batches(data.records.bytes());
  while (auto batch = batches.next()) {
    auto header = protocol::parse_batch_header(*batch);
    if (!header) {
      ps.error = Error(header.error().code(),
                       "fetch " + req.tp.to_string() + ": " + header.error().to_string());
      break;
    }
    const auto& h = *header;
    if (h.last_offset() < next) continue;  // wholly before the fetch offset
    if (config_.check_crcs) {
      protocol::ValidateOptions options;
      options.check_records = false;
      options.require_sequential_offsets = false;
      if (auto st = protocol::validate_batch(*batch, options); !st) {
        ps.error = Error(st.error().code(), "fetch " + req.tp.to_string() + " at offset " +
                                                std::to_string(h.base_offset) + ": " +
                                                st.error().to_string());
        break;
      }
    }
    if (!aborted.empty()) {
      while (next_aborted < aborted.size() &&
             aborted[next_aborted].first_offset <= h.last_offset()) {
        aborting.insert(aborted[next_aborted].producer_id);
        ++next_aborted;
      }
    }
    if (h.is_control()) {
      if (h.is_transactional() && aborting.contains(h.producer_id)) {
        auto controls = protocol::decode_records(*batch);
        if (controls && !controls->empty() && control_type(controls->front()) == 0)
          aborting.erase(h.producer_id);
      }
      next = h.last_offset() + 1;
      continue;
    }
    if (h.is_transactional() && aborting.contains(h.producer_id)) {
      next = h.last_offset() + 1;
      continue;
    }
    // Records are built straight from the batch bytes (no intermediate protocol::Record).
    // A batch that fails to decode contributes nothing: what it added is taken back.
    const std::size_t buffered_before = ps.buffer.size();
    const std::size_t bytes_before = ps.buffered_bytes;
    bool added_here = false;
    const auto timestamp_type = h.timestamp_type() == protocol::TimestampType::log_append_time
                                    ? TimestampType::log_append_time
                                    : TimestampType::create_time;
    const protocol::RecordVisitor visit = [&](const protocol::RecordView& r) {
      if (r.offset < next) return;
      ConsumerRecord& out = ps.buffer.emplace_back();
      out.topic = req.tp.topic;
      out.partition = req.tp.partition;
      out.offset = r.offset;
      out.timestamp_ms = r.timestamp;
      out.timestamp_type = timestamp_type;
      out.leader_epoch = h.partition_leader_epoch;
      std::size_t bytes = 64;
      if (r.key) {
        out.key.emplace(reinterpret_cast<const char*>(r.key->data()), r.key->size());
        bytes += r.key->size();
      }
      if (r.value) {
        out.value.emplace(reinterpret_cast<const char*>(r.value->data()), r.value->size());
        bytes += r.value->size();
      }
      if (!r.headers.empty()) {
        out.headers.reserve(r.headers.size());
        for (const auto& hdr : r.headers) {
          Header& header_out = out.headers.emplace_back();
          header_out.key.assign(reinterpret_cast<const char*>(hdr.key.data()), hdr.key.size());
          if (hdr.value)
            header_out.value.emplace(reinterpret_cast<const char*>(hdr.value->data()),
                                     hdr.value->size());
          bytes += hdr.key.size() + (hdr.value ? hdr.value->size() : 0);
        }
      }
      ps.buffered_bytes += bytes;
      added_here = true;
    };
    if (auto st = protocol::for_each_record(*batch, visit); !st) {
      ps.buffer.resize(buffered_before);
      ps.buffered_bytes = bytes_before;
      ps.error = Error(st.error().code(), "fetch " + req.tp.to_string() + " at offset " +
                                              std::to_string(h.base_offset) + ": " +
                                              st.error().to_string());
      break;
    }
    if (added_here) added = true;
    next = h.last_offset() + 1;
  }
  if (!ps.error && batches.error()) {
    ps.error = Error(batches.error()->code(),
                     "fetch " + req.tp.to_string() + ": " + batches.error()->to_string());
  }
  ps.fetch_offset = next;
  if (added || ps.error) state_->data_ready.set();
}

awaitable<Result<OffsetMap>> Fetcher::list_offsets(std::vector<TopicPartition> partitions,
                                                   int64_t timestamp) {
  OffsetMap out;
  std::optional<Error> first_error;
  std::map<int32_t, std::vector<std::pair<TopicPartition, int32_t>>> by_node;
  for (const auto& tp : partitions) {
    auto info = co_await cluster_->topic(tp.topic);
    if (!info) {
      if (!first_error) first_error = std::move(info).error();
      continue;
    }
    const auto& ti = **info;
    if (ti.error_code != 0 || tp.partition < 0 ||
        tp.partition >= static_cast<int32_t>(ti.partitions.size())) {
      const int16_t code = ti.error_code != 0
                               ? ti.error_code
                               : static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition);
      if (!first_error)
        first_error =
            Error(make_error_code(static_cast<KafkaErrc>(code)), "list offsets " + tp.to_string());
      cluster_->invalidate(tp.topic);
      continue;
    }
    const auto& pi = ti.partitions[static_cast<std::size_t>(tp.partition)];
    if (pi.leader < 0) {
      if (!first_error)
        first_error = Error(make_error_code(KafkaErrc::leader_not_available),
                            "list offsets " + tp.to_string());
      cluster_->invalidate(tp.topic);
      continue;
    }
    by_node[pi.leader].push_back({tp, pi.leader_epoch});
  }
  for (auto& node_entry : by_node) {
    protocol::ListOffsetsRequest req;
    req.replica_id = -1;
    req.isolation_level = static_cast<int8_t>(config_.isolation_level);
    for (const auto& item : node_entry.second) {
      if (req.topics.empty() || req.topics.back().name != item.first.topic) {
        protocol::ListOffsetsTopic t;
        t.name = item.first.topic;
        req.topics.push_back(std::move(t));
      }
      protocol::ListOffsetsPartition p;
      p.partition_index = item.first.partition;
      p.current_leader_epoch = item.second;
      p.timestamp = timestamp;
      req.topics.back().partitions.push_back(p);
    }
    auto conn = co_await cluster_->broker(node_entry.first);
    if (!conn) {
      if (!first_error) first_error = std::move(conn).error();
      for (const auto& item : node_entry.second) cluster_->invalidate(item.first.topic);
      continue;
    }
    auto resp = co_await cluster_->call<protocol::ListOffsetsResponse>(
        *conn, protocol::kListOffsetsApi, req, 1, 7);
    if (!resp) {
      if (!first_error) first_error = std::move(resp).error();
      for (const auto& item : node_entry.second) cluster_->invalidate(item.first.topic);
      continue;
    }
    for (const auto& t : resp->body.topics) {
      for (const auto& p : t.partitions) {
        TopicPartition tp{t.name, p.partition_index};
        if (p.error_code != 0) {
          if (!first_error) {
            first_error = Error(make_error_code(static_cast<KafkaErrc>(p.error_code)),
                                "list offsets " + tp.to_string());
          }
          if (is_leader_error(p.error_code)) cluster_->invalidate(t.name);
          continue;
        }
        out[tp] = p.offset;
      }
    }
  }
  if (out.empty() && first_error && !partitions.empty()) co_return std::move(*first_error);
  co_return out;
}

awaitable<void> Fetcher::lookup_positions(std::shared_ptr<Fetcher> self,
                                          std::vector<TopicPartition> partitions) {
  auto& assigned = self->state_->assigned;
  std::map<TopicPartition, uint64_t> seqs;
  std::vector<TopicPartition> from_committed;
  std::vector<TopicPartition> earliest;
  std::vector<TopicPartition> latest;
  auto by_strategy = [&](const TopicPartition& tp, OffsetReset strategy) {
    auto it = assigned.find(tp);
    if (it == assigned.end()) return;
    if (strategy == OffsetReset::earliest) {
      earliest.push_back(tp);
    } else if (strategy == OffsetReset::latest) {
      latest.push_back(tp);
    } else {
      it->second.error =
          Error(make_error_code(KafkaErrc::offset_out_of_range),
                "no committed offset for " + tp.to_string() + " and auto.offset.reset is none");
      it->second.awaiting_seek = true;
      self->state_->data_ready.set();
    }
  };
  auto current = [&](const TopicPartition& tp) -> AssignedPartition* {
    auto it = assigned.find(tp);
    if (it == assigned.end() || it->second.seq != seqs[tp] || it->second.position) return nullptr;
    return &it->second;
  };
  for (const auto& tp : partitions) {
    auto it = assigned.find(tp);
    if (it == assigned.end()) continue;
    seqs[tp] = it->second.seq;
    if (it->second.reset) {
      by_strategy(tp, *it->second.reset);
    } else if (self->committed_) {
      from_committed.push_back(tp);
    } else {
      by_strategy(tp, self->config_.auto_offset_reset);
    }
  }

  if (!from_committed.empty()) {
    auto committed = co_await self->committed_(from_committed);
    for (const auto& tp : from_committed) {
      auto* ps = current(tp);
      if (ps == nullptr) continue;
      if (!committed) {
        ps->retry_at = Clock::now() + self->config_.retry_backoff;
        if (!is_retriable(committed.error())) ps->error = committed.error();
        continue;
      }
      auto found = committed->find(tp);
      if (found != committed->end() && found->second >= 0) {
        ps->seek(found->second);
        ps->lookup_in_flight = true;  // cleared below with the others
        seqs[tp] = ps->seq;
      } else {
        by_strategy(tp, self->config_.auto_offset_reset);
      }
    }
  }

  for (int pass = 0; pass < 2; ++pass) {
    const auto& list = pass == 0 ? earliest : latest;
    if (list.empty()) continue;
    const int64_t ts = pass == 0 ? protocol::kEarliestTimestamp : protocol::kLatestTimestamp;
    auto offsets = co_await self->list_offsets(list, ts);
    for (const auto& tp : list) {
      auto* ps = current(tp);
      if (ps == nullptr) continue;
      auto found = offsets ? offsets->find(tp) : OffsetMap::iterator{};
      if (offsets && found != offsets->end()) {
        ps->seek(found->second);
      } else {
        ps->retry_at = Clock::now() + self->config_.retry_backoff;
      }
    }
  }

  for (const auto& tp : partitions) {
    auto it = assigned.find(tp);
    if (it != assigned.end()) it->second.lookup_in_flight = false;
  }
  self->state_->wake_all();
}

}  // namespace sluice::client::detail
