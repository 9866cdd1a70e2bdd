// A blocking Kafka-framing client for tests of the network layer: sends raw frames and
// reads raw responses over a real TCP connection.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <vector>

#include "protocol/header.h"

namespace sluice::testing {

class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  void send_bytes(std::span<const uint8_t> bytes) {
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()));
  }

  // Frames header + body with the 4-byte size.
  static std::vector<uint8_t> frame(int16_t key, int16_t version, int32_t corr,
                                    std::span<const uint8_t> body) {
    protocol::ByteWriter w;
    auto at = w.reserve_i32();
    protocol::RequestHeader h;
    h.api_key = key;
    h.api_version = version;
    h.correlation_id = corr;
    h.client_id = "test";
    protocol::encode_request_header(h, w);
    w.write_raw(body);
    w.patch_i32(at, static_cast<int32_t>(w.size() - 4));
    return w.bytes();
  }

  void send(int16_t key, int16_t version, int32_t corr, std::span<const uint8_t> body = {}) {
    auto f = frame(key, version, corr, body);
    send_bytes(f);
  }

  // The next response frame without its size prefix, or nullopt if the broker closed.
  std::optional<std::vector<uint8_t>> receive() {
    uint8_t size_bytes[4];
    boost::system::error_code ec;
    boost::asio::read(socket_, boost::asio::buffer(size_bytes), ec);
    if (ec) return std::nullopt;
    uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                    (uint32_t{size_bytes[2]} << 8) | size_bytes[3];
    std::vector<uint8_t> body(size);
    boost::asio::read(socket_, boost::asio::buffer(body), ec);
    if (ec) return std::nullopt;
    return body;
  }

  // True when the broker has closed the connection (reads EOF/reset).
  bool closed_by_peer() {
    uint8_t b;
    boost::system::error_code ec;
    socket_.read_some(boost::asio::buffer(&b, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace sluice::testing
