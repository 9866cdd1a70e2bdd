// AsyncMutex: mutual exclusion between coroutines of one executor, granted in FIFO order.
// A coroutine that finds it locked suspends (the thread runs other work) until unlock()
// hands the lock over to it. Used to keep a resource's asynchronous writes one at a time and
// in the order they were issued.
//
//   co_await mutex.lock();
//   ... co_await the writes ...
//   mutex.unlock();
//
// Threading: lock() and unlock() on the executor given to the constructor only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <deque>

#include "common/async_event.h"
#include "common/awaitable.h"

namespace sluice {

class AsyncMutex {
 public:
  explicit AsyncMutex(boost::asio::any_io_executor executor);

  // Returns once the caller holds the lock.
  awaitable<void> lock();
  // REQUIRES: the caller holds the lock. The longest waiter (if any) gets it next.
  void unlock();
  bool locked() const { return locked_; }

 private:
  boost::asio::any_io_executor executor_;
  bool locked_ = false;
  std::deque<AsyncEvent> waiters_;  // each set when its turn comes
};

}  // namespace sluice
