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
    case ApiKey::produce:
      return run<ProduceRequest>(in, version);
    case ApiKey::fetch:
      return run<FetchRequest>(in, version);
    case ApiKey::list_offsets:
      return run<ListOffsetsRequest>(in, version);
    case ApiKey::metadata:
      return run<MetadataRequest>(in, version);
    case ApiKey::offset_commit:
      return run<OffsetCommitRequest>(in, version);
    case ApiKey::offset_fetch:
      return run<OffsetFetchRequest>(in, version);
    case ApiKey::find_coordinator:
      return run<FindCoordinatorRequest>(in, version);
    case ApiKey::join_group:
      return run<JoinGroupRequest>(in, version);
    case ApiKey::heartbeat:
      return run<HeartbeatRequest>(in, version);
    case ApiKey::leave_group:
      return run<LeaveGroupRequest>(in, version);
    case ApiKey::sync_group:
      return run<SyncGroupRequest>(in, version);
    case ApiKey::describe_groups:
      return run<DescribeGroupsRequest>(in, version);
    case ApiKey::list_groups:
      return run<ListGroupsRequest>(in, version);
    case ApiKey::sasl_handshake:
      return run<SaslHandshakeRequest>(in, version);
    case ApiKey::api_versions:
      return run<ApiVersionsRequest>(in, version);
    case ApiKey::create_topics:
      return run<CreateTopicsRequest>(in, version);
    case ApiKey::delete_topics:
      return run<DeleteTopicsRequest>(in, version);
    case ApiKey::delete_records:
      return run<DeleteRecordsRequest>(in, version);
    case ApiKey::init_producer_id:
      return run<InitProducerIdRequest>(in, version);
    case ApiKey::offset_for_leader_epoch:
      return run<OffsetForLeaderEpochRequest>(in, version);
    case ApiKey::describe_configs:
      return run<DescribeConfigsRequest>(in, version);
    case ApiKey::alter_configs:
      return run<AlterConfigsRequest>(in, version);
    case ApiKey::sasl_authenticate:
      return run<SaslAuthenticateRequest>(in, version);
    case ApiKey::create_partitions:
      return run<CreatePartitionsRequest>(in, version);
    case ApiKey::delete_groups:
      return run<DeleteGroupsRequest>(in, version);
    case ApiKey::incremental_alter_configs:
      return run<IncrementalAlterConfigsRequest>(in, version);
    case ApiKey::offset_delete:
      return run<OffsetDeleteRequest>(in, version);
    case ApiKey::describe_cluster:
      return run<DescribeClusterRequest>(in, version);
    default:
      return Error(make_error_code(DecodeErrc::invalid_value), "unknown api key");
  }
}

Status decode_response_body(int16_t api_key, int16_t version, ByteReader& in) {
  switch (static_cast<ApiKey>(api_key)) {
    case ApiKey::produce:
      return run<ProduceResponse>(in, version);
    case ApiKey::fetch:
      return run<FetchResponse>(in, version);
    case ApiKey::list_offsets:
      return run<ListOffsetsResponse>(in, version);
    case ApiKey::metadata:
      return run<MetadataResponse>(in, version);
    case ApiKey::offset_commit:
      return run<OffsetCommitResponse>(in, version);
    case ApiKey::offset_fetch:
      return run<OffsetFetchResponse>(in, version);
    case ApiKey::find_coordinator:
      return run<FindCoordinatorResponse>(in, version);
    case ApiKey::join_group:
      return run<JoinGroupResponse>(in, version);
    case ApiKey::heartbeat:
      return run<HeartbeatResponse>(in, version);
    case ApiKey::leave_group:
      return run<LeaveGroupResponse>(in, version);
    case ApiKey::sync_group:
      return run<SyncGroupResponse>(in, version);
    case ApiKey::describe_groups:
      return run<DescribeGroupsResponse>(in, version);
    case ApiKey::list_groups:
      return run<ListGroupsResponse>(in, version);
    case ApiKey::sasl_handshake:
      return run<SaslHandshakeResponse>(in, version);
    case ApiKey::api_versions:
      return run<ApiVersionsResponse>(in, version);
    case ApiKey::create_topics:
      return run<CreateTopicsResponse>(in, version);
    case ApiKey::delete_topics:
      return run<DeleteTopicsResponse>(in, version);
    case ApiKey::delete_records:
      return run<DeleteRecordsResponse>(in, version);
    case ApiKey::init_producer_id:
      return run<InitProducerIdResponse>(in, version);
    case ApiKey::offset_for_leader_epoch:
      return run<OffsetForLeaderEpochResponse>(in, version);
    case ApiKey::describe_configs:
      return run<DescribeConfigsResponse>(in, version);
    case ApiKey::alter_configs:
      return run<AlterConfigsResponse>(in, version);
    case ApiKey::sasl_authenticate:
      return run<SaslAuthenticateResponse>(in, version);
    case ApiKey::create_partitions:
      return run<CreatePartitionsResponse>(in, version);
    case ApiKey::delete_groups:
      return run<DeleteGroupsResponse>(in, version);
    case ApiKey::incremental_alter_configs:
      return run<IncrementalAlterConfigsResponse>(in, version);
    case ApiKey::offset_delete:
      return run<OffsetDeleteResponse>(in, version);
    case ApiKey::describe_cluster:
      return run<DescribeClusterResponse>(in, version);
    default:
      return Error(make_error_code(DecodeErrc::invalid_value), "unknown api key");
  }
}

}  // namespace sluice::protocol::fuzz
