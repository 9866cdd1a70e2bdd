// The group coordinator's view of slot ownership against a real ZooKeeper: it must follow
// every move of a slot through its watches, including slots that did not exist yet when it
// first looked (a get on a missing znode sets no watch in ZooKeeper). The periodic re-read
// (every 10 s) is only a safety net; the bounds below are shorter than it, so a slot that lost
// its watch fails here.
#include "broker/groups/group_coordinator.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "broker/cluster/metadata.h"
#include "broker/config/broker_config.h"
#include "broker/controller/coordinators.h"
#include "coordination/cluster_store.h"
#include "coordination/zk_session.h"
#include "protocol/error_codes.h"
#include "tests/support/run_awaitable.h"
#include "tests/support/zk_server.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using namespace coordination;
using test::run_awaitable;
using test::run_until;

constexpr int32_t kSlots = 4;

class GroupCoordinatorSlotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ZkOptions o;
    o.connect = zk.connect_string() + "/sluice";
    o.session_timeout = 4000ms;
    auto r = run_awaitable(io, ZkSession::connect(io.get_executor(), o));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    session = std::move(r).value();
    ASSERT_TRUE(run_awaitable(io, ensure_roots(*session)).ok());

    config::BrokerConfig::Inputs in;
    in.overrides = {"broker.id=1", "zookeeper.connect=" + o.connect,
                    "offsets.topic.num.partitions=" + std::to_string(kSlots)};
    auto cfg = config::BrokerConfig::load(in);
    ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
    config = std::make_unique<config::BrokerConfig>(std::move(cfg).value());
    coordinator = std::make_unique<groups::GroupCoordinator>(*session, *config, metadata);
    auto started = run_awaitable(io, coordinator->start());
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    boost::asio::co_spawn(io, coordinator->run(), boost::asio::detached);
  }

  void TearDown() override {
    if (coordinator) coordinator->stop();
    run_until(
        io, [] { return false; }, 200ms);  // let run() see the stop
    coordinator.reset();
    session.reset();
  }

  // The owner this broker's coordinator reports for a group (FindCoordinator), -1 on error.
  int32_t owner_of(const std::string& group) {
    auto located = run_awaitable(io, coordinator->find_coordinators({group}, 0));
    return located.at(0).error == protocol::KafkaErrc::none ? located.at(0).broker_id : -1;
  }

  bool eventually_owner(const std::string& group, int32_t broker,
                        std::chrono::milliseconds within) {
    return run_until(
        io, [&] { return owner_of(group) == broker; }, within);
  }

  void write_slot(int32_t slot, int32_t broker, int32_t version) {
    controller::CoordinatorSlot s;
    s.broker = broker;
    s.coordinator_epoch = version + 2;
    s.controller_epoch = 1;
    std::vector<ZkOp> ops;
    if (version < 0)
      ops.push_back(ZkOp::create(controller::coordinator_slot(slot), controller::encode(s)));
    else
      ops.push_back(ZkOp::set(controller::coordinator_slot(slot), controller::encode(s), version));
    auto done = run_awaitable(io, session->multi(std::move(ops)));
    ASSERT_TRUE(done.ok()) << done.error().to_string();
  }

  int16_t describe_error(const std::string& group) {
    protocol::DescribeGroupsRequest request;
    request.groups = {group};
    auto response = run_awaitable(io, coordinator->describe_groups(std::move(request)));
    return response.groups.at(0).error_code;
  }

  boost::asio::io_context io;
  test::ZkServer zk;
  std::unique_ptr<ZkSession> session;
  std::unique_ptr<config::BrokerConfig> config;
  cluster::MetadataCache metadata;
  std::unique_ptr<groups::GroupCoordinator> coordinator;
};

TEST_F(GroupCoordinatorSlotsTest, FollowsSlotsCreatedAfterItStartedThroughEveryMove) {
  const std::string group = "g1";
  const int32_t slot = controller::group_slot(group, kSlots);
  // The coordinator reads the (still missing) slot znodes once before the controller
  // creates them.
  run_until(
      io, [] { return false; }, 500ms);
  EXPECT_EQ(owner_of(group), -1);
  for (int32_t s = 0; s < kSlots; ++s) write_slot(s, 1, -1);
  ASSERT_TRUE(eventually_owner(group, 1, 20s)) << "the new slots were never seen";
  ASSERT_TRUE(run_until(
      io, [&] { return describe_error(group) == 0; }, 20s))
      << "slot never loaded";

  // The controller moves the slot away, back, and away again: each move is a new watch event.
  write_slot(slot, 2, 0);
  EXPECT_TRUE(eventually_owner(group, 2, 6s)) << "the move to broker 2 went unnoticed";
  EXPECT_EQ(describe_error(group), static_cast<int16_t>(protocol::KafkaErrc::not_coordinator));
  write_slot(slot, 1, 1);
  EXPECT_TRUE(eventually_owner(group, 1, 6s)) << "the move back went unnoticed";
  EXPECT_TRUE(run_until(
      io, [&] { return describe_error(group) == 0; }, 6s));
  write_slot(slot, 3, 2);
  EXPECT_TRUE(eventually_owner(group, 3, 6s)) << "the second move away went unnoticed";
  EXPECT_EQ(describe_error(group), static_cast<int16_t>(protocol::KafkaErrc::not_coordinator));
}

}  // namespace
}  // namespace sluice::broker
