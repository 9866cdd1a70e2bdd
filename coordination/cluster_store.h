// Typed reads and writes of the cluster's znodes (docs/znodes.md) for brokers and the
// controller: roots, cluster id, broker registration, topics, partition states with CAS.
// Every function runs on the session's executor and returns errors as values.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/ephemeral_node.h"
#include "coordination/zk_session.h"
#include "coordination/znodes.h"

namespace sluice::coordination {

// Creates the persistent parents every broker needs (idempotent).
awaitable<Status> ensure_roots(ZkSession& zk);

// Returns the cluster id, creating /cluster/id with `candidate` when absent (the first broker
// wins; everyone else reads the winner's id).
awaitable<Result<std::string>> get_or_create_cluster_id(ZkSession& zk, std::string candidate);

// Registers /brokers/ids/<id> as an ephemeral kept across session expiry. A live broker
// holding the id already is an error (node_exists) whose context names it.
awaitable<Result<std::unique_ptr<EphemeralNode>>> register_broker(
    ZkSession& zk, const znodes::BrokerRegistration& registration);

// All registered (live) brokers, ordered by id. A registration that does not decode is
// skipped with a log line (a foreign or half-written node must not stop the cluster).
awaitable<Result<std::vector<znodes::BrokerRegistration>>> read_brokers(ZkSession& zk,
                                                                        Watcher on_change = {});

// Topic names (children of /brokers/topics).
awaitable<Result<std::vector<std::string>>> read_topic_names(ZkSession& zk, Watcher on_change = {});

awaitable<Result<znodes::TopicAssignment>> read_topic(ZkSession& zk, const std::string& topic,
                                                      Watcher on_change = {});

struct VersionedPartitionState {
  znodes::PartitionState state;
  int32_t zk_version = 0;  // the CAS token for update_partition_state
  int64_t mzxid = 0;       // when it was last written (compared with registration czxids)
};
// nullopt when the state znode does not exist (yet).
awaitable<Result<std::optional<VersionedPartitionState>>> read_partition_state(
    ZkSession& zk, const std::string& topic, int32_t partition, Watcher on_change = {});

// Creates the topic atomically: its assignment and config znodes in one multi. node_exists
// when the topic exists.
awaitable<Status> create_topic(ZkSession& zk, const std::string& topic,
                               const znodes::TopicAssignment& assignment,
                               const znodes::TopicConfig& config);

// Overwrites the assignment (new partitions added by CreatePartitions) with version CAS.
awaitable<Status> update_topic_assignment(ZkSession& zk, const std::string& topic,
                                          const znodes::TopicAssignment& assignment,
                                          int32_t zk_version);

// Creates partitions/<p> and partitions/<p>/state; node_exists when the state exists.
awaitable<Status> create_partition_state(ZkSession& zk, const std::string& topic, int32_t partition,
                                         const znodes::PartitionState& state);

// Writes a new state only if the znode is still at `zk_version` (bad_version otherwise) and,
// when `controller_epoch_version` is given, only while /controller_epoch is still at that
// version — so a deposed controller can never overwrite its successor's decisions.
// Returns the new znode version.
awaitable<Result<int32_t>> update_partition_state(ZkSession& zk, const std::string& topic,
                                                  int32_t partition,
                                                  const znodes::PartitionState& state,
                                                  int32_t zk_version,
                                                  std::optional<int32_t> controller_epoch_version);

// The topic's overrides (empty when /config/topics/<t> does not exist). `on_change` fires
// when the znode changes, is deleted, or — when it does not exist — is created.
awaitable<Result<znodes::TopicConfig>> read_topic_config(ZkSession& zk, const std::string& topic,
                                                         Watcher on_change = {});
awaitable<Status> write_topic_config(ZkSession& zk, const std::string& topic,
                                     const znodes::TopicConfig& config);

struct VersionedTopicConfig {
  znodes::TopicConfig config;
  int32_t zk_version = -1;  // -1: the znode does not exist (the CAS token of update_topic_config)
};
awaitable<Result<VersionedTopicConfig>> read_topic_config_versioned(ZkSession& zk,
                                                                    const std::string& topic);

// Writes the topic's overrides (AlterConfigs) only while /brokers/topics/<t> exists (no_node
// otherwise) and /config/topics/<t> is still at `zk_version` (bad_version, or node_exists
// when `zk_version` is -1 and someone created it meanwhile). One multi: a topic deleted
// concurrently never gets an orphan config znode.
awaitable<Status> update_topic_config(ZkSession& zk, const std::string& topic,
                                      const znodes::TopicConfig& config, int32_t zk_version);

// Removes the topic's znodes (assignment with partitions, config, deletion marker).
awaitable<Status> delete_topic_znodes(ZkSession& zk, const std::string& topic);

// Removes `path` and everything below it; a missing node is fine.
awaitable<Status> remove_recursive(ZkSession& zk, const std::string& path);

}  // namespace sluice::coordination
