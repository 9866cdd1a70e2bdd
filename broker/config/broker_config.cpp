// The broker's configuration keys and their loading, validation and precedence.
#include "broker/config/broker_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace sluice::broker::config {

namespace {

using T = ConfigType;
constexpr int64_t kIntMax = INT32_MAX;

// clang-format off
const ConfigKey kKeys[] = {
  {"broker.id", T::int32, nullptr, true, 0, kIntMax, "Id of this broker; unique in the cluster."},
  {"broker.rack", T::string, nullptr, false, 0, 0, "Rack of this broker, for rack-aware replica assignment."},
  {"zookeeper.connect", T::string, nullptr, true, 0, 0, "ZooKeeper connect string host:port[,host:port...][/chroot]."},
  {"zookeeper.session.timeout.ms", T::int32, "18000", false, 1, kIntMax, "ZooKeeper session timeout."},
  {"zookeeper.connection.timeout.ms", T::int32, "18000", false, 1, kIntMax, "How long to wait for the first ZooKeeper connection at start-up."},
  {"listeners", T::list, "PLAINTEXT://:9092", false, 0, 0, "Endpoints to listen on, NAME://host:port."},
  {"advertised.listeners", T::list, nullptr, false, 0, 0, "Endpoints published in ZooKeeper for clients; default: listeners."},
  {"listener.security.protocol.map", T::string, "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", false, 0, 0, "Listener name to security protocol."},
  {"inter.broker.listener.name", T::string, nullptr, false, 0, 0, "Listener brokers use to reach each other; default: the first listener."},
  {"log.dirs", T::list, nullptr, false, 0, 0, "Directories holding partition logs; default: log.dir."},
  {"log.dir", T::string, "/tmp/sluice-logs", false, 0, 0, "Log directory used when log.dirs is not set."},
  {"num.partitions", T::int32, "1", false, 1, kIntMax, "Partitions of auto-created topics and of CreateTopics without a count."},
  {"default.replication.factor", T::int32, "1", false, 1, INT16_MAX, "Replication factor of auto-created topics and of CreateTopics without one."},
  {"min.insync.replicas", T::int32, "1", false, 1, kIntMax, "Fewest in-sync replicas for an acks=all write.", "min.insync.replicas"},
  {"auto.create.topics.enable", T::boolean, "true", false, 0, 0, "Create a topic when Metadata names an unknown one."},
  {"delete.topic.enable", T::boolean, "true", false, 0, 0, "Allow DeleteTopics."},
  {"message.max.bytes", T::int32, "1048588", false, 0, kIntMax, "Largest record batch accepted.", "max.message.bytes"},
  {"socket.request.max.bytes", T::int32, "104857600", false, 1, kIntMax, "Largest request frame; larger frames close the connection."},
  {"socket.send.buffer.bytes", T::int32, "102400", false, -1, kIntMax, "SO_SNDBUF of client sockets (-1: OS default)."},
  {"socket.receive.buffer.bytes", T::int32, "102400", false, -1, kIntMax, "SO_RCVBUF of client sockets (-1: OS default)."},
  {"num.network.threads", T::int32, "3", false, 1, 256, "Threads running network I/O (Asio io_context threads, with num.io.threads)."},
  {"num.io.threads", T::int32, "8", false, 1, 256, "Threads running request handlers."},
  {"num.recovery.threads.per.data.dir", T::int32, "1", false, 1, 256, "Threads loading and recovering logs at start-up, per log dir."},
  {"queued.max.requests", T::int32, "500", false, 1, kIntMax, "Requests read ahead per connection before reading pauses."},
  {"connections.max.idle.ms", T::int64, "600000", false, 1, INT64_MAX, "Idle client connections are closed after this."},
  {"log.segment.bytes", T::int32, "1073741824", false, 14, kIntMax, "Segment size before rolling.", "segment.bytes"},
  {"log.roll.ms", T::int64, nullptr, false, 1, INT64_MAX, "Segment age before rolling (overrides log.roll.hours).", "segment.ms"},
  {"log.roll.hours", T::int32, "168", false, 1, kIntMax, "Segment age before rolling, in hours."},
  {"log.retention.ms", T::int64, nullptr, false, -1, INT64_MAX, "Retention time; -1 keeps forever (overrides minutes/hours).", "retention.ms"},
  {"log.retention.minutes", T::int32, nullptr, false, -1, kIntMax, "Retention time in minutes (overrides hours)."},
  {"log.retention.hours", T::int32, "168", false, -1, kIntMax, "Retention time in hours."},
  {"log.retention.bytes", T::int64, "-1", false, -1, INT64_MAX, "Retention size per partition; -1: unlimited.", "retention.bytes"},
  {"log.retention.check.interval.ms", T::int64, "300000", false, 1, INT64_MAX, "How often retention runs."},
  {"log.index.interval.bytes", T::int32, "4096", false, 0, kIntMax, "Bytes between offset index entries.", "index.interval.bytes"},
  {"log.index.size.max.bytes", T::int32, "10485760", false, 4, kIntMax, "Largest offset/time index file.", "segment.index.bytes"},
  {"log.flush.interval.messages", T::int64, "9223372036854775807", false, 1, INT64_MAX, "fsync after this many messages (default: leave it to the page cache).", "flush.messages"},
  {"log.flush.interval.ms", T::int64, nullptr, false, 0, INT64_MAX, "fsync after this long (default: never, durability comes from replication).", "flush.ms"},
  {"log.cleanup.policy", T::list, "delete", false, 0, 0, "delete, compact, or both.", "cleanup.policy"},
  {"log.cleaner.enable", T::boolean, "true", false, 0, 0, "Run the log cleaner for compacted topics."},
  {"log.cleaner.delete.retention.ms", T::int64, "86400000", false, 0, INT64_MAX, "How long tombstones are kept by compaction.", "delete.retention.ms"},
  {"log.cleaner.min.cleanable.ratio", T::float64, "0.5", false, 0, 1, "Dirty ratio that triggers compaction.", "min.cleanable.dirty.ratio"},
  {"log.cleaner.backoff.ms", T::int64, "15000", false, 0, INT64_MAX, "Sleep of the cleaner when there is nothing to clean."},
  {"log.message.timestamp.type", T::string, "CreateTime", false, 0, 0, "CreateTime or LogAppendTime.", "message.timestamp.type"},
  {"log.segment.delete.delay.ms", T::int64, "60000", false, 0, INT64_MAX, "Delay before a deleted segment's files are removed.", "file.delete.delay.ms"},
  {"replica.lag.time.max.ms", T::int64, "30000", false, 1, INT64_MAX, "A follower that has not caught up for this long leaves the ISR."},
  {"replica.fetch.max.bytes", T::int32, "1048576", false, 0, kIntMax, "Bytes per partition a follower fetch asks for."},
  {"replica.fetch.wait.max.ms", T::int32, "500", false, 0, kIntMax, "Max wait of follower fetches."},
  {"replica.fetch.min.bytes", T::int32, "1", false, 1, kIntMax, "Min bytes of follower fetches."},
  {"replica.socket.timeout.ms", T::int32, "30000", false, 1, kIntMax, "Socket timeout of follower fetches."},
  {"num.replica.fetchers", T::int32, "1", false, 1, 64, "Fetcher connections per source broker."},
  {"unclean.leader.election.enable", T::boolean, "false", false, 0, 0, "Allow electing an out-of-sync replica (may lose data).", "unclean.leader.election.enable"},
  {"auto.leader.rebalance.enable", T::boolean, "true", false, 0, 0, "Move leadership back to preferred replicas periodically."},
  {"leader.imbalance.check.interval.seconds", T::int64, "300", false, 1, INT64_MAX, "How often the controller checks preferred leaders."},
  {"controlled.shutdown.enable", T::boolean, "true", false, 0, 0, "Move leadership away before a clean shutdown."},
  {"offsets.retention.minutes", T::int32, "10080", false, 1, kIntMax, "Committed offsets of empty groups expire after this."},
  {"offsets.topic.num.partitions", T::int32, "50", false, 1, kIntMax, "Number of group-coordinator slots (groups hash onto them)."},
  {"offsets.topic.replication.factor", T::int32, "3", false, 1, INT16_MAX, "Accepted for Kafka compatibility; unused: offsets live in ZooKeeper."},
  {"transaction.state.log.replication.factor", T::int32, "3", false, 1, INT16_MAX, "Accepted for Kafka compatibility; unused (no transactions)."},
  {"transaction.state.log.min.isr", T::int32, "2", false, 1, INT16_MAX, "Accepted for Kafka compatibility; unused (no transactions)."},
  {"group.initial.rebalance.delay.ms", T::int32, "3000", false, 0, kIntMax, "Wait for more members before the first rebalance of an empty group."},
  {"group.min.session.timeout.ms", T::int32, "6000", false, 0, kIntMax, "Smallest session timeout a member may ask for."},
  {"group.max.session.timeout.ms", T::int32, "1800000", false, 0, kIntMax, "Largest session timeout a member may ask for."},
  {"group.max.size", T::int32, "2147483647", false, 1, kIntMax, "Most members a group may have (GROUP_MAX_SIZE_REACHED beyond)."},
  {"offsets.retention.check.interval.ms", T::int64, "600000", false, 1, INT64_MAX, "How often expired offsets and empty groups are removed."},
  {"offset.metadata.max.bytes", T::int32, "4096", false, 0, kIntMax, "Largest metadata string of a committed offset."},
};
// clang-format on

// Environment variables with the SLUICE_ prefix that are not configuration keys.
constexpr std::string_view kNonConfigEnv[] = {"SLUICE_LOG_LEVEL", "SLUICE_LOG_FILE",
                                              "SLUICE_CONFIG", "SLUICE_BROKERS"};

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n\f");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n\f");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    auto comma = v.find(',', start);
    auto item = trim(v.substr(start, comma == std::string_view::npos ? v.npos : comma - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Error invalid(std::string_view key, std::string msg) {
  return Error(std::make_error_code(std::errc::invalid_argument),
               "config '" + std::string(key) + "': " + msg);
}

Result<int64_t> parse_int(std::string_view key, std::string_view text) {
  std::string t = trim(text);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty()) {
    return invalid(key, "'" + t + "' is not an integer");
  }
  return v;
}

Status validate(const ConfigKey& k, std::string_view raw) {
  switch (k.type) {
    case T::int32:
    case T::int64: {
      SLUICE_TRY(int64_t v, parse_int(k.name, raw));
      if (v < k.min || v > k.max) {
        return invalid(k.name, std::to_string(v) + " is outside [" + std::to_string(k.min) + ", " +
                                   std::to_string(k.max) + "]");
      }
      return {};
    }
    case T::boolean: {
      std::string t = trim(raw);
      std::transform(t.begin(), t.end(), t.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (t != "true" && t != "false") return invalid(k.name, "'" + t + "' is not true or false");
      return {};
    }
    case T::float64: {
      std::string t = trim(raw);
      char* end = nullptr;
      double d = std::strtod(t.c_str(), &end);
      if (t.empty() || end != t.c_str() + t.size())
        return invalid(k.name, "'" + t + "' is not a number");
      if (d < static_cast<double>(k.min) || d > static_cast<double>(k.max)) {
        return invalid(k.name, t + " is out of range");
      }
      return {};
    }
    case T::string:
    case T::list:
      return {};
  }
  return {};
}

Result<std::map<std::string, std::string>> parse_protocol_map(std::string_view value) {
  std::map<std::string, std::string> out;
  for (const auto& item : split_list(value)) {
    auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
      return invalid("listener.security.protocol.map", "'" + item + "' is not NAME:PROTOCOL");
    }
    out[item.substr(0, colon)] = item.substr(colon + 1);
  }
  return out;
}

}  // namespace

std::span<const ConfigKey> config_keys() { return kKeys; }

const ConfigKey* find_key(std::string_view name) {
  for (const auto& k : kKeys)
    if (k.name == name) return &k;
  return nullptr;
}

std::string env_name(std::string_view key) {
  std::string out = "SLUICE_";
  for (char c : key)
    out += (c == '.' || c == '-') ? '_'
                                  : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<std::vector<Endpoint>> parse_endpoints(
    std::string_view key, std::string_view value,
    const std::map<std::string, std::string>& protocol_map) {
  std::vector<Endpoint> out;
  for (const auto& item : split_list(value)) {
    auto sep = item.find("://");
    if (sep == std::string::npos || sep == 0) {
      return invalid(key, "'" + item + "' is not NAME://host:port");
    }
    Endpoint ep;
    ep.listener_name = item.substr(0, sep);
    std::string hostport = item.substr(sep + 3);
    std::string port_text;
    if (!hostport.empty() && hostport[0] == '[') {
      auto close = hostport.find(']');
      if (close == std::string::npos || close + 1 >= hostport.size() ||
          hostport[close + 1] != ':') {
        return invalid(key, "'" + item + "': bad IPv6 address");
      }
      ep.host = hostport.substr(1, close - 1);
      port_text = hostport.substr(close + 2);
    } else {
      auto colon = hostport.rfind(':');
      if (colon == std::string::npos) return invalid(key, "'" + item + "' has no port");
      ep.host = hostport.substr(0, colon);
      port_text = hostport.substr(colon + 1);
    }
    auto port = parse_int(key, port_text);
    if (!port.ok() || *port < 0 || *port > 65535) {
      return invalid(key, "'" + item + "': port must be 0..65535");
    }
    ep.port = static_cast<uint16_t>(*port);
    auto proto = protocol_map.find(ep.listener_name);
    if (proto == protocol_map.end()) {
      return invalid(
          key, "listener '" + ep.listener_name + "' is not in listener.security.protocol.map");
    }
    ep.security_protocol = proto->second;
    for (const auto& other : out) {
      if (other.listener_name == ep.listener_name) {
        return invalid(key, "listener '" + ep.listener_name + "' appears twice");
      }
    }
    out.push_back(std::move(ep));
  }
  if (out.empty()) return invalid(key, "no endpoint given");
  return out;
}

Result<std::map<std::string, std::string>> parse_properties(std::string_view text) {
  std::map<std::string, std::string> out;
  // Join continuation lines first: a line ending in an odd number of backslashes continues.
  std::vector<std::string> logical;
  std::string current;
  bool continuing = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string line(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string body = continuing ? trim(line) : line;
    if (!continuing) {
      auto first = body.find_first_not_of(" \t\f");
      if (first == std::string::npos || body[first] == '#' || body[first] == '!') {
        body.clear();
      }
    }
    std::size_t backslashes = 0;
    while (backslashes < body.size() && body[body.size() - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 1) {
      body.pop_back();
      current += body;
      continuing = true;
    } else {
      current += body;
      if (!trim(current).empty()) logical.push_back(current);
      current.clear();
      continuing = false;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (!trim(current).empty()) logical.push_back(current);

  auto unescape = [](std::string_view s) {
    std::string r;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\\' || i + 1 == s.size()) {
        r += s[i];
        continue;
      }
      char c = s[++i];
      switch (c) {
        case 't':
          r += '\t';
          break;
        case 'n':
          r += '\n';
          break;
        case 'r':
          r += '\r';
          break;
        case 'f':
          r += '\f';
          break;
        default:
          r += c;
      }
    }
    return r;
  };

  for (const auto& raw : logical) {
    std::string line = trim(raw);
    // The key ends at the first unescaped '=', ':' or whitespace.
    std::size_t i = 0;
    while (i < line.size()) {
      if (line[i] == '\\') {
        i += 2;
        continue;
      }
      if (line[i] == '=' || line[i] == ':' || line[i] == ' ' || line[i] == '\t') break;
      ++i;
    }
    std::string key = unescape(line.substr(0, std::min(i, line.size())));
    std::size_t j = i;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    if (j < line.size() && (line[j] == '=' || line[j] == ':')) ++j;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    out[key] = unescape(line.substr(std::min(j, line.size())));
  }
  return out;
}

std::optional<std::string> BrokerConfig::value(std::string_view key) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

ConfigSource BrokerConfig::source(std::string_view key) const {
  auto it = sources_.find(std::string(key));
  return it == sources_.end() ? ConfigSource::default_config : it->second;
}

int64_t BrokerConfig::get_long(std::string_view key) const {
  auto v = value(key);
  return v ? parse_int(key, *v).value_or(0) : 0;
}

bool BrokerConfig::get_bool(std::string_view key) const {
  auto v = value(key);
  if (!v) return false;
  std::string t = trim(*v);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t == "true";
}

Result<BrokerConfig> BrokerConfig::load(const Inputs& inputs) {
  BrokerConfig cfg;
  for (const auto& k : kKeys) {
    if (k.default_value) cfg.values_[std::string(k.name)] = k.default_value;
  }
  auto apply = [&](const std::string& key, const std::string& value, ConfigSource source,
                   std::string_view where) -> Status {
    const ConfigKey* k = find_key(key);
    if (!k) {
      return invalid(key, "unknown configuration key (from " + std::string(where) + ")");
    }
    SLUICE_CHECK(validate(*k, value));
    cfg.values_[key] = trim(value);
    cfg.sources_[key] = source;
    return {};
  };

  if (inputs.file) {
    std::ifstream in(*inputs.file);
    if (!in) {
      return Error(std::make_error_code(std::errc::no_such_file_or_directory),
                   "cannot read config file " + *inputs.file);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    SLUICE_TRY(auto props, parse_properties(ss.str()));
    for (const auto& [key, value] : props) {
      SLUICE_CHECK(apply(key, value, ConfigSource::file, *inputs.file));
    }
  }

  for (const auto& entry : inputs.environment) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || entry.rfind("SLUICE_", 0) != 0) continue;
    std::string name = entry.substr(0, eq);
    if (std::find(std::begin(kNonConfigEnv), std::end(kNonConfigEnv), name) !=
        std::end(kNonConfigEnv)) {
      continue;
    }
    const ConfigKey* match = nullptr;
    for (const auto& k : kKeys) {
      if (env_name(k.name) == name) match = &k;
    }
    if (!match) {
      return Error(std::make_error_code(std::errc::invalid_argument),
                   "environment variable " + name + " names no configuration key");
    }
    SLUICE_CHECK(apply(std::string(match->name), entry.substr(eq + 1), ConfigSource::environment,
                       "environment " + name));
  }

  for (const auto& o : inputs.overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error(std::make_error_code(std::errc::invalid_argument),
                   "override '" + o + "' is not key=value");
    }
    SLUICE_CHECK(
        apply(trim(o.substr(0, eq)), o.substr(eq + 1), ConfigSource::command_line, "command line"));
  }

  for (const auto& k : kKeys) {
    if (k.required && !cfg.value(k.name)) {
      return invalid(k.name,
                     "required but not set (file, " + env_name(k.name) + ", or --override)");
    }
  }

  // Typed view.
  cfg.broker_id = static_cast<int32_t>(cfg.get_long("broker.id"));
  cfg.zookeeper_connect = *cfg.value("zookeeper.connect");
  if (trim(cfg.zookeeper_connect).empty()) return invalid("zookeeper.connect", "empty");
  cfg.zookeeper_session_timeout_ms =
      static_cast<int32_t>(cfg.get_long("zookeeper.session.timeout.ms"));
  cfg.zookeeper_connection_timeout_ms =
      static_cast<int32_t>(cfg.get_long("zookeeper.connection.timeout.ms"));
  SLUICE_TRY(auto protocol_map, parse_protocol_map(*cfg.value("listener.security.protocol.map")));
  SLUICE_TRY(cfg.listeners, parse_endpoints("listeners", *cfg.value("listeners"), protocol_map));
  if (auto adv = cfg.value("advertised.listeners")) {
    SLUICE_TRY(cfg.advertised_listeners,
               parse_endpoints("advertised.listeners", *adv, protocol_map));
    for (const auto& a : cfg.advertised_listeners) {
      bool known = std::any_of(cfg.listeners.begin(), cfg.listeners.end(), [&](const Endpoint& l) {
        return l.listener_name == a.listener_name;
      });
      if (!known) {
        return invalid("advertised.listeners",
                       "listener '" + a.listener_name + "' is not in listeners");
      }
    }
  } else {
    cfg.advertised_listeners = cfg.listeners;
  }
  cfg.inter_broker_listener_name =
      cfg.value("inter.broker.listener.name").value_or(cfg.listeners.front().listener_name);
  if (std::none_of(cfg.listeners.begin(), cfg.listeners.end(), [&](const Endpoint& l) {
        return l.listener_name == cfg.inter_broker_listener_name;
      })) {
    return invalid("inter.broker.listener.name",
                   "'" + cfg.inter_broker_listener_name + "' is not in listeners");
  }
  cfg.broker_rack = cfg.value("broker.rack");
  if (auto dirs = cfg.value("log.dirs")) {
    cfg.log_dirs = split_list(*dirs);
    if (cfg.log_dirs.empty()) return invalid("log.dirs", "empty");
  } else {
    cfg.log_dirs = {*cfg.value("log.dir")};
  }
  cfg.num_partitions = static_cast<int32_t>(cfg.get_long("num.partitions"));
  cfg.default_replication_factor = static_cast<int16_t>(cfg.get_long("default.replication.factor"));
  cfg.min_insync_replicas = static_cast<int32_t>(cfg.get_long("min.insync.replicas"));
  cfg.auto_create_topics_enable = cfg.get_bool("auto.create.topics.enable");
  cfg.delete_topic_enable = cfg.get_bool("delete.topic.enable");
  cfg.message_max_bytes = static_cast<int32_t>(cfg.get_long("message.max.bytes"));
  cfg.socket_request_max_bytes = static_cast<int32_t>(cfg.get_long("socket.request.max.bytes"));
  cfg.num_network_threads = static_cast<int32_t>(cfg.get_long("num.network.threads"));
  cfg.num_io_threads = static_cast<int32_t>(cfg.get_long("num.io.threads"));
  if (cfg.value("log.retention.ms")) {
    cfg.log_retention_ms = cfg.get_long("log.retention.ms");
  } else if (cfg.value("log.retention.minutes")) {
    cfg.log_retention_ms = cfg.get_long("log.retention.minutes") * 60 * 1000;
  } else {
    cfg.log_retention_ms = cfg.get_long("log.retention.hours") * 3600 * 1000;
  }
  if (cfg.log_retention_ms < 0) cfg.log_retention_ms = -1;
  cfg.log_roll_ms = cfg.value("log.roll.ms") ? cfg.get_long("log.roll.ms")
                                             : cfg.get_long("log.roll.hours") * 3600 * 1000;
  cfg.replica_lag_time_max_ms = cfg.get_long("replica.lag.time.max.ms");
  cfg.unclean_leader_election_enable = cfg.get_bool("unclean.leader.election.enable");
  cfg.auto_leader_rebalance_enable = cfg.get_bool("auto.leader.rebalance.enable");
  auto ts_type = *cfg.value("log.message.timestamp.type");
  if (ts_type != "CreateTime" && ts_type != "LogAppendTime") {
    return invalid("log.message.timestamp.type",
                   "'" + ts_type + "' is not CreateTime or LogAppendTime");
  }
  for (const auto& policy : split_list(*cfg.value("log.cleanup.policy"))) {
    if (policy != "delete" && policy != "compact") {
      return invalid("log.cleanup.policy", "'" + policy + "' is not delete or compact");
    }
  }
  return cfg;
}

}  // namespace sluice::broker::config
