// ApiVersions (key 18): which APIs and versions a broker supports. v3 is flexible and adds
// the client's software name/version; its response header is always v0 (see header.h).
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct ApiVersionsRequest : MessageStruct {
  std::string client_software_name;
  std::string client_software_version;

  template <class F>
  void fields(F& f) {
    f.field("client_software_name", client_software_name, {.since = 3});
    f.field("client_software_version", client_software_version, {.since = 3});
  }
};

struct ApiVersionsResponseKey : MessageStruct {
  int16_t api_key = 0;
  int16_t min_version = 0;
  int16_t max_version = 0;

  template <class F>
  void fields(F& f) {
    f.field("api_key", api_key, {});
    f.field("min_version", min_version, {});
    f.field("max_version", max_version, {});
  }
};

struct ApiVersionsSupportedFeature : MessageStruct {
  std::string name;
  int16_t min_version = 0;
  int16_t max_version = 0;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("min_version", min_version, {});
    f.field("max_version", max_version, {});
  }
};

struct ApiVersionsFinalizedFeature : MessageStruct {
  std::string name;
  int16_t max_version_level = 0;
  int16_t min_version_level = 0;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("max_version_level", max_version_level, {});
    f.field("min_version_level", min_version_level, {});
  }
};

struct ApiVersionsResponse : MessageStruct {
  int16_t error_code = 0;
  std::vector<ApiVersionsResponseKey> api_keys;
  int32_t throttle_time_ms = 0;
  std::optional<std::vector<ApiVersionsSupportedFeature>> supported_features;
  std::optional<int64_t> finalized_features_epoch;
  std::optional<std::vector<ApiVersionsFinalizedFeature>> finalized_features;
  std::optional<bool> zk_migration_ready;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("api_keys", api_keys, {});
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("supported_features", supported_features, {.since = 3, .tag = 0});
    f.field("finalized_features_epoch", finalized_features_epoch, {.since = 3, .tag = 1});
    f.field("finalized_features", finalized_features, {.since = 3, .tag = 2});
    f.field("zk_migration_ready", zk_migration_ready, {.since = 3, .tag = 3});
  }
};

SLUICE_DECLARE_CODEC(ApiVersionsRequest);
SLUICE_DECLARE_CODEC(ApiVersionsResponse);

}  // namespace sluice::protocol
