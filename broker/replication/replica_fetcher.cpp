// Replica fetchers: truncation by leader epoch, then Fetch v12 as follower (see the header).
// No structured bindings in the coroutines below (see docs/conventions.md, Coroutines).
#include "broker/replication/replica_fetcher.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "broker/cluster/metadata.h"
#include "broker/replication/peer_connection.h"
#include "common/log.h"
#include "protocol/api_keys.h"
#include "protocol/error_codes.h"
#include "protocol/header.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/offset_for_leader_epoch.h"

namespace sluice::broker::replication {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using protocol::KafkaErrc;
using Clock = std::chrono::steady_clock;

namespace {
constexpr int16_t kFetchVersion = 12;
constexpr int16_t kOffsetForLeaderEpochVersion = 4;
}  // namespace

struct ReplicaFetchers::Shared {
  Shared(asio::any_io_executor ex, ReplicaManager& r, const cluster::MetadataCache& m,
         FetcherOptions o)
      : executor(std::move(ex)), replicas(r), metadata(m), options(std::move(o)) {}
  asio::any_io_executor executor;
  ReplicaManager& replicas;
  const cluster::MetadataCache& metadata;
  FetcherOptions options;
  std::map<int32_t, std::shared_ptr<Fetcher>> fetchers;  // by leader id; executor only
  bool stopped = false;
};

struct ReplicaFetchers::Fetcher {
  struct Part {
    int32_t leader_epoch = -1;
    bool truncated = false;          // OffsetForLeaderEpoch done at this epoch
    Clock::time_point not_before{};  // backing off after an error
  };
  Fetcher(int32_t leader, std::shared_ptr<Shared> s)
      : leader_id(leader),
        shared(std::move(s)),
        timer(shared->executor),
        connection(shared->executor,
                   "sluice-replica-" + std::to_string(shared->options.broker_id)) {}

  int32_t leader_id;
  std::shared_ptr<Shared> shared;
  std::map<storage::TopicPartition, Part> parts;
  asio::steady_timer timer;  // sleeping; cancelled to wake
  PeerConnection connection;
  bool stopped = false;
  bool logged_connect_error = false;

  void wake() { timer.cancel(); }
};

namespace {

using Fetcher = ReplicaFetchers::Fetcher;

awaitable<void> sleep(Fetcher& f, Clock::duration d) {
  f.timer.expires_after(d);
  boost::system::error_code ec;
  co_await f.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void back_off(Fetcher& f, const storage::TopicPartition& tp) {
  auto it = f.parts.find(tp);
  if (it != f.parts.end()) {
    it->second.not_before = Clock::now() + std::chrono::milliseconds(f.shared->options.backoff_ms);
  }
}

std::optional<coordination::znodes::BrokerEndpoint> leader_endpoint(const Fetcher& f) {
  auto snap = f.shared->metadata.current();
  auto it = snap->brokers.find(f.leader_id);
  if (it == snap->brokers.end() || it->second.endpoints.empty()) return std::nullopt;
  for (const auto& e : it->second.endpoints) {
    if (e.listener == f.shared->options.listener_name) return e;
  }
  return it->second.endpoints.front();
}

// Decodes a response frame (correlation id already checked) into `message`.
template <class M>
Status decode_response(const std::vector<uint8_t>& frame, int16_t api_key, int16_t version,
                       M& message) {
  protocol::ByteReader reader(frame);
  auto header = protocol::decode_response_header(reader, api_key, version);
  if (!header) return std::move(header).error();
  return protocol::decode(message, reader, version);
}

// Partitions whose truncation point is still to be found: ask the leader where our latest
// epoch ends, and cut our log there.
awaitable<Status> truncate_round(Fetcher& f) {
  auto& replicas = f.shared->replicas;
  protocol::OffsetForLeaderEpochRequest request;
  request.replica_id = f.shared->options.broker_id;
  std::map<storage::TopicPartition, int32_t> asked;  // tp -> epoch asked about
  const auto now = Clock::now();
  for (auto it = f.parts.begin(); it != f.parts.end(); ++it) {
    const storage::TopicPartition& tp = it->first;
    Fetcher::Part& part = it->second;
    if (part.truncated || part.not_before > now) continue;
    auto pos = replicas.follower_position(tp, part.leader_epoch);
    if (!pos) {
      back_off(f, tp);
      continue;
    }
    if (pos->latest_epoch < 0) {
      // No epoch recorded: an empty log, or one whose epochs are lost; keep only what was
      // committed (the high watermark).
      (void)replicas.truncate_follower(tp, part.leader_epoch, {-1, -1});
      part.truncated = true;
      continue;
    }
    auto topic =
        std::find_if(request.topics.begin(), request.topics.end(),
                     [&](const protocol::OffsetForLeaderTopic& t) { return t.topic == tp.topic; });
    if (topic == request.topics.end()) {
      request.topics.emplace_back().topic = tp.topic;
      topic = std::prev(request.topics.end());
    }
    protocol::OffsetForLeaderPartition p;
    p.partition = tp.partition;
    p.current_leader_epoch = part.leader_epoch;
    p.leader_epoch = pos->latest_epoch;
    topic->partitions.push_back(p);
    asked[tp] = pos->latest_epoch;
  }
  if (asked.empty()) co_return Status{};

  protocol::ByteWriter body;
  protocol::encode(request, body, kOffsetForLeaderEpochVersion);
  auto frame = co_await f.connection.round_trip(
      static_cast<int16_t>(protocol::ApiKey::offset_for_leader_epoch), kOffsetForLeaderEpochVersion,
      body.bytes(), std::chrono::milliseconds(f.shared->options.socket_timeout_ms));
  if (!frame) co_return std::move(frame).error();
  protocol::OffsetForLeaderEpochResponse response;
  Status decoded =
      decode_response(*frame, static_cast<int16_t>(protocol::ApiKey::offset_for_leader_epoch),
                      kOffsetForLeaderEpochVersion, response);
  if (!decoded) co_return decoded;
  for (const auto& topic : response.topics) {
    for (const auto& r : topic.partitions) {
      storage::TopicPartition tp{topic.topic, r.partition};
      auto it = f.parts.find(tp);
      if (it == f.parts.end() || !asked.count(tp)) continue;
      if (protocol::from_wire(r.error_code) != KafkaErrc::none) {
        SLUICE_LOG(debug) << "partition " << tp.to_string() << ": OffsetForLeaderEpoch from broker "
                          << f.leader_id << ": " << protocol::kafka_error_name(r.error_code);
        back_off(f, tp);
        continue;
      }
      auto done =
          replicas.truncate_follower(tp, it->second.leader_epoch, {r.leader_epoch, r.end_offset});
      if (done.error != KafkaErrc::none) {
        back_off(f, tp);
        continue;
      }
      it->second.truncated = true;
    }
  }
  co_return Status{};
}

// One Fetch round trip for the truncated partitions. Returns false when nothing was fetched.
awaitable<Result<bool>> fetch_round(Fetcher& f) {
  auto& replicas = f.shared->replicas;
  const auto& o = f.shared->options;
  protocol::FetchRequest request;
  request.replica_id = o.broker_id;
  request.max_wait_ms = o.max_wait_ms;
  request.min_bytes = o.min_bytes;
  request.max_bytes = o.response_max_bytes;
  request.session_id = 0;
  request.session_epoch = -1;
  const auto now = Clock::now();
  std::map<storage::TopicPartition, int32_t> requested;  // tp -> leader epoch
  for (auto it = f.parts.begin(); it != f.parts.end(); ++it) {
    const storage::TopicPartition& tp = it->first;
    const Fetcher::Part& part = it->second;
    if (!part.truncated || part.not_before > now) continue;
    auto pos = replicas.follower_position(tp, part.leader_epoch);
    if (!pos) continue;
    auto topic = std::find_if(request.topics.begin(), request.topics.end(),
                              [&](const protocol::FetchTopic& t) { return t.topic == tp.topic; });
    if (topic == request.topics.end()) {
      request.topics.emplace_back().topic = tp.topic;
      topic = std::prev(request.topics.end());
    }
    protocol::FetchPartition p;
    p.partition = tp.partition;
    p.current_leader_epoch = part.leader_epoch;
    p.fetch_offset = pos->log_end_offset;
    p.last_fetched_epoch = pos->latest_epoch;
    p.log_start_offset = pos->log_start_offset;
    p.partition_max_bytes = o.partition_max_bytes;
    topic->partitions.push_back(p);
    requested[tp] = part.leader_epoch;
  }
  if (requested.empty()) co_return false;

  protocol::ByteWriter body;
  protocol::encode(request, body, kFetchVersion);
  auto frame = co_await f.connection.round_trip(
      static_cast<int16_t>(protocol::ApiKey::fetch), kFetchVersion, body.bytes(),
      std::chrono::milliseconds(o.socket_timeout_ms + o.max_wait_ms));
  if (!frame) co_return std::move(frame).error();
  protocol::FetchResponse response;
  Status decoded = decode_response(*frame, static_cast<int16_t>(protocol::ApiKey::fetch),
                                   kFetchVersion, response);
  if (!decoded) co_return std::move(decoded).error();
  if (protocol::from_wire(response.error_code) != KafkaErrc::none) {
    co_return Error(std::make_error_code(std::errc::protocol_error),
                    "fetch from broker " + std::to_string(f.leader_id) + ": " +
                        std::string(protocol::kafka_error_name(response.error_code)));
  }
  for (const auto& topic : response.responses) {
    for (const auto& pd : topic.partitions) {
      storage::TopicPartition tp{topic.topic, pd.partition_index};
      auto asked = requested.find(tp);
      auto it = f.parts.find(tp);
      if (asked == requested.end() || it == f.parts.end() ||
          it->second.leader_epoch != asked->second)
        continue;
      const int32_t epoch = asked->second;
      const KafkaErrc error = protocol::from_wire(pd.error_code);
      if (error == KafkaErrc::offset_out_of_range) {
        auto pos = replicas.follower_position(tp, epoch);
        if (pos && pd.log_start_offset > pos->log_end_offset) {
          (void)replicas.reset_follower(tp, epoch, pd.log_start_offset);
        } else {
          // Past the leader's end (it was elected uncleanly): keep what it committed.
          SLUICE_LOG(warning) << "partition " << tp.to_string()
                              << ": fetch offset out of range on broker " << f.leader_id
                              << "; truncating to its high watermark " << pd.high_watermark;
          (void)replicas.truncate_follower(tp, epoch, {-1, -1});
          it->second.truncated = false;
        }
        continue;
      }
      if (error != KafkaErrc::none) {
        SLUICE_LOG(debug) << "partition " << tp.to_string() << ": fetch from broker " << f.leader_id
                          << ": " << protocol::kafka_error_name(pd.error_code);
        back_off(f, tp);
        continue;
      }
      if (pd.diverging_epoch) {
        auto done = replicas.truncate_follower(
            tp, epoch, {pd.diverging_epoch->epoch, pd.diverging_epoch->end_offset});
        if (done.error != KafkaErrc::none) back_off(f, tp);
        continue;
      }
      auto bytes = pd.records.bytes();
      // The frame is ours until this function returns: the log may take it as it is.
      std::span<uint8_t> records(const_cast<uint8_t*>(bytes.data()), bytes.size());
      auto appended = replicas.append_as_follower(tp, epoch, records, pd.high_watermark);
      if (appended.error != KafkaErrc::none) {
        SLUICE_LOG(warning) << "partition " << tp.to_string()
                            << ": follower append failed: " << appended.message;
        it->second.truncated = false;  // find our place again
        back_off(f, tp);
      }
    }
  }
  co_return true;
}

awaitable<void> run_fetcher(std::shared_ptr<Fetcher> f) {
  const auto backoff = std::chrono::milliseconds(f->shared->options.backoff_ms);
  while (!f->stopped) {
    if (f->parts.empty()) {
      co_await sleep(*f, 60s);
      continue;
    }
    if (!f->connection.is_open()) {
      auto endpoint = leader_endpoint(*f);
      if (!endpoint) {
        co_await sleep(*f, backoff);
        continue;
      }
      Status st = co_await f->connection.connect(
          endpoint->host, static_cast<uint16_t>(endpoint->port),
          std::chrono::milliseconds(f->shared->options.socket_timeout_ms));
      if (f->stopped) break;
      if (!st) {
        if (!f->logged_connect_error) {
          SLUICE_LOG(warning) << "replica fetcher: cannot reach leader broker " << f->leader_id
                              << ": " << st.error().to_string();
          f->logged_connect_error = true;
        }
        co_await sleep(*f, backoff);
        continue;
      }
      SLUICE_LOG(info) << "replica fetcher: connected to leader broker " << f->leader_id << " at "
                       << endpoint->host << ":" << endpoint->port;
      f->logged_connect_error = false;
    }
    Status truncated = co_await truncate_round(*f);
    if (f->stopped) break;
    if (!truncated) {
      SLUICE_LOG(warning) << "replica fetcher (leader " << f->leader_id
                          << "): " << truncated.error().to_string();
      f->connection.close();
      co_await sleep(*f, backoff);
      continue;
    }
    auto fetched = co_await fetch_round(*f);
    if (f->stopped) break;
    if (!fetched) {
      SLUICE_LOG(warning) << "replica fetcher (leader " << f->leader_id
                          << "): " << fetched.error().to_string();
      f->connection.close();
      co_await sleep(*f, backoff);
      continue;
    }
    if (!*fetched) {
      // Everything backs off (or waits to truncate): sleep until the earliest may go again.
      auto next = Clock::now() + backoff;
      for (auto it = f->parts.begin(); it != f->parts.end(); ++it) {
        next = std::min(next, std::max(it->second.not_before, Clock::now() + 10ms));
      }
      co_await sleep(*f, next - Clock::now());
    }
  }
  f->connection.close();
}

}  // namespace

ReplicaFetchers::ReplicaFetchers(asio::any_io_executor executor, ReplicaManager& replicas,
                                 const cluster::MetadataCache& metadata, FetcherOptions options)
    : shared_(
          std::make_shared<Shared>(std::move(executor), replicas, metadata, std::move(options))) {}

ReplicaFetchers::~ReplicaFetchers() { stop(); }

void ReplicaFetchers::update(std::vector<FollowedPartition> followed) {
  asio::post(shared_->executor, [s = shared_, followed = std::move(followed)] {
    if (s->stopped) return;
    std::map<int32_t, std::map<storage::TopicPartition, int32_t>> wanted;  // leader -> tp -> epoch
    for (const auto& fp : followed) wanted[fp.leader_id][fp.tp] = fp.leader_epoch;
    for (auto it = s->fetchers.begin(); it != s->fetchers.end();) {
      auto& f = *it->second;
      auto w = wanted.find(it->first);
      for (auto p = f.parts.begin(); p != f.parts.end();) {
        bool keep = w != wanted.end() && w->second.count(p->first);
        p = keep ? std::next(p) : f.parts.erase(p);
      }
      if (f.parts.empty() && w == wanted.end()) {
        f.stopped = true;
        f.wake();
        it = s->fetchers.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [leader, parts] : wanted) {
      auto& f = s->fetchers[leader];
      if (!f) {
        f = std::make_shared<Fetcher>(leader, s);
        asio::co_spawn(s->executor, run_fetcher(f), asio::detached);
      }
      bool changed = false;
      for (auto& [tp, epoch] : parts) {
        auto& part = f->parts[tp];
        if (part.leader_epoch != epoch) {
          part.leader_epoch = epoch;
          part.truncated = false;
          part.not_before = {};
          changed = true;
        }
      }
      if (changed) f->wake();
    }
  });
}

void ReplicaFetchers::stop() {
  asio::post(shared_->executor, [s = shared_] {
    s->stopped = true;
    for (auto& [leader, f] : s->fetchers) {
      f->stopped = true;
      f->connection.close();
      f->wake();
    }
    s->fetchers.clear();
  });
}

}  // namespace sluice::broker::replication
