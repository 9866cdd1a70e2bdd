// DescribeConfigs (key 32): configuration of topics (resource type 2) and brokers (4). v1
// adds synonyms and the config source, v3 types and documentation, v4 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

inline constexpr int8_t kResourceTopic = 2;
inline constexpr int8_t kResourceBroker = 4;

struct DescribeConfigsResource : MessageStruct {
  int8_t resource_type = 0;
  std::string resource_name;
  std::optional<std::vector<std::string>> configuration_keys;

  template <class F>
  void fields(F& f) {
    f.field("resource_type", resource_type, {});
    f.field("resource_name", resource_name, {});
    f.field("configuration_keys", configuration_keys, {.nullable_since = 0});
  }
};

struct DescribeConfigsRequest : MessageStruct {
  std::vector<DescribeConfigsResource> resources;
  bool include_synonyms = false;
  bool include_documentation = false;

  template <class F>
  void fields(F& f) {
    f.field("resources", resources, {});
    f.field("include_synonyms", include_synonyms, {.since = 1});
    f.field("include_documentation", include_documentation, {.since = 3});
  }
};

struct DescribeConfigsSynonym : MessageStruct {
  std::string name;
  std::optional<std::string> value;
  int8_t source = 0;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {.since = 1});
    f.field("value", value, {.since = 1, .nullable_since = 1});
    f.field("source", source, {.since = 1});
  }
};

struct DescribeConfigsResourceResult : MessageStruct {
  std::string name;
  std::optional<std::string> value;
  bool read_only = false;
  bool is_default = false;
  int8_t config_source = -1;
  bool is_sensitive = false;
  std::vector<DescribeConfigsSynonym> synonyms;
  int8_t config_type = 0;
  std::optional<std::string> documentation;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("value", value, {.nullable_since = 0});
    f.field("read_only", read_only, {});
    f.field("is_default", is_default, {.until = 0});
    f.field("config_source", config_source, {.since = 1});
    f.field("is_sensitive", is_sensitive, {});
    f.field("synonyms", synonyms, {.since = 1});
    f.field("config_type", config_type, {.since = 3});
    f.field("documentation", documentation, {.since = 3, .nullable_since = 0});
  }
};

struct DescribeConfigsResult : MessageStruct {
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<DescribeConfigsResourceResult> configs;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("error_message", error_message, {.nullable_since = 0});
    f.field("resource_type", resource_type, {});
    f.field("resource_name", resource_name, {});
    f.field("configs", configs, {});
  }
};

struct DescribeConfigsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<DescribeConfigsResult> results;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("results", results, {});
  }
};

SLUICE_DECLARE_CODEC(DescribeConfigsRequest);
SLUICE_DECLARE_CODEC(DescribeConfigsResponse);

}  // namespace sluice::protocol
