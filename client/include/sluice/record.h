// The records users send and receive, and the names of partitions.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sluice/topic_partition.h"

namespace sluice::client {

using sluice::TopicPartition;  // sluice/topic_partition.h

struct Header {
  std::string key;
  std::optional<std::string> value;  // null values are allowed by the protocol
  friend bool operator==(const Header&, const Header&) = default;
};

// A record to produce. Keys and values are bytes held in std::string; nullopt is null (a
// null value is a tombstone on compacted topics).
struct ProducerRecord {
  std::string topic;
  std::optional<int32_t> partition;  // unset: the partitioner chooses
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  std::optional<int64_t> timestamp_ms;  // unset: now
};

// Where a produced record landed.
struct RecordMetadata {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;        // -1 with acks=0 (nobody told us)
  int64_t timestamp_ms = -1;  // the record's timestamp (or the broker's with LogAppendTime)
};

enum class TimestampType { create_time = 0, log_append_time = 1 };

struct ConsumerRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  TimestampType timestamp_type = TimestampType::create_time;
  int32_t leader_epoch = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

}  // namespace sluice::client
