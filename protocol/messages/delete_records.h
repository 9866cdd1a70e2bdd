// DeleteRecords (key 21): move partitions' log start offsets forward (records below become
// unreadable and their segments are deleted). v2 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct DeleteRecordsPartition : MessageStruct {
  int32_t partition_index = 0;
  int64_t offset = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("offset", offset, {});
  }
};

struct DeleteRecordsTopic : MessageStruct {
  std::string name;
  std::vector<DeleteRecordsPartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct DeleteRecordsRequest : MessageStruct {
  std::vector<DeleteRecordsTopic> topics;
  int32_t timeout_ms = 30000;

  template <class F>
  void fields(F& f) {
    f.field("topics", topics, {});
    f.field("timeout_ms", timeout_ms, {});
  }
};

struct DeleteRecordsPartitionResult : MessageStruct {
  int32_t partition_index = 0;
  int64_t low_watermark = -1;
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("low_watermark", low_watermark, {});
    f.field("error_code", error_code, {});
  }
};

struct DeleteRecordsTopicResult : MessageStruct {
  std::string name;
  std::vector<DeleteRecordsPartitionResult> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct DeleteRecordsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<DeleteRecordsTopicResult> topics;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("topics", topics, {});
  }
};

SLUICE_DECLARE_CODEC(DeleteRecordsRequest);
SLUICE_DECLARE_CODEC(DeleteRecordsResponse);

}  // namespace sluice::protocol
