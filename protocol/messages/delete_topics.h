// DeleteTopics (key 20): delete topics by name (v0-5) or by name or id (v6+). v4 is
// flexible; v5 adds error messages.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct DeleteTopicState : MessageStruct {
  std::optional<std::string> name;
  Uuid topic_id;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {.since = 6, .nullable_since = 6});
    f.field("topic_id", topic_id, {.since = 6});
  }
};

// v0-5 name the topics in topic_names; v6 replaced that array with topics (name or id), so
// topic_names carries an upper bound (FieldSpec::until = 5) and is not on the wire in v6.
struct DeleteTopicsRequest : MessageStruct {
  std::vector<DeleteTopicState> topics;  // v6+
  std::vector<std::string> topic_names;  // v0-5
  int32_t timeout_ms = 30000;

  template <class F>
  void fields(F& f) {
    f.field("topics", topics, {.since = 6});
    f.field("topic_names", topic_names, {.until = 5});
    f.field("timeout_ms", timeout_ms, {});
  }
};

struct DeletableTopicResult : MessageStruct {
  std::optional<std::string> name = std::string();
  Uuid topic_id;
  int16_t error_code = 0;
  std::optional<std::string> error_message;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {.nullable_since = 6});
    f.field("topic_id", topic_id, {.since = 6});
    f.field("error_code", error_code, {});
    f.field("error_message", error_message, {.since = 5, .nullable_since = 5});
  }
};

struct DeleteTopicsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<DeletableTopicResult> responses;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("responses", responses, {});
  }
};

SLUICE_DECLARE_CODEC(DeleteTopicsRequest);
SLUICE_DECLARE_CODEC(DeleteTopicsResponse);

}  // namespace sluice::protocol
