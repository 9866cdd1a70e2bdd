// The Kafka APIs Sluice's codec implements, with the version range of each and the first
// flexible (compact + tagged fields) version. This table is the single source of truth for
// the codec; the broker advertises a subset of it in ApiVersions (see docs/protocol.md).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::protocol {

enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kDescribeGroups = 15,
  kListGroups = 16,
  kSaslHandshake = 17,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kDeleteRecords = 21,
  kInitProducerId = 22,
  kOffsetForLeaderEpoch = 23,
  kDescribeConfigs = 32,
  kAlterConfigs = 33,
  kSaslAuthenticate = 36,
  kCreatePartitions = 37,
  kDeleteGroups = 42,
  kIncrementalAlterConfigs = 44,
  kOffsetDelete = 47,
  kDescribeCluster = 60,
};

inline constexpr int16_t kNoFlexibleVersion = INT16_MAX;

struct ApiDescriptor {
  ApiKey key;
  std::string_view name;
  int16_t min_version;
  int16_t max_version;
  int16_t flexible_since;  // kNoFlexibleVersion if no version is flexible

  constexpr bool supports(int16_t v) const { return v >= min_version && v <= max_version; }
  constexpr bool is_flexible(int16_t v) const { return v >= flexible_since; }
};

// clang-format off
inline constexpr ApiDescriptor kProduceApi{ApiKey::kProduce, "Produce", 0, 9, 9};
inline constexpr ApiDescriptor kFetchApi{ApiKey::kFetch, "Fetch", 0, 12, 12};
inline constexpr ApiDescriptor kListOffsetsApi{ApiKey::kListOffsets, "ListOffsets", 0, 7, 6};
inline constexpr ApiDescriptor kMetadataApi{ApiKey::kMetadata, "Metadata", 0, 12, 9};
inline constexpr ApiDescriptor kOffsetCommitApi{ApiKey::kOffsetCommit, "OffsetCommit", 0, 8, 8};
inline constexpr ApiDescriptor kOffsetFetchApi{ApiKey::kOffsetFetch, "OffsetFetch", 0, 8, 6};
inline constexpr ApiDescriptor kFindCoordinatorApi{ApiKey::kFindCoordinator, "FindCoordinator", 0, 4, 3};
inline constexpr ApiDescriptor kJoinGroupApi{ApiKey::kJoinGroup, "JoinGroup", 0, 7, 6};
inline constexpr ApiDescriptor kHeartbeatApi{ApiKey::kHeartbeat, "Heartbeat", 0, 4, 4};
inline constexpr ApiDescriptor kLeaveGroupApi{ApiKey::kLeaveGroup, "LeaveGroup", 0, 4, 4};
inline constexpr ApiDescriptor kSyncGroupApi{ApiKey::kSyncGroup, "SyncGroup", 0, 5, 4};
inline constexpr ApiDescriptor kDescribeGroupsApi{ApiKey::kDescribeGroups, "DescribeGroups", 0, 5, 5};
inline constexpr ApiDescriptor kListGroupsApi{ApiKey::kListGroups, "ListGroups", 0, 4, 3};
inline constexpr ApiDescriptor kSaslHandshakeApi{ApiKey::kSaslHandshake, "SaslHandshake", 0, 1, kNoFlexibleVersion};
inline constexpr ApiDescriptor kApiVersionsApi{ApiKey::kApiVersions, "ApiVersions", 0, 3, 3};
inline constexpr ApiDescriptor kCreateTopicsApi{ApiKey::kCreateTopics, "CreateTopics", 0, 7, 5};
inline constexpr ApiDescriptor kDeleteTopicsApi{ApiKey::kDeleteTopics, "DeleteTopics", 0, 6, 4};
inline constexpr ApiDescriptor kDeleteRecordsApi{ApiKey::kDeleteRecords, "DeleteRecords", 0, 2, 2};
inline constexpr ApiDescriptor kInitProducerIdApi{ApiKey::kInitProducerId, "InitProducerId", 0, 4, 2};
inline constexpr ApiDescriptor kOffsetForLeaderEpochApi{ApiKey::kOffsetForLeaderEpoch, "OffsetForLeaderEpoch", 0, 4, 4};
inline constexpr ApiDescriptor kDescribeConfigsApi{ApiKey::kDescribeConfigs, "DescribeConfigs", 0, 4, 4};
inline constexpr ApiDescriptor kAlterConfigsApi{ApiKey::kAlterConfigs, "AlterConfigs", 0, 2, 2};
inline constexpr ApiDescriptor kSaslAuthenticateApi{ApiKey::kSaslAuthenticate, "SaslAuthenticate", 0, 2, 2};
inline constexpr ApiDescriptor kCreatePartitionsApi{ApiKey::kCreatePartitions, "CreatePartitions", 0, 3, 2};
inline constexpr ApiDescriptor kDeleteGroupsApi{ApiKey::kDeleteGroups, "DeleteGroups", 0, 2, 2};
inline constexpr ApiDescriptor kIncrementalAlterConfigsApi{ApiKey::kIncrementalAlterConfigs, "IncrementalAlterConfigs", 0, 1, 1};
inline constexpr ApiDescriptor kOffsetDeleteApi{ApiKey::kOffsetDelete, "OffsetDelete", 0, 0, kNoFlexibleVersion};
inline constexpr ApiDescriptor kDescribeClusterApi{ApiKey::kDescribeCluster, "DescribeCluster", 0, 0, 0};
// clang-format on

// Every API above, ordered by key.
std::span<const ApiDescriptor> all_apis();
// nullptr when the codec does not implement `key`.
const ApiDescriptor* find_api(ApiKey key);
const ApiDescriptor* find_api(int16_t key);

}  // namespace sluice::protocol
