// The network layer over real loopback TCP: framing limits, ordering, ApiVersions fallback,
// hostile input closing only the offending connection, sendfile of file regions.
#include "broker/server/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <random>
#include <thread>

#include "broker/handlers/router.h"
#include "protocol/messages/api_versions.h"
#include "tests/support/raw_client.h"

namespace sluice::broker {
namespace {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using protocol::ByteReader;
using testing::RawClient;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    handlers::add_api_versions(router_);
    server::ConnectionLimits limits;
    limits.max_request_bytes = 1 << 20;
    server_ = std::make_unique<server::Server>(io_, router_, limits);
    auto ports = server_->listen({{.name = "PLAINTEXT", .host = "127.0.0.1", .port = 0}});
    ASSERT_TRUE(ports.ok()) << ports.error().to_string();
    port_ = ports->front();
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->stop_accepting();
    server_->close_connections();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  static ApiVersionsResponse parse_api_versions(const std::vector<uint8_t>& frame, int32_t corr,
                                                int16_t version) {
    ByteReader r(frame);
    EXPECT_EQ(r.read_i32(), corr);  // response header v0: no tag section, whatever the version
    ApiVersionsResponse resp;
    auto status = protocol::decode(resp, r, version);
    EXPECT_TRUE(status.ok()) << status.error().to_string();
    return resp;
  }

  bool still_serving() {
    RawClient c(port_);
    c.send(18, 0, 77);
    auto reply = c.receive();
    return reply.has_value() && parse_api_versions(*reply, 77, 0).error_code == 0;
  }

  boost::asio::io_context io_{2};
  handlers::Router router_;
  std::unique_ptr<server::Server> server_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, AnswersApiVersionsV3WithHeaderV0) {
  RawClient c(port_);
  ApiVersionsRequest req;
  req.client_software_name = "librdkafka";
  req.client_software_version = "2.0.2";
  protocol::ByteWriter body;
  protocol::encode(req, body, 3);
  c.send(18, 3, 5, body.bytes());
  auto reply = c.receive();
  ASSERT_TRUE(reply);
  auto resp = parse_api_versions(*reply, 5, 3);
  EXPECT_EQ(resp.error_code, 0);
  ASSERT_EQ(resp.api_keys.size(), 1u);
  EXPECT_EQ(resp.api_keys[0].api_key, 18);
  EXPECT_EQ(resp.api_keys[0].max_version, 3);
}

TEST_F(ServerTest, NewerApiVersionsGetsUnsupportedVersionInV0Layout) {
  RawClient c(port_);
  c.send(18, 9, 6, std::vector<uint8_t>{0x01, 0x02, 0x03});
  auto reply = c.receive();
  ASSERT_TRUE(reply);
  auto resp = parse_api_versions(*reply, 6, 0);
  EXPECT_EQ(resp.error_code, 35);  // UNSUPPORTED_VERSION
  EXPECT_FALSE(resp.api_keys.empty());
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RawClient c(port_);
  std::vector<uint8_t> all;
  for (int32_t corr = 100; corr < 110; ++corr) {
    auto f = RawClient::frame(18, static_cast<int16_t>(corr % 3), corr, {});
    all.insert(all.end(), f.begin(), f.end());
  }
  c.send_bytes(all);  // one write: ten requests
  for (int32_t corr = 100; corr < 110; ++corr) {
    auto reply = c.receive();
    ASSERT_TRUE(reply);
    parse_api_versions(*reply, corr, static_cast<int16_t>(corr % 3));
  }
}

TEST_F(ServerTest, FrameClaimingTwoGibibytesClosesOnlyThatConnection) {
  RawClient bad(port_);
  RawClient good(port_);
  std::vector<uint8_t> huge = {0x7f, 0xff, 0xff, 0xff, 0x00, 0x12};
  bad.send_bytes(huge);
  EXPECT_TRUE(bad.closed_by_peer());
  good.send(18, 0, 1);
  EXPECT_TRUE(good.receive().has_value());
  EXPECT_TRUE(still_serving());
}

TEST_F(ServerTest, UnknownApiKeyClosesTheConnection) {
  RawClient c(port_);
  c.send(999, 0, 1);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_TRUE(still_serving());
}

TEST_F(ServerTest, NegativeAndTinyFramesClose) {
  for (std::vector<uint8_t> bytes : {std::vector<uint8_t>{0xff, 0xff, 0xff, 0xfe},
                                     std::vector<uint8_t>{0x00, 0x00, 0x00, 0x03, 1, 2, 3}}) {
    RawClient c(port_);
    c.send_bytes(bytes);
    EXPECT_TRUE(c.closed_by_peer());
  }
  EXPECT_TRUE(still_serving());
}

TEST_F(ServerTest, RandomBytesNeverTakeTheServerDown) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    RawClient c(port_);
    std::vector<uint8_t> junk(1 + rng() % 200);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (round % 2 == 0) {  // plausible size prefix, garbage inside
      uint32_t n = static_cast<uint32_t>(junk.size() - 4 > 0 ? junk.size() : 4);
      junk[0] = 0;
      junk[1] = 0;
      junk[2] = static_cast<uint8_t>(n >> 8);
      junk[3] = static_cast<uint8_t>(n);
    }
    c.send_bytes(junk);
  }
  EXPECT_TRUE(still_serving());
}

TEST_F(ServerTest, TruncatedFrameThenHangUpIsHarmless) {
  {
    RawClient c(port_);
    auto f = RawClient::frame(18, 3, 1, std::vector<uint8_t>{0x02, 'a', 0x02, 'b', 0x00});
    c.send_bytes(std::span(f).first(f.size() - 2));
  }
  EXPECT_TRUE(still_serving());
}

TEST(WriteFrame, SplicesFileRegionsWithSendfile) {
  char path[] = "/tmp/sluice-sendfile-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  std::string content = "0123456789abcdefghijklmnopqrstuvwxyz";
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));

  protocol::ByteWriter frame;
  frame.write_raw(std::string_view("head|"));
  frame.splice_file({.fd = fd, .position = 10, .length = 6});
  frame.write_raw(std::string_view("|mid|"));
  frame.splice_file({.fd = fd, .position = 0, .length = 3});
  frame.write_raw(std::string_view("|tail"));

  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  boost::asio::ip::tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  auto server_side = acceptor.accept();
  auto fut =
      boost::asio::co_spawn(io, server::write_frame(server_side, frame), boost::asio::use_future);
  io.run();
  auto status = fut.get();
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  std::string expected = "head|abcdef|mid|012|tail";
  std::string got(expected.size(), '\0');
  boost::asio::read(client, boost::asio::buffer(got));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(*frame.flatten(), std::vector<uint8_t>(expected.begin(), expected.end()));
  ::close(fd);
}

}  // namespace
}  // namespace sluice::broker
