// ListOffsets (key 2): the offset for a timestamp, or the earliest (-2) / latest (-1) offset.
// v0 returns a list of old-style offsets, v1+ one offset with its timestamp, v4 adds leader
// epochs, v6 is flexible, v7 adds max-timestamp (-3). Fields that exist only in v0
// (MaxNumOffsets, OldStyleOffsets) are bounded with `.until = 0`; Kafka's v10 TimeoutMs is
// beyond our range (0-7) and not modelled.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;
inline constexpr int64_t kMaxTimestamp = -3;

struct ListOffsetsPartition : MessageStruct {
  int32_t partition_index = 0;
  int32_t current_leader_epoch = -1;
  int64_t timestamp = 0;
  int32_t max_num_offsets = 1;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("current_leader_epoch", current_leader_epoch, {.since = 4});
    f.field("timestamp", timestamp, {});
    f.field("max_num_offsets", max_num_offsets, {.until = 0});
  }
};

struct ListOffsetsTopic : MessageStruct {
  std::string name;
  std::vector<ListOffsetsPartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct ListOffsetsRequest : MessageStruct {
  int32_t replica_id = -1;
  int8_t isolation_level = 0;
  std::vector<ListOffsetsTopic> topics;

  template <class F>
  void fields(F& f) {
    f.field("replica_id", replica_id, {});
    f.field("isolation_level", isolation_level, {.since = 2});
    f.field("topics", topics, {});
  }
};

struct ListOffsetsPartitionResponse : MessageStruct {
  int32_t partition_index = 0;
  int16_t error_code = 0;
  std::vector<int64_t> old_style_offsets;
  int64_t timestamp = -1;
  int64_t offset = -1;
  int32_t leader_epoch = -1;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {});
    f.field("error_code", error_code, {});
    f.field("old_style_offsets", old_style_offsets, {.until = 0});
    f.field("timestamp", timestamp, {.since = 1});
    f.field("offset", offset, {.since = 1});
    f.field("leader_epoch", leader_epoch, {.since = 4});
  }
};

struct ListOffsetsTopicResponse : MessageStruct {
  std::string name;
  std::vector<ListOffsetsPartitionResponse> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partitions", partitions, {});
  }
};

struct ListOffsetsResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<ListOffsetsTopicResponse> topics;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 2});
    f.field("topics", topics, {});
  }
};

SLUICE_DECLARE_CODEC(ListOffsetsRequest);
SLUICE_DECLARE_CODEC(ListOffsetsResponse);

}  // namespace sluice::protocol
