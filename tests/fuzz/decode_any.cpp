// Decodes a request or response body of any API the codec knows, for the fuzz targets.
// Generated list of cases kept in one place: adding an API means adding one line here.
#include "tests/fuzz/decode_any.h"

#include "protocol/messages/alter_configs.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/incremental_alter_configs.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "protocol/messages/produce.h"
#include "protocol/messages/sasl.h"
#include "protocol/messages/sync_group.h"

namespace sluice::protocol::fuzz {

namespace {
template <class M>
Status run(ByteReader& in, int16_t version) {
  M m;
  auto st = decode(m, in, version);
  if (st.ok()) {
    ByteWriter w;  // a decoded message must re-encode without trouble
    encode(m, w, version);
  }
  return st;
}
}  // namespace

Status decode_request_body(int16_t api_key, int16_t version, ByteReader& in) {
  switch (static_cast<ApiKey>(api_key)) {
    case ApiKey::kProduce:
      return run<ProduceRequest>(in, version);
    case ApiKey::kFetch:
      return run<FetchRequest>(in, version);
    case ApiKey::kListOffsets:
      return run<ListOffsetsRequest>(in, version);
    case ApiKey::kMetadata:
      return run<MetadataRequest>(in, version);
    case ApiKey::kOffsetCommit:
      return run<OffsetCommitRequest>(in, version);
    case ApiKey::kOffsetFetch:
      return run<OffsetFetchRequest>(in, version);
    case ApiKey::kFindCoordinator:
      return run<FindCoordinatorRequest>(in, version);
    case ApiKey::kJoinGroup:
      return run<JoinGroupRequest>(in, version);
    case ApiKey::kHeartbeat:
      return run<HeartbeatRequest>(in, version);
    case ApiKey::kLeaveGroup:
      return run<LeaveGroupRequest>(in, version);
    case ApiKey::kSyncGroup:
      return run<SyncGroupRequest>(in, version);
    case ApiKey::kDescribeGroups:
      return run<DescribeGroupsRequest>(in, version);
    case ApiKey::kListGroups:
      return run<ListGroupsRequest>(in, version);
    case ApiKey::kSaslHandshake:
      return run<SaslHandshakeRequest>(in, version);
    case ApiKey::kApiVersions:
      return run<ApiVersionsRequest>(in, version);
    case ApiKey::kCreateTopics:
      return run<CreateTopicsRequest>(in, version);
    case ApiKey::kDeleteTopics:
      return run<DeleteTopicsRequest>(in, version);
    case ApiKey::kDeleteRecords:
      return run<DeleteRecordsRequest>(in, version);
    case ApiKey::kInitProducerId:
      return run<InitProducerIdRequest>(in, version);
    case ApiKey::kOffsetForLeaderEpoch:
      return run<OffsetForLeaderEpochRequest>(in, version);
    case ApiKey::kDescribeConfigs:
      return run<DescribeConfigsRequest>(in, version);
    case ApiKey::kAlterConfigs:
      return run<AlterConfigsRequest>(in, version);
    case ApiKey::kSaslAuthenticate:
      return run<SaslAuthenticateRequest>(in, version);
    case ApiKey::kCreatePartitions:
      return run<CreatePartitionsRequest>(in, version);
    case ApiKey::kDeleteGroups:
      return run<DeleteGroupsRequest>(in, version);
    case ApiKey::kIncrementalAlterConfigs:
      return run<IncrementalAlterConfigsRequest>(in, version);
    case ApiKey::kOffsetDelete:
      return run<OffsetDeleteRequest>(in, version);
    case ApiKey::kDescribeCluster:
      return run<DescribeClusterRequest>(in, version);
    default:
      return Error(make_error_code(DecodeErrc::invalid_value), "unknown api key");
  }
}

Status decode_response_body(int16_t api_key, int16_t version, ByteReader& in) {
  switch (static_cast<ApiKey>(api_key)) {
    case ApiKey::kProduce:
      return run<ProduceResponse>(in, version);
    case ApiKey::kFetch:
      return run<FetchResponse>(in, version);
    case ApiKey::kListOffsets:
      return run<ListOffsetsResponse>(in, version);
    case ApiKey::kMetadata:
      return run<MetadataResponse>(in, version);
    case ApiKey::kOffsetCommit:
      return run<OffsetCommitResponse>(in, version);
    case ApiKey::kOffsetFetch:
      return run<OffsetFetchResponse>(in, version);
    case ApiKey::kFindCoordinator:
      return run<FindCoordinatorResponse>(in, version);
    case ApiKey::kJoinGroup:
      return run<JoinGroupResponse>(in, version);
    case ApiKey::kHeartbeat:
      return run<HeartbeatResponse>(in, version);
    case ApiKey::kLeaveGroup:
      return run<LeaveGroupResponse>(in, version);
    case ApiKey::kSyncGroup:
      return run<SyncGroupResponse>(in, version);
    case ApiKey::kDescribeGroups:
      return run<DescribeGroupsResponse>(in, version);
    case ApiKey::kListGroups:
      return run<ListGroupsResponse>(in, version);
    case ApiKey::kSaslHandshake:
      return run<SaslHandshakeResponse>(in, version);
    case ApiKey::kApiVersions:
      return run<ApiVersionsResponse>(in, version);
    case ApiKey::kCreateTopics:
      return run<CreateTopicsResponse>(in, version);
    case ApiKey::kDeleteTopics:
      return run<DeleteTopicsResponse>(in, version);
    case ApiKey::kDeleteRecords:
      return run<DeleteRecordsResponse>(in, version);
    case ApiKey::kInitProducerId:
      return run<InitProducerIdResponse>(in, version);
    case ApiKey::kOffsetForLeaderEpoch:
      return run<OffsetForLeaderEpochResponse>(in, version);
    case ApiKey::kDescribeConfigs:
      return run<DescribeConfigsResponse>(in, version);
    case ApiKey::kAlterConfigs:
      return run<AlterConfigsResponse>(in, version);
    case ApiKey::kSaslAuthenticate:
      return run<SaslAuthenticateResponse>(in, version);
    case ApiKey::kCreatePartitions:
      return run<CreatePartitionsResponse>(in, version);
    case ApiKey::kDeleteGroups:
      return run<DeleteGroupsResponse>(in, version);
    case ApiKey::kIncrementalAlterConfigs:
      return run<IncrementalAlterConfigsResponse>(in, version);
    case ApiKey::kOffsetDelete:
      return run<OffsetDeleteResponse>(in, version);
    case ApiKey::kDescribeCluster:
      return run<DescribeClusterResponse>(in, version);
    default:
      return Error(make_error_code(DecodeErrc::invalid_value), "unknown api key");
  }
}

}  // namespace sluice::protocol::fuzz
