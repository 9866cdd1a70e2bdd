// Coroutine wake-ups without busy loops or polling.
//
// AsyncEvent: a one-shot event. set() (from any thread) wakes the coroutine waiting in
// wait()/wait_until() on the event's executor; once set, it stays set, so a set() that lands
// before the wait is never missed. It is a handle: copies share one event (compare with ==).
//
// AsyncValue<T>: a one-shot result handed from a callback to a waiting coroutine, both on the
// same executor (e.g. a JoinGroup reply delivered by the group state machine).
//
// Threading: set() from any thread; wait()/wait_until() and AsyncValue from coroutines on
// the executor given to the constructor (a strand when that executor has several threads).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "common/awaitable.h"

namespace sluice {

class AsyncEvent {
 public:
  explicit AsyncEvent(boost::asio::any_io_executor executor);

  // Sets the event and wakes its waiter (through the executor). Later calls do nothing.
  void set() const;
  bool is_set() const;

  // Returns true once the event is set, false when `deadline` passes first.
  awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline) const;
  // Returns once the event is set.
  awaitable<void> wait() const;

  // Same event (copies of one handle).
  friend bool operator==(const AsyncEvent&, const AsyncEvent&) = default;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

template <class T>
class AsyncValue {
 public:
  explicit AsyncValue(boost::asio::any_io_executor executor) : ready_(std::move(executor)) {}

  // Delivers the value; call once, on the executor.
  void set(T value) {
    value_ = std::move(value);
    ready_.set();
  }
  // The value, once set() has been called. Call once.
  awaitable<T> wait() {
    co_await ready_.wait();
    co_return std::move(*value_);
  }

 private:
  std::optional<T> value_;
  AsyncEvent ready_;
};

}  // namespace sluice
