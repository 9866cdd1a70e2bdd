// Configuration of producers, consumers and admin clients. Field names follow Kafka's
// property names (bootstrap.servers -> bootstrap_servers); from_properties() accepts the
// Kafka names themselves, so a Java or librdkafka configuration carries over.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/error.h"

namespace sluice::client {

using Millis = std::chrono::milliseconds;

// Hooks for the security issue: only plaintext is implemented today; any other protocol is
// refused at construction with ClientErrc::invalid_config (never silently downgraded).
struct SecurityConfig {
  enum class Protocol { plaintext, ssl, sasl_plaintext, sasl_ssl };
  Protocol protocol = Protocol::plaintext;
  std::string sasl_mechanism;  // PLAIN, SCRAM-SHA-256, ...
  std::string sasl_username;
  std::string sasl_password;
  std::string ssl_ca_location;
};

struct ClientConfig {
  std::vector<std::string> bootstrap_servers;  // "host:port"
  std::string client_id = "sluice";
  Millis request_timeout{30000};       // request.timeout.ms: one request's round trip
  Millis connect_timeout{10000};       // socket.connection.setup.timeout.ms
  Millis reconnect_backoff{50};        // reconnect.backoff.ms (doubles per failure...)
  Millis reconnect_backoff_max{1000};  // ...up to reconnect.backoff.max.ms
  Millis retry_backoff{100};           // retry.backoff.ms
  Millis metadata_max_age{300000};     // metadata.max.age.ms: periodic refresh
  SecurityConfig security;

  // Applies one Kafka-named property ("bootstrap.servers", "client.id", ...). Unknown keys
  // are an error (ClientErrc::invalid_config) so typos do not pass silently.
  Status set(const std::string& key, const std::string& value);
  Status validate() const;
};

enum class Acks : int16_t { none = 0, leader = 1, all = -1 };
enum class CompressionType { none, gzip, snappy, lz4, zstd };

struct ProducerConfig : ClientConfig {
  Acks acks = Acks::all;
  Millis linger{5};            // linger.ms
  int32_t batch_size = 16384;  // batch.size (bytes of one partition's batch)
  CompressionType compression = CompressionType::none;
  int32_t retries = INT32_MAX;       // retries (bounded by delivery_timeout)
  Millis delivery_timeout{120000};   // delivery.timeout.ms: send() to report, at most
  int32_t max_in_flight = 5;         // max.in.flight.requests.per.connection
  int64_t buffer_memory = 32 << 20;  // buffer.memory: bytes waiting to be sent
  Millis max_block{
      60000};  // max.block.ms: how long send() blocks on a full buffer (0: fail at once)
  int32_t max_request_size = 1 << 20;  // max.request.size
  bool enable_idempotence = true;      // enable.idempotence (needs acks=all, max_in_flight <= 5)
  // partitioner: "murmur2_random" (Java's default for keys; sticky for null keys),
  // "murmur2" (null keys hashed too, as librdkafka), "random".
  std::string partitioner = "murmur2_random";

  Status set(const std::string& key, const std::string& value);
  Status validate() const;
};

enum class OffsetReset { earliest, latest, none };
enum class IsolationLevel : int8_t { read_uncommitted = 0, read_committed = 1 };

struct ConsumerConfig : ClientConfig {
  std::string group_id;                          // group.id (empty: assign() only)
  std::optional<std::string> group_instance_id;  // group.instance.id (static membership)
  // partition.assignment.strategy, in preference order: "range", "roundrobin",
  // "cooperative-sticky".
  std::vector<std::string> assignment_strategies{"range", "cooperative-sticky"};
  Millis session_timeout{45000};                        // session.timeout.ms
  Millis heartbeat_interval{3000};                      // heartbeat.interval.ms
  Millis max_poll_interval{300000};                     // max.poll.interval.ms (rebalance timeout)
  bool enable_auto_commit = true;                       // enable.auto.commit
  Millis auto_commit_interval{5000};                    // auto.commit.interval.ms
  OffsetReset auto_offset_reset = OffsetReset::latest;  // auto.offset.reset
  IsolationLevel isolation_level = IsolationLevel::read_uncommitted;
  int32_t fetch_min_bytes = 1;                  // fetch.min.bytes
  int32_t fetch_max_bytes = 50 << 20;           // fetch.max.bytes
  int32_t max_partition_fetch_bytes = 1 << 20;  // max.partition.fetch.bytes
  Millis fetch_max_wait{500};                   // fetch.max.wait.ms
  int32_t max_poll_records = 500;               // max.poll.records
  bool check_crcs = true;                       // check.crcs

  Status set(const std::string& key, const std::string& value);
  Status validate() const;
};

using AdminConfig = ClientConfig;

// Builds a configuration from Kafka-named properties, e.g. {{"bootstrap.servers", "a:9092"}}.
template <class Config>
Result<Config> from_properties(const std::map<std::string, std::string>& properties) {
  Config c;
  for (const auto& kv : properties) {
    if (auto st = c.set(kv.first, kv.second); !st) return std::move(st).error();
  }
  if (auto st = c.validate(); !st) return std::move(st).error();
  return c;
}

}  // namespace sluice::client
