// Kafka's protocol error codes (the int16 error_code fields of responses): the enum KafkaErrc
// and its std::error_category are public (sluice/kafka_error.h, installed with libsluice);
// this header adds Kafka's names, the retriable classification and the wire conversions.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "sluice/kafka_error.h"

namespace sluice::protocol {

// Kafka's uppercase name ("NOT_LEADER_OR_FOLLOWER"). Like Kafka's Errors.forCode, a code this
// table does not know is reported as "UNKNOWN_SERVER_ERROR".
std::string_view kafka_error_name(int16_t code);

// True when Kafka's exception for the code is a RetriableException: a client may retry the
// same request (after refreshing metadata or finding the coordinator) and expect success.
bool is_retriable(KafkaErrc e);

// The one conversion from the typed error to a response's int16 error_code field. Inside the
// broker and the client errors are KafkaErrc; only the wire structs hold int16_t.
constexpr int16_t to_wire(KafkaErrc e) { return static_cast<int16_t>(e); }

// The typed error for a response's int16 error_code field (any value: a code this version of
// Sluice does not know is kept as its number; kafka_error_name() calls it UNKNOWN_SERVER_ERROR).
constexpr KafkaErrc from_wire(int16_t code) { return static_cast<KafkaErrc>(code); }

// The error code to put in a response for `ec`: a kafka-category code as itself, a decode
// error (protocol/wire.h) as INVALID_REQUEST, no error as NONE, anything else as
// UNKNOWN_SERVER_ERROR.
int16_t to_kafka_code(std::error_code ec);

}  // namespace sluice::protocol
