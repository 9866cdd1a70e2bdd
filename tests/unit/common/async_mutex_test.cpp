// AsyncMutex: one holder at a time, waiters served in the order they asked, and an
// uncontended lock taken without suspending.
#include "common/async_mutex.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

#include "tests/support/run_awaitable.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

struct Log {
  std::vector<std::string> events;
  int holders = 0;
  int max_holders = 0;
};

// Takes the lock, holds it across a suspension, and records what happened.
awaitable<void> critical_section(AsyncMutex& mutex, Log& log, std::string name) {
  log.events.push_back(name + " asks");
  co_await mutex.lock();
  ++log.holders;
  log.max_holders = std::max(log.max_holders, log.holders);
  log.events.push_back(name + " holds");
  boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor, 10ms);
  co_await pause.async_wait(boost::asio::use_awaitable);
  --log.holders;
  mutex.unlock();
}

TEST(AsyncMutex, WaitersGetTheLockOneAtATimeInFifoOrder) {
  boost::asio::io_context io;
  AsyncMutex mutex(io.get_executor());
  Log log;
  for (std::string name : {"a", "b", "c"}) {
    boost::asio::co_spawn(io, critical_section(mutex, log, name), boost::asio::detached);
  }
  io.run();
  EXPECT_EQ(log.max_holders, 1);
  EXPECT_EQ(log.events, (std::vector<std::string>{"a asks", "a holds", "b asks", "c asks",
                                                  "b holds", "c holds"}));
  EXPECT_FALSE(mutex.locked());
}

awaitable<bool> lock_and_report(AsyncMutex& mutex) {
  co_await mutex.lock();
  co_return mutex.locked();
}

TEST(AsyncMutex, UncontendedLockAndUnlock) {
  boost::asio::io_context io;
  AsyncMutex mutex(io.get_executor());
  EXPECT_FALSE(mutex.locked());
  EXPECT_TRUE(test::run_awaitable(io, lock_and_report(mutex)));
  mutex.unlock();
  EXPECT_FALSE(mutex.locked());
  EXPECT_TRUE(test::run_awaitable(io, lock_and_report(mutex)));
}

}  // namespace
}  // namespace sluice
