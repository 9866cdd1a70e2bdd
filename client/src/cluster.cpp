// Cluster: see cluster.h.
// Coroutines here follow docs/conventions.md, Coroutines.
#include "client/src/cluster.h"

#include <algorithm>
#include <random>

#include "common/log.h"
#include "protocol/error_codes.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/metadata.h"

namespace sluice::client::detail {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct Cluster::Refresh {
  explicit Refresh(asio::any_io_executor ex) : done(std::move(ex)) {}
  std::set<std::string> topics;
  bool all = false;
  bool auto_create = false;
  Event done;
  Status result;
};

Cluster::Cluster(asio::any_io_executor executor, ClientConfig config)
    : executor_(std::move(executor)), config_(std::move(config)) {
  // Each entry may itself be a comma-separated list ("a:9092,b:9092", as users write
  // bootstrap.servers), so a field set by hand works like the property.
  std::vector<std::string> entries;
  for (const auto& text : config_.bootstrap_servers) {
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto comma = std::min(text.find(',', start), text.size());
      std::string entry = text.substr(start, comma - start);
      entry.erase(0, entry.find_first_not_of(" \t"));
      entry.erase(entry.find_last_not_of(" \t") + 1);
      if (!entry.empty()) entries.push_back(entry);
      start = comma + 1;
    }
  }
  int32_t pseudo_id = -1;
  for (const auto& text : entries) {
    auto address = parse_address(text);
    if (!address) continue;  // validate() reported it; unusable entries are skipped
    address->node_id = pseudo_id--;
    bootstrap_.push_back(*address);
    bootstrap_connections_.push_back(nullptr);
  }
}

Cluster::~Cluster() { close(); }

void Cluster::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& entry : by_node_) entry.second->shutdown();
  for (auto& entry : coordinator_connections_) entry.second->shutdown();
  for (auto& c : bootstrap_connections_) {
    if (c) c->shutdown();
  }
  for (auto& r : refreshes_) {
    r->result = Error(make_error_code(ClientErrc::closed), "metadata refresh");
    r->done.set();
  }
}

std::shared_ptr<const TopicMetadata> Cluster::cached_topic(const std::string& name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second;
}

void Cluster::invalidate(const std::string& topic) { stale_.insert(topic); }

void Cluster::note_leader_epoch(const std::string& topic, int32_t partition, int32_t epoch) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  const auto& parts = it->second->partitions;
  if (partition < 0 || static_cast<std::size_t>(partition) >= parts.size()) return;
  if (parts[static_cast<std::size_t>(partition)].leader_epoch < epoch) stale_.insert(topic);
}

std::vector<BrokerInfo> Cluster::brokers() const {
  std::vector<BrokerInfo> out;
  for (const auto& entry : brokers_) out.push_back(entry.second);
  return out;
}

awaitable<Result<std::shared_ptr<const TopicMetadata>>> Cluster::topic(std::string name,
                                                                       bool auto_create) {
  if (closed_) co_return Error(make_error_code(ClientErrc::closed), "metadata of " + name);
  auto cached = cached_topic(name);
  const bool fresh = cached && !stale_.contains(name) &&
                     Clock::now() - cached->fetched_at < config_.metadata_max_age;
  if (fresh) co_return cached;
  std::vector<std::string> topics{name};
  auto st = co_await refresh(std::move(topics), auto_create);
  if (!st) {
    // A stale entry is better than none while the cluster is unreachable.
    if (cached) co_return cached;
    co_return std::move(st).error();
  }
  auto now = cached_topic(name);
  if (!now)
    co_return Error(make_error_code(ClientErrc::protocol_error),
                    "metadata response without topic " + name);
  co_return now;
}

awaitable<Status> Cluster::refresh(std::vector<std::string> topics, bool auto_create) {
  if (closed_) co_return Error(make_error_code(ClientErrc::closed), "metadata refresh");
  // Join a request in flight that asks for (at least) these topics.
  for (const auto& r : refreshes_) {
    bool covers = r->all || std::all_of(topics.begin(), topics.end(), [&](const std::string& t) {
                    return r->topics.contains(t);
                  });
    if (covers && (!auto_create || r->auto_create)) {
      auto joined = r;
      co_await joined->done.wait();
      co_return joined->result;
    }
  }
  co_return co_await do_refresh(std::move(topics), false, auto_create);
}

awaitable<Result<std::vector<std::shared_ptr<const TopicMetadata>>>> Cluster::all_topics() {
  auto st = co_await do_refresh({}, true, false);
  if (!st) co_return std::move(st).error();
  std::vector<std::shared_ptr<const TopicMetadata>> out;
  for (const auto& entry : topics_) {
    if (entry.second->error_code == 0) out.push_back(entry.second);
  }
  co_return out;
}

awaitable<Status> Cluster::do_refresh(std::vector<std::string> topics, bool all, bool auto_create) {
  auto r = std::make_shared<Refresh>(executor_);
  r->topics.insert(topics.begin(), topics.end());
  r->all = all;
  r->auto_create = auto_create;
  refreshes_.push_back(r);

  protocol::MetadataRequest req;
  if (all) {
    req.topics = std::nullopt;
  } else {
    req.topics.emplace();
    for (const auto& t : r->topics) {
      protocol::MetadataRequestTopic rt;
      rt.name = t;
      req.topics->push_back(rt);
    }
  }
  req.allow_auto_topic_creation = auto_create;

  Status result = Error(make_error_code(ClientErrc::no_brokers), "metadata");
  const auto deadline = Clock::now() + config_.request_timeout;
  for (int attempt = 0; !closed_; ++attempt) {
    auto conn = co_await any_broker();
    if (!conn) {
      result = std::move(conn).error();
    } else {
      // v1+ so that an empty list means "no topics" (v0 reads it as "all topics").
      auto resp = co_await call<protocol::MetadataResponse>(*conn, protocol::kMetadataApi, req, 1);
      if (resp) {
        const auto& body = resp->body;
        const auto now = Clock::now();
        std::map<int32_t, BrokerInfo> brokers;
        for (const auto& b : body.brokers) {
          BrokerInfo info;
          info.node_id = b.node_id;
          info.host = b.host;
          info.port = b.port;
          info.rack = b.rack;
          brokers[b.node_id] = info;
        }
        if (!brokers.empty()) brokers_ = std::move(brokers);
        cluster_id_ = body.cluster_id;
        controller_id_ = body.controller_id;
        if (all) {
          // Topics the cluster no longer lists are gone.
          std::set<std::string> listed;
          for (const auto& t : body.topics) {
            if (t.name) listed.insert(*t.name);
          }
          for (auto it = topics_.begin(); it != topics_.end();) {
            it = listed.contains(it->first) ? std::next(it) : topics_.erase(it);
          }
        }
        for (const auto& t : body.topics) {
          if (!t.name) continue;
          auto info = std::make_shared<TopicMetadata>();
          info->name = *t.name;
          info->id = t.topic_id;
          info->error_code = t.error_code;
          info->internal = t.is_internal;
          info->fetched_at = now;
          bool older = false;
          auto previous = cached_topic(*t.name);
          for (const auto& p : t.partitions) {
            if (p.partition_index < 0) continue;
            const auto index = static_cast<std::size_t>(p.partition_index);
            if (info->partitions.size() <= index) info->partitions.resize(index + 1);
            PartitionMetadata& pi = info->partitions[index];
            pi.partition = p.partition_index;
            pi.error_code = p.error_code;
            pi.leader = p.leader_id;
            pi.leader_epoch = p.leader_epoch;
            pi.replicas = p.replica_nodes;
            pi.isr = p.isr_nodes;
            pi.offline_replicas = p.offline_replicas;
            // A broker that has not yet heard of a newer leader answers with an older epoch:
            // keep what we knew and ask again next time.
            if (previous && index < previous->partitions.size() &&
                previous->partitions[index].leader_epoch > p.leader_epoch && p.leader_epoch >= 0) {
              pi = previous->partitions[index];
              older = true;
            }
          }
          for (std::size_t i = 0; i < info->partitions.size(); ++i) {
            info->partitions[i].partition = static_cast<int32_t>(i);
          }
          topics_[*t.name] = info;
          if (older || t.error_code != 0) {
            stale_.insert(*t.name);
          } else {
            stale_.erase(*t.name);
          }
        }
        result = Status{};
        break;
      }
      result = std::move(resp).error();
      (*conn)->close(result.error());
    }
    if (closed_ || Clock::now() + config_.retry_backoff >= deadline) break;
    SLUICE_LOG(debug) << "client: metadata request failed (" << result.error().to_string()
                      << "), retrying";
    co_await sleep_for(config_.retry_backoff);
  }
  if (closed_) result = Error(make_error_code(ClientErrc::closed), "metadata refresh");
  r->result = result;
  refreshes_.erase(std::find(refreshes_.begin(), refreshes_.end(), r));
  r->done.set();
  co_return result;
}

std::shared_ptr<Connection> Cluster::connection_for(const BrokerAddress& address) {
  if (address.node_id < 0) {
    const auto index = static_cast<std::size_t>(-address.node_id - 1);
    auto& slot = bootstrap_connections_.at(index);
    if (!slot) slot = std::make_shared<Connection>(executor_, address, config_);
    return slot;
  }
  auto it = by_node_.find(address.node_id);
  if (it != by_node_.end()) {
    if (it->second->address() == address) return it->second;
    it->second->shutdown();  // the broker moved (new host or port)
    by_node_.erase(it);
  }
  auto conn = std::make_shared<Connection>(executor_, address, config_);
  by_node_[address.node_id] = conn;
  return conn;
}

awaitable<Result<std::shared_ptr<Connection>>> Cluster::broker(int32_t node_id) {
  if (closed_)
    co_return Error(make_error_code(ClientErrc::closed), "broker " + std::to_string(node_id));
  if (!brokers_.contains(node_id)) {
    std::vector<std::string> none;
    auto st = co_await refresh(std::move(none));
    if (!st) co_return std::move(st).error();
    if (!brokers_.contains(node_id)) {
      co_return Error(make_error_code(ClientErrc::no_brokers),
                      "broker " + std::to_string(node_id) + " is not in the cluster's metadata");
    }
  }
  const BrokerInfo& info = brokers_.at(node_id);
  BrokerAddress address;
  address.node_id = node_id;
  address.host = info.host;
  address.port = static_cast<uint16_t>(info.port);
  auto conn = connection_for(address);
  auto st = co_await conn->ensure_ready();
  if (!st) co_return std::move(st).error();
  co_return conn;
}

awaitable<Result<std::shared_ptr<Connection>>> Cluster::any_broker() {
  if (closed_) co_return Error(make_error_code(ClientErrc::closed), "any broker");
  // An open connection first (the least busy one).
  std::shared_ptr<Connection> best;
  for (const auto& entry : by_node_) {
    if (entry.second->ready() && (!best || entry.second->in_flight() < best->in_flight()))
      best = entry.second;
  }
  if (best) co_return best;
  // Then every known broker in random order (spreading clients over the cluster), then the
  // bootstrap servers.
  std::vector<BrokerAddress> candidates;
  for (const auto& entry : brokers_) {
    BrokerAddress a;
    a.node_id = entry.first;
    a.host = entry.second.host;
    a.port = static_cast<uint16_t>(entry.second.port);
    candidates.push_back(a);
  }
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::shuffle(candidates.begin(), candidates.end(), rng);
  std::vector<BrokerAddress> boot = bootstrap_;
  std::shuffle(boot.begin(), boot.end(), rng);
  candidates.insert(candidates.end(), boot.begin(), boot.end());
  Error last(make_error_code(ClientErrc::no_brokers), "no bootstrap servers");
  for (const auto& address : candidates) {
    auto conn = connection_for(address);
    auto st = co_await conn->ensure_ready();
    if (closed_) co_return Error(make_error_code(ClientErrc::closed), "any broker");
    if (st) co_return conn;
    last = std::move(st).error();
  }
  co_return Error(make_error_code(ClientErrc::no_brokers),
                  "no broker reachable (last: " + last.to_string() + ")");
}

awaitable<Result<std::shared_ptr<Connection>>> Cluster::controller() {
  if (controller_id_ < 0 || !brokers_.contains(controller_id_)) {
    std::vector<std::string> none;
    auto st = co_await refresh(std::move(none));
    if (!st) co_return std::move(st).error();
  }
  if (controller_id_ < 0)
    co_return Error(protocol::make_error_code(KafkaErrc::not_controller), "no controller elected");
  co_return co_await broker(controller_id_);
}

void Cluster::invalidate_coordinator(const std::string& key, int8_t key_type) {
  coordinators_.erase(std::make_pair(key_type, key));
}

awaitable<Result<std::shared_ptr<Connection>>> Cluster::coordinator(std::string key,
                                                                    int8_t key_type) {
  const auto cache_key = std::make_pair(key_type, key);
  const auto deadline = Clock::now() + config_.request_timeout;
  for (;;) {
    if (closed_) co_return Error(make_error_code(ClientErrc::closed), "coordinator of " + key);
    auto cached = coordinators_.find(cache_key);
    if (cached != coordinators_.end()) {
      const int32_t node_id = cached->second;
      auto known = brokers_.find(node_id);
      if (known == brokers_.end()) {  // a metadata refresh since dropped it: ask again
        coordinators_.erase(cached);
        continue;
      }
      const BrokerInfo& info = known->second;
      BrokerAddress address;
      address.node_id = node_id;
      address.host = info.host;
      address.port = static_cast<uint16_t>(info.port);
      auto& slot = coordinator_connections_[node_id];
      if (slot && !(slot->address() == address)) {
        slot->shutdown();
        slot = nullptr;
      }
      if (!slot) slot = std::make_shared<Connection>(executor_, address, config_);
      auto conn = slot;
      auto st = co_await conn->ensure_ready();
      if (st) co_return conn;
      coordinators_.erase(cache_key);
      if (Clock::now() >= deadline) co_return std::move(st).error();
    }
    Error failure(make_error_code(ClientErrc::no_brokers), "coordinator of " + key);
    auto conn = co_await any_broker();
    if (!conn) {
      failure = std::move(conn).error();
    } else {
      protocol::FindCoordinatorRequest req;
      req.key = key;
      req.key_type = key_type;
      req.coordinator_keys = {key};
      auto resp = co_await call<protocol::FindCoordinatorResponse>(
          *conn, protocol::kFindCoordinatorApi, req);
      if (!resp) {
        failure = std::move(resp).error();
        (*conn)->close(failure);
      } else {
        const auto& body = resp->body;
        int16_t error_code = body.error_code;
        int32_t node_id = body.node_id;
        std::string host = body.host;
        int32_t port = body.port;
        std::optional<std::string> message = body.error_message;
        if (!body.coordinators.empty()) {
          error_code = body.coordinators.front().error_code;
          node_id = body.coordinators.front().node_id;
          host = body.coordinators.front().host;
          port = body.coordinators.front().port;
          message = body.coordinators.front().error_message;
        }
        if (error_code == 0) {
          if (!brokers_.contains(node_id)) {
            BrokerInfo info;
            info.node_id = node_id;
            info.host = host;
            info.port = port;
            brokers_[node_id] = info;
          }
          coordinators_[cache_key] = node_id;
          continue;  // connect through the cache entry above
        }
        failure =
            Error(protocol::make_error_code(static_cast<KafkaErrc>(error_code)),
                  "FindCoordinator(" + key + ")" + (message ? ": " + *message : std::string()));
        if (!is_retriable(failure)) co_return failure;
      }
    }
    if (Clock::now() + config_.retry_backoff >= deadline) co_return failure;
    co_await sleep_for(config_.retry_backoff);
  }
}

}  // namespace sluice::client::detail
