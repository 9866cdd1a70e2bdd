// The Kafka APIs Sluice's codec implements, with the version range of each and the first
// flexible (compact + tagged fields) version. This table is the single source of truth for
// the codec; the broker advertises a subset of it in ApiVersions (see docs/protocol.md).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::protocol {

enum class ApiKey : int16_t {
  produce = 0,
  fetch = 1,
  list_offsets = 2,
  metadata = 3,
  offset_commit = 8,
  offset_fetch = 9,
  find_coordinator = 10,
  join_group = 11,
  heartbeat = 12,
  leave_group = 13,
  sync_group = 14,
  describe_groups = 15,
  list_groups = 16,
  sasl_handshake = 17,
  api_versions = 18,
  create_topics = 19,
  delete_topics = 20,
  delete_records = 21,
  init_producer_id = 22,
  offset_for_leader_epoch = 23,
  describe_configs = 32,
  alter_configs = 33,
  sasl_authenticate = 36,
  create_partitions = 37,
  delete_groups = 42,
  incremental_alter_configs = 44,
  offset_delete = 47,
  describe_cluster = 60,
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
inline constexpr ApiDescriptor kProduceApi{ApiKey::produce, "Produce", 0, 9, 9};
inline constexpr ApiDescriptor kFetchApi{ApiKey::fetch, "Fetch", 0, 12, 12};
inline constexpr ApiDescriptor kListOffsetsApi{ApiKey::list_offsets, "ListOffsets", 0, 7, 6};
inline constexpr ApiDescriptor kMetadataApi{ApiKey::metadata, "Metadata", 0, 12, 9};
inline constexpr ApiDescriptor kOffsetCommitApi{ApiKey::offset_commit, "OffsetCommit", 0, 8, 8};
inline constexpr ApiDescriptor kOffsetFetchApi{ApiKey::offset_fetch, "OffsetFetch", 0, 8, 6};
inline constexpr ApiDescriptor kFindCoordinatorApi{ApiKey::find_coordinator, "FindCoordinator", 0, 4, 3};
inline constexpr ApiDescriptor kJoinGroupApi{ApiKey::join_group, "JoinGroup", 0, 7, 6};
inline constexpr ApiDescriptor kHeartbeatApi{ApiKey::heartbeat, "Heartbeat", 0, 4, 4};
inline constexpr ApiDescriptor kLeaveGroupApi{ApiKey::leave_group, "LeaveGroup", 0, 4, 4};
inline constexpr ApiDescriptor kSyncGroupApi{ApiKey::sync_group, "SyncGroup", 0, 5, 4};
inline constexpr ApiDescriptor kDescribeGroupsApi{ApiKey::describe_groups, "DescribeGroups", 0, 5, 5};
inline constexpr ApiDescriptor kListGroupsApi{ApiKey::list_groups, "ListGroups", 0, 4, 3};
inline constexpr ApiDescriptor kSaslHandshakeApi{ApiKey::sasl_handshake, "SaslHandshake", 0, 1, kNoFlexibleVersion};
inline constexpr ApiDescriptor kApiVersionsApi{ApiKey::api_versions, "ApiVersions", 0, 3, 3};
inline constexpr ApiDescriptor kCreateTopicsApi{ApiKey::create_topics, "CreateTopics", 0, 7, 5};
inline constexpr ApiDescriptor kDeleteTopicsApi{ApiKey::delete_topics, "DeleteTopics", 0, 6, 4};
inline constexpr ApiDescriptor kDeleteRecordsApi{ApiKey::delete_records, "DeleteRecords", 0, 2, 2};
inline constexpr ApiDescriptor kInitProducerIdApi{ApiKey::init_producer_id, "InitProducerId", 0, 4, 2};
inline constexpr ApiDescriptor kOffsetForLeaderEpochApi{ApiKey::offset_for_leader_epoch, "OffsetForLeaderEpoch", 0, 4, 4};
inline constexpr ApiDescriptor kDescribeConfigsApi{ApiKey::describe_configs, "DescribeConfigs", 0, 4, 4};
inline constexpr ApiDescriptor kAlterConfigsApi{ApiKey::alter_configs, "AlterConfigs", 0, 2, 2};
inline constexpr ApiDescriptor kSaslAuthenticateApi{ApiKey::sasl_authenticate, "SaslAuthenticate", 0, 2, 2};
inline constexpr ApiDescriptor kCreatePartitionsApi{ApiKey::create_partitions, "CreatePartitions", 0, 3, 2};
inline constexpr ApiDescriptor kDeleteGroupsApi{ApiKey::delete_groups, "DeleteGroups", 0, 2, 2};
inline constexpr ApiDescriptor kIncrementalAlterConfigsApi{ApiKey::incremental_alter_configs, "IncrementalAlterConfigs", 0, 1, 1};
inline constexpr ApiDescriptor kOffsetDeleteApi{ApiKey::offset_delete, "OffsetDelete", 0, 0, kNoFlexibleVersion};
inline constexpr ApiDescriptor kDescribeClusterApi{ApiKey::describe_cluster, "DescribeCluster", 0, 0, 0};
// clang-format on

// Every API above, ordered by key.
std::span<const ApiDescriptor> all_apis();
// nullptr when the codec does not implement `key`.
const ApiDescriptor* find_api(ApiKey key);
const ApiDescriptor* find_api(int16_t key);

}  // namespace sluice::protocol
