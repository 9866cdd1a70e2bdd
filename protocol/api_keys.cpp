// Lookup over the API table.
#include "protocol/api_keys.h"

#include <array>

namespace sluice::protocol {

namespace {
constexpr std::array kApis = {
    kProduceApi,          kFetchApi,
    kListOffsetsApi,      kMetadataApi,
    kOffsetCommitApi,     kOffsetFetchApi,
    kFindCoordinatorApi,  kJoinGroupApi,
    kHeartbeatApi,        kLeaveGroupApi,
    kSyncGroupApi,        kDescribeGroupsApi,
    kListGroupsApi,       kSaslHandshakeApi,
    kApiVersionsApi,      kCreateTopicsApi,
    kDeleteTopicsApi,     kDeleteRecordsApi,
    kInitProducerIdApi,   kOffsetForLeaderEpochApi,
    kDescribeConfigsApi,  kAlterConfigsApi,
    kSaslAuthenticateApi, kCreatePartitionsApi,
    kDeleteGroupsApi,     kIncrementalAlterConfigsApi,
    kOffsetDeleteApi,     kDescribeClusterApi,
};
}  // namespace

std::span<const ApiDescriptor> all_apis() { return kApis; }

const ApiDescriptor* find_api(ApiKey key) {
  for (const auto& api : kApis)
    if (api.key == key) return &api;
  return nullptr;
}

const ApiDescriptor* find_api(int16_t key) { return find_api(static_cast<ApiKey>(key)); }

}  // namespace sluice::protocol
