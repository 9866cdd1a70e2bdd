// AsyncEvent: a steady_timer that never expires on its own stands for "not set yet"; set()
// cancels it on the event's executor.
#include "common/async_event.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sluice {
namespace asio = boost::asio;

struct AsyncEvent::State {
  explicit State(asio::any_io_executor ex) : executor(ex), timer(std::move(ex)) {}
  asio::any_io_executor executor;
  asio::steady_timer timer;  // touched only on `executor`
  std::atomic<bool> set{false};
  bool waiting = false;  // on `executor`: a wait is in progress on `timer`
};

namespace {

// Free coroutines holding the state: a wait outlives the handle it was started from.
awaitable<bool> wait_state_until(std::shared_ptr<AsyncEvent::State> s,
                                 std::chrono::steady_clock::time_point deadline) {
  if (s->set.load()) co_return true;
  s->timer.expires_at(deadline);
  s->waiting = true;
  boost::system::error_code ec;
  co_await s->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  s->waiting = false;
  co_return s->set.load();
}

awaitable<void> wait_state(std::shared_ptr<AsyncEvent::State> s) {
  while (!s->set.load()) {
    (void)co_await wait_state_until(s, std::chrono::steady_clock::time_point::max());
  }
}

}  // namespace

AsyncEvent::AsyncEvent(asio::any_io_executor executor)
    : state_(std::make_shared<State>(std::move(executor))) {}

void AsyncEvent::set() const {
  if (state_->set.exchange(true)) return;
  // Inline when already on the executor, else posted there (the timer is not thread-safe).
  asio::dispatch(state_->executor, [s = state_] {
    if (s->waiting) s->timer.cancel();
  });
}

bool AsyncEvent::is_set() const { return state_->set.load(); }

awaitable<bool> AsyncEvent::wait_until(std::chrono::steady_clock::time_point deadline) const {
  return wait_state_until(state_, deadline);
}

awaitable<void> AsyncEvent::wait() const { return wait_state(state_); }

}  // namespace sluice
