// FindCoordinator (key 10): which broker coordinates a consumer group (key type 0) or a
// transactional id (1). v3 is flexible; v4 batches several keys.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct FindCoordinatorRequest : MessageStruct {
  std::string key;                            // v0-3
  int8_t key_type = 0;                        // v1+
  std::vector<std::string> coordinator_keys;  // v4+

  template <class F>
  void fields(F& f) {
    f.field("key", key, {.until = 3});
    f.field("key_type", key_type, {.since = 1});
    f.field("coordinator_keys", coordinator_keys, {.since = 4});
  }
};

struct FindCoordinatorCoordinator : MessageStruct {
  std::string key;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
  int16_t error_code = 0;
  std::optional<std::string> error_message;

  template <class F>
  void fields(F& f) {
    f.field("key", key, {.since = 4});
    f.field("node_id", node_id, {.since = 4});
    f.field("host", host, {.since = 4});
    f.field("port", port, {.since = 4});
    f.field("error_code", error_code, {.since = 4});
    f.field("error_message", error_message, {.since = 4, .nullable_since = 4});
  }
};

struct FindCoordinatorResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
  std::vector<FindCoordinatorCoordinator> coordinators;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 1});
    f.field("error_code", error_code, {.until = 3});
    f.field("error_message", error_message, {.since = 1, .until = 3, .nullable_since = 1});
    f.field("node_id", node_id, {.until = 3});
    f.field("host", host, {.until = 3});
    f.field("port", port, {.until = 3});
    f.field("coordinators", coordinators, {.since = 4});
  }
};

SLUICE_DECLARE_CODEC(FindCoordinatorRequest);
SLUICE_DECLARE_CODEC(FindCoordinatorResponse);

}  // namespace sluice::protocol
