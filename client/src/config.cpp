// Kafka-named properties onto the client's configuration structs, and their validation.
#include "sluice/config.h"

#include <cctype>
#include <charconv>
#include <limits>

namespace sluice::client {
namespace {

Error invalid(const std::string& key, const std::string& value, const std::string& why) {
  return Error(make_error_code(ClientErrc::invalid_config), key + "=" + value + ": " + why);
}

Result<int64_t> parse_int(const std::string& key, const std::string& value, int64_t min,
                          int64_t max) {
  int64_t v = 0;
  const char* end = value.data() + value.size();
  auto r = std::from_chars(value.data(), end, v);
  if (r.ec != std::errc() || r.ptr != end) return invalid(key, value, "not an integer");
  if (v < min || v > max) {
    return invalid(key, value,
                   "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

Result<Millis> parse_ms(const std::string& key, const std::string& value, int64_t min = 0) {
  auto v = parse_int(key, value, min, std::numeric_limits<int32_t>::max());
  if (!v) return std::move(v).error();
  return Millis(*v);
}

Result<bool> parse_bool(const std::string& key, const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return invalid(key, value, "expected true or false");
}

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : value) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Assigns the parsed value of `value` to `field` or returns the parse error.
#define SLUICE_SET(field, parsed)                              \
  do {                                                         \
    auto parsed_value = (parsed);                              \
    if (!parsed_value) return std::move(parsed_value).error(); \
    field = *parsed_value;                                     \
    return {};                                                 \
  } while (0)

}  // namespace

Status ClientConfig::set(const std::string& key, const std::string& value) {
  if (key == "bootstrap.servers" || key == "metadata.broker.list") {
    bootstrap_servers = split_list(value);
    return {};
  }
  if (key == "client.id") {
    client_id = value;
    return {};
  }
  if (key == "request.timeout.ms") SLUICE_SET(request_timeout, parse_ms(key, value, 1));
  if (key == "socket.connection.setup.timeout.ms")
    SLUICE_SET(connect_timeout, parse_ms(key, value, 1));
  if (key == "reconnect.backoff.ms") SLUICE_SET(reconnect_backoff, parse_ms(key, value));
  if (key == "reconnect.backoff.max.ms") SLUICE_SET(reconnect_backoff_max, parse_ms(key, value));
  if (key == "retry.backoff.ms") SLUICE_SET(retry_backoff, parse_ms(key, value));
  if (key == "metadata.max.age.ms") SLUICE_SET(metadata_max_age, parse_ms(key, value, 1));
  if (key == "security.protocol") {
    if (value == "PLAINTEXT" || value == "plaintext")
      security.protocol = SecurityConfig::Protocol::plaintext;
    else if (value == "SSL" || value == "ssl")
      security.protocol = SecurityConfig::Protocol::ssl;
    else if (value == "SASL_PLAINTEXT" || value == "sasl_plaintext")
      security.protocol = SecurityConfig::Protocol::sasl_plaintext;
    else if (value == "SASL_SSL" || value == "sasl_ssl")
      security.protocol = SecurityConfig::Protocol::sasl_ssl;
    else
      return invalid(key, value, "expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    return {};
  }
  if (key == "sasl.mechanism" || key == "sasl.mechanisms") {
    security.sasl_mechanism = value;
    return {};
  }
  if (key == "sasl.username") {
    security.sasl_username = value;
    return {};
  }
  if (key == "sasl.password") {
    security.sasl_password = value;
    return {};
  }
  if (key == "ssl.ca.location") {
    security.ssl_ca_location = value;
    return {};
  }
  return Error(make_error_code(ClientErrc::invalid_config), "unknown property " + key);
}

Status ClientConfig::validate() const {
  if (bootstrap_servers.empty()) {
    return Error(make_error_code(ClientErrc::invalid_config), "bootstrap.servers is empty");
  }
  if (security.protocol != SecurityConfig::Protocol::plaintext) {
    return Error(make_error_code(ClientErrc::invalid_config),
                 "security.protocol: only PLAINTEXT is supported by this version of the client");
  }
  if (reconnect_backoff_max < reconnect_backoff) {
    return Error(make_error_code(ClientErrc::invalid_config),
                 "reconnect.backoff.max.ms < reconnect.backoff.ms");
  }
  return {};
}

Status ProducerConfig::set(const std::string& key, const std::string& value) {
  if (key == "acks" || key == "request.required.acks") {
    if (value == "all" || value == "-1")
      acks = Acks::all;
    else if (value == "1")
      acks = Acks::leader;
    else if (value == "0")
      acks = Acks::none;
    else
      return invalid(key, value, "expected 0, 1, all or -1");
    return {};
  }
  if (key == "linger.ms" || key == "queue.buffering.max.ms")
    SLUICE_SET(linger, parse_ms(key, value));
  if (key == "batch.size") {
    auto v = parse_int(key, value, 1, std::numeric_limits<int32_t>::max());
    if (!v) return std::move(v).error();
    batch_size = static_cast<int32_t>(*v);
    return {};
  }
  if (key == "compression.type" || key == "compression.codec") {
    if (value == "none")
      compression = CompressionType::none;
    else if (value == "gzip")
      compression = CompressionType::gzip;
    else if (value == "snappy")
      compression = CompressionType::snappy;
    else if (value == "lz4")
      compression = CompressionType::lz4;
    else if (value == "zstd")
      compression = CompressionType::zstd;
    else
      return invalid(key, value, "expected none, gzip, snappy, lz4 or zstd");
    return {};
  }
  if (key == "retries") {
    auto v = parse_int(key, value, 0, std::numeric_limits<int32_t>::max());
    if (!v) return std::move(v).error();
    retries = static_cast<int32_t>(*v);
    return {};
  }
  if (key == "delivery.timeout.ms" || key == "message.timeout.ms")
    SLUICE_SET(delivery_timeout, parse_ms(key, value, 1));
  if (key == "max.in.flight.requests.per.connection" || key == "max.in.flight") {
    auto v = parse_int(key, value, 1, 1000000);
    if (!v) return std::move(v).error();
    max_in_flight = static_cast<int32_t>(*v);
    return {};
  }
  if (key == "buffer.memory") {
    auto v = parse_int(key, value, 1, std::numeric_limits<int64_t>::max());
    if (!v) return std::move(v).error();
    buffer_memory = *v;
    return {};
  }
  if (key == "max.block.ms") SLUICE_SET(max_block, parse_ms(key, value));
  if (key == "max.request.size" || key == "message.max.bytes") {
    auto v = parse_int(key, value, 1, std::numeric_limits<int32_t>::max());
    if (!v) return std::move(v).error();
    max_request_size = static_cast<int32_t>(*v);
    return {};
  }
  if (key == "enable.idempotence") SLUICE_SET(enable_idempotence, parse_bool(key, value));
  if (key == "partitioner") {
    if (value != "murmur2_random" && value != "murmur2" && value != "random") {
      return invalid(key, value, "expected murmur2_random, murmur2 or random");
    }
    partitioner = value;
    return {};
  }
  return ClientConfig::set(key, value);
}

Status ProducerConfig::validate() const {
  if (auto st = ClientConfig::validate(); !st) return st;
  if (enable_idempotence) {
    if (acks != Acks::all) {
      return Error(make_error_code(ClientErrc::invalid_config),
                   "enable.idempotence=true requires acks=all");
    }
    if (max_in_flight > 5) {
      return Error(make_error_code(ClientErrc::invalid_config),
                   "enable.idempotence=true requires max.in.flight.requests.per.connection <= 5");
    }
  }
  if (batch_size > max_request_size) {
    return Error(make_error_code(ClientErrc::invalid_config), "batch.size > max.request.size");
  }
  return {};
}

Status ConsumerConfig::set(const std::string& key, const std::string& value) {
  if (key == "group.id") {
    group_id = value;
    return {};
  }
  if (key == "group.instance.id") {
    group_instance_id = value;
    return {};
  }
  if (key == "partition.assignment.strategy") {
    std::vector<std::string> names;
    for (const auto& name : split_list(value)) {
      // Java's class names map onto the short names librdkafka uses.
      std::string n = name;
      if (n.find("RangeAssignor") != std::string::npos)
        n = "range";
      else if (n.find("RoundRobinAssignor") != std::string::npos)
        n = "roundrobin";
      else if (n.find("CooperativeStickyAssignor") != std::string::npos)
        n = "cooperative-sticky";
      if (n != "range" && n != "roundrobin" && n != "cooperative-sticky") {
        return invalid(key, value,
                       "unknown assignor " + name + " (range, roundrobin, cooperative-sticky)");
      }
      names.push_back(n);
    }
    if (names.empty()) return invalid(key, value, "no assignor");
    assignment_strategies = names;
    return {};
  }
  if (key == "session.timeout.ms") SLUICE_SET(session_timeout, parse_ms(key, value, 1));
  if (key == "heartbeat.interval.ms") SLUICE_SET(heartbeat_interval, parse_ms(key, value, 1));
  if (key == "max.poll.interval.ms") SLUICE_SET(max_poll_interval, parse_ms(key, value, 1));
  if (key == "enable.auto.commit") SLUICE_SET(enable_auto_commit, parse_bool(key, value));
  if (key == "auto.commit.interval.ms") SLUICE_SET(auto_commit_interval, parse_ms(key, value));
  if (key == "auto.offset.reset") {
    if (value == "earliest" || value == "smallest" || value == "beginning")
      auto_offset_reset = OffsetReset::earliest;
    else if (value == "latest" || value == "largest" || value == "end")
      auto_offset_reset = OffsetReset::latest;
    else if (value == "none" || value == "error")
      auto_offset_reset = OffsetReset::none;
    else
      return invalid(key, value, "expected earliest, latest or none");
    return {};
  }
  if (key == "isolation.level") {
    if (value == "read_uncommitted")
      isolation_level = IsolationLevel::read_uncommitted;
    else if (value == "read_committed")
      isolation_level = IsolationLevel::read_committed;
    else
      return invalid(key, value, "expected read_uncommitted or read_committed");
    return {};
  }
  auto set_int = [&](int32_t& field, int64_t min) -> Status {
    auto v = parse_int(key, value, min, std::numeric_limits<int32_t>::max());
    if (!v) return std::move(v).error();
    field = static_cast<int32_t>(*v);
    return {};
  };
  if (key == "fetch.min.bytes") return set_int(fetch_min_bytes, 0);
  if (key == "fetch.max.bytes") return set_int(fetch_max_bytes, 1);
  if (key == "max.partition.fetch.bytes") return set_int(max_partition_fetch_bytes, 1);
  if (key == "fetch.max.wait.ms" || key == "fetch.wait.max.ms")
    SLUICE_SET(fetch_max_wait, parse_ms(key, value));
  if (key == "max.poll.records") return set_int(max_poll_records, 1);
  if (key == "check.crcs") SLUICE_SET(check_crcs, parse_bool(key, value));
  return ClientConfig::set(key, value);
}

Status ConsumerConfig::validate() const {
  if (auto st = ClientConfig::validate(); !st) return st;
  if (heartbeat_interval >= session_timeout) {
    return Error(make_error_code(ClientErrc::invalid_config),
                 "heartbeat.interval.ms must be below session.timeout.ms");
  }
  if (assignment_strategies.empty()) {
    return Error(make_error_code(ClientErrc::invalid_config),
                 "partition.assignment.strategy is empty");
  }
  return {};
}

}  // namespace sluice::client
