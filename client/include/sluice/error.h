// Errors of the Sluice client: every failure is an Error value (sluice/result.h) whose code
// is a Kafka error (KafkaErrc, the broker's error code, e.g. NOT_LEADER_OR_FOLLOWER), a
// ClientErrc (failures the client itself detects: timeouts, a full buffer, a closed client),
// or a system error (a connection refused). The context says what failed ("produce to
// orders-3: ..."). Nothing is dropped silently: an operation either succeeds or returns one.
#pragma once

#include <string>
#include <system_error>

#include "sluice/kafka_error.h"
#include "sluice/result.h"

namespace sluice::client {

using protocol::KafkaErrc;
using sluice::Error;
using sluice::Result;
using sluice::Status;

enum class ClientErrc {
  timed_out = 1,          // no answer (or no success) within the configured timeout
  buffer_full,            // buffer.memory exhausted and the caller asked not to block
  closed,                 // the client was closed before the operation completed
  no_brokers,             // no bootstrap server or known broker could be reached
  unsupported_version,    // the broker supports no version of an API the client needs
  invalid_config,         // a configuration value is out of range or unknown
  invalid_argument,       // a bad argument (empty topic, negative partition, ...)
  record_too_large,       // one record exceeds batch.size / max.request.size
  protocol_error,         // a malformed or unexpected response
  not_assigned,           // seek/position/pause on a partition the consumer does not own
  rebalance_in_progress,  // a commit failed because the group is rebalancing
  fenced,                 // this producer or member was fenced by a newer one
};

const std::error_category& client_category();
inline std::error_code make_error_code(ClientErrc e) {
  return {static_cast<int>(e), client_category()};
}

// The Kafka error code this Error carries (0 if it is not a Kafka error).
int16_t kafka_code(const Error& error);
// True when retrying the same operation later may succeed (Kafka's retriable errors,
// connection failures, timeouts).
bool is_retriable(const Error& error);

}  // namespace sluice::client

template <>
struct std::is_error_code_enum<sluice::client::ClientErrc> : std::true_type {};
