// OffsetFetch (key 9): a group's committed offsets. v2 allows null topics (all), v5 leader
// epochs, v6 is flexible, v7 require_stable, v8 batches several groups.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct OffsetFetchRequestTopic : MessageStruct {
  std::string name;
  std::vector<int32_t> partition_indexes;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {});
    f.field("partition_indexes", partition_indexes, {});
  }
};

struct OffsetFetchRequestGroup : MessageStruct {
  std::string group_id;
  std::optional<std::vector<OffsetFetchRequestTopic>> topics;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {.since = 8});
    f.field("topics", topics, {.since = 8, .nullable_since = 8});
  }
};

struct OffsetFetchRequest : MessageStruct {
  std::string group_id;                                         // v0-7
  std::optional<std::vector<OffsetFetchRequestTopic>> topics =  // v0-7; null (v2+) = all
      std::vector<OffsetFetchRequestTopic>{};
  std::vector<OffsetFetchRequestGroup> groups;  // v8+
  bool require_stable = false;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {.until = 7});
    f.field("topics", topics, {.until = 7, .nullable_since = 2});
    f.field("groups", groups, {.since = 8});
    f.field("require_stable", require_stable, {.since = 7});
  }
};

struct OffsetFetchResponsePartition : MessageStruct {
  int32_t partition_index = 0;
  int64_t committed_offset = -1;
  int32_t committed_leader_epoch = -1;
  std::optional<std::string> metadata = std::string();
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {.until = 7});
    f.field("committed_offset", committed_offset, {.until = 7});
    f.field("committed_leader_epoch", committed_leader_epoch, {.since = 5, .until = 7});
    f.field("metadata", metadata, {.until = 7, .nullable_since = 0});
    f.field("error_code", error_code, {.until = 7});
  }
};

struct OffsetFetchResponseTopic : MessageStruct {
  std::string name;
  std::vector<OffsetFetchResponsePartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {.until = 7});
    f.field("partitions", partitions, {.until = 7});
  }
};

struct OffsetFetchResponsePartitions : MessageStruct {
  int32_t partition_index = 0;
  int64_t committed_offset = -1;
  int32_t committed_leader_epoch = -1;
  std::optional<std::string> metadata = std::string();
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition_index", partition_index, {.since = 8});
    f.field("committed_offset", committed_offset, {.since = 8});
    f.field("committed_leader_epoch", committed_leader_epoch, {.since = 8});
    f.field("metadata", metadata, {.since = 8, .nullable_since = 8});
    f.field("error_code", error_code, {.since = 8});
  }
};

struct OffsetFetchResponseTopics : MessageStruct {
  std::string name;
  std::vector<OffsetFetchResponsePartitions> partitions;

  template <class F>
  void fields(F& f) {
    f.field("name", name, {.since = 8});
    f.field("partitions", partitions, {.since = 8});
  }
};

struct OffsetFetchResponseGroup : MessageStruct {
  std::string group_id;
  std::vector<OffsetFetchResponseTopics> topics;
  int16_t error_code = 0;

  template <class F>
  void fields(F& f) {
    f.field("group_id", group_id, {.since = 8});
    f.field("topics", topics, {.since = 8});
    f.field("error_code", error_code, {.since = 8});
  }
};

struct OffsetFetchResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<OffsetFetchResponseTopic> topics;  // v0-7
  int16_t error_code = 0;                        // v2-7
  std::vector<OffsetFetchResponseGroup> groups;  // v8+

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 3});
    f.field("topics", topics, {.until = 7});
    f.field("error_code", error_code, {.since = 2, .until = 7});
    f.field("groups", groups, {.since = 8});
  }
};

SLUICE_DECLARE_CODEC(OffsetFetchRequest);
SLUICE_DECLARE_CODEC(OffsetFetchResponse);

}  // namespace sluice::protocol
