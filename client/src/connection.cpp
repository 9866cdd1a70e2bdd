// Connection: see connection.h.
#include "client/src/connection.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <limits>

#include "common/log.h"
#include "protocol/error_codes.h"
#include "protocol/header.h"
#include "protocol/messages/api_versions.h"

namespace sluice::client::detail {
namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Responses larger than this are a protocol error (a garbage length, not a real answer).
constexpr uint32_t kMaxResponseBytes = 1u << 30;

// asio's own transfer_all caps every read/write system call at 64 KiB
// (default_max_transfer_size): a 1 MB Produce request went out in 16 sendmsg calls (a 1 MB
// Fetch response came in 16 recvs), each completion a trip through the runtime's scheduler
// and reactor before the next call. This condition also transfers everything, but lets each
// call move as much as the socket takes (the kernel bounds it by the socket buffer).
struct TransferAllUncapped {
  std::size_t operator()(const boost::system::error_code& ec, std::size_t /*so_far*/) const {
    return ec ? 0 : std::numeric_limits<std::size_t>::max();
  }
};
constexpr TransferAllUncapped kTransferAll{};

Error io_error(const std::string& what, const BrokerAddress& peer,
               const boost::system::error_code& ec) {
  return Error(std::error_code(ec.value(), std::system_category()),
               what + " " + peer.to_string() + ": " + ec.message());
}

Error timed_out(const std::string& what, const BrokerAddress& peer) {
  return Error(make_error_code(ClientErrc::timed_out), what + " " + peer.to_string());
}

}  // namespace

Result<BrokerAddress> parse_address(const std::string& text) {
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error(make_error_code(ClientErrc::invalid_config), "bad broker address " + text);
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      return Error(make_error_code(ClientErrc::invalid_config),
                   "broker address " + text + " has no port (host:port)");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  // Accept Kafka's listener form too: PLAINTEXT://host:port.
  if (auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
  unsigned value = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return Error(make_error_code(ClientErrc::invalid_config), "bad broker address " + text);
  }
  BrokerAddress out;
  out.host = host;
  out.port = static_cast<uint16_t>(value);
  return out;
}

struct Connection::Pending {
  explicit Pending(asio::any_io_executor ex) : done(std::move(ex)) {}
  int16_t api_key = 0;
  int16_t version = 0;
  Clock::time_point deadline;
  Event done;
  std::optional<Result<RawResponse>> result;
};

Connection::Connection(asio::any_io_executor executor, BrokerAddress address,
                       const ClientConfig& config)
    : executor_(executor),
      address_(std::move(address)),
      config_(config),
      socket_(executor),
      write_wake_(executor, Clock::time_point::max()),
      deadline_timer_(executor) {}

Connection::~Connection() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

awaitable<Status> Connection::ensure_ready() {
  // A caller may own the last reference besides ours: keep this alive across the awaits.
  auto self = shared_from_this();
  for (;;) {
    if (state_ == State::ready) co_return Status{};
    if (state_ == State::closed)
      co_return Error(make_error_code(ClientErrc::closed), "connection to " + address_.to_string());
    if (state_ == State::connecting) {
      auto done = attempt_done_;
      co_await done->wait();
      if (state_ == State::ready) co_return Status{};
      if (state_ == State::closed) continue;
      co_return last_failure_;
    }
    // disconnected
    if (Clock::now() < retry_at_) co_return last_failure_;
    state_ = State::connecting;
    attempt_done_ = std::make_shared<Event>(executor_);
    auto done = attempt_done_;
    Status st = co_await connect_and_negotiate();
    if (state_ == State::closed) {  // shut down while connecting
      done->set();
      continue;
    }
    if (st) {
      state_ = State::ready;
      backoff_ = std::chrono::milliseconds(0);
      start_loops();
    } else {
      boost::system::error_code ignored;
      socket_.close(ignored);
      state_ = State::disconnected;
      last_failure_ = st;
      backoff_ = backoff_.count() == 0 ? config_.reconnect_backoff
                                       : std::min(backoff_ * 2, config_.reconnect_backoff_max);
      retry_at_ = Clock::now() + backoff_;
      SLUICE_LOG(debug) << "client: connecting to " << address_.to_string()
                        << " failed: " << st.error().to_string() << " (next attempt in "
                        << backoff_.count() << " ms)";
    }
    done->set();
    co_return st;
  }
}

awaitable<Status> Connection::connect_and_negotiate() {
  boost::system::error_code ec;
  tcp::resolver resolver(executor_);
  auto endpoints = co_await resolver.async_resolve(address_.host, std::to_string(address_.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return io_error("resolving", address_, ec);

  // One timer bounds connect + ApiVersions: it closes the socket, failing what is pending.
  auto fired = std::make_shared<bool>(false);
  asio::steady_timer deadline(executor_, config_.connect_timeout);
  deadline.async_wait([this, fired](boost::system::error_code e) {
    if (e) return;
    *fired = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
  });
  socket_ = tcp::socket(executor_);
  co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (*fired) co_return timed_out("connecting to", address_);
  if (ec) {
    deadline.cancel();
    co_return io_error("connecting to", address_, ec);
  }
  socket_.set_option(tcp::no_delay(true), ec);

  // ApiVersions: the highest version we know first; a broker that does not know it answers
  // UNSUPPORTED_VERSION with its own range (in a v0 body), and we retry at v0.
  int16_t version = protocol::kApiVersionsApi.max_version;
  for (int attempt = 0; attempt < 2; ++attempt) {
    protocol::ApiVersionsRequest req;
    req.client_software_name = "sluice-cpp";
    req.client_software_version = "0.1";
    protocol::ByteWriter w;
    auto at = w.reserve_i32();
    protocol::RequestHeader h;
    h.api_key = static_cast<int16_t>(protocol::ApiKey::api_versions);
    h.api_version = version;
    h.correlation_id = 0;
    h.client_id = config_.client_id;
    protocol::encode_request_header(h, w);
    encode(req, w, version);
    w.patch_i32(at, static_cast<int32_t>(w.size() - 4));
    co_await asio::async_write(socket_, asio::buffer(w.bytes()),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (*fired) co_return timed_out("ApiVersions to", address_);
    if (ec) co_return io_error("sending ApiVersions to", address_, ec);
    uint8_t size_bytes[4];
    co_await asio::async_read(socket_, asio::buffer(size_bytes),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (*fired) co_return timed_out("ApiVersions from", address_);
    if (ec) co_return io_error("reading ApiVersions from", address_, ec);
    const uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                          (uint32_t{size_bytes[2]} << 8) | size_bytes[3];
    if (size < 4 || size > kMaxResponseBytes) {
      co_return Error(make_error_code(ClientErrc::protocol_error),
                      "ApiVersions response of " + std::to_string(size) + " bytes from " +
                          address_.to_string());
    }
    std::vector<uint8_t> frame(size);
    co_await asio::async_read(socket_, asio::buffer(frame),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (*fired) co_return timed_out("ApiVersions from", address_);
    if (ec) co_return io_error("reading ApiVersions from", address_, ec);
    protocol::ByteReader reader(frame);
    (void)reader.read_i32();  // correlation id (0); ApiVersions answers always use header v0
    protocol::ApiVersionsResponse resp;
    // An UNSUPPORTED_VERSION answer is encoded as v0.
    auto st = decode(resp, reader, version);
    if (!st) {
      protocol::ByteReader again(frame);
      (void)again.read_i32();
      protocol::ApiVersionsResponse v0;
      if (decode(v0, again, 0) &&
          v0.error_code == static_cast<int16_t>(KafkaErrc::unsupported_version)) {
        resp = std::move(v0);
      } else {
        co_return Error(
            make_error_code(ClientErrc::protocol_error),
            "ApiVersions response from " + address_.to_string() + ": " + st.error().to_string());
      }
    }
    if (resp.error_code == static_cast<int16_t>(KafkaErrc::unsupported_version) && version > 0) {
      version = 0;
      // The broker names its range for ApiVersions: use its highest if we know it.
      for (const auto& k : resp.api_keys) {
        if (k.api_key == static_cast<int16_t>(protocol::ApiKey::api_versions)) {
          version = std::clamp<int16_t>(k.max_version, 0, protocol::kApiVersionsApi.max_version);
        }
      }
      continue;
    }
    if (resp.error_code != 0) {
      co_return Error(protocol::make_error_code(static_cast<KafkaErrc>(resp.error_code)),
                      "ApiVersions to " + address_.to_string());
    }
    versions_.clear();
    for (const auto& k : resp.api_keys) versions_[k.api_key] = {k.min_version, k.max_version};
    deadline.cancel();
    co_return Status{};
  }
  deadline.cancel();
  co_return Error(make_error_code(ClientErrc::unsupported_version),
                  "ApiVersions with " + address_.to_string());
}

Result<int16_t> Connection::pick_version(const protocol::ApiDescriptor& api, int16_t min_version,
                                         int16_t max_version) const {
  auto it = versions_.find(static_cast<int16_t>(api.key));
  if (it == versions_.end()) {
    return Error(make_error_code(ClientErrc::unsupported_version),
                 std::string(api.name) + " is not supported by " + address_.to_string());
  }
  const int16_t lo = std::max({api.min_version, min_version, it->second.first});
  const int16_t hi = std::min({api.max_version, max_version, it->second.second});
  if (lo > hi) {
    return Error(make_error_code(ClientErrc::unsupported_version),
                 std::string(api.name) + ": " + address_.to_string() + " supports v" +
                     std::to_string(it->second.first) + "-" + std::to_string(it->second.second) +
                     ", the client needs v" +
                     std::to_string(std::max(api.min_version, min_version)) + "-" +
                     std::to_string(std::min(api.max_version, max_version)));
  }
  return hi;
}

void Connection::start_loops() {
  const uint64_t epoch = ++epoch_;
  asio::co_spawn(executor_, read_loop(shared_from_this(), epoch), asio::detached);
  asio::co_spawn(executor_, write_loop(shared_from_this(), epoch), asio::detached);
  asio::co_spawn(executor_, deadline_loop(shared_from_this(), epoch), asio::detached);
}

std::shared_ptr<Connection::Pending> Connection::enqueue(
    int16_t api_key, int16_t version, protocol::ByteWriter& body,
    std::vector<std::span<const uint8_t>>& splice_bytes, bool expect_response,
    std::optional<std::chrono::milliseconds> timeout) {
  const int32_t correlation_id = next_correlation_id_++;
  if (next_correlation_id_ == INT32_MAX) next_correlation_id_ = 1;
  Outgoing out;
  std::size_t spliced = 0;
  const auto& splices = body.splices();
  for (std::size_t i = 0; i < splices.size() && i < splice_bytes.size(); ++i) {
    out.splice_at.push_back(splices[i].at);
    out.splice_bytes.push_back(splice_bytes[i]);
    out.keepalive.push_back(splices[i].region.keepalive);
    spliced += splice_bytes[i].size();
  }
  protocol::ByteWriter head(64);
  auto at = head.reserve_i32();
  protocol::RequestHeader h;
  h.api_key = api_key;
  h.api_version = version;
  h.correlation_id = correlation_id;
  h.client_id = config_.client_id;
  protocol::encode_request_header(h, head);
  head.patch_i32(at, static_cast<int32_t>(head.size() - 4 + body.size() + spliced));
  out.head = std::move(head.bytes());
  out.body = std::move(body.bytes());
  std::shared_ptr<Pending> pending;
  if (expect_response) {
    pending = std::make_shared<Pending>(executor_);
    pending->api_key = api_key;
    pending->version = version;
    pending->deadline = Clock::now() + timeout.value_or(config_.request_timeout);
    pending_[correlation_id] = pending;
  }
  outgoing_.push_back(std::move(out));
  write_wake_.cancel();
  return pending;
}

awaitable<Result<Connection::RawResponse>> Connection::send(
    int16_t api_key, int16_t version, protocol::ByteWriter body, bool expect_response,
    std::optional<std::chrono::milliseconds> timeout) {
  auto self = shared_from_this();
  if (state_ != State::ready) {
    co_return Error(
        make_error_code(state_ == State::closed ? ClientErrc::closed : ClientErrc::no_brokers),
        "not connected to " + address_.to_string());
  }
  std::vector<std::span<const uint8_t>> no_splices;
  auto pending = enqueue(api_key, version, body, no_splices, expect_response, timeout);
  if (!pending) co_return RawResponse{};
  co_await pending->done.wait();
  co_return std::move(*pending->result);
}

awaitable<Result<Connection::RawResponse>> Connection::send_spliced(
    int16_t api_key, int16_t version, protocol::ByteWriter body,
    std::vector<std::span<const uint8_t>> splice_bytes, bool expect_response) {
  auto self = shared_from_this();
  if (state_ != State::ready) {
    co_return Error(
        make_error_code(state_ == State::closed ? ClientErrc::closed : ClientErrc::no_brokers),
        "not connected to " + address_.to_string());
  }
  if (splice_bytes.size() != body.splices().size()) {
    co_return Error(make_error_code(ClientErrc::invalid_argument),
                    "send_spliced: " + std::to_string(splice_bytes.size()) + " regions for " +
                        std::to_string(body.splices().size()) + " splices");
  }
  std::optional<std::chrono::milliseconds> no_timeout;
  auto pending = enqueue(api_key, version, body, splice_bytes, expect_response, no_timeout);
  if (!pending) co_return RawResponse{};
  co_await pending->done.wait();
  co_return std::move(*pending->result);
}

awaitable<void> Connection::write_loop(std::shared_ptr<Connection> /*keeps this alive*/,
                                       uint64_t epoch) {
  std::vector<Outgoing> batch;
  std::vector<asio::const_buffer> buffers;
  while (epoch_ == epoch) {
    if (outgoing_.empty()) {
      write_wake_.expires_at(Clock::time_point::max());
      boost::system::error_code ignored;
      co_await write_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    // Everything queued goes out in one gathered write, in queue order.
    batch.clear();
    buffers.clear();
    while (!outgoing_.empty() && batch.size() < 64) {
      batch.push_back(std::move(outgoing_.front()));
      outgoing_.pop_front();
    }
    for (const auto& o : batch) {
      buffers.push_back(asio::buffer(o.head));
      std::size_t from = 0;
      for (std::size_t i = 0; i < o.splice_at.size(); ++i) {
        const std::size_t to = o.splice_at[i];
        if (to > from) buffers.push_back(asio::buffer(o.body.data() + from, to - from));
        if (!o.splice_bytes[i].empty())
          buffers.push_back(asio::buffer(o.splice_bytes[i].data(), o.splice_bytes[i].size()));
        from = to;
      }
      if (o.body.size() > from)
        buffers.push_back(asio::buffer(o.body.data() + from, o.body.size() - from));
    }
    boost::system::error_code ec;
    co_await asio::async_write(socket_, buffers, kTransferAll,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (epoch_ != epoch) co_return;
    if (ec) {
      close(io_error("writing to", address_, ec));
      co_return;
    }
  }
}

awaitable<void> Connection::read_loop(std::shared_ptr<Connection> /*keeps this alive*/,
                                      uint64_t epoch) {
  while (epoch_ == epoch) {
    boost::system::error_code ec;
    uint8_t size_bytes[4];
    co_await asio::async_read(socket_, asio::buffer(size_bytes),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (epoch_ != epoch) co_return;
    if (ec) {
      close(io_error("reading from", address_, ec));
      co_return;
    }
    const uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                          (uint32_t{size_bytes[2]} << 8) | size_bytes[3];
    if (size < 4 || size > kMaxResponseBytes) {
      close(Error(make_error_code(ClientErrc::protocol_error),
                  "response of " + std::to_string(size) + " bytes from " + address_.to_string()));
      co_return;
    }
    auto frame = std::make_shared<Frame>(size);
    co_await asio::async_read(socket_, asio::buffer(frame->data.get(), frame->size), kTransferAll,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (epoch_ != epoch) co_return;
    if (ec) {
      close(io_error("reading from", address_, ec));
      co_return;
    }
    protocol::ByteReader peek(frame->bytes());
    const int32_t correlation_id = peek.read_i32();
    auto it = pending_.find(correlation_id);
    if (it == pending_.end()) {
      close(Error(make_error_code(ClientErrc::protocol_error),
                  "unexpected correlation id " + std::to_string(correlation_id) + " from " +
                      address_.to_string()));
      co_return;
    }
    auto pending = it->second;
    pending_.erase(it);
    protocol::ByteReader reader(frame->bytes());
    auto header = protocol::decode_response_header(reader, pending->api_key, pending->version);
    if (!header) {
      pending->result =
          Error(make_error_code(ClientErrc::protocol_error),
                "response header from " + address_.to_string() + ": " + header.error().to_string());
    } else {
      pending->result = RawResponse{std::move(frame), reader.position()};
    }
    pending->done.set();
  }
}

awaitable<void> Connection::deadline_loop(std::shared_ptr<Connection> /*keeps this alive*/,
                                          uint64_t epoch) {
  // Checking a few times per timeout keeps the overshoot small without a timer per request.
  const auto tick = std::clamp<std::chrono::milliseconds>(
      config_.request_timeout / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
  while (epoch_ == epoch) {
    deadline_timer_.expires_after(tick);
    boost::system::error_code ignored;
    co_await deadline_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (epoch_ != epoch) co_return;
    const auto now = Clock::now();
    for (const auto& entry : pending_) {
      if (entry.second->deadline <= now) {
        const auto* api = protocol::find_api(static_cast<protocol::ApiKey>(entry.second->api_key));
        close(Error(make_error_code(ClientErrc::timed_out),
                    std::string(api ? api->name : "request") + " to " + address_.to_string() +
                        " got no answer within its timeout (request.timeout.ms)"));
        co_return;
      }
    }
  }
}

void Connection::fail_pending(const Error& why) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& entry : pending) {
    entry.second->result = why;
    entry.second->done.set();
  }
}

void Connection::close(const Error& why) {
  if (state_ == State::ready) {
    SLUICE_LOG(debug) << "client: closing connection to " << address_.to_string() << ": "
                      << why.to_string();
  }
  ++epoch_;
  if (state_ == State::ready) state_ = State::disconnected;
  boost::system::error_code ignored;
  socket_.close(ignored);
  outgoing_.clear();
  write_wake_.cancel();
  deadline_timer_.cancel();
  fail_pending(why);
}

void Connection::shutdown() {
  state_ = State::closed;
  close(Error(make_error_code(ClientErrc::closed), "connection to " + address_.to_string()));
  if (attempt_done_) attempt_done_->set();
}

}  // namespace sluice::client::detail
