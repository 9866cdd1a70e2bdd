// OffsetDelete (key 47): delete a group's committed offsets for some partitions (v0 only).
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct OffsetDeleteRequestPartition : MessageStruct {
  int32_t partition_index = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
  }
};

struct OffsetDeleteRequestTopic : MessageStruct {
  std::string name;
  std::vector<OffsetDeleteRequestPartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct OffsetDeleteRequest : MessageStruct {
  std::string group_id;
  std::vector<OffsetDeleteRequestTopic> topics;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("topics", topics, {});
  }
};

struct OffsetDeleteResponsePartition : MessageStruct {
  int32_t partition_index = 0;
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("error_code", error_code, {});
  }
};

struct OffsetDeleteResponseTopic : MessageStruct {
  std::string name;
  std::vector<OffsetDeleteResponsePartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct OffsetDeleteResponse : MessageStruct {
  int16_t error_code = 0;
  int32_t throttle_time_ms = 0;
  std::vector<OffsetDeleteResponseTopic> topics;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("topics", topics, {});
  }
};

SLUICE_DECLARE_CODEC(OffsetDeleteRequest);
SLUICE_DECLARE_CODEC(OffsetDeleteResponse);

}  // namespace sluice::protocol
