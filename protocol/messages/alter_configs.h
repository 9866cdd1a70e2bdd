// AlterConfigs (key 33): replace the configuration overrides of topics (or brokers). v2 is
// flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct AlterableConfig : MessageStruct {
  std::string name;
  std::optional<std::string> value;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("value", value, {.nullable_since = 0});
  }
};

struct AlterConfigsResource : MessageStruct {
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<AlterableConfig> configs;

  template <class F>
  void fields(F& f) {
    f.field("resource_type", resource_type, {});
    f.field("resource_name", resource_name, {});
    f.field("configs", configs, {});
  }
};

struct AlterConfigsRequest : MessageStruct {
  std::vector<AlterConfigsResource> resources;
  bool validate_only = false;

  template <class F>
  void fields(F& f) {
    f.field("resources", resources, {});
    f.field("validate_only", validate_only, {});
  }
};

struct AlterConfigsResourceResponse : MessageStruct {
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

struct AlterConfigsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<AlterConfigsResourceResponse> responses;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("responses", responses, {});
  }
};

SLUICE_DECLARE_CODEC(AlterConfigsRequest);
SLUICE_DECLARE_CODEC(AlterConfigsResponse);

}  // namespace sluice::protocol
