// CreateTopics (key 19): create topics with a partition count and replication factor or a
// manual assignment, plus configs; validate_only checks without creating. v5 is flexible and
// returns the created topic's configs, v7 its topic id.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct CreatableReplicaAssignment : MessageStruct {
  int32_t partition_index = 0;
  std::vector<int32_t> broker_ids;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("broker_ids", broker_ids, {});
  }
};

struct CreatableTopicConfig : MessageStruct {
  std::string name;
  std::optional<std::string> value;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("value", value, {.nullable_since = 0});
  }
};

struct CreatableTopic : MessageStruct {
  std::string name;
  int32_t num_partitions = -1;
  int16_t replication_factor = -1;
  std::vector<CreatableReplicaAssignment> assignments;
  std::vector<CreatableTopicConfig> configs;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("num_partitions", num_partitions, {});
    f.field("replication_factor", replication_factor, {});
    f.field("assignments", assignments, {});
    f.field("configs", configs, {});
  }
};

struct CreateTopicsRequest : MessageStruct {
  std::vector<CreatableTopic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;

  template <class F>
  void fields(F& f) {
    f.field("topics", topics, {});
    f.field("timeout_ms", timeout_ms, {});
    f.field("validate_only", validate_only, {.since = 1});
  }
};

struct CreatableTopicConfigs : MessageStruct {
  std::string name;
  std::optional<std::string> value;
  bool read_only = false;
  int8_t config_source = -1;
  bool is_sensitive = false;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {.since = 5});
    f.field("value", value, {.since = 5, .nullable_since = 5});
    f.field("read_only", read_only, {.since = 5});
    f.field("config_source", config_source, {.since = 5});
    f.field("is_sensitive", is_sensitive, {.since = 5});
  }
};

struct CreatableTopicResult : MessageStruct {
  std::string name;
  Uuid topic_id;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  std::optional<int16_t> topic_config_error_code;  // tagged 0 (v5+)
  int32_t num_partitions = -1;
  int16_t replication_factor = -1;
  std::optional<std::vector<CreatableTopicConfigs>> configs;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("topic_id", topic_id, {.since = 7});
    f.field("error_code", error_code, {});
    f.field("error_message", error_message, {.since = 1, .nullable_since = 0});
    f.field("topic_config_error_code", topic_config_error_code, {.since = 5, .tag = 0});
    f.field("num_partitions", num_partitions, {.since = 5});
    f.field("replication_factor", replication_factor, {.since = 5});
    f.field("configs", configs, {.since = 5, .nullable_since = 5});
  }
};

struct CreateTopicsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<CreatableTopicResult> topics;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 2});
    f.field("topics", topics, {});
  }
};

SLUICE_DECLARE_CODEC(CreateTopicsRequest);
SLUICE_DECLARE_CODEC(CreateTopicsResponse);

}  // namespace sluice::protocol
