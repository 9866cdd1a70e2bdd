// The real sluice-broker process against a real ZooKeeper: registration with the documented
// JSON, ApiVersions over TCP, clean shutdown removes the registration at once, SIGKILL
// removes it after the session timeout, a taken broker.id and bad configs are refused.
#include "tests/support/broker_process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>

#include "coordination/cluster_store.h"
#include "protocol/messages/api_versions.h"
#include "tests/support/raw_client.h"
#include "tests/support/run_awaitable.h"
#include "tests/support/zk_server.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using namespace coordination;
using test::run_awaitable;
using test::run_until;

class BrokerProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<ZkSession> open() {
    ZkOptions o;
    o.connect = zk.connect_string() + "/sluice";
    auto r = run_awaitable(io, ZkSession::connect(io.get_executor(), o));
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    return std::move(r).value();
  }
  bool registered(ZkSession& s, int id) {
    auto e = run_awaitable(io, s.exists(znodes::broker(id)));
    return e.ok() && e->has_value();
  }

  boost::asio::io_context io;
  test::ZkServer zk;
  test::TempDir dir{"sluice-broker-test"};
};

TEST_F(BrokerProcessTest, RegistersWithKafkaJsonAndAnswersApiVersions) {
  test::BrokerProcess broker(1, zk.connect_string() + "/sluice", dir.path() + "/b1");
  broker.start();
  auto s = open();
  auto data = run_awaitable(io, s->get(znodes::broker(1)));
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  auto reg = znodes::decode_broker(1, data->data);
  ASSERT_TRUE(reg.ok()) << data->data;
  ASSERT_EQ(reg->endpoints.size(), 1u);
  EXPECT_EQ(reg->endpoints[0].port, broker.port());
  EXPECT_EQ(reg->endpoints[0].host, "127.0.0.1");
  EXPECT_NE(data->stat.ephemeral_owner, 0);
  auto cluster = run_awaitable(io, s->get(znodes::cluster_id()));
  ASSERT_TRUE(cluster.ok());
  EXPECT_EQ(znodes::decode_cluster_id(cluster->data).value_or("").size(), 22u);

  testing::RawClient client(static_cast<uint16_t>(broker.port()));
  client.send(18, 3, 7, std::vector<uint8_t>{0x05, 't', 'e', 's', 't', 0x02, '1', 0x00});
  auto reply = client.receive();
  ASSERT_TRUE(reply.has_value());
  protocol::ByteReader r(*reply);
  EXPECT_EQ(r.read_i32(), 7);  // correlation id (response header v0)
  protocol::ApiVersionsResponse response;
  ASSERT_TRUE(protocol::decode(response, r, 3).ok());
  EXPECT_EQ(response.error_code, 0);
  EXPECT_FALSE(response.api_keys.empty());

  EXPECT_EQ(broker.stop(), 0);
  EXPECT_FALSE(registered(*s, 1)) << "clean shutdown deregisters at once";
}

TEST_F(BrokerProcessTest, KilledBrokerVanishesAfterSessionTimeout) {
  test::BrokerProcess broker(2, zk.connect_string() + "/sluice", dir.path() + "/b2");
  broker.start();
  auto s = open();
  ASSERT_TRUE(registered(*s, 2));
  broker.kill9();
  EXPECT_TRUE(registered(*s, 2)) << "the session outlives the process until it times out";
  EXPECT_TRUE(run_until(
      io, [&] { return !registered(*s, 2); }, 30s));
}

TEST_F(BrokerProcessTest, RefusesABrokerIdHeldByALiveBroker) {
  test::BrokerProcess first(3, zk.connect_string() + "/sluice", dir.path() + "/b3");
  first.start();
  test::BrokerProcess second(3, zk.connect_string() + "/sluice", dir.path() + "/b3bis");
  try {
    second.start(15s);
    FAIL() << "a second broker 3 started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("broker.id 3 is registered by another live broker"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(first.running());
}

TEST_F(BrokerProcessTest, InvalidConfigurationExitsNamingTheKey) {
  test::BrokerProcess broker(4, zk.connect_string() + "/sluice", dir.path() + "/b4",
                             {{"SLUICE_NUM_PARTITIONS", "zero"}});
  try {
    broker.start(15s);
    FAIL() << "started with num.partitions=zero";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("num.partitions"), std::string::npos) << e.what();
  }
}

TEST_F(BrokerProcessTest, UnreachableZooKeeperFailsStartupClearly) {
  test::BrokerProcess broker(
      5, "127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/sluice", dir.path() + "/b5",
      {{"SLUICE_ZOOKEEPER_CONNECTION_TIMEOUT_MS", "1500"}});
  try {
    broker.start(20s);
    FAIL() << "started without ZooKeeper";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("connecting to ZooKeeper"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice
