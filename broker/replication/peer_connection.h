// One Kafka-protocol connection from this broker to another (a follower to its leader): a
// request at a time, each with a deadline. The follower's replica fetcher owns it.
//
// Threading: every member runs on the executor given to the constructor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/awaitable.h"
#include "common/result.h"

namespace sluice::broker::replication {

class PeerConnection {
 public:
  PeerConnection(boost::asio::any_io_executor executor, std::string client_id);
  ~PeerConnection();

  awaitable<Status> connect(const std::string& host, uint16_t port,
                            std::chrono::milliseconds timeout);
  bool is_open() const { return socket_.is_open(); }
  void close();

  // Sends `body` as a request of `api_key` v`version` and returns the response frame
  // (without its size prefix: correlation id, header tags, body). Any failure closes the
  // connection; a wrong correlation id is an error.
  awaitable<Result<std::vector<uint8_t>>> round_trip(int16_t api_key, int16_t version,
                                                     std::span<const uint8_t> body,
                                                     std::chrono::milliseconds timeout);

 private:
  boost::asio::ip::tcp::socket socket_;
  std::string client_id_;
  int32_t next_correlation_id_ = 1;
  std::string peer_;
};

}  // namespace sluice::broker::replication
