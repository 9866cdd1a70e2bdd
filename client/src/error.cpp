// The client's error category and the retriable classification of errors it reports.
#include "sluice/error.h"

#include <string>

#include "protocol/error_codes.h"

namespace sluice::client {
namespace {

class ClientCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.client"; }
  std::string message(int value) const override {
    switch (static_cast<ClientErrc>(value)) {
      case ClientErrc::timed_out:
        return "timed out";
      case ClientErrc::buffer_full:
        return "producer buffer full (buffer.memory)";
      case ClientErrc::closed:
        return "client closed";
      case ClientErrc::no_brokers:
        return "no broker reachable";
      case ClientErrc::unsupported_version:
        return "the broker supports no usable version of the API";
      case ClientErrc::invalid_config:
        return "invalid configuration";
      case ClientErrc::invalid_argument:
        return "invalid argument";
      case ClientErrc::record_too_large:
        return "record too large";
      case ClientErrc::protocol_error:
        return "malformed or unexpected response";
      case ClientErrc::not_assigned:
        return "partition not assigned to this consumer";
      case ClientErrc::rebalance_in_progress:
        return "the group is rebalancing";
      case ClientErrc::fenced:
        return "fenced by a newer instance";
    }
    return "client error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& client_category() {
  static const ClientCategory category;
  return category;
}

int16_t kafka_code(const Error& error) {
  if (error.code().category() == protocol::kafka_category())
    return static_cast<int16_t>(error.code().value());
  return 0;
}

bool is_retriable(const Error& error) {
  const auto& code = error.code();
  if (code.category() == protocol::kafka_category())
    return protocol::is_retriable(static_cast<KafkaErrc>(code.value()));
  if (code.category() == client_category()) {
    const auto e = static_cast<ClientErrc>(code.value());
    return e == ClientErrc::timed_out || e == ClientErrc::no_brokers ||
           e == ClientErrc::rebalance_in_progress;
  }
  // Connection-level failures (refused, reset, timed out): another attempt may succeed.
  return code.category() == std::system_category() || code.category() == std::generic_category();
}

}  // namespace sluice::client
