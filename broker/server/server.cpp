// Acceptors and the registry of open connections.
#include "broker/server/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <map>

#include "common/log.h"
#include "common/mutex.h"

namespace sluice::broker::server {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Server::Connections {
  mutable Mutex mutex;
  // Socket handles of live connections, by id, so that shutdown can close them. The
  // socket objects live in the connection coroutines; closing goes through their
  // executor (strand) to stay on the connection's thread of control.
  std::map<uint64_t, std::pair<tcp::socket*, asio::any_io_executor>> live GUARDED_BY(mutex);
};

Server::Server(asio::io_context& io, RequestHandler& handler, ConnectionLimits limits)
    : io_(io), handler_(handler), limits_(limits), connections_(std::make_shared<Connections>()) {
  // sendfile(2) has no MSG_NOSIGNAL: a client (or follower) that goes away while a fetch
  // response is being sent would kill the whole process with SIGPIPE. Ignored process-wide;
  // the write then fails with EPIPE and only that connection closes.
  std::signal(SIGPIPE, SIG_IGN);
}

Server::~Server() {
  stop_accepting();
  close_connections();
}

Result<std::vector<uint16_t>> Server::listen(const std::vector<ListenerSpec>& listeners) {
  std::vector<uint16_t> ports;
  for (const auto& spec : listeners) {
    boost::system::error_code ec;
    auto address = spec.host.empty() ? asio::ip::address(asio::ip::address_v6::any())
                                     : asio::ip::make_address(spec.host, ec);
    if (ec) {
      // A host name: resolve it once.
      tcp::resolver resolver(io_);
      auto results = resolver.resolve(spec.host, std::to_string(spec.port), ec);
      if (ec || results.empty()) {
        return Error(ec ? ec : std::make_error_code(std::errc::address_not_available),
                     "listener " + spec.name + ": cannot resolve host '" + spec.host + "'");
      }
      address = results.begin()->endpoint().address();
    }
    auto acceptor = std::make_shared<tcp::acceptor>(io_);
    tcp::endpoint endpoint(address, spec.port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec && address.is_v6() && spec.host.empty())
      acceptor->set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error(ec, "listener " + spec.name + " on " + (spec.host.empty() ? "*" : spec.host) +
                           ":" + std::to_string(spec.port));
    }
    uint16_t port = acceptor->local_endpoint().port();
    ports.push_back(port);
    acceptors_.push_back(acceptor);
    SLUICE_LOG(info) << "listening on " << spec.name << "://"
                     << (spec.host.empty() ? "*" : spec.host) << ":" << port;
    asio::co_spawn(io_, accept_loop(acceptor, spec.name), asio::detached);
  }
  return ports;
}

asio::awaitable<void> Server::accept_loop(std::shared_ptr<tcp::acceptor> acceptor,
                                          std::string listener_name) {
  auto connections = connections_;
  for (;;) {
    auto strand = asio::make_strand(io_);
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor->async_accept(strand, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      SLUICE_LOG(warning) << "accept on " << listener_name << ": " << ec.message();
      continue;
    }
    uint64_t id = next_connection_id_++;
    // The closure itself is handed to co_spawn (not called here) in a statement without
    // co_await: Asio moves it, and the socket it owns, into the frame of the coroutine it
    // spawns, which lives until the connection ends (docs/conventions.md, Coroutines).
    asio::co_spawn(
        strand,
        [this, connections, id, listener_name,
         s = std::move(socket)]() mutable -> asio::awaitable<void> {
          tcp::socket socket = std::move(s);
          {
            MutexLock lock(connections->mutex);
            connections->live[id] = {&socket, socket.get_executor()};
          }
          co_await run_connection(socket, handler_, limits_, listener_name, id);
          MutexLock lock(connections->mutex);  // no co_await after this
          connections->live.erase(id);
        },
        asio::detached);
  }
}

void Server::stop_accepting() {
  for (auto& a : acceptors_) {
    boost::system::error_code ec;
    a->close(ec);
  }
}

void Server::close_connections() {
  MutexLock lock(connections_->mutex);
  for (auto& [id, entry] : connections_->live) {
    auto* socket = entry.first;
    asio::post(entry.second, [socket, connections = connections_, id = id] {
      MutexLock inner(connections->mutex);
      if (connections->live.count(id)) {
        boost::system::error_code ec;
        socket->close(ec);
      }
    });
  }
}

std::size_t Server::open_connections() const {
  MutexLock lock(connections_->mutex);
  return connections_->live.size();
}

}  // namespace sluice::broker::server
