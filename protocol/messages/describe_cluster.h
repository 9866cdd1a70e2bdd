// DescribeCluster (key 60): brokers, controller and cluster id (the admin client's view). v0 is
// flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct DescribeClusterRequest : MessageStruct {
  bool include_cluster_authorized_operations = false;

  template <class F>
  void fields(F& f) {
    f.field("include_cluster_authorized_operations", include_cluster_authorized_operations, {});
  }
};

struct DescribeClusterBroker : MessageStruct {
  int32_t broker_id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;

  template <class F>
  void fields(F& f) {
    f.field("broker_id", broker_id, {});
    f.field("host", host, {});
    f.field("port", port, {});
    f.field("rack", rack, {.nullable_since = 0});
  }
};

struct DescribeClusterResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  std::string cluster_id;
  int32_t controller_id = -1;
  std::vector<DescribeClusterBroker> brokers;
  int32_t cluster_authorized_operations = INT32_MIN;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("error_code", error_code, {});
    f.field("error_message", error_message, {.nullable_since = 0});
    f.field("cluster_id", cluster_id, {});
    f.field("controller_id", controller_id, {});
    f.field("brokers", brokers, {});
    f.field("cluster_authorized_operations", cluster_authorized_operations, {});
  }
};

SLUICE_DECLARE_CODEC(DescribeClusterRequest);
SLUICE_DECLARE_CODEC(DescribeClusterResponse);

}  // namespace sluice::protocol
