// The consumer-group part of the ZooKeeper schema: paths under /consumers/<group> and their
// JSON payloads (docs/groups.md, docs/znodes.md). Pure: no I/O.
//
//   /consumers/<group>                              group: generation, protocol, leader, state
//   /consumers/<group>/members/<member id>          one member: ids, timeouts, subscription,
//   assignment /consumers/<group>/offsets/<topic>/<partition>  one committed offset
//
// Group and member ids are arbitrary strings in Kafka; in a path they are percent-encoded
// (bytes outside [A-Za-z0-9._-] as %XX, and the names "." and ".." too), so ordinary ids
// read as themselves in zkCli.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "protocol/wire.h"

namespace sluice::broker::groups {

// ---- names and paths ----
std::string encode_znode_name(std::string_view id);
// nullopt when `name` is not something encode_znode_name produces.
std::optional<std::string> decode_znode_name(std::string_view name);

std::string group_path(std::string_view group);    // /consumers/<g>
std::string members_path(std::string_view group);  // .../members
std::string member_path(std::string_view group, std::string_view member);
std::string offsets_path(std::string_view group);  // .../offsets
std::string offset_topic_path(std::string_view group, std::string_view topic);
std::string offset_path(std::string_view group, std::string_view topic, int32_t partition);

// ---- payloads ----
// Errors decoding are ZkErrc::data_inconsistency naming what is wrong.

// /consumers/<g>/members/<m>. `metadata` is the member's metadata for the group's selected
// protocol (for "consumer": its subscription), `assignment` what the leader gave it.
struct MemberRecord {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  protocol::Bytes metadata;
  protocol::Bytes assignment;
  friend bool operator==(const MemberRecord&, const MemberRecord&) = default;
};

// /consumers/<g> (members live in their own znodes; `members` is filled by the reader).
struct GroupRecord {
  std::string protocol_type;  // empty: a group that only commits offsets
  int32_t generation = 0;
  std::optional<std::string> protocol;  // selected protocol (assignor), none while Empty
  std::string leader;                   // member id, empty when none
  std::string state;                    // "Empty", "CompletingRebalance" or "Stable"
  int64_t state_timestamp_ms = 0;       // wall clock of the last state change
  int32_t coordinator = -1;             // broker that wrote it (informational)
  std::vector<MemberRecord> members;
  friend bool operator==(const GroupRecord&, const GroupRecord&) = default;
};

// /consumers/<g>/offsets/<t>/<p>.
struct OffsetRecord {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
  friend bool operator==(const OffsetRecord&, const OffsetRecord&) = default;
};

// The group node's JSON (without members, but with their count for operators).
std::string encode_group(const GroupRecord& g);
Result<GroupRecord> decode_group(std::string_view json);
// For protocol type "consumer" the member JSON also carries the decoded subscription and
// assignment ("subscribed_topics", "assigned_partitions"), for people reading it; readers use
// the base64 fields only.
std::string encode_member(const MemberRecord& m, std::string_view protocol_type);
Result<MemberRecord> decode_member(std::string_view json);
std::string encode_offset(const OffsetRecord& o);
Result<OffsetRecord> decode_offset(std::string_view json);

std::string to_base64(const protocol::Bytes& bytes);
std::optional<protocol::Bytes> from_base64(std::string_view text);

}  // namespace sluice::broker::groups
