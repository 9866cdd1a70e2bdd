// The ZooKeeper schema: znode paths and their JSON payloads, following Kafka's ZooKeeper
// layout (KafkaZkClient / ZkData) so tools that read a Kafka cluster's znodes read ours.
// Specified in docs/znodes.md; every path is relative to the configured chroot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::coordination::znodes {

// ---- paths ----
std::string broker_ids();                                        // /brokers/ids
std::string broker(int32_t id);                                  // /brokers/ids/<id>
std::string topics();                                            // /brokers/topics
std::string topic(std::string_view name);                        // /brokers/topics/<t>
std::string partitions(std::string_view topic);                  // .../<t>/partitions
std::string partition(std::string_view topic, int32_t p);        // .../partitions/<p>
std::string partition_state(std::string_view topic, int32_t p);  // .../partitions/<p>/state
std::string controller();                                        // /controller
std::string controller_epoch();                                  // /controller_epoch
std::string topic_configs();                                     // /config/topics
std::string topic_config(std::string_view topic);                // /config/topics/<t>
std::string delete_topics();                                     // /admin/delete_topics
std::string delete_topic(std::string_view topic);                // /admin/delete_topics/<t>
std::string controlled_shutdowns();                              // /admin/controlled_shutdown
std::string controlled_shutdown(int32_t id);                     // .../<id>, ephemeral
std::string preferred_replica_election();            // /admin/preferred_replica_election
std::string cluster_id();                            // /cluster/id
std::string consumers();                             // /consumers
std::string consumer_group(std::string_view group);  // /consumers/<g>
std::string latest_producer_id_block();              // /latest_producer_id_block
// Persistent parents every broker ensures at start-up (like Kafka's PersistentZkPaths).
std::vector<std::string> persistent_roots();

// Kafka's legal topic names: 1..249 chars of [a-zA-Z0-9._-], not "." or "..".
Status validate_topic_name(std::string_view name);

// ---- payloads ----
// Errors decoding a payload are ZkErrc::data_inconsistency with the path and reason.

struct BrokerEndpoint {
  std::string listener;           // listener name, e.g. "PLAINTEXT", "INTERNAL"
  std::string security_protocol;  // PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
  std::string host;
  int32_t port = 0;
  friend bool operator==(const BrokerEndpoint&, const BrokerEndpoint&) = default;
};

// /brokers/ids/<id>, ephemeral. JSON version 5 (Kafka 2.8+ layout).
struct BrokerRegistration {
  int32_t id = -1;  // from the path, not the payload
  std::vector<BrokerEndpoint> endpoints;
  std::optional<std::string> rack;
  int64_t timestamp_ms = 0;
  // Not in the payload: the registration znode's czxid, set by read_brokers. It changes with
  // every (re-)registration, so it tells a restarted broker (or a new session) apart
  // (Kafka's broker epoch).
  int64_t czxid = 0;
  friend bool operator==(const BrokerRegistration&, const BrokerRegistration&) = default;
};
std::string encode(const BrokerRegistration& b);
Result<BrokerRegistration> decode_broker(int32_t id, std::string_view json);

// /controller, ephemeral.
struct ControllerInfo {
  int32_t broker_id = -1;
  int64_t timestamp_ms = 0;
  friend bool operator==(const ControllerInfo&, const ControllerInfo&) = default;
};
std::string encode(const ControllerInfo& c);
Result<ControllerInfo> decode_controller(std::string_view json);

// /controller_epoch: a bare decimal integer, as in Kafka.
std::string encode_controller_epoch(int32_t epoch);
Result<int32_t> decode_controller_epoch(std::string_view data);

// /brokers/topics/<t>: replica assignment. JSON version 3 when a topic id is present
// (Kafka 2.8+), else version 2.
struct TopicAssignment {
  std::string topic_id;                                // Kafka's base64 UUID text; empty = none
  std::map<int32_t, std::vector<int32_t>> partitions;  // partition -> replicas (first = preferred)
  friend bool operator==(const TopicAssignment&, const TopicAssignment&) = default;
};
std::string encode(const TopicAssignment& t);
Result<TopicAssignment> decode_topic(std::string_view json);

// /brokers/topics/<t>/partitions/<p>/state: leader and ISR, written only with CAS.
struct PartitionState {
  int32_t leader = -1;  // -1: no leader
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
  int32_t controller_epoch = 0;
  friend bool operator==(const PartitionState&, const PartitionState&) = default;
};
std::string encode(const PartitionState& s);
Result<PartitionState> decode_partition_state(std::string_view json);

// /admin/preferred_replica_election: a request to move leadership back to each partition's
// preferred (first assigned) replica. Kafka's layout:
// {"version":1,"partitions":[{"topic":"t","partition":0},...]}; no "partitions" or an
// empty payload means every partition.
struct PartitionRef {
  std::string topic;
  int32_t partition = 0;
  friend auto operator<=>(const PartitionRef&, const PartitionRef&) = default;
};
std::string encode_preferred_election(const std::vector<PartitionRef>& partitions);
Result<std::vector<PartitionRef>> decode_preferred_election(std::string_view json);

// /config/topics/<t>: per-topic overrides.
struct TopicConfig {
  std::map<std::string, std::string> config;
  friend bool operator==(const TopicConfig&, const TopicConfig&) = default;
};
std::string encode(const TopicConfig& c);
Result<TopicConfig> decode_topic_config(std::string_view json);

// /cluster/id: {"version":"1","id":"<cluster id>"}.
std::string encode_cluster_id(std::string_view id);
Result<std::string> decode_cluster_id(std::string_view json);

}  // namespace sluice::coordination::znodes
