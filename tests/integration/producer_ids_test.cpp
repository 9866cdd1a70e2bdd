// Producer-id blocks through a real ZooKeeper: the first claim creates
// /latest_producer_id_block, later claims take the following blocks, brokers racing for
// blocks never get the same ids, and the allocator moves to a new block when one runs out.
#include "coordination/producer_ids.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <set>

#include "coordination/znodes.h"
#include "tests/support/run_awaitable.h"
#include "tests/support/zk_server.h"

namespace sluice::coordination {
namespace {

using namespace std::chrono_literals;
using test::run_awaitable;

class ProducerIdsTest : public ::testing::Test {
 protected:
  std::unique_ptr<ZkSession> open() {
    ZkOptions o;
    o.connect = zk.connect_string();
    o.session_timeout = 4000ms;
    o.connect_timeout = 20s;
    auto r = run_awaitable(io, ZkSession::connect(io.get_executor(), o));
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    return std::move(r).value();
  }

  boost::asio::io_context io;
  test::ZkServer zk;
};

// Claims `count` blocks one after the other into `out` (a free coroutine, not a capturing
// lambda: docs/conventions.md, Coroutines).
awaitable<void> claim_blocks(ZkSession& zk, int32_t broker, int count,
                             std::vector<ProducerIdBlock>& out, int& done) {
  for (int i = 0; i < count; ++i) {
    auto block = co_await claim_producer_id_block(zk, broker);
    if (block) out.push_back(*block);
  }
  ++done;
}

TEST_F(ProducerIdsTest, ClaimsConsecutiveBlocksStartingAtZero) {
  auto s = open();
  auto first = run_awaitable(io, claim_producer_id_block(*s, 1));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, (ProducerIdBlock{1, 0, 999}));
  auto second = run_awaitable(io, claim_producer_id_block(*s, 2));
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(*second, (ProducerIdBlock{2, 1000, 1999}));
  auto node = run_awaitable(io, s->get(znodes::latest_producer_id_block()));
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->data, R"({"version":1,"broker":2,"block_start":"1000","block_end":"1999"})");
}

TEST_F(ProducerIdsTest, StartsAtZeroWhenKafkaLeftTheNodeEmpty) {
  auto s = open();
  ASSERT_TRUE(run_awaitable(io, s->create(znodes::latest_producer_id_block(), "")).ok());
  auto first = run_awaitable(io, claim_producer_id_block(*s, 3));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, (ProducerIdBlock{3, 0, 999}));
}

TEST_F(ProducerIdsTest, RacingBrokersNeverShareABlock) {
  auto a = open();
  auto b = open();
  auto c = open();
  std::vector<ProducerIdBlock> got_a, got_b, got_c;
  int done = 0;
  boost::asio::co_spawn(io, claim_blocks(*a, 1, 8, got_a, done), boost::asio::detached);
  boost::asio::co_spawn(io, claim_blocks(*b, 2, 8, got_b, done), boost::asio::detached);
  boost::asio::co_spawn(io, claim_blocks(*c, 3, 8, got_c, done), boost::asio::detached);
  ASSERT_TRUE(test::run_until(
      io, [&] { return done == 3; }, 60s));
  std::set<int64_t> starts;
  for (const auto* got : {&got_a, &got_b, &got_c}) {
    EXPECT_EQ(got->size(), 8u);
    for (const auto& block : *got) {
      EXPECT_EQ(block.last - block.first + 1, kProducerIdBlockSize);
      EXPECT_EQ(block.first % kProducerIdBlockSize, 0);
      EXPECT_TRUE(starts.insert(block.first).second) << "block " << block.first << " claimed twice";
    }
  }
  EXPECT_EQ(starts.size(), 24u);
  EXPECT_EQ(*starts.rbegin(), 23 * kProducerIdBlockSize);
}

TEST_F(ProducerIdsTest, AllocatorHandsOutEveryIdOfItsBlockThenClaimsTheNext) {
  auto s = open();
  ProducerIdAllocator allocator(1);
  for (int64_t expected = 0; expected < kProducerIdBlockSize; ++expected) {
    auto id = run_awaitable(io, allocator.next(*s));
    ASSERT_TRUE(id.ok()) << id.error().to_string();
    ASSERT_EQ(*id, expected);
  }
  // Another broker takes the next block meanwhile: ours must come after it.
  ASSERT_TRUE(run_awaitable(io, claim_producer_id_block(*s, 2)).ok());
  auto id = run_awaitable(io, allocator.next(*s));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 2 * kProducerIdBlockSize);
}

}  // namespace
}  // namespace sluice::coordination
