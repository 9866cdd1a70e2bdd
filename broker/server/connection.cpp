// Frame reading, dispatch and ordered response writing for one client connection.
#include "broker/server/connection.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "common/log.h"
#include "protocol/header.h"

namespace sluice::broker::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Smallest request header v1: api key, version, correlation id, client id length.
constexpr int32_t kMinRequestBytes = 2 + 2 + 4 + 2;
// Frame bodies are read in chunks so that a client claiming a large frame and sending
// little costs only what it sent.
constexpr std::size_t kReadChunk = 64 * 1024;

struct IdleState {
  std::chrono::steady_clock::time_point last_activity = std::chrono::steady_clock::now();
  bool done = false;
};

asio::awaitable<void> idle_watchdog(tcp::socket& socket, std::shared_ptr<IdleState> state,
                                    std::chrono::milliseconds idle_timeout, uint64_t id) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!state->done) {
    timer.expires_after(std::min<std::chrono::milliseconds>(idle_timeout, std::chrono::seconds(5)));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (state->done) break;
    if (std::chrono::steady_clock::now() - state->last_activity > idle_timeout) {
      SLUICE_LOG(info) << "connection " << id << ": idle longer than " << idle_timeout.count()
                       << " ms, closing";
      boost::system::error_code ignored;
      socket.close(ignored);
      break;
    }
  }
}

std::string peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

asio::awaitable<Status> write_frame(tcp::socket& socket, const protocol::ByteWriter& frame) {
  const auto& bytes = frame.bytes();
  std::size_t from = 0;
  boost::system::error_code ec;
  for (const auto& splice : frame.splices()) {
    if (splice.at > from) {
      co_await asio::async_write(socket, asio::buffer(bytes.data() + from, splice.at - from),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return Error(ec, "writing response");
    }
    from = splice.at;
    // Zero-copy from the segment file. The socket is non-blocking: on EAGAIN wait until
    // it is writable again.
    socket.native_non_blocking(true, ec);
    off_t offset = static_cast<off_t>(splice.region.position);
    int64_t left = splice.region.length;
    while (left > 0) {
      ssize_t n = ::sendfile(socket.native_handle(), splice.region.fd, &offset,
                             static_cast<std::size_t>(std::min<int64_t>(left, 1 << 30)));
      if (n > 0) {
        left -= n;
        continue;
      }
      if (n == 0)
        co_return Error(std::make_error_code(std::errc::io_error),
                        "file region shorter than promised");
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        co_await socket.async_wait(tcp::socket::wait_write,
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return Error(ec, "waiting to send file data");
        continue;
      }
      co_return Error(std::error_code(errno, std::system_category()), "sendfile");
    }
  }
  if (bytes.size() > from) {
    co_await asio::async_write(socket, asio::buffer(bytes.data() + from, bytes.size() - from),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Error(ec, "writing response");
  }
  co_return Status{};
}

asio::awaitable<void> run_connection(tcp::socket& socket, RequestHandler& handler,
                                     ConnectionLimits limits, std::string listener_name,
                                     uint64_t connection_id) {
  const std::string peer = peer_of(socket);
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto idle = std::make_shared<IdleState>();
  asio::co_spawn(
      co_await asio::this_coro::executor,
      idle_watchdog(socket, idle, std::chrono::milliseconds(limits.idle_timeout_ms), connection_id),
      asio::detached);
  SLUICE_LOG(debug) << "connection " << connection_id << " from " << peer << " on "
                    << listener_name;

  std::vector<uint8_t> frame;
  for (;;) {
    std::array<uint8_t, 4> size_bytes{};
    co_await asio::async_read(socket, asio::buffer(size_bytes),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    idle->last_activity = std::chrono::steady_clock::now();
    int32_t size =
        static_cast<int32_t>((uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                             (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]});
    if (size < kMinRequestBytes || size > limits.max_request_bytes) {
      SLUICE_LOG(warning) << "connection " << connection_id << " from " << peer << ": frame of "
                          << size << " bytes is outside [" << kMinRequestBytes << ", "
                          << limits.max_request_bytes << "] (socket.request.max.bytes), closing";
      break;
    }
    frame.clear();
    std::size_t want = static_cast<std::size_t>(size);
    while (frame.size() < want && !ec) {
      std::size_t have = frame.size();
      std::size_t chunk = std::min(want - have, std::max(kReadChunk, have));
      frame.resize(have + chunk);
      co_await asio::async_read(socket, asio::buffer(frame.data() + have, chunk),
                                asio::redirect_error(asio::use_awaitable, ec));
      idle->last_activity = std::chrono::steady_clock::now();
    }
    if (ec) break;

    protocol::ByteReader reader(frame);
    auto header = protocol::decode_request_header(reader);
    if (!header.ok()) {
      SLUICE_LOG(warning) << "connection " << connection_id << " from " << peer
                          << ": unreadable request header (" << header.error().to_string()
                          << "), closing";
      break;
    }
    RequestContext ctx;
    ctx.header = std::move(header).value();
    ctx.body = std::span<const uint8_t>(frame).subspan(reader.position());
    ctx.peer = peer;
    ctx.listener = listener_name;
    ctx.connection_id = connection_id;

    protocol::ByteWriter out(256);
    std::size_t size_at = out.reserve_i32();
    protocol::encode_response_header(ctx.header.correlation_id, ctx.header.api_key,
                                     ctx.header.api_version, out);
    Reply reply = Reply::close;
    try {
      reply = co_await handler.handle(ctx, out);
    } catch (const std::exception& e) {
      SLUICE_LOG(error) << "connection " << connection_id << " corr=" << ctx.header.correlation_id
                        << " api=" << ctx.header.api_key << ": handler threw: " << e.what();
      reply = Reply::close;
    }
    if (reply == Reply::close) {
      SLUICE_LOG(info) << "connection " << connection_id << " from " << peer
                       << " corr=" << ctx.header.correlation_id << " api=" << ctx.header.api_key
                       << " v" << ctx.header.api_version << ": closing at the handler's request";
      break;
    }
    if (reply == Reply::no_reply) continue;
    int64_t body = out.wire_size() - 4;
    if (body > INT32_MAX) {
      SLUICE_LOG(error) << "connection " << connection_id << " corr=" << ctx.header.correlation_id
                        << ": response of " << body << " bytes is too large, closing";
      break;
    }
    out.patch_i32(size_at, static_cast<int32_t>(body));
    auto written = co_await write_frame(socket, out);
    if (!written.ok()) {
      SLUICE_LOG(info) << "connection " << connection_id << " from " << peer << ": "
                       << written.error().to_string();
      break;
    }
    idle->last_activity = std::chrono::steady_clock::now();
  }
  idle->done = true;
  socket.close(ec);
  SLUICE_LOG(debug) << "connection " << connection_id << " from " << peer << " closed";
}

}  // namespace sluice::broker::server
