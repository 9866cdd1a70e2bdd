// Topic administration as Kafka does it with ZooKeeper: validate a request, plan the replica
// assignment (Kafka's round-robin with a random start, rack-aware when brokers have racks),
// and write the assignment and config znodes; the controller then creates partition states.
// Errors carry Kafka error codes (protocol/error_codes.h) and a message for the client.
//
// Threading: the awaitables run on the ZkSession's executor.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "broker/cluster/metadata.h"
#include "broker/config/config_alteration.h"
#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_session.h"
#include "protocol/error_codes.h"

namespace sluice::broker::config {
class BrokerConfig;
}

namespace sluice::broker::cluster {

struct BrokerPlacement {
  int32_t id;
  std::optional<std::string> rack;
};

// Assigns `partitions` partitions (numbered from `first_partition`) with `replication_factor`
// replicas each over `brokers`. Leaders spread evenly; followers shift per round so load
// spreads too; with racks, replicas of a partition go to distinct racks where possible.
// REQUIRES: 1 <= replication_factor <= brokers.size().
std::map<int32_t, std::vector<int32_t>> plan_assignment(std::vector<BrokerPlacement> brokers,
                                                        int32_t partitions,
                                                        int32_t replication_factor,
                                                        int32_t first_partition, std::mt19937& rng);

struct TopicCreation {
  std::string name;
  int32_t num_partitions = -1;                         // -1: num.partitions
  int16_t replication_factor = -1;                     // -1: default.replication.factor
  std::map<int32_t, std::vector<int32_t>> assignment;  // manual assignment (optional)
  std::map<std::string, std::string> configs;
};

// A failure with a Kafka error (e.g. INVALID_REPLICATION_FACTOR) and a message.
struct TopicError {
  protocol::KafkaErrc code = protocol::KafkaErrc::none;
  std::string message;
};

// Checks `topic` against Kafka's rules and the live brokers in `snapshot`, filling in
// defaults and the planned assignment. Returns the error to send when it is invalid.
std::optional<TopicError> prepare_new_topic(TopicCreation& topic, const Snapshot& snapshot,
                                            const config::BrokerConfig& config, std::mt19937& rng);

// A fresh topic id in Kafka's text form: 16 random bytes (std::random_device) as canonical
// unpadded URL-safe base64 (protocol::Uuid::to_base64), so the 22nd character carries zero
// padding bits and the text reads back as the same id everywhere. Never all-zero (Kafka's
// "no id") and never starting with '-' (Kafka's Uuid.randomUuid rule, for command lines).
std::string random_topic_id();

// Writes the topic's znodes (after prepare_new_topic). TOPIC_ALREADY_EXISTS when it exists.
awaitable<std::optional<TopicError>> create_topic(coordination::ZkSession& zk,
                                                  const TopicCreation& topic);

// Marks the topic for deletion (/admin/delete_topics/<t>), carried out by the controller.
awaitable<std::optional<TopicError>> request_topic_deletion(coordination::ZkSession& zk,
                                                            const std::string& topic,
                                                            bool deletion_enabled);

// Grows a topic to `total` partitions, placing the new ones like creation does (or as given).
awaitable<std::optional<TopicError>> create_partitions(
    coordination::ZkSession& zk, const std::string& topic, int32_t total,
    const std::vector<std::vector<int32_t>>& manual, const Snapshot& snapshot, bool validate_only,
    std::mt19937& rng);

// The change of a topic's overrides that AlterConfigs / IncrementalAlterConfigs asked for:
// given the current overrides, the new ones or why not (config_alteration.h).
using TopicConfigChange =
    std::function<config::AlterOutcome(const config::TopicOverrides& current)>;

struct TopicConfigAltered {
  std::optional<TopicError> error;
  config::TopicOverrides overrides;  // what /config/topics/<t> holds now (or would, validate-only)
};

// Reads /config/topics/<t> with its version, applies `change`, and writes the result with a
// CAS on that version (and a check that the topic still exists), re-reading and applying
// again when another writer got there first. UNKNOWN_TOPIC_OR_PARTITION for a missing topic,
// INVALID_CONFIG / INVALID_REQUEST from `change`; `validate_only` stops before the write.
awaitable<TopicConfigAltered> alter_topic_config(coordination::ZkSession& zk, std::string topic,
                                                 TopicConfigChange change, bool validate_only);

}  // namespace sluice::broker::cluster
