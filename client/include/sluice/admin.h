// Admin: the administrative client — topics, partitions, configurations, consumer groups and
// their offsets, log offsets and the cluster itself — over the Kafka admin APIs, so it manages
// Sluice and Apache Kafka alike.
//
//   auto admin = sluice::client::Admin::create({.bootstrap_servers = {"127.0.0.1:9092"}});
//   if (!admin) return fail(admin.error());
//   auto created = (*admin)->create_topics({{.name = "orders", .partitions = 6, .replication_factor
//   = 3}}); if (!created) return fail(created.error());          // the request itself failed for
//   (const auto& t : *created)
//     if (!t.status) std::cerr << t.name << ": " << t.status.error().to_string() << "\n";
//
//   // The same from a coroutine of a service (any completion token works):
//   auto r = co_await admin->async_describe_topics({"orders"}, {}, boost::asio::use_awaitable);
//
// Results: a method returns an Error when the operation as a whole failed (no broker could be
// reached, the time ran out, a malformed answer). Operations on several items (topics, groups,
// config resources) then report each item's own outcome in its `status`: an Error whose code is
// the Kafka error code (kafka_code()) and whose context is the broker's message, e.g.
// TOPIC_ALREADY_EXISTS for one topic while the others were created.
//
// Routing and retries: topic creation, deletion and partition growth go to the controller;
// metadata and topic configs to any broker; broker configs to that broker; group operations to
// the group's coordinator; ListOffsets to each partition's leader. Retriable errors
// (NOT_CONTROLLER, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS,
// LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, a lost connection...) are retried after
// retry.backoff.ms, re-reading metadata or the coordinator first, until request.timeout.ms
// (or the per-call timeout) has passed since the call began.
//
// Threading: every method is safe from any thread. Blocking methods must not be called from
// the Admin's own executor (they fail with ClientErrc::invalid_argument there); use the async_
// forms instead. Destroying the Admin closes its connections; operations still pending are
// abandoned (their handlers are never called).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/async.h"
#include "sluice/config.h"
#include "sluice/error.h"
#include "sluice/record.h"

namespace sluice::client {

// ---- topics -------------------------------------------------------------------------------

struct NewTopic {
  std::string name;
  int32_t partitions = -1;          // -1: the broker's num.partitions
  int16_t replication_factor = -1;  // -1: the broker's default.replication.factor
  // Manual placement: replica_assignment[p] lists the brokers of partition p, preferred leader
  // first. When set, leave partitions and replication_factor at -1.
  std::optional<std::vector<std::vector<int32_t>>> replica_assignment;
  std::map<std::string, std::string> configs;  // topic overrides, e.g. {"retention.ms", "1000"}
};

struct CreateTopicsOptions {
  bool validate_only = false;     // check everything, create nothing
  std::optional<Millis> timeout;  // unset: request.timeout.ms
};

// The outcome for one item (topic, group, ...).
struct ItemStatus {
  std::string name;
  Status status;  // ok, or the item's Kafka error with the broker's message
};

struct CreateTopicResult {
  std::string name;
  Status status;
  std::string topic_id;  // Kafka's base64 text; empty if the broker does not say (v7-)
  int32_t partitions = -1;
  int16_t replication_factor = -1;
};

struct PartitionDescription {
  int32_t partition = 0;
  int32_t leader = -1;  // -1: no leader right now (status says why)
  int32_t leader_epoch = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> offline_replicas;
  Status status;  // e.g. LEADER_NOT_AVAILABLE while an election runs
};

// Where a configuration value comes from (Kafka's ConfigSource).
enum class ConfigSource : int8_t {
  unknown = 0,
  dynamic_topic = 1,  // a topic override
  dynamic_broker = 2,
  dynamic_default_broker = 3,
  static_broker = 4,   // the broker's configuration file / environment
  default_config = 5,  // the built-in default
  dynamic_broker_logger = 6,
};
const char* to_string(ConfigSource source);

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  // nullopt for sensitive values
  ConfigSource source = ConfigSource::unknown;
  bool is_default = false;
  bool read_only = false;
  bool sensitive = false;
};

struct TopicDescription {
  std::string name;
  Status status;  // UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist
  std::string topic_id;
  bool internal = false;
  std::vector<PartitionDescription> partitions;     // ordered by partition number
  std::optional<std::vector<ConfigEntry>> configs;  // with DescribeTopicsOptions::include_configs
};

struct DescribeTopicsOptions {
  bool include_configs = false;
  std::optional<Millis> timeout;
};

struct TopicListing {
  std::string name;
  std::string topic_id;
  bool internal = false;
  int32_t partitions = 0;
};

struct ListTopicsOptions {
  bool include_internal = false;
  std::optional<Millis> timeout;
};

struct NewPartitions {
  std::string topic;
  int32_t total_count = 0;  // the new number of partitions (never fewer than today)
  // Optional placement of each new partition (brokers, preferred leader first).
  std::optional<std::vector<std::vector<int32_t>>> assignments;
};

struct CreatePartitionsOptions {
  bool validate_only = false;
  std::optional<Millis> timeout;
};

// ---- configurations -----------------------------------------------------------------------

struct ConfigResource {
  enum class Type : int8_t { topic = 2, broker = 4 };
  Type type = Type::topic;
  std::string name;  // topic name, or broker id in decimal
  friend auto operator<=>(const ConfigResource&, const ConfigResource&) = default;
};

struct ResourceConfig {
  ConfigResource resource;
  Status status;
  std::vector<ConfigEntry> entries;
};

struct ResourceStatus {
  ConfigResource resource;
  Status status;
};

// AlterConfigs replaces a resource's overrides as a whole (Kafka's non-incremental
// AlterConfigs): keys not listed go back to their defaults. To change one key, describe the
// resource, keep its ConfigSource::dynamic_topic entries, change them, and send them all.
struct AlterConfigsResource {
  ConfigResource resource;
  std::map<std::string, std::string> configs;
};

struct AlterConfigsOptions {
  bool validate_only = false;
  std::optional<Millis> timeout;
};

// ---- consumer groups ----------------------------------------------------------------------

struct GroupListing {
  std::string group_id;
  std::string protocol_type;  // "consumer", or empty for a group that only commits offsets
  std::string state;          // Empty, Stable, ...; empty when the broker does not say (v4-)
  int32_t coordinator = -1;   // the broker that reported it
};

struct MemberDescription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  // Decoded from the "consumer" embedded protocol; empty for other protocol types.
  std::vector<std::string> subscription;
  std::vector<TopicPartition> assignment;
};

struct GroupDescription {
  std::string group_id;
  Status status;      // e.g. GROUP_ID_NOT_FOUND; a group nobody knows is state "Dead"
  std::string state;  // Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  std::string protocol_type;
  std::string protocol;  // the assignor ("range", ...) of a consumer group
  std::vector<MemberDescription> members;
  int32_t coordinator = -1;
};

struct OffsetAndMetadata {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
};

// ---- log offsets and the cluster ------------------------------------------------------------

// Which offset ListOffsets looks up.
struct OffsetSpec {
  int64_t timestamp = -1;  // -1 latest, -2 earliest, -3 max timestamp, >= 0 a time (ms)
  static OffsetSpec earliest() { return {-2}; }
  static OffsetSpec latest() { return {-1}; }
  static OffsetSpec max_timestamp() { return {-3}; }
  // The first offset whose timestamp is >= ms (the latest offset when there is none).
  static OffsetSpec for_timestamp(int64_t ms) { return {ms}; }
};

struct ListedOffset {
  int64_t offset = -1;
  int64_t timestamp = -1;
  int32_t leader_epoch = -1;
};

struct BrokerDescription {
  int32_t id = -1;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

struct ClusterDescription {
  std::string cluster_id;
  int32_t controller_id = -1;              // -1: no controller right now
  std::vector<BrokerDescription> brokers;  // ordered by id
};

// ---- the client ---------------------------------------------------------------------------

class Admin {
 public:
  // Validates `config` (ClientErrc::invalid_config) and starts the client. No connection is
  // made until the first call. Without `executor` the client runs on a private thread; with
  // one, on a strand of it (the application keeps it running).
  static Result<std::unique_ptr<Admin>> create(
      AdminConfig config, std::optional<boost::asio::any_io_executor> executor = std::nullopt);
  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // The executor the client's work runs on (where plain-callback handlers run).
  boost::asio::any_io_executor executor() const;

  // -- topics --
  Result<std::vector<CreateTopicResult>> create_topics(std::vector<NewTopic> topics,
                                                       CreateTopicsOptions options = {});
  Result<std::vector<ItemStatus>> delete_topics(std::vector<std::string> topics,
                                                std::optional<Millis> timeout = {});
  // One entry per requested name, in order; unknown topics have an error status.
  Result<std::vector<TopicDescription>> describe_topics(std::vector<std::string> topics,
                                                        DescribeTopicsOptions options = {});
  Result<std::vector<TopicListing>> list_topics(ListTopicsOptions options = {});
  Result<std::vector<ItemStatus>> create_partitions(std::vector<NewPartitions> partitions,
                                                    CreatePartitionsOptions options = {});

  // -- configurations --
  Result<std::vector<ResourceConfig>> describe_configs(std::vector<ConfigResource> resources,
                                                       std::optional<Millis> timeout = {});
  Result<std::vector<ResourceStatus>> alter_configs(std::vector<AlterConfigsResource> resources,
                                                    AlterConfigsOptions options = {});

  // -- consumer groups --
  // Every group of every broker (each coordinator lists its own groups).
  Result<std::vector<GroupListing>> list_groups(std::optional<Millis> timeout = {});
  Result<std::vector<GroupDescription>> describe_groups(std::vector<std::string> groups,
                                                        std::optional<Millis> timeout = {});
  // Only empty groups can be deleted (NON_EMPTY_GROUP otherwise).
  Result<std::vector<ItemStatus>> delete_groups(std::vector<std::string> groups,
                                                std::optional<Millis> timeout = {});
  // The group's committed offsets: of `partitions`, or all of them when nullopt. Partitions
  // without a commit are left out.
  Result<std::map<TopicPartition, OffsetAndMetadata>> list_consumer_group_offsets(
      std::string group, std::optional<std::vector<TopicPartition>> partitions = {},
      std::optional<Millis> timeout = {});
  // Commits `offsets` for `group` as an admin (generation -1, no member id): the group must
  // have no active members (the broker answers UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS
  // otherwise). A group that does not exist yet is created. Fails with the first partition's
  // error if any partition failed; the context lists every failed partition.
  Status alter_consumer_group_offsets(std::string group, std::map<TopicPartition, int64_t> offsets,
                                      std::optional<Millis> timeout = {});

  // -- log offsets and the cluster --
  // Asks each partition's leader. Fails as a whole if a partition still fails when the time
  // is up (the context names it).
  Result<std::map<TopicPartition, ListedOffset>> list_offsets(
      std::map<TopicPartition, OffsetSpec> request, std::optional<Millis> timeout = {});
  Result<ClusterDescription> describe_cluster(std::optional<Millis> timeout = {});

  // -- asynchronous forms: the same operations, completing with void(Result<T>) --
  template <class Token>
  auto async_create_topics(std::vector<NewTopic> topics, CreateTopicsOptions options,
                           Token&& token) {
    return start<std::vector<CreateTopicResult>>(
        [this, topics = std::move(topics),
         options](Callback<std::vector<CreateTopicResult>> cb) mutable {
          start_create_topics(std::move(topics), options, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_delete_topics(std::vector<std::string> topics, std::optional<Millis> timeout,
                           Token&& token) {
    return start<std::vector<ItemStatus>>(
        [this, topics = std::move(topics), timeout](Callback<std::vector<ItemStatus>> cb) mutable {
          start_delete_topics(std::move(topics), timeout, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_describe_topics(std::vector<std::string> topics, DescribeTopicsOptions options,
                             Token&& token) {
    return start<std::vector<TopicDescription>>(
        [this, topics = std::move(topics),
         options](Callback<std::vector<TopicDescription>> cb) mutable {
          start_describe_topics(std::move(topics), options, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_list_topics(ListTopicsOptions options, Token&& token) {
    return start<std::vector<TopicListing>>(
        [this, options](Callback<std::vector<TopicListing>> cb) {
          start_list_topics(options, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_create_partitions(std::vector<NewPartitions> partitions,
                               CreatePartitionsOptions options, Token&& token) {
    return start<std::vector<ItemStatus>>(
        [this, partitions = std::move(partitions),
         options](Callback<std::vector<ItemStatus>> cb) mutable {
          start_create_partitions(std::move(partitions), options, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_describe_configs(std::vector<ConfigResource> resources, std::optional<Millis> timeout,
                              Token&& token) {
    return start<std::vector<ResourceConfig>>(
        [this, resources = std::move(resources),
         timeout](Callback<std::vector<ResourceConfig>> cb) mutable {
          start_describe_configs(std::move(resources), timeout, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_alter_configs(std::vector<AlterConfigsResource> resources, AlterConfigsOptions options,
                           Token&& token) {
    return start<std::vector<ResourceStatus>>(
        [this, resources = std::move(resources),
         options](Callback<std::vector<ResourceStatus>> cb) mutable {
          start_alter_configs(std::move(resources), options, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_list_groups(std::optional<Millis> timeout, Token&& token) {
    return start<std::vector<GroupListing>>(
        [this, timeout](Callback<std::vector<GroupListing>> cb) {
          start_list_groups(timeout, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_describe_groups(std::vector<std::string> groups, std::optional<Millis> timeout,
                             Token&& token) {
    return start<std::vector<GroupDescription>>(
        [this, groups = std::move(groups),
         timeout](Callback<std::vector<GroupDescription>> cb) mutable {
          start_describe_groups(std::move(groups), timeout, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_delete_groups(std::vector<std::string> groups, std::optional<Millis> timeout,
                           Token&& token) {
    return start<std::vector<ItemStatus>>(
        [this, groups = std::move(groups), timeout](Callback<std::vector<ItemStatus>> cb) mutable {
          start_delete_groups(std::move(groups), timeout, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_list_consumer_group_offsets(std::string group,
                                         std::optional<std::vector<TopicPartition>> partitions,
                                         std::optional<Millis> timeout, Token&& token) {
    using T = std::map<TopicPartition, OffsetAndMetadata>;
    return start<T>(
        [this, group = std::move(group), partitions = std::move(partitions),
         timeout](Callback<T> cb) mutable {
          start_list_consumer_group_offsets(std::move(group), std::move(partitions), timeout,
                                            std::move(cb));
        },
        std::forward<Token>(token));
  }
  // Completes with Result<bool> (true on success) since async_op needs a value type.
  template <class Token>
  auto async_alter_consumer_group_offsets(std::string group,
                                          std::map<TopicPartition, int64_t> offsets,
                                          std::optional<Millis> timeout, Token&& token) {
    return start<bool>(
        [this, group = std::move(group), offsets = std::move(offsets),
         timeout](Callback<bool> cb) mutable {
          start_alter_consumer_group_offsets(std::move(group), std::move(offsets), timeout,
                                             std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_list_offsets(std::map<TopicPartition, OffsetSpec> request,
                          std::optional<Millis> timeout, Token&& token) {
    using T = std::map<TopicPartition, ListedOffset>;
    return start<T>(
        [this, request = std::move(request), timeout](Callback<T> cb) mutable {
          start_list_offsets(std::move(request), timeout, std::move(cb));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_describe_cluster(std::optional<Millis> timeout, Token&& token) {
    return start<ClusterDescription>(
        [this, timeout](Callback<ClusterDescription> cb) {
          start_describe_cluster(timeout, std::move(cb));
        },
        std::forward<Token>(token));
  }

 private:
  struct Impl;
  explicit Admin(std::unique_ptr<Impl> impl);

  template <class T>
  using Callback = std::function<void(Result<T>)>;

  template <class T, class Fn, class Token>
  auto start(Fn fn, Token&& token) {
    return detail::async_op<T>(executor(), std::move(fn), std::forward<Token>(token));
  }

  // Type-erased starts: run the operation on the client's executor and call `cb` once.
  void start_create_topics(std::vector<NewTopic>, CreateTopicsOptions,
                           Callback<std::vector<CreateTopicResult>>);
  void start_delete_topics(std::vector<std::string>, std::optional<Millis>,
                           Callback<std::vector<ItemStatus>>);
  void start_describe_topics(std::vector<std::string>, DescribeTopicsOptions,
                             Callback<std::vector<TopicDescription>>);
  void start_list_topics(ListTopicsOptions, Callback<std::vector<TopicListing>>);
  void start_create_partitions(std::vector<NewPartitions>, CreatePartitionsOptions,
                               Callback<std::vector<ItemStatus>>);
  void start_describe_configs(std::vector<ConfigResource>, std::optional<Millis>,
                              Callback<std::vector<ResourceConfig>>);
  void start_alter_configs(std::vector<AlterConfigsResource>, AlterConfigsOptions,
                           Callback<std::vector<ResourceStatus>>);
  void start_list_groups(std::optional<Millis>, Callback<std::vector<GroupListing>>);
  void start_describe_groups(std::vector<std::string>, std::optional<Millis>,
                             Callback<std::vector<GroupDescription>>);
  void start_delete_groups(std::vector<std::string>, std::optional<Millis>,
                           Callback<std::vector<ItemStatus>>);
  void start_list_consumer_group_offsets(std::string, std::optional<std::vector<TopicPartition>>,
                                         std::optional<Millis>,
                                         Callback<std::map<TopicPartition, OffsetAndMetadata>>);
  void start_alter_consumer_group_offsets(std::string, std::map<TopicPartition, int64_t>,
                                          std::optional<Millis>, Callback<bool>);
  void start_list_offsets(std::map<TopicPartition, OffsetSpec>, std::optional<Millis>,
                          Callback<std::map<TopicPartition, ListedOffset>>);
  void start_describe_cluster(std::optional<Millis>, Callback<ClusterDescription>);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::client
