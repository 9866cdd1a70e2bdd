// One client connection: a coroutine reading size-prefixed Kafka frames, handing each to the
// RequestHandler, and writing responses in request order (Kafka clients rely on it).
//
// Concurrency: a connection runs on its own strand; requests of one connection are handled
// one at a time in arrival order (as Kafka does: ordering of produce requests on a
// connection is what makes max.in.flight work), while different connections run in
// parallel on the io_context's threads. A client that stops reading its responses blocks
// our write, so we stop reading its requests: back-pressure without unbounded buffers.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include "broker/server/request_handler.h"
#include "common/awaitable.h"

namespace sluice::broker::server {

struct ConnectionLimits {
  int32_t max_request_bytes = 104857600;  // socket.request.max.bytes
  int64_t idle_timeout_ms = 600000;       // connections.max.idle.ms
};

// Runs until the peer closes, an I/O error, a frame over the limit, or the handler asks to
// close; then closes the socket. The caller owns the socket and keeps it alive until the
// coroutine finishes. Never throws.
boost::asio::awaitable<void> run_connection(boost::asio::ip::tcp::socket& socket,
                                            RequestHandler& handler, ConnectionLimits limits,
                                            std::string listener_name, uint64_t connection_id);

// Writes `frame` (bytes with spliced file regions) to the socket, using sendfile(2) for
// the regions. Returns an error if the socket fails or a file region is shorter than
// promised (the frame would be corrupt: the caller must close the connection).
boost::asio::awaitable<Status> write_frame(boost::asio::ip::tcp::socket& socket,
                                           const protocol::ByteWriter& frame);

}  // namespace sluice::broker::server
