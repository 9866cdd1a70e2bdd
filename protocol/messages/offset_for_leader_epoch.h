// OffsetForLeaderEpoch (key 23): the end offset of a leader epoch on the leader, which a
// follower (or a consumer after a leader change) uses to find where its log diverged. v2
// adds current leader epochs, v3 the replica id, v4 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct OffsetForLeaderPartition : MessageStruct {
  int32_t partition = 0;
  int32_t current_leader_epoch = -1;
  int32_t leader_epoch = 0;

  template <class F>
  void fields(F& f) {
    f.field("partition", partition, {});
    f.field("current_leader_epoch", current_leader_epoch, {.since = 2});
    f.field("leader_epoch", leader_epoch, {});
  }
};

struct OffsetForLeaderTopic : MessageStruct {
  std::string topic;
  std::vector<OffsetForLeaderPartition> partitions;

  template <class F>
  void fields(F& f) {
    f.field("topic", topic, {});
    f.field("partitions", partitions, {});
  }
};

struct OffsetForLeaderEpochRequest : MessageStruct {
  int32_t replica_id = -2;  // -1 consumers, -2 debug (Kafka's default), broker id for followers
  std::vector<OffsetForLeaderTopic> topics;

  template <class F>
  void fields(F& f) {
    f.field("replica_id", replica_id, {.since = 3});
    f.field("topics", topics, {});
  }
};

struct EpochEndOffsetResult : MessageStruct {
  int16_t error_code = 0;
  int32_t partition = 0;
  int32_t leader_epoch = -1;
  int64_t end_offset = -1;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("partition", partition, {});
    f.field("leader_epoch", leader_epoch, {.since = 1});
    f.field("end_offset", end_offset, {});
  }
};

struct OffsetForLeaderTopicResult : MessageStruct {
  std::string topic;
  std::vector<EpochEndOffsetResult> partitions;

  template <class F>
  void fields(F& f) {
    f.field("topic", topic, {});
    f.field("partitions", partitions, {});
  }
};

struct OffsetForLeaderEpochResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  std::vector<OffsetForLeaderTopicResult> topics;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {.since = 2});
    f.field("topics", topics, {});
  }
};

SLUICE_DECLARE_CODEC(OffsetForLeaderEpochRequest);
SLUICE_DECLARE_CODEC(OffsetForLeaderEpochResponse);

}  // namespace sluice::protocol
