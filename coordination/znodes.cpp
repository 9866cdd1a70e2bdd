// Znode paths and JSON payloads. Encoders write Kafka's key order and types (timestamps as
// strings, versions as numbers except /cluster/id's "1"), compact with no spaces, like
// Kafka's Jackson output. Decoders accept what Kafka writes and report what is wrong.
#include "coordination/znodes.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "coordination/zk_error.h"

namespace sluice::coordination::znodes {
namespace {

using Json = nlohmann::ordered_json;

Error bad(std::string_view what, std::string_view why) {
  return Error(ZkErrc::data_inconsistency, std::string(what) + ": " + std::string(why));
}

// Parses without exceptions; discarded (invalid) input comes back as nullopt.
std::optional<Json> parse(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Kafka writes timestamps as strings; accept numbers too.
std::optional<int64_t> timestamp(const Json& j) {
  auto it = j.find("timestamp");
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) return to_int(it->get<std::string>());
  return std::nullopt;
}

std::optional<int32_t> int32_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  int64_t v = it->get<int64_t>();
  if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(v);
}

std::optional<std::vector<int32_t>> int32_array(const Json& j) {
  if (!j.is_array()) return std::nullopt;
  std::vector<int32_t> out;
  for (const auto& e : j) {
    if (!e.is_number_integer()) return std::nullopt;
    int64_t v = e.get<int64_t>();
    if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
    out.push_back(static_cast<int32_t>(v));
  }
  return out;
}

// "LISTENER://host:port" with IPv6 hosts in brackets.
std::optional<BrokerEndpoint> parse_endpoint(std::string_view s) {
  auto sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  BrokerEndpoint e;
  e.listener = std::string(s.substr(0, sep));
  std::string_view rest = s.substr(sep + 3);
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto port = to_int(rest.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) return std::nullopt;
  e.host = std::string(host);
  e.port = static_cast<int32_t>(*port);
  return e;
}

std::string format_endpoint(const BrokerEndpoint& e) {
  bool v6 = e.host.find(':') != std::string::npos;
  return e.listener + "://" + (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

}  // namespace

std::string broker_ids() { return "/brokers/ids"; }
std::string broker(int32_t id) { return "/brokers/ids/" + std::to_string(id); }
std::string topics() { return "/brokers/topics"; }
std::string topic(std::string_view name) { return "/brokers/topics/" + std::string(name); }
std::string partitions(std::string_view t) { return topic(t) + "/partitions"; }
std::string partition(std::string_view t, int32_t p) {
  return partitions(t) + "/" + std::to_string(p);
}
std::string partition_state(std::string_view t, int32_t p) { return partition(t, p) + "/state"; }
std::string controller() { return "/controller"; }
std::string controller_epoch() { return "/controller_epoch"; }
std::string topic_configs() { return "/config/topics"; }
std::string topic_config(std::string_view t) { return "/config/topics/" + std::string(t); }
std::string delete_topics() { return "/admin/delete_topics"; }
std::string delete_topic(std::string_view t) { return "/admin/delete_topics/" + std::string(t); }
std::string controlled_shutdowns() { return "/admin/controlled_shutdown"; }
std::string controlled_shutdown(int32_t id) {
  return "/admin/controlled_shutdown/" + std::to_string(id);
}
std::string preferred_replica_election() { return "/admin/preferred_replica_election"; }
std::string cluster_id() { return "/cluster/id"; }
std::string consumers() { return "/consumers"; }
std::string consumer_group(std::string_view g) { return "/consumers/" + std::string(g); }
std::string latest_producer_id_block() { return "/latest_producer_id_block"; }

std::vector<std::string> persistent_roots() {
  return {broker_ids(),           topics(),    topic_configs(), delete_topics(),
          controlled_shutdowns(), consumers(), "/cluster"};
}

Status validate_topic_name(std::string_view name) {
  if (name.empty()) return Error(ZkErrc::bad_arguments, "topic name is empty");
  if (name == "." || name == "..") {
    return Error(ZkErrc::bad_arguments, "topic name cannot be '.' or '..'");
  }
  if (name.size() > 249) {
    return Error(ZkErrc::bad_arguments,
                 "topic name is " + std::to_string(name.size()) + " characters, at most 249");
  }
  for (char c : name) {
    bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
    if (!legal) {
      return Error(ZkErrc::bad_arguments,
                   "topic name '" + std::string(name) + "' has a character outside [a-zA-Z0-9._-]");
    }
  }
  return {};
}

std::string encode(const BrokerRegistration& b) {
  Json protocols = Json::object();
  Json endpoints = Json::array();
  const BrokerEndpoint* plaintext = nullptr;
  for (const auto& e : b.endpoints) {
    protocols[e.listener] = e.security_protocol;
    endpoints.push_back(format_endpoint(e));
    if (plaintext == nullptr && e.security_protocol == "PLAINTEXT") plaintext = &e;
  }
  Json j;
  j["features"] = Json::object();
  j["listener_security_protocol_map"] = protocols;
  j["endpoints"] = endpoints;
  j["jmx_port"] = -1;
  if (b.rack) j["rack"] = *b.rack;
  // Kafka fills host/port from the PLAINTEXT endpoint only (null / -1 without one).
  j["port"] = plaintext ? plaintext->port : -1;
  j["host"] = plaintext ? Json(plaintext->host) : Json(nullptr);
  j["version"] = 5;
  j["timestamp"] = std::to_string(b.timestamp_ms);
  return j.dump();
}

Result<BrokerRegistration> decode_broker(int32_t id, std::string_view json) {
  const std::string what = broker(id);
  auto j = parse(json);
  if (!j || !j->is_object()) return bad(what, "not a JSON object");
  BrokerRegistration b;
  b.id = id;
  auto ts = timestamp(*j);
  if (!ts) return bad(what, "bad timestamp");
  b.timestamp_ms = *ts;
  if (auto it = j->find("rack"); it != j->end() && it->is_string()) b.rack = it->get<std::string>();
  std::map<std::string, std::string> protocols;
  if (auto it = j->find("listener_security_protocol_map"); it != j->end() && it->is_object()) {
    for (auto& [k, v] : it->items()) {
      if (!v.is_string()) return bad(what, "listener_security_protocol_map values must be strings");
      protocols[k] = v.get<std::string>();
    }
  }
  if (auto it = j->find("endpoints"); it != j->end() && it->is_array() && !it->empty()) {
    for (const auto& e : *it) {
      if (!e.is_string()) return bad(what, "endpoints must be strings");
      auto ep = parse_endpoint(e.get<std::string>());
      if (!ep) return bad(what, "bad endpoint '" + e.get<std::string>() + "'");
      auto p = protocols.find(ep->listener);
      // Before the map existed (version <= 2), the listener name was the protocol.
      ep->security_protocol = p != protocols.end() ? p->second : ep->listener;
      b.endpoints.push_back(std::move(*ep));
    }
  } else {
    // Version 1: host and port only.
    auto host = j->find("host");
    auto port = int32_field(*j, "port");
    if (host == j->end() || !host->is_string() || !port) return bad(what, "no endpoints");
    b.endpoints.push_back({"PLAINTEXT", "PLAINTEXT", host->get<std::string>(), *port});
  }
  return b;
}

std::string encode(const ControllerInfo& c) {
  Json j;
  j["version"] = 1;
  j["brokerid"] = c.broker_id;
  j["timestamp"] = std::to_string(c.timestamp_ms);
  return j.dump();
}

Result<ControllerInfo> decode_controller(std::string_view json) {
  ControllerInfo c;
  auto j = parse(json);
  if (j && j->is_number_integer()) {  // very old Kafka wrote the bare broker id
    c.broker_id = j->get<int32_t>();
    return c;
  }
  if (!j || !j->is_object()) return bad(controller(), "not a JSON object");
  auto id = int32_field(*j, "brokerid");
  if (!id) return bad(controller(), "no brokerid");
  auto ts = timestamp(*j);
  if (!ts) return bad(controller(), "bad timestamp");
  c.broker_id = *id;
  c.timestamp_ms = *ts;
  return c;
}

std::string encode_controller_epoch(int32_t epoch) { return std::to_string(epoch); }

Result<int32_t> decode_controller_epoch(std::string_view data) {
  auto v = to_int(data);
  if (!v || *v < 0 || *v > INT32_MAX) {
    return bad(controller_epoch(), "'" + std::string(data) + "' is not an epoch");
  }
  return static_cast<int32_t>(*v);
}

std::string encode(const TopicAssignment& t) {
  Json parts = Json::object();
  for (const auto& [p, replicas] : t.partitions) parts[std::to_string(p)] = replicas;
  Json j;
  j["version"] = t.topic_id.empty() ? 2 : 3;
  if (!t.topic_id.empty()) j["topic_id"] = t.topic_id;
  j["partitions"] = parts;
  j["adding_replicas"] = Json::object();
  j["removing_replicas"] = Json::object();
  return j.dump();
}

Result<TopicAssignment> decode_topic(std::string_view json) {
  auto j = parse(json);
  if (!j || !j->is_object()) return bad("topic assignment", "not a JSON object");
  TopicAssignment t;
  if (auto it = j->find("topic_id"); it != j->end() && it->is_string()) {
    t.topic_id = it->get<std::string>();
  }
  auto parts = j->find("partitions");
  if (parts == j->end() || !parts->is_object()) return bad("topic assignment", "no partitions");
  for (auto& [k, v] : parts->items()) {
    auto p = to_int(k);
    auto replicas = int32_array(v);
    if (!p || *p < 0 || *p > INT32_MAX || !replicas) {
      return bad("topic assignment", "bad partition entry '" + k + "'");
    }
    t.partitions[static_cast<int32_t>(*p)] = std::move(*replicas);
  }
  return t;
}

std::string encode(const PartitionState& s) {
  Json j;
  j["controller_epoch"] = s.controller_epoch;
  j["leader"] = s.leader;
  j["version"] = 1;
  j["leader_epoch"] = s.leader_epoch;
  j["isr"] = s.isr;
  return j.dump();
}

Result<PartitionState> decode_partition_state(std::string_view json) {
  auto j = parse(json);
  if (!j || !j->is_object()) return bad("partition state", "not a JSON object");
  PartitionState s;
  auto leader = int32_field(*j, "leader");
  auto epoch = int32_field(*j, "leader_epoch");
  auto cepoch = int32_field(*j, "controller_epoch");
  auto isr = j->find("isr");
  if (!leader || !epoch || !cepoch || isr == j->end()) {
    return bad("partition state", "needs leader, leader_epoch, controller_epoch and isr");
  }
  auto members = int32_array(*isr);
  if (!members) return bad("partition state", "isr must be an array of broker ids");
  s.leader = *leader;
  s.leader_epoch = *epoch;
  s.controller_epoch = *cepoch;
  s.isr = std::move(*members);
  return s;
}

std::string encode_preferred_election(const std::vector<PartitionRef>& partitions) {
  Json list = Json::array();
  for (const auto& p : partitions)
    list.push_back(Json{{"topic", p.topic}, {"partition", p.partition}});
  Json j;
  j["version"] = 1;
  j["partitions"] = list;
  return j.dump();
}

Result<std::vector<PartitionRef>> decode_preferred_election(std::string_view json) {
  std::vector<PartitionRef> out;
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  auto j = parse(json);
  if (!j || !j->is_object()) return bad("preferred replica election", "not a JSON object");
  auto list = j->find("partitions");
  if (list == j->end()) return out;
  if (!list->is_array()) return bad("preferred replica election", "partitions must be an array");
  for (const auto& e : *list) {
    auto topic = e.is_object() ? e.find("topic") : e.end();
    auto partition = e.is_object() ? int32_field(e, "partition") : std::nullopt;
    if (!e.is_object() || topic == e.end() || !topic->is_string() || !partition) {
      return bad("preferred replica election", "each entry needs a topic and a partition");
    }
    out.push_back({topic->get<std::string>(), *partition});
  }
  return out;
}

std::string encode(const TopicConfig& c) {
  Json cfg = Json::object();
  for (const auto& [k, v] : c.config) cfg[k] = v;
  Json j;
  j["version"] = 1;
  j["config"] = cfg;
  return j.dump();
}

Result<TopicConfig> decode_topic_config(std::string_view json) {
  auto j = parse(json);
  if (!j || !j->is_object()) return bad("topic config", "not a JSON object");
  TopicConfig c;
  auto cfg = j->find("config");
  if (cfg == j->end()) return c;
  if (!cfg->is_object()) return bad("topic config", "config must be an object");
  for (auto& [k, v] : cfg->items()) {
    if (!v.is_string()) return bad("topic config", "value of '" + k + "' must be a string");
    c.config[k] = v.get<std::string>();
  }
  return c;
}

std::string encode_cluster_id(std::string_view id) {
  Json j;
  j["version"] = "1";
  j["id"] = std::string(id);
  return j.dump();
}

Result<std::string> decode_cluster_id(std::string_view json) {
  auto j = parse(json);
  if (!j || !j->is_object()) return bad(cluster_id(), "not a JSON object");
  auto it = j->find("id");
  if (it == j->end() || !it->is_string() || it->get<std::string>().empty()) {
    return bad(cluster_id(), "no id");
  }
  return it->get<std::string>();
}

}  // namespace sluice::coordination::znodes
