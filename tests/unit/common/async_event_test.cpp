// AsyncEvent and AsyncValue: a set is never missed (before or during the wait, from this or
// another thread), a deadline ends a wait, and copies of an event are the same event.
#include "common/async_event.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/run_awaitable.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(AsyncEvent, SetBeforeWaitIsNotMissed) {
  boost::asio::io_context io;
  AsyncEvent event(io.get_executor());
  EXPECT_FALSE(event.is_set());
  event.set();
  EXPECT_TRUE(event.is_set());
  EXPECT_TRUE(test::run_awaitable(io, event.wait_until(Clock::now() + 60s)));
}

TEST(AsyncEvent, WakesWaiterFromAnotherThread) {
  boost::asio::io_context io;
  AsyncEvent event(io.get_executor());
  std::thread setter([event] {
    std::this_thread::sleep_for(50ms);
    event.set();
  });
  const auto started = Clock::now();
  EXPECT_TRUE(test::run_awaitable(io, event.wait_until(Clock::now() + 60s)));
  EXPECT_LT(Clock::now() - started, 30s);
  setter.join();
}

TEST(AsyncEvent, DeadlineEndsTheWait) {
  boost::asio::io_context io;
  AsyncEvent event(io.get_executor());
  const auto started = Clock::now();
  EXPECT_FALSE(test::run_awaitable(io, event.wait_until(Clock::now() + 100ms)));
  EXPECT_GE(Clock::now() - started, 100ms);
  EXPECT_FALSE(event.is_set());
}

TEST(AsyncEvent, WaitWithoutDeadlineReturnsOnceSetOnTheExecutor) {
  boost::asio::io_context io;
  AsyncEvent event(io.get_executor());
  boost::asio::post(io, [event] { event.set(); });
  test::run_awaitable(io, event.wait());
  EXPECT_TRUE(event.is_set());
}

TEST(AsyncEvent, CopiesAreTheSameEvent) {
  boost::asio::io_context io;
  AsyncEvent a(io.get_executor());
  AsyncEvent b = a;
  AsyncEvent other(io.get_executor());
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == other);
  b.set();
  b.set();  // a second set does nothing
  EXPECT_TRUE(a.is_set());
  EXPECT_FALSE(other.is_set());
  EXPECT_TRUE(test::run_awaitable(io, a.wait_until(Clock::now() + 60s)));
}

awaitable<std::string> take(std::shared_ptr<AsyncValue<std::string>> value) {
  co_return co_await value->wait();
}

TEST(AsyncValue, DeliversAValueSetLaterByACallback) {
  boost::asio::io_context io;
  auto value = std::make_shared<AsyncValue<std::string>>(io.get_executor());
  boost::asio::post(io, [value] { value->set("joined"); });
  EXPECT_EQ(test::run_awaitable(io, take(value)), "joined");
}

TEST(AsyncValue, DeliversAValueSetBeforeTheWait) {
  boost::asio::io_context io;
  auto value = std::make_shared<AsyncValue<std::string>>(io.get_executor());
  value->set("early");
  EXPECT_EQ(test::run_awaitable(io, take(value)), "early");
}

}  // namespace
}  // namespace sluice
