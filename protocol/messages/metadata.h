// Metadata (key 3): brokers, controller, cluster id, and each topic's partitions with leader,
// leader epoch, replicas and ISR. v4 adds auto-creation control, v7 leader epochs, v9 is
// flexible, v10 topic ids, v11 drops cluster authorized operations, v12 nullable names.
// Fields that stop existing inside our range (both *ClusterAuthorizedOperations fields exist
// in v8-10 only) say so with FieldSpec::until, the last version that carries them.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct MetadataRequestTopic : MessageStruct {
  Uuid topic_id;
  std::optional<std::string> name;

  template <class F>
  void fields(F& f) {
    f.field("topic_id", topic_id, {.since = 10});
    f.field("name", name, {.nullable_since = 10});
  }
};

struct MetadataRequest : MessageStruct {
  // v0: an empty array means all topics; v1+: null means all topics, empty means none.
  std::optional<std::vector<MetadataRequestTopic>> topics = std::vector<MetadataRequestTopic>{};
  bool allow_auto_topic_creation = true;
  bool include_cluster_authorized_operations = false;
  bool include_topic_authorized_operations = false;

  template <class F>
  void fields(F& f) {
    f.field("topics", topics, {.nullable_since = 1});
    f.field("allow_auto_topic_creation", allow_auto_topic_creation, {.since = 4});
    f.field("include_cluster_authorized_operations", include_cluster_authorized_operations,
            {.since = 8, .until = 10});
    f.field("include_topic_authorized_operations", include_topic_authorized_operations,
            {.since = 8});
  }
};

struct MetadataResponseBroker : MessageStruct {
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;

  template <class F>
  void fields(F& f) {
    f.field("node_id", node_id, {});
    f.field("host", host, {});
    f.field("port", port, {});
    f.field("rack", rack, {.since = 1, .nullable_since = 1});
  }
};

struct MetadataResponsePartition : MessageStruct {
  int16_t error_code = 0;
  int32_t partition_index = 0;
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
  std::vector<int32_t> replica_nodes;
  std::vector<int32_t> isr_nodes;
  std::vector<int32_t> offline_replicas;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("partition_index", partition_index, {});
    f.field("leader_id", leader_id, {});
    f.field("leader_epoch", leader_epoch, {.since = 7});
    f.field("replica_nodes", replica_nodes, {});
    f.field("isr_nodes", isr_nodes, {});
    f.field("offline_replicas", offline_replicas, {.since = 5});
  }
};

struct MetadataResponseTopic : MessageStruct {
  int16_t error_code = 0;
  std::optional<std::string> name = std::string();
  Uuid topic_id;
  bool is_internal = false;
  std::vector<MetadataResponsePartition> partitions;
  int32_t topic_authorized_operations = INT32_MIN;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("name", name, {.nullable_since = 12});
    f.field("topic_id", topic_id, {.since = 10});
    f.field("is_internal", is_internal, {.since = 1});
    f.field("partitions", partitions, {});
    f.field("topic_authorized_operations", topic_authorized_operations, {.since = 8});
  }
};

struct MetadataResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<MetadataResponseBroker> brokers;
  std::optional<std::string> cluster_id;
  int32_t controller_id = -1;
  std::vector<MetadataResponseTopic> topics;
  int32_t cluster_authorized_operations = INT32_MIN;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 3});
    f.field("brokers", brokers, {});
    f.field("cluster_id", cluster_id, {.since = 2, .nullable_since = 2});
    f.field("controller_id", controller_id, {.since = 1});
    f.field("topics", topics, {});
    f.field("cluster_authorized_operations", cluster_authorized_operations,
            {.since = 8, .until = 10});
  }
};

SLUICE_DECLARE_CODEC(MetadataRequest);
SLUICE_DECLARE_CODEC(MetadataResponse);

}  // namespace sluice::protocol
