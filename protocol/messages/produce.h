// Produce (key 0): record batches for partitions, with the acknowledgement level. v3 adds the
// transactional id (and requires RecordBatch v2), v9 is flexible. Sluice accepts v3+ and
// answers older versions with UNSUPPORTED_VERSION (their message formats are v0/v1).
// Kafka's v10+ response tags (partition CurrentLeader, top-level NodeEndpoints) are beyond
// our range (0-9) and not modelled; a peer sending them gets them kept in unknown_tags.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct ProducePartitionData : MessageStruct {
  int32_t index = 0;
  Records records;

  template <class F>
  void fields(F& f) {
    f.field("index", index, {});
    f.field("records", records, {.nullable_since = 0});
  }
};

struct ProduceTopicData : MessageStruct {
  std::string name;
  std::vector<ProducePartitionData> partition_data;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partition_data", partition_data, {});
  }
};

struct ProduceRequest : MessageStruct {
  std::optional<std::string> transactional_id;
  int16_t acks = 1;
  int32_t timeout_ms = 30000;
  std::vector<ProduceTopicData> topic_data;

  template <class F>
  void fields(F& f) {
    f.field("transactional_id", transactional_id, {.since = 3, .nullable_since = 3});
    f.field("acks", acks, {});
    f.field("timeout_ms", timeout_ms, {});
    f.field("topic_data", topic_data, {});
  }
};

struct ProduceBatchIndexAndErrorMessage : MessageStruct {
  int32_t batch_index = 0;
  std::optional<std::string> batch_index_error_message;

  template <class F>
  void fields(F& f) {
    f.field("batch_index", batch_index, {.since = 8});
    f.field("batch_index_error_message", batch_index_error_message,
            {.since = 8, .nullable_since = 8});
  }
};

struct ProducePartitionResponse : MessageStruct {
  int32_t index = 0;
  int16_t error_code = 0;
  int64_t base_offset = -1;
  int64_t log_append_time_ms = -1;
  int64_t log_start_offset = -1;
  std::vector<ProduceBatchIndexAndErrorMessage> record_errors;
  std::optional<std::string> error_message;

  template <class F>
  void fields(F& f) {
    f.field("index", index, {});
    f.field("error_code", error_code, {});
    f.field("base_offset", base_offset, {});
    f.field("log_append_time_ms", log_append_time_ms, {.since = 2});
    f.field("log_start_offset", log_start_offset, {.since = 5});
    f.field("record_errors", record_errors, {.since = 8});
    f.field("error_message", error_message, {.since = 8, .nullable_since = 8});
  }
};

struct ProduceTopicResponse : MessageStruct {
  std::string name;
  std::vector<ProducePartitionResponse> partition_responses;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partition_responses", partition_responses, {});
  }
};

struct ProduceResponse : MessageStruct {
  std::vector<ProduceTopicResponse> responses;
  int32_t throttle_time_ms = 0;

  template <class F>
  void fields(F& f) {
    f.field("responses", responses, {});
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
  }
};

SLUICE_DECLARE_CODEC(ProduceRequest);
SLUICE_DECLARE_CODEC(ProduceResponse);

}  // namespace sluice::protocol
