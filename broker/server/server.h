// The network front of the broker: one acceptor per listener, one coroutine per connection
// (each on its own strand of the shared io_context).
//
// Concurrency: listen() and stop() are called from the thread that owns the broker's
// start-up/shutdown; accept loops and connections run on the io_context's threads.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/server/connection.h"
#include "common/result.h"

namespace sluice::broker::server {

struct ListenerSpec {
  std::string name;   // PLAINTEXT, ...
  std::string host;   // empty: all interfaces
  uint16_t port = 0;  // 0: any free port
};

class Server {
 public:
  Server(boost::asio::io_context& io, RequestHandler& handler, ConnectionLimits limits);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener (SO_REUSEADDR) and starts accepting. Returns the bound port of
  // each listener, in order (useful with port 0).
  Result<std::vector<uint16_t>> listen(const std::vector<ListenerSpec>& listeners);

  // Stops accepting new connections; existing ones keep running.
  void stop_accepting();
  // Closes every open connection (their coroutines finish the request in progress
  // writing nothing more).
  void close_connections();

  std::size_t open_connections() const;

 private:
  struct Connections;
  boost::asio::awaitable<void> accept_loop(std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor,
                                           std::string listener_name);

  boost::asio::io_context& io_;
  RequestHandler& handler_;
  ConnectionLimits limits_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::shared_ptr<Connections> connections_;
  std::atomic<uint64_t> next_connection_id_{1};
};

}  // namespace sluice::broker::server
