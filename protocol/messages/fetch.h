// Fetch (key 1): consumers and followers read record batches from partition leaders. v3 adds
// a response size limit, v4 isolation level (and RecordBatch v2), v7 fetch sessions, v9
// leader epochs, v11 rack, v12 is flexible with tagged diverging-epoch/current-leader fields.
// Sluice serves v4+ and answers older versions with UNSUPPORTED_VERSION.
//
// Fields Kafka adds after v12 are not modelled (our range ends at 12): topic ids replacing
// names (v13+), the request's ReplicaState (tag 1, v15+), FetchPartition's ReplicaDirectoryId
// (tag 0, v17+) and the response's NodeEndpoints (tag 0, v16+). A peer that sends such a tag
// anyway gets it kept in unknown_tags. Fields whose versions end inside Kafka's wider range
// carry their `.until` (e.g. ReplicaId 0-14, topic names 0-12) so the specs read like the
// schema; within 0-12 those bounds change nothing.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct FetchPartition : MessageStruct {
  int32_t partition = 0;
  int32_t current_leader_epoch = -1;
  int64_t fetch_offset = 0;
  int32_t last_fetched_epoch = -1;
  int64_t log_start_offset = -1;
  int32_t partition_max_bytes = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition", partition, {});
    f.field("current_leader_epoch", current_leader_epoch, {.since = 9});
    f.field("fetch_offset", fetch_offset, {});
    f.field("last_fetched_epoch", last_fetched_epoch, {.since = 12});
    f.field("log_start_offset", log_start_offset, {.since = 5});
    f.field("partition_max_bytes", partition_max_bytes, {});
  }
};

struct FetchTopic : MessageStruct {
  std::string topic;
  std::vector<FetchPartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("topic", topic, {.until = 12});
    f.field("partitions", partitions, {});
  }
};

struct FetchForgottenTopic : MessageStruct {
  std::string topic;
  std::vector<int32_t> partitions;

  template <class F>
  void fields(F& f) {
    f.field("topic", topic, {.since = 7, .until = 12});
    f.field("partitions", partitions, {.since = 7});
  }
};

struct FetchRequest : MessageStruct {
  std::optional<std::string> cluster_id;  // tagged 0 (v12+)
  int32_t replica_id = -1;                // -1 for consumers, the broker id for followers
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = INT32_MAX;
  int8_t isolation_level = 0;
  int32_t session_id = 0;
  int32_t session_epoch = -1;
  std::vector<FetchTopic> topics;
  std::vector<FetchForgottenTopic> forgotten_topics_data;
  std::string rack_id;

  template <class F>
  void fields(F& f) {
    f.field("cluster_id", cluster_id, {.since = 12, .nullable_since = 12, .tag = 0});
    f.field("replica_id", replica_id, {.until = 14});
    f.field("max_wait_ms", max_wait_ms, {});
    f.field("min_bytes", min_bytes, {});
    f.field("max_bytes", max_bytes, {.since = 3});
    f.field("isolation_level", isolation_level, {.since = 4});
    f.field("session_id", session_id, {.since = 7});
    f.field("session_epoch", session_epoch, {.since = 7});
    f.field("topics", topics, {});
    f.field("forgotten_topics_data", forgotten_topics_data, {.since = 7});
    f.field("rack_id", rack_id, {.since = 11});
  }
};

struct FetchEpochEndOffset : MessageStruct {
  int32_t epoch = -1;
  int64_t end_offset = -1;

  template <class F>
  void fields(F& f) {
    f.field("epoch", epoch, {});
    f.field("end_offset", end_offset, {});
  }
};

struct FetchLeaderIdAndEpoch : MessageStruct {
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;

  template <class F>
  void fields(F& f) {
    f.field("leader_id", leader_id, {});
    f.field("leader_epoch", leader_epoch, {});
  }
};

struct FetchSnapshotId : MessageStruct {
  int64_t end_offset = -1;
  int32_t epoch = -1;

  template <class F>
  void fields(F& f) {
    f.field("end_offset", end_offset, {});
    f.field("epoch", epoch, {});
  }
};

struct FetchAbortedTransaction : MessageStruct {
  int64_t producer_id = 0;
  int64_t first_offset = 0;

  template <class F>
  void fields(F& f) {
    f.field("producer_id", producer_id, {.since = 4});
    f.field("first_offset", first_offset, {.since = 4});
  }
};

struct FetchPartitionData : MessageStruct {
  int32_t partition_index = 0;
  int16_t error_code = 0;
  int64_t high_watermark = 0;
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
  std::optional<FetchEpochEndOffset> diverging_epoch;   // tagged 0
  std::optional<FetchLeaderIdAndEpoch> current_leader;  // tagged 1
  std::optional<FetchSnapshotId> snapshot_id;           // tagged 2
  std::optional<std::vector<FetchAbortedTransaction>> aborted_transactions;
  int32_t preferred_read_replica = -1;
  Records records;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("error_code", error_code, {});
    f.field("high_watermark", high_watermark, {});
    f.field("last_stable_offset", last_stable_offset, {.since = 4});
    f.field("log_start_offset", log_start_offset, {.since = 5});
    f.field("diverging_epoch", diverging_epoch, {.since = 12, .tag = 0});
    f.field("current_leader", current_leader, {.since = 12, .tag = 1});
    f.field("snapshot_id", snapshot_id, {.since = 12, .tag = 2});
    f.field("aborted_transactions", aborted_transactions, {.since = 4, .nullable_since = 4});
    f.field("preferred_read_replica", preferred_read_replica, {.since = 11});
    f.field("records", records, {.nullable_since = 0});
  }
};

struct FetchableTopicResponse : MessageStruct {
  std::string topic;
  std::vector<FetchPartitionData> partitions;

  template <class F>
  void fields(F& f) {
    f.field("topic", topic, {.until = 12});
    f.field("partitions", partitions, {});
  }
};

struct FetchResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<FetchableTopicResponse> responses;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("error_code", error_code, {.since = 7});
    f.field("session_id", session_id, {.since = 7});
    f.field("responses", responses, {});
  }
};

SLUICE_DECLARE_CODEC(FetchRequest);
SLUICE_DECLARE_CODEC(FetchResponse);

}  // namespace sluice::protocol
