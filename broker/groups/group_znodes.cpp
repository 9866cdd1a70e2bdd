// Paths and JSON payloads under /consumers (see group_znodes.h). Compact JSON in the key
// order documented in docs/groups.md; decoders accept any order and extra keys.
#include "broker/groups/group_znodes.h"

#include <nlohmann/json.hpp>

#include "coordination/zk_error.h"
#include "protocol/group_protocol.h"

namespace sluice::broker::groups {
namespace {

using Json = nlohmann::ordered_json;
using coordination::ZkErrc;

Error bad(std::string_view what, std::string_view why) {
  return Error(ZkErrc::data_inconsistency, std::string(what) + ": " + std::string(why));
}

std::optional<Json> parse(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<int64_t> int_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {  // timestamps are written as strings, like Kafka's
    const auto& s = it->get_ref<const std::string&>();
    try {
      std::size_t used = 0;
      int64_t v = std::stoll(s, &used);
      if (used == s.size()) return v;
    } catch (...) {
    }
  }
  return std::nullopt;
}

std::optional<std::string> string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string encode_znode_name(std::string_view id) {
  static const char* hex = "0123456789ABCDEF";
  const bool dots = id == "." || id == "..";
  std::string out;
  for (char c : id) {
    if (plain(c) && !(dots && c == '.')) {
      out.push_back(c);
    } else {
      auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 15]);
    }
  }
  return out;
}

std::optional<std::string> decode_znode_name(std::string_view name) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') {
      out.push_back(name[i]);
      continue;
    }
    if (i + 2 >= name.size()) return std::nullopt;
    int hi = nibble(name[i + 1]);
    int lo = nibble(name[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string group_path(std::string_view group) { return "/consumers/" + encode_znode_name(group); }
std::string members_path(std::string_view group) { return group_path(group) + "/members"; }
std::string member_path(std::string_view group, std::string_view member) {
  return members_path(group) + "/" + encode_znode_name(member);
}
std::string offsets_path(std::string_view group) { return group_path(group) + "/offsets"; }
std::string offset_topic_path(std::string_view group, std::string_view topic) {
  return offsets_path(group) + "/" + encode_znode_name(topic);
}
std::string offset_path(std::string_view group, std::string_view topic, int32_t partition) {
  return offset_topic_path(group, topic) + "/" + std::to_string(partition);
}

std::string to_base64(const protocol::Bytes& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], kB64[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint32_t{bytes[i]} << 16;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], '='};
  }
  return out;
}

std::optional<protocol::Bytes> from_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  protocol::Bytes out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int pad = 0;
    uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      if (pad > 0) return std::nullopt;
      int d = value(c);
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<uint8_t>(v >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>((v >> 8) & 255));
    if (pad < 1) out.push_back(static_cast<uint8_t>(v & 255));
  }
  return out;
}

std::string encode_group(const GroupRecord& g) {
  Json j;
  j["version"] = 1;
  j["protocol_type"] = g.protocol_type;
  j["generation"] = g.generation;
  j["protocol"] = g.protocol ? Json(*g.protocol) : Json(nullptr);
  j["leader"] = g.leader;
  j["state"] = g.state;
  j["state_timestamp"] = std::to_string(g.state_timestamp_ms);
  j["members"] = g.members.size();
  j["coordinator"] = g.coordinator;
  return j.dump();
}

Result<GroupRecord> decode_group(std::string_view json) {
  const char* what = "/consumers/<group>";
  auto j = parse(json);
  if (!j) return bad(what, "not a JSON object");
  GroupRecord g;
  auto type = string_field(*j, "protocol_type");
  auto generation = int_field(*j, "generation");
  auto state = string_field(*j, "state");
  if (!type || !generation || !state) return bad(what, "needs protocol_type, generation and state");
  g.protocol_type = *type;
  g.generation = static_cast<int32_t>(*generation);
  g.protocol = string_field(*j, "protocol");
  g.leader = string_field(*j, "leader").value_or("");
  g.state = *state;
  g.state_timestamp_ms = int_field(*j, "state_timestamp").value_or(0);
  g.coordinator = static_cast<int32_t>(int_field(*j, "coordinator").value_or(-1));
  return g;
}

std::string encode_member(const MemberRecord& m, std::string_view protocol_type) {
  Json j;
  j["version"] = 1;
  j["member_id"] = m.member_id;
  j["group_instance_id"] = m.group_instance_id ? Json(*m.group_instance_id) : Json(nullptr);
  j["client_id"] = m.client_id;
  j["client_host"] = m.client_host;
  j["session_timeout_ms"] = m.session_timeout_ms;
  j["rebalance_timeout_ms"] = m.rebalance_timeout_ms;
  j["metadata"] = to_base64(m.metadata);
  j["assignment"] = to_base64(m.assignment);
  if (protocol_type == "consumer") {
    if (auto sub = protocol::decode_subscription(m.metadata)) {
      Json topics = Json::array();
      for (const auto& t : sub->topics) topics.push_back(t);
      j["subscribed_topics"] = topics;
    }
    if (!m.assignment.empty()) {
      if (auto a = protocol::decode_assignment(m.assignment)) {
        Json assigned = Json::object();
        for (const auto& tp : a->assigned_partitions) assigned[tp.topic] = tp.partitions;
        j["assigned_partitions"] = assigned;
      }
    } else {
      j["assigned_partitions"] = Json::object();
    }
  }
  return j.dump();
}

Result<MemberRecord> decode_member(std::string_view json) {
  const char* what = "/consumers/<group>/members/<member>";
  auto j = parse(json);
  if (!j) return bad(what, "not a JSON object");
  MemberRecord m;
  auto id = string_field(*j, "member_id");
  if (!id || id->empty()) return bad(what, "no member_id");
  m.member_id = *id;
  m.group_instance_id = string_field(*j, "group_instance_id");
  m.client_id = string_field(*j, "client_id").value_or("");
  m.client_host = string_field(*j, "client_host").value_or("");
  m.session_timeout_ms = static_cast<int32_t>(int_field(*j, "session_timeout_ms").value_or(10000));
  m.rebalance_timeout_ms =
      static_cast<int32_t>(int_field(*j, "rebalance_timeout_ms").value_or(m.session_timeout_ms));
  auto metadata = from_base64(string_field(*j, "metadata").value_or(""));
  auto assignment = from_base64(string_field(*j, "assignment").value_or(""));
  if (!metadata || !assignment) return bad(what, "metadata and assignment must be base64");
  m.metadata = std::move(*metadata);
  m.assignment = std::move(*assignment);
  return m;
}

std::string encode_offset(const OffsetRecord& o) {
  Json j;
  j["version"] = 1;
  j["offset"] = o.offset;
  j["leader_epoch"] = o.leader_epoch;
  j["metadata"] = o.metadata;
  j["commit_timestamp"] = std::to_string(o.commit_timestamp_ms);
  return j.dump();
}

Result<OffsetRecord> decode_offset(std::string_view json) {
  const char* what = "/consumers/<group>/offsets/<topic>/<partition>";
  OffsetRecord o;
  // Kafka's old ZooKeeper consumers wrote a bare decimal offset: accept it.
  if (!json.empty() && (json.front() == '-' || (json.front() >= '0' && json.front() <= '9'))) {
    try {
      std::size_t used = 0;
      std::string s(json);
      o.offset = std::stoll(s, &used);
      if (used == s.size()) return o;
    } catch (...) {
    }
    return bad(what, "not a number");
  }
  auto j = parse(json);
  if (!j) return bad(what, "not a JSON object");
  auto offset = int_field(*j, "offset");
  if (!offset) return bad(what, "no integer offset");
  o.offset = *offset;
  o.leader_epoch = static_cast<int32_t>(int_field(*j, "leader_epoch").value_or(-1));
  o.metadata = string_field(*j, "metadata").value_or("");
  o.commit_timestamp_ms = int_field(*j, "commit_timestamp").value_or(0);
  return o;
}

}  // namespace sluice::broker::groups
