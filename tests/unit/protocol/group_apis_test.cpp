// Consumer-group APIs: byte-exact classic and flexible vectors worked out from the protocol
// guide ("g" = group, "m" = member, "t" = topic), round trips at every version.
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::hex;
using testing::to_hex;

#define EXPECT_BYTES(msg, v, text) EXPECT_EQ(to_hex(encoded(msg, v)), to_hex(hex(text)))

TEST(FindCoordinator, EncodesV1V3V4) {
  FindCoordinatorRequest req;
  req.key = "g";
  req.coordinator_keys = {"g"};
  EXPECT_BYTES(req, 1, "00 01 67 | 00");
  EXPECT_BYTES(req, 3, "02 67 | 00 | 00");
  EXPECT_BYTES(req, 4, "00 | 02 02 67 | 00");
  FindCoordinatorResponse resp;
  resp.node_id = 1;
  resp.host = "h";
  resp.port = 9092;
  EXPECT_BYTES(resp, 0, "00 00 | 00 00 00 01 | 00 01 68 | 00 00 23 84");
  EXPECT_BYTES(resp, 3, "00 00 00 00 | 00 00 | 00 | 00 00 00 01 | 02 68 | 00 00 23 84 | 00");
}

JoinGroupRequest sample_join() {
  JoinGroupRequest req;
  req.group_id = "g";
  req.session_timeout_ms = 30000;
  req.rebalance_timeout_ms = 60000;
  req.protocol_type = "consumer";
  req.protocols.push_back({{}, "range", {0xaa}});
  return req;
}

TEST(JoinGroup, EncodesV1RequestAndV6Flexible) {
  EXPECT_BYTES(sample_join(), 1,
               "00 01 67 | 00 00 75 30 | 00 00 ea 60 | 00 00 | 00 08 63 6f 6e 73 75 6d 65 72 | "
               "00 00 00 01 | 00 05 72 61 6e 67 65 | 00 00 00 01 aa");
  EXPECT_BYTES(sample_join(), 6,
               "02 67 | 00 00 75 30 | 00 00 ea 60 | 01 | 00 | 09 63 6f 6e 73 75 6d 65 72 | "
               "02 | 06 72 61 6e 67 65 | 02 aa | 00 | 00");
}

TEST(JoinGroup, EncodesV0AndV7Responses) {
  JoinGroupResponse resp;
  resp.generation_id = 1;
  resp.protocol_type = "consumer";
  resp.protocol_name = "range";
  resp.leader = "m";
  resp.member_id = "m";
  resp.members.push_back({{}, "m", std::nullopt, {0xaa}});
  EXPECT_BYTES(resp, 0,
               "00 00 | 00 00 00 01 | 00 05 72 61 6e 67 65 | 00 01 6d | 00 01 6d | "
               "00 00 00 01 | 00 01 6d | 00 00 00 01 aa");
  EXPECT_BYTES(
      resp, 7,
      "00 00 00 00 | 00 00 | 00 00 00 01 | 09 63 6f 6e 73 75 6d 65 72 | 06 72 61 6e 67 65 | "
      "02 6d | 02 6d | 02 | 02 6d | 00 | 02 aa | 00 | 00");
}

TEST(Heartbeat, EncodesV0AndV4) {
  HeartbeatRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = "m";
  EXPECT_BYTES(req, 0, "00 01 67 | 00 00 00 01 | 00 01 6d");
  EXPECT_BYTES(req, 4, "02 67 | 00 00 00 01 | 02 6d | 00 | 00");
  HeartbeatResponse resp;
  resp.error_code = 27;  // REBALANCE_IN_PROGRESS
  EXPECT_BYTES(resp, 0, "00 1b");
  EXPECT_BYTES(resp, 4, "00 00 00 00 | 00 1b | 00");
}

TEST(LeaveGroup, EncodesV0V3V4) {
  LeaveGroupRequest req;
  req.group_id = "g";
  req.member_id = "m";
  req.members.push_back({{}, "m", std::nullopt});
  EXPECT_BYTES(req, 0, "00 01 67 | 00 01 6d");
  EXPECT_BYTES(req, 4, "02 67 | 02 | 02 6d | 00 | 00 | 00");
  LeaveGroupResponse resp;
  resp.members.push_back({{}, "m", std::nullopt, 0});
  EXPECT_BYTES(resp, 3, "00 00 00 00 | 00 00 | 00 00 00 01 | 00 01 6d | ff ff | 00 00");
}

TEST(SyncGroup, EncodesV0AndV5) {
  SyncGroupRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = "m";
  req.protocol_type = "consumer";
  req.protocol_name = "range";
  req.assignments.push_back({{}, "m", {0xbb}});
  EXPECT_BYTES(req, 0,
               "00 01 67 | 00 00 00 01 | 00 01 6d | 00 00 00 01 | 00 01 6d | 00 00 00 01 bb");
  EXPECT_BYTES(
      req, 5,
      "02 67 | 00 00 00 01 | 02 6d | 00 | 09 63 6f 6e 73 75 6d 65 72 | 06 72 61 6e 67 65 | "
      "02 | 02 6d | 02 bb | 00 | 00");
  SyncGroupResponse resp;
  resp.protocol_type = "consumer";
  resp.protocol_name = "range";
  resp.assignment = {0xbb};
  EXPECT_BYTES(resp, 0, "00 00 | 00 00 00 01 bb");
  EXPECT_BYTES(resp, 5,
               "00 00 00 00 | 00 00 | 09 63 6f 6e 73 75 6d 65 72 | 06 72 61 6e 67 65 | 02 bb | 00");
}

TEST(DescribeAndListGroups, EncodeClassicAndFlexible) {
  DescribeGroupsRequest d;
  d.groups = {"g"};
  EXPECT_BYTES(d, 0, "00 00 00 01 | 00 01 67");
  EXPECT_BYTES(d, 5, "02 | 02 67 | 00 | 00");
  ListGroupsRequest l;
  l.states_filter = {"Stable"};
  EXPECT_TRUE(encoded(l, 0).empty());
  EXPECT_BYTES(l, 3, "00");
  EXPECT_BYTES(l, 4, "02 | 07 53 74 61 62 6c 65 | 00");
  ListGroupsResponse lr;
  lr.groups.push_back({{}, "g", "consumer", "Stable"});
  EXPECT_BYTES(lr, 0, "00 00 | 00 00 00 01 | 00 01 67 | 00 08 63 6f 6e 73 75 6d 65 72");
}

OffsetCommitRequest sample_commit() {
  OffsetCommitRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = "m";
  OffsetCommitRequestTopic t;
  t.name = "t";
  OffsetCommitRequestPartition p;
  p.committed_offset = 10;
  p.committed_metadata = "";
  t.partitions.push_back(p);
  req.topics.push_back(t);
  return req;
}

TEST(OffsetCommit, EncodesV2AndV8) {
  EXPECT_BYTES(
      sample_commit(), 2,
      "00 01 67 | 00 00 00 01 | 00 01 6d | ff ff ff ff ff ff ff ff | 00 00 00 01 | 00 01 74 | "
      "00 00 00 01 | 00 00 00 00 | 00 00 00 00 00 00 00 0a | 00 00");
  EXPECT_BYTES(sample_commit(), 8,
               "02 67 | 00 00 00 01 | 02 6d | 00 | 02 | 02 74 | 02 | 00 00 00 00 | "
               "00 00 00 00 00 00 00 0a | ff ff ff ff | 01 | 00 | 00 | 00");
  OffsetCommitResponse resp;
  resp.topics.push_back({{}, "t", {{{}, 0, 0}}});
  EXPECT_BYTES(resp, 3, "00 00 00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00");
}

TEST(OffsetFetch, EncodesV1V2V6V8) {
  OffsetFetchRequest req;
  req.group_id = "g";
  req.topics = std::vector<OffsetFetchRequestTopic>{{{}, "t", {0}}};
  req.groups.push_back({{}, "g", std::nullopt});
  EXPECT_BYTES(req, 1, "00 01 67 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00");
  EXPECT_BYTES(req, 6, "02 67 | 02 | 02 74 | 02 00 00 00 00 | 00 | 00");
  EXPECT_BYTES(req, 8, "02 | 02 67 | 00 | 00 | 00 | 00");
  req.topics.reset();
  EXPECT_BYTES(req, 2, "00 01 67 | ff ff ff ff");
  OffsetFetchResponse resp;
  OffsetFetchResponsePartition p;
  p.committed_offset = 10;
  resp.topics.push_back({{}, "t", {p}});
  EXPECT_BYTES(resp, 1,
               "00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00 00 00 00 00 00 0a | 00 "
               "00 | 00 00");
}

TEST(DeleteGroupsAndOffsetDelete, Encode) {
  DeleteGroupsRequest d;
  d.groups_names = {"g"};
  EXPECT_BYTES(d, 2, "02 02 67 | 00");
  DeleteGroupsResponse dr;
  dr.results.push_back({{}, "g", 0});
  EXPECT_BYTES(dr, 0, "00 00 00 00 | 00 00 00 01 | 00 01 67 | 00 00");
  OffsetDeleteRequest o;
  o.group_id = "g";
  o.topics.push_back({{}, "t", {{{}, 0}}});
  EXPECT_BYTES(o, 0, "00 01 67 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00");
}

TEST(GroupApis, RoundTripEveryVersion) {
  testing::expect_round_trip_all_versions(sample_join(), kJoinGroupApi);
  JoinGroupResponse jr;
  jr.members.push_back({{}, "m", std::string("i"), {1, 2}});
  jr.protocol_type = "consumer";
  testing::expect_round_trip_all_versions(jr, kJoinGroupApi);
  testing::expect_round_trip_all_versions(sample_commit(), kOffsetCommitApi);
  OffsetFetchRequest of;
  of.group_id = "g";
  of.topics = std::vector<OffsetFetchRequestTopic>{{{}, "t", {0, 1}}};
  of.groups.push_back({{}, "g", std::vector<OffsetFetchRequestTopic>{{{}, "t", {0}}}});
  testing::expect_round_trip_all_versions(of, kOffsetFetchApi);
  OffsetFetchResponse ofr;
  ofr.topics.push_back({{}, "t", {OffsetFetchResponsePartition{}}});
  ofr.groups.push_back({{}, "g", {{{}, "t", {OffsetFetchResponsePartitions{}}}}, 0});
  testing::expect_round_trip_all_versions(ofr, kOffsetFetchApi);
  SyncGroupRequest sg;
  sg.group_id = "g";
  sg.assignments.push_back({{}, "m", {3}});
  testing::expect_round_trip_all_versions(sg, kSyncGroupApi);
  LeaveGroupRequest lg;
  lg.group_id = "g";
  lg.member_id = "m";
  lg.members.push_back({{}, "m", std::string("i")});
  testing::expect_round_trip_all_versions(lg, kLeaveGroupApi);
  DescribeGroupsResponse dg;
  DescribedGroup g;
  g.group_id = "g";
  g.members.push_back({{}, "m", std::nullopt, "c", "/1.2.3.4", {1}, {2}});
  dg.groups.push_back(g);
  testing::expect_round_trip_all_versions(dg, kDescribeGroupsApi);
  FindCoordinatorResponse fc;
  fc.coordinators.push_back({{}, "g", 1, "h", 1, 0, std::nullopt});
  testing::expect_round_trip_all_versions(fc, kFindCoordinatorApi);
}

}  // namespace
}  // namespace sluice::protocol
