// One connection from the client to one broker: connect with a timeout, ApiVersions
// negotiation, and pipelined requests (many in flight, written in order by one writer,
// answered by correlation id). A request that outlives request.timeout.ms closes the
// connection, as Kafka clients do: the broker may still be working on it, so nothing later
// on that connection can be trusted to be in order.
//
// Threading: every member runs on the executor given to the constructor, which must not run
// handlers concurrently (a strand or a single-threaded io_context).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/src/event.h"
#include "common/awaitable.h"
#include "protocol/api_keys.h"
#include "protocol/wire.h"
#include "sluice/config.h"
#include "sluice/error.h"

namespace sluice::client::detail {

struct BrokerAddress {
  int32_t node_id = -1;  // -1..-N: bootstrap servers not yet known by id
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
  friend bool operator==(const BrokerAddress&, const BrokerAddress&) = default;
};

// Parses "host:port" ("[v6::addr]:port" too).
Result<BrokerAddress> parse_address(const std::string& text);

// A response frame as read from the socket. Allocated without zero-filling: the read
// overwrites every byte, and a fetch response can be tens of MiB.
struct Frame {
  explicit Frame(std::size_t n) : data(new uint8_t[n]), size(n) {}
  std::unique_ptr<uint8_t[]> data;
  std::size_t size;
  std::span<const uint8_t> bytes() const { return {data.get(), size}; }
};

// A response: the decoded body and the frame it was decoded from (Records in the body view
// the frame, so keep the frame while using them).
template <class Resp>
struct Response {
  Resp body;
  std::shared_ptr<const Frame> frame;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::any_io_executor executor, BrokerAddress address,
             const ClientConfig& config);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const BrokerAddress& address() const { return address_; }
  bool ready() const { return state_ == State::ready; }
  std::size_t in_flight() const { return pending_.size(); }

  // Connects and negotiates API versions unless already done; concurrent callers share one
  // attempt. Within the reconnect backoff after a failure, returns that failure at once.
  awaitable<Status> ensure_ready();

  // The version to use for `api`: the highest both sides support, within [min, max].
  // REQUIRES: ready().
  Result<int16_t> pick_version(const protocol::ApiDescriptor& api, int16_t min_version = 0,
                               int16_t max_version = INT16_MAX) const;

  // Coroutine parameters are taken by value throughout the client: a reference parameter
  // would dangle once the caller's temporary dies at its first suspension.
  //
  // Sends one request (`body` is the encoded request body) and waits for its response
  // frame; the returned reader is positioned at the response body. Without
  // `expect_response` (Produce with acks=0) it completes once the request is queued.
  struct RawResponse {
    std::shared_ptr<const Frame> frame;
    std::size_t body_offset = 0;
  };
  // The body is moved into the send queue and written after its header without a copy.
  // `timeout` overrides request.timeout.ms for this request (JoinGroup may legitimately wait
  // for the whole rebalance timeout).
  awaitable<Result<RawResponse>> send(
      int16_t api_key, int16_t version, protocol::ByteWriter body, bool expect_response = true,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // send() for a body with spliced regions (ByteWriter::splice_file, e.g. Records::file) that
  // live in memory: splice i is written from splice_bytes[i] (same order and lengths as
  // body.splices()) straight from that memory, in one gathered write with the rest, never
  // copied into the body. Each splice's FileRegion::keepalive keeps its memory alive until
  // the request has been written (its fd and position are not used).
  awaitable<Result<RawResponse>> send_spliced(int16_t api_key, int16_t version,
                                              protocol::ByteWriter body,
                                              std::vector<std::span<const uint8_t>> splice_bytes,
                                              bool expect_response);

  // Typed request: encodes `request` at `version`, decodes the response as Resp.
  template <class Resp, class Req>
  awaitable<Result<Response<Resp>>> request(
      const protocol::ApiDescriptor& api, const Req& request, int16_t version,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    protocol::ByteWriter w;
    encode(request, w, version);  // found by ADL in sluice::protocol
    auto raw = co_await send(static_cast<int16_t>(api.key), version, std::move(w), true, timeout);
    if (!raw) co_return std::move(raw).error();
    Response<Resp> out;
    out.frame = raw->frame;
    protocol::ByteReader reader(out.frame->bytes().subspan(raw->body_offset));
    if (auto st = decode(out.body, reader, version); !st) {
      co_return Error(make_error_code(ClientErrc::protocol_error),
                      std::string(api.name) + " v" + std::to_string(version) + " response from " +
                          address_.to_string() + ": " + st.error().to_string());
    }
    co_return out;
  }

  // Fails every request in flight with `why` and drops the socket; the next ensure_ready()
  // reconnects (after the backoff).
  void close(const Error& why);
  // close(), and every later ensure_ready() fails with ClientErrc::closed.
  void shutdown();

 private:
  enum class State { disconnected, connecting, ready, closed };
  struct Pending;
  struct Outgoing {
    std::vector<uint8_t> head;  // size + request header
    std::vector<uint8_t> body;
    // Memory written inside the body: splice_bytes[i] goes before body[splice_at[i]].
    std::vector<std::size_t> splice_at;
    std::vector<std::span<const uint8_t>> splice_bytes;
    std::vector<std::shared_ptr<const void>> keepalive;
  };
  // Queues `body` (and its splices) with a request header; returns the waiter, or null
  // without `expect_response`. REQUIRES: ready().
  std::shared_ptr<Pending> enqueue(int16_t api_key, int16_t version, protocol::ByteWriter& body,
                                   std::vector<std::span<const uint8_t>>& splice_bytes,
                                   bool expect_response,
                                   std::optional<std::chrono::milliseconds> timeout);

  awaitable<Status> connect_and_negotiate();
  awaitable<void> read_loop(std::shared_ptr<Connection> self, uint64_t epoch);
  awaitable<void> write_loop(std::shared_ptr<Connection> self, uint64_t epoch);
  awaitable<void> deadline_loop(std::shared_ptr<Connection> self, uint64_t epoch);
  void start_loops();
  void fail_pending(const Error& why);

  boost::asio::any_io_executor executor_;
  BrokerAddress address_;
  ClientConfig config_;
  boost::asio::ip::tcp::socket socket_;
  State state_ = State::disconnected;
  uint64_t epoch_ = 0;  // bumped per socket: loops of an old socket stop
  int32_t next_correlation_id_ = 1;
  std::map<int32_t, std::shared_ptr<Pending>> pending_;
  std::deque<Outgoing> outgoing_;
  bool writing_ = false;
  boost::asio::steady_timer write_wake_;
  boost::asio::steady_timer deadline_timer_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;  // broker's ranges
  // Set when the connection attempt in progress ends (callers joining it wait on it).
  std::shared_ptr<Event> attempt_done_;
  Status last_failure_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace sluice::client::detail
