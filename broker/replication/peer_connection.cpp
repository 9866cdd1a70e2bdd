// PeerConnection: connect, and request/response round trips with a deadline (see the header).
#include "broker/replication/peer_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "protocol/header.h"
#include "protocol/wire.h"

namespace sluice::broker::replication {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Closes the socket when the deadline passes, so the pending operation fails.
class Deadline {
 public:
  Deadline(tcp::socket& socket, std::chrono::milliseconds timeout) : timer_(socket.get_executor()) {
    timer_.expires_after(timeout);
    timer_.async_wait([&socket, fired = fired_](boost::system::error_code ec) {
      if (ec) return;
      *fired = true;
      boost::system::error_code ignored;
      socket.close(ignored);
    });
  }
  ~Deadline() { timer_.cancel(); }
  bool fired() const { return *fired_; }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<bool> fired_ = std::make_shared<bool>(false);
};

Error io_error(const std::string& what, const std::string& peer, boost::system::error_code ec,
               bool timed_out) {
  if (timed_out)
    return Error(std::make_error_code(std::errc::timed_out), what + " " + peer + ": timed out");
  return Error(std::make_error_code(std::errc::io_error), what + " " + peer + ": " + ec.message());
}

}  // namespace

PeerConnection::PeerConnection(asio::any_io_executor executor, std::string client_id)
    : socket_(executor), client_id_(std::move(client_id)) {}

PeerConnection::~PeerConnection() { close(); }

void PeerConnection::close() {
  boost::system::error_code ignored;
  if (socket_.is_open()) socket_.close(ignored);
}

awaitable<Status> PeerConnection::connect(const std::string& host, uint16_t port,
                                          std::chrono::milliseconds timeout) {
  close();
  peer_ = host + ":" + std::to_string(port);
  boost::system::error_code ec;
  tcp::resolver resolver(socket_.get_executor());
  auto endpoints = co_await resolver.async_resolve(host, std::to_string(port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return io_error("resolving", peer_, ec, false);
  Deadline deadline(socket_, timeout);
  co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || deadline.fired()) {
    close();
    co_return io_error("connecting to", peer_, ec, deadline.fired());
  }
  socket_.set_option(tcp::no_delay(true), ec);
  co_return Status{};
}

awaitable<Result<std::vector<uint8_t>>> PeerConnection::round_trip(
    int16_t api_key, int16_t version, std::span<const uint8_t> body,
    std::chrono::milliseconds timeout) {
  if (!socket_.is_open())
    co_return Error(std::make_error_code(std::errc::not_connected), "not connected to " + peer_);
  const int32_t correlation_id = next_correlation_id_++;
  protocol::ByteWriter w;
  auto at = w.reserve_i32();
  protocol::RequestHeader h;
  h.api_key = api_key;
  h.api_version = version;
  h.correlation_id = correlation_id;
  h.client_id = client_id_;
  protocol::encode_request_header(h, w);
  w.write_raw(body);
  w.patch_i32(at, static_cast<int32_t>(w.size() - 4));

  Deadline deadline(socket_, timeout);
  boost::system::error_code ec;
  co_await asio::async_write(socket_, asio::buffer(w.bytes()),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec || deadline.fired()) {
    close();
    co_return io_error("sending to", peer_, ec, deadline.fired());
  }
  uint8_t size_bytes[4];
  co_await asio::async_read(socket_, asio::buffer(size_bytes),
                            asio::redirect_error(asio::use_awaitable, ec));
  if (ec || deadline.fired()) {
    close();
    co_return io_error("reading from", peer_, ec, deadline.fired());
  }
  const uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                        (uint32_t{size_bytes[2]} << 8) | size_bytes[3];
  if (size < 4 || size > (1u << 30)) {
    close();
    co_return Error(std::make_error_code(std::errc::protocol_error),
                    "response of " + std::to_string(size) + " bytes from " + peer_);
  }
  std::vector<uint8_t> frame(size);
  co_await asio::async_read(socket_, asio::buffer(frame),
                            asio::redirect_error(asio::use_awaitable, ec));
  if (ec || deadline.fired()) {
    close();
    co_return io_error("reading from", peer_, ec, deadline.fired());
  }
  protocol::ByteReader reader(frame);
  const int32_t got = reader.read_i32();
  if (got != correlation_id) {
    close();
    co_return Error(std::make_error_code(std::errc::protocol_error),
                    "correlation id " + std::to_string(got) + " from " + peer_ + ", expected " +
                        std::to_string(correlation_id));
  }
  co_return frame;
}

}  // namespace sluice::broker::replication
