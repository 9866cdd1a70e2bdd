// What a request handler gets: the decoded header, the body bytes (a view into the frame,
// valid until the handler's coroutine finishes) and where the request came from.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "protocol/header.h"

namespace sluice::broker::server {

struct RequestContext {
  protocol::RequestHeader header;
  std::span<const uint8_t> body;
  std::string peer;      // "ip:port" of the client
  std::string listener;  // listener name the connection came in on
  uint64_t connection_id = 0;
};

}  // namespace sluice::broker::server
