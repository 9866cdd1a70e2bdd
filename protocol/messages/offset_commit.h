// OffsetCommit (key 8): a group's committed offsets. v1 adds the generation and member id
// (and a per-partition timestamp, v1 only), v2-4 a retention time, v6 leader epochs, v7
// static membership, v8 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct OffsetCommitRequestPartition : MessageStruct {
  int32_t partition_index = 0;
  int64_t committed_offset = 0;
  int32_t committed_leader_epoch = -1;
  int64_t commit_timestamp = -1;
  std::optional<std::string> committed_metadata;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("committed_offset", committed_offset, {});
    f.field("committed_leader_epoch", committed_leader_epoch, {.since = 6});
    f.field("commit_timestamp", commit_timestamp, {.since = 1, .until = 1});
    f.field("committed_metadata", committed_metadata, {.nullable_since = 0});
  }
};

struct OffsetCommitRequestTopic : MessageStruct {
  std::string name;
  std::vector<OffsetCommitRequestPartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct OffsetCommitRequest : MessageStruct {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int64_t retention_time_ms = -1;
  std::vector<OffsetCommitRequestTopic> topics;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {});
    f.field("generation_id", generation_id, {.since = 1});
    f.field("member_id", member_id, {.since = 1});
    f.field("group_instance_id", group_instance_id, {.since = 7, .nullable_since = 7});
    f.field("retention_time_ms", retention_time_ms, {.since = 2, .until = 4});
    f.field("topics", topics, {});
  }
};

struct OffsetCommitResponsePartition : MessageStruct {
  int32_t partition_index = 0;
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("error_code", error_code, {});
  }
};

struct OffsetCommitResponseTopic : MessageStruct {
  std::string name;
  std::vector<OffsetCommitResponsePartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct OffsetCommitResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<OffsetCommitResponseTopic> topics;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 3});
    f.field("topics", topics, {});
  }
};

SLUICE_DECLARE_CODEC(OffsetCommitRequest);
SLUICE_DECLARE_CODEC(OffsetCommitResponse);

}  // namespace sluice::protocol
