// The seam between the network layer and the Kafka API handlers.
#pragma once

#include "broker/server/request_context.h"
#include "common/awaitable.h"
#include "common/result.h"
#include "protocol/wire.h"

namespace sluice::broker::server {

// What the connection does with a request after the handler ran.
enum class Reply {
  send,      // send the response body the handler wrote
  no_reply,  // send nothing (Produce with acks=0)
  close,     // close the connection (a body that could not be parsed, for example)
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Appends the response body (without header) to `out`.
  // Runs on the connection's strand; may suspend (long polls, replication waits).
  // Must not throw.
  virtual boost::asio::awaitable<Reply> handle(const RequestContext& ctx,
                                               protocol::ByteWriter& out) = 0;
};

}  // namespace sluice::broker::server
