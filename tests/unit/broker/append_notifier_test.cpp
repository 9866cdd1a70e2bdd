// AppendNotifier: a waiting fetch wakes on an append to one of its partitions (also one that
// happened between subscribing and waiting), and times out otherwise.
#include "broker/replication/append_notifier.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <thread>

#include "tests/support/run_awaitable.h"

namespace sluice::broker::replication {
namespace {

using namespace std::chrono_literals;

TEST(AppendNotifier, WakesWaiterFromAnotherThread) {
  boost::asio::io_context io;
  AppendNotifier n;
  auto w = n.subscribe({{"t", 0}, {"t", 1}}, io.get_executor());
  std::thread appender([&] {
    std::this_thread::sleep_for(50ms);
    n.notify({"t", 1});
  });
  bool woken = test::run_awaitable(io, w->wait(std::chrono::steady_clock::now() + 60s));
  appender.join();
  EXPECT_TRUE(woken);
}

TEST(AppendNotifier, AppendBeforeWaitIsNotMissed) {
  boost::asio::io_context io;
  AppendNotifier n;
  auto w = n.subscribe({{"t", 0}}, io.get_executor());
  n.notify({"t", 0});
  EXPECT_TRUE(test::run_awaitable(io, w->wait(std::chrono::steady_clock::now() + 60s)));
}

TEST(AppendNotifier, OtherPartitionsDoNotWakeAndDeadlineEndsTheWait) {
  boost::asio::io_context io;
  AppendNotifier n;
  auto w = n.subscribe({{"t", 0}}, io.get_executor());
  n.notify({"t", 1});
  n.notify({"u", 0});
  EXPECT_FALSE(test::run_awaitable(io, w->wait(std::chrono::steady_clock::now() + 100ms)));
  EXPECT_EQ(n.waiting(), 1u);
  w.reset();
  EXPECT_EQ(n.waiting(), 0u);
}

}  // namespace
}  // namespace sluice::broker::replication
