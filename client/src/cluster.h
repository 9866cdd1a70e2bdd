// Cluster: what a client knows about the brokers — the metadata cache (brokers, topics,
// partition leaders and leader epochs), one Connection per broker, and the group and
// transaction coordinators. Every producer, consumer and admin client has one.
//
// Metadata is fetched per topic on first use and refreshed when a caller reports it stale
// (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, a connection
// failure to a leader: invalidate()), when it is older than metadata.max.age.ms, or when a
// response carries a newer leader epoch. Concurrent refreshes are merged into one request.
//
// Threading: all members run on the runtime's executor (serial); see runtime.h.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/src/connection.h"
#include "client/src/event.h"
#include "common/awaitable.h"
#include "protocol/wire.h"
#include "sluice/config.h"
#include "sluice/error.h"

namespace sluice::client::detail {

struct PartitionMetadata {
  int32_t partition = 0;
  int16_t error_code = 0;  // e.g. LEADER_NOT_AVAILABLE while an election runs
  int32_t leader = -1;     // -1: no leader right now
  int32_t leader_epoch = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> offline_replicas;
};

struct TopicMetadata {
  std::string name;
  protocol::Uuid id;
  int16_t error_code = 0;  // UNKNOWN_TOPIC_OR_PARTITION, ...
  bool internal = false;
  std::vector<PartitionMetadata> partitions;  // indexed by partition number
  std::chrono::steady_clock::time_point fetched_at;
};

struct BrokerInfo {
  int32_t node_id = -1;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

class Cluster {
 public:
  Cluster(boost::asio::any_io_executor executor, ClientConfig config);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const ClientConfig& config() const { return config_; }
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // The cached metadata of `topic`, fetched if absent, invalidated or older than
  // metadata.max.age.ms. A topic the cluster does not know comes back with error_code
  // UNKNOWN_TOPIC_OR_PARTITION (not an Error): the caller decides whether to wait for it.
  // `auto_create`: ask the broker to create it (allow_auto_topic_creation).
  awaitable<Result<std::shared_ptr<const TopicMetadata>>> topic(std::string name,
                                                                bool auto_create = false);
  // The cached entry without any I/O (nullptr if none).
  std::shared_ptr<const TopicMetadata> cached_topic(const std::string& name) const;
  // Fetches metadata for `topics` now (empty: only brokers; all_topics: every topic).
  // Concurrent calls for the same topics share one request.
  awaitable<Status> refresh(std::vector<std::string> topics, bool auto_create = false);
  awaitable<Result<std::vector<std::shared_ptr<const TopicMetadata>>>> all_topics();
  // Marks `topic` stale: the next topic() refetches it.
  void invalidate(const std::string& topic);
  // A response said the leader epoch of `tp` is now at least `epoch`.
  void note_leader_epoch(const std::string& topic, int32_t partition, int32_t epoch);

  std::vector<BrokerInfo> brokers() const;
  std::optional<std::string> cluster_id() const { return cluster_id_; }
  int32_t controller_id() const { return controller_id_; }

  // A ready connection to broker `node_id` (known from metadata), connecting if needed.
  awaitable<Result<std::shared_ptr<Connection>>> broker(int32_t node_id);
  // A ready connection to some broker: an open one if any, else the known brokers and
  // bootstrap servers in turn. Fails with ClientErrc::no_brokers when none answers.
  awaitable<Result<std::shared_ptr<Connection>>> any_broker();
  // The controller (for CreateTopics, DeleteTopics, CreatePartitions).
  awaitable<Result<std::shared_ptr<Connection>>> controller();
  // The coordinator of `key` (key_type 0: a group, 1: a transactional id), found with
  // FindCoordinator and cached until invalidate_coordinator(). The connection is a separate
  // one from broker(node_id)'s: a broker answers one request per connection at a time, so a
  // JoinGroup parked for a whole rebalance must not hold up fetches to the same broker.
  awaitable<Result<std::shared_ptr<Connection>>> coordinator(std::string key, int8_t key_type = 0);
  void invalidate_coordinator(const std::string& key, int8_t key_type = 0);

  // One typed request to `conn`: picks the highest version both sides support within
  // [min_version, max_version] (ClientErrc::unsupported_version if none), sends, decodes.
  // Connection failures close the connection and come back as errors; Kafka error codes in
  // the body are the caller's to read.
  template <class Resp, class Req>
  awaitable<Result<Response<Resp>>> call(
      std::shared_ptr<Connection> conn, const protocol::ApiDescriptor& api, const Req& request,
      int16_t min_version = 0, int16_t max_version = INT16_MAX,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    auto version = conn->pick_version(api, min_version, max_version);
    if (!version) co_return std::move(version).error();
    co_return co_await conn->template request<Resp>(api, request, *version, timeout);
  }

  // Closes every connection; later calls fail with ClientErrc::closed.
  void close();
  bool closed() const { return closed_; }

 private:
  struct Refresh;
  awaitable<Status> do_refresh(std::vector<std::string> topics, bool all, bool auto_create);
  std::shared_ptr<Connection> connection_for(const BrokerAddress& address);

  boost::asio::any_io_executor executor_;
  ClientConfig config_;
  bool closed_ = false;
  std::vector<BrokerAddress> bootstrap_;
  std::map<int32_t, BrokerInfo> brokers_;
  std::optional<std::string> cluster_id_;
  int32_t controller_id_ = -1;
  std::map<std::string, std::shared_ptr<const TopicMetadata>> topics_;
  std::set<std::string> stale_;
  std::map<int32_t, std::shared_ptr<Connection>> by_node_;          // node id -> connection
  std::vector<std::shared_ptr<Connection>> bootstrap_connections_;  // by bootstrap index
  std::map<std::pair<int8_t, std::string>, int32_t> coordinators_;
  std::map<int32_t, std::shared_ptr<Connection>> coordinator_connections_;  // by node id
  // In-flight metadata requests: waiters join one that covers their topics.
  std::vector<std::shared_ptr<Refresh>> refreshes_;
};

}  // namespace sluice::client::detail
