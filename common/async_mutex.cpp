// AsyncMutex (see async_mutex.h): unlock() hands the lock to the first waiter directly, so
// `locked_` stays true across the handover and nobody can barge in.
#include "common/async_mutex.h"

#include <utility>

namespace sluice {

AsyncMutex::AsyncMutex(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

awaitable<void> AsyncMutex::lock() {
  if (!locked_) {
    locked_ = true;
    co_return;
  }
  AsyncEvent turn(executor_);
  waiters_.push_back(turn);
  co_await turn.wait();  // unlock() handed the lock over
}

void AsyncMutex::unlock() {
  if (waiters_.empty()) {
    locked_ = false;
    return;
  }
  AsyncEvent next = waiters_.front();
  waiters_.pop_front();
  next.set();
}

}  // namespace sluice
