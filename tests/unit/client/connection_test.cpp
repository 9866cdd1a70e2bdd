// Connection and Cluster against fake brokers on loopback: addresses, connect failures with
// backoff, request timeouts, and a broker that answers garbage. (Real brokers:
// cluster_core_cluster_test.cpp.)
#include "client/src/connection.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "client/src/cluster.h"
#include "client/src/runtime.h"
#include "protocol/messages/metadata.h"

namespace sluice::client::detail {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;

TEST(ParseAddress, AcceptsHostPortIpv6AndListenerForm) {
  auto a = parse_address("broker-1:9092");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "broker-1");
  EXPECT_EQ(a->port, 9092);
  auto b = parse_address("[::1]:19092");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 19092);
  auto c = parse_address("PLAINTEXT://127.0.0.1:9093");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 9093);
}

TEST(ParseAddress, RejectsMissingOrBadPort) {
  EXPECT_FALSE(parse_address("localhost"));
  EXPECT_FALSE(parse_address("localhost:0"));
  EXPECT_FALSE(parse_address("localhost:70000"));
  EXPECT_FALSE(parse_address("localhost:12ab"));
  EXPECT_FALSE(parse_address(":9092"));
}

// A listener that accepts connections and, per `mode`, never answers or answers garbage.
class FakeBroker {
 public:
  enum class Mode { silent, garbage };
  explicit FakeBroker(Mode mode)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), mode_(mode) {
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeBroker() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake accept() by connecting once.
    tcp::socket s(io_);
    s.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::string address() const {
    return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  int accepted() const { return accepted_; }

 private:
  void serve() {
    std::vector<std::unique_ptr<tcp::socket>> held;
    while (!stopping_) {
      auto s = std::make_unique<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*s, ec);
      if (ec || stopping_) break;
      ++accepted_;
      if (mode_ == Mode::garbage) {
        uint8_t buf[256];
        s->read_some(asio::buffer(buf), ec);
        const uint8_t reply[] = {0x7f, 0xff, 0xff, 0xff};  // a 2 GiB "response"
        asio::write(*s, asio::buffer(reply), ec);
      }
      held.push_back(std::move(s));  // silent: keep it open, never answer
    }
  }
  asio::io_context io_;
  tcp::acceptor acceptor_;
  Mode mode_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
};

ClientConfig config_for(const std::string& address) {
  ClientConfig c;
  c.bootstrap_servers = {address};
  c.request_timeout = std::chrono::milliseconds(300);
  c.connect_timeout = std::chrono::milliseconds(300);
  c.retry_backoff = std::chrono::milliseconds(20);
  return c;
}

awaitable<Result<int>> ensure_ready(std::shared_ptr<Connection> conn) {
  auto st = co_await conn->ensure_ready();
  if (!st) co_return std::move(st).error();
  co_return 0;
}

TEST(Connection, ApiVersionsWithoutAnswerTimesOut) {
  FakeBroker broker(FakeBroker::Mode::silent);
  Runtime rt;
  auto address = parse_address(broker.address());
  ASSERT_TRUE(address);
  auto conn = std::make_shared<Connection>(rt.executor(), *address, config_for(broker.address()));
  auto r = rt.block_on<int>([conn] { return ensure_ready(conn); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ClientErrc::timed_out) << r.error().to_string();
  EXPECT_TRUE(is_retriable(r.error()));
  rt.block_on<int>([conn]() -> awaitable<Result<int>> {
      conn->shutdown();
      co_return 0;
    }).value();
}

TEST(Connection, OversizedResponseIsAProtocolError) {
  FakeBroker broker(FakeBroker::Mode::garbage);
  Runtime rt;
  auto address = parse_address(broker.address());
  ASSERT_TRUE(address);
  auto conn = std::make_shared<Connection>(rt.executor(), *address, config_for(broker.address()));
  auto r = rt.block_on<int>([conn] { return ensure_ready(conn); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ClientErrc::protocol_error) << r.error().to_string();
  rt.block_on<int>([conn]() -> awaitable<Result<int>> {
      conn->shutdown();
      co_return 0;
    }).value();
}

TEST(Connection, RefusedConnectionBacksOffBeforeTheNextAttempt) {
  // A port nobody listens on: bind, note the port, close.
  uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  const std::string address_text = "127.0.0.1:" + std::to_string(port);
  auto config = config_for(address_text);
  config.reconnect_backoff = std::chrono::milliseconds(5000);
  config.reconnect_backoff_max = std::chrono::milliseconds(5000);
  Runtime rt;
  auto conn = std::make_shared<Connection>(rt.executor(), *parse_address(address_text), config);
  auto first = rt.block_on<int>([conn] { return ensure_ready(conn); });
  ASSERT_FALSE(first);
  // Within the backoff the same failure comes back at once, without a new attempt.
  const auto start = std::chrono::steady_clock::now();
  auto second = rt.block_on<int>([conn] { return ensure_ready(conn); });
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), first.error().code());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(4000));
}

TEST(Cluster, NoReachableBootstrapServerIsNoBrokers) {
  FakeBroker silent(FakeBroker::Mode::silent);
  Runtime rt;
  auto cluster = std::make_shared<Cluster>(rt.executor(), config_for(silent.address()));
  auto r =
      rt.block_on<std::shared_ptr<const TopicMetadata>>([cluster] { return cluster->topic("t"); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ClientErrc::no_brokers) << r.error().to_string();
  EXPECT_GE(silent.accepted(), 1);
  rt.block_on<int>([cluster]() -> awaitable<Result<int>> {
      cluster->close();
      co_return 0;
    }).value();
}

TEST(Runtime, BlockingCallFromTheRuntimeThreadIsRefused) {
  Runtime rt;
  auto r = rt.block_on<int>([&rt]() -> awaitable<Result<int>> {
    auto inner = rt.block_on<int>([]() -> awaitable<Result<int>> { co_return 1; });
    if (inner) co_return 1;
    co_return std::move(inner).error();
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ClientErrc::invalid_argument);
}

}  // namespace
}  // namespace sluice::client::detail
