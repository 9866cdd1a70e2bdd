// Event: a flag coroutines wait on (with a deadline), set once to wake them all. The client's
// internal building block for "wait until X happens or the time is up" (a reply arrives, a
// connection attempt ends, a batch gets room in the buffer).
//
// Threading: every member runs on one executor that never runs two handlers at once (the
// client's runtime); the Event must outlive its waiters' wake-ups (hold it in a shared_ptr).
#pragma once

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "common/awaitable.h"

namespace sluice::client::detail {

class Event {
 public:
  explicit Event(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  bool is_set() const { return set_; }

  // Wakes every waiter; later waits return at once until reset().
  void set() {
    set_ = true;
    for (auto& t : waiters_) t->cancel();
  }
  // Re-arms the event (waiters still parked stay parked).
  void reset() { set_ = false; }

  // Waits until set() or `deadline`; returns is_set().
  awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline) {
    if (set_) co_return true;
    auto timer = std::make_shared<boost::asio::steady_timer>(executor_, deadline);
    waiters_.push_back(timer);
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), timer));
    co_return set_;
  }
  awaitable<bool> wait_for(std::chrono::steady_clock::duration timeout) {
    return wait_until(std::chrono::steady_clock::now() + timeout);
  }
  awaitable<void> wait() {
    while (!set_) (void)co_await wait_until(std::chrono::steady_clock::time_point::max());
  }

 private:
  boost::asio::any_io_executor executor_;
  bool set_ = false;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

// Suspends the calling coroutine for `d`.
inline awaitable<void> sleep_for(std::chrono::steady_clock::duration d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await t.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace sluice::client::detail
