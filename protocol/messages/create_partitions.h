// CreatePartitions (key 37): grow topics to a new partition count, optionally with the
// replicas of each new partition. v2 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct CreatePartitionsAssignment : MessageStruct {
  std::vector<int32_t> broker_ids;

  template <class F>
  void fields(F& f) {
    f.field("broker_ids", broker_ids, {});
  }
};

struct CreatePartitionsTopic : MessageStruct {
  std::string name;
  int32_t count = 0;
  std::optional<std::vector<CreatePartitionsAssignment>> assignments;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("count", count, {});
    f.field("assignments", assignments, {.nullable_since = 0});
  }
};

struct CreatePartitionsRequest : MessageStruct {
  std::vector<CreatePartitionsTopic> topics;
  int32_t timeout_ms = 30000;
  bool validate_only = false;

  template <class F>
  void fields(F& f) {
    f.field("topics", topics, {});
    f.field("timeout_ms", timeout_ms, {});
    f.field("validate_only", validate_only, {});
  }
};

struct CreatePartitionsTopicResult : MessageStruct {
  std::string name;
  int16_t error_code = 0;
  std::optional<std::string> error_message;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("error_code", error_code, {});
    f.field("error_message", error_message, {.nullable_since = 0});
  }
};

struct CreatePartitionsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<CreatePartitionsTopicResult> results;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("results", results, {});
  }
};

SLUICE_DECLARE_CODEC(CreatePartitionsRequest);
SLUICE_DECLARE_CODEC(CreatePartitionsResponse);

}  // namespace sluice::protocol
