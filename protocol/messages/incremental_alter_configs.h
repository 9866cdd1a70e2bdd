// IncrementalAlterConfigs (key 44, KIP-339): change single configuration keys of topics (or
// brokers) with SET/DELETE/APPEND/SUBTRACT instead of replacing every override. v1 is
// flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

// Kafka's AlterConfigOp.OpType values (config_operation).
inline constexpr int8_t kConfigOpSet = 0;
inline constexpr int8_t kConfigOpDelete = 1;
inline constexpr int8_t kConfigOpAppend = 2;
inline constexpr int8_t kConfigOpSubtract = 3;

struct IncrementalAlterableConfig : MessageStruct {
  std::string name;
  int8_t config_operation = kConfigOpSet;
  std::optional<std::string> value;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("config_operation", config_operation, {});
    f.field("value", value, {.nullable_since = 0});
  }
};

struct IncrementalAlterConfigsResource : MessageStruct {
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<IncrementalAlterableConfig> configs;

  template <class F>
  void fields(F& f) {
    f.field("resource_type", resource_type, {});
    f.field("resource_name", resource_name, {});
    f.field("configs", configs, {});
  }
};

struct IncrementalAlterConfigsRequest : MessageStruct {
  std::vector<IncrementalAlterConfigsResource> resources;
  bool validate_only = false;

  template <class F>
  void fields(F& f) {
    f.field("resources", resources, {});
    f.field("validate_only", validate_only, {});
  }
};

struct IncrementalAlterConfigsResourceResponse : MessageStruct {
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int8_t resource_type = 0;
  std::string resource_name;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("error_message", error_message, {.nullable_since = 0});
    f.field("resource_type", resource_type, {});
    f.field("resource_name", resource_name, {});
  }
};

struct IncrementalAlterConfigsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<IncrementalAlterConfigsResourceResponse> responses;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("responses", responses, {});
  }
};

SLUICE_DECLARE_CODEC(IncrementalAlterConfigsRequest);
SLUICE_DECLARE_CODEC(IncrementalAlterConfigsResponse);

}  // namespace sluice::protocol
