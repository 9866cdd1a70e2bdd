// AppendNotifier: timers cancelled from notify() on the waiter's own executor.
#include "broker/replication/append_notifier.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sluice::broker::replication {
namespace asio = boost::asio;

struct AppendNotifier::Waiter::State {
  explicit State(asio::any_io_executor ex) : executor(ex), timer(ex) {}
  asio::any_io_executor executor;
  asio::steady_timer timer;  // touched only on `executor`
  std::atomic<bool> woken{false};
  bool waiting = false;  // on `executor`
};

std::unique_ptr<AppendNotifier::Waiter> AppendNotifier::subscribe(
    const std::vector<PartitionKey>& keys, asio::any_io_executor executor) {
  auto w = std::make_unique<Waiter>();
  w->state_ = std::make_shared<Waiter::State>(std::move(executor));
  w->owner_ = this;
  w->keys_ = keys;
  std::lock_guard lock(mu_);
  for (const auto& k : keys) waiters_[k].push_back(w->state_);
  return w;
}

void AppendNotifier::notify(const PartitionKey& key) {
  std::vector<std::shared_ptr<Waiter::State>> wake;
  {
    std::lock_guard lock(mu_);
    auto it = waiters_.find(key);
    if (it == waiters_.end()) return;
    wake = it->second;
  }
  for (auto& s : wake) {
    if (s->woken.exchange(true)) continue;
    asio::post(s->executor, [s] {
      if (s->waiting) s->timer.cancel();
    });
  }
}

std::size_t AppendNotifier::waiting() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [k, v] : waiters_) n += v.size();
  return n;
}

void AppendNotifier::unsubscribe(const Waiter& w) {
  std::lock_guard lock(mu_);
  for (const auto& k : w.keys_) {
    auto it = waiters_.find(k);
    if (it == waiters_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), w.state_), v.end());
    if (v.empty()) waiters_.erase(it);
  }
}

AppendNotifier::Waiter::~Waiter() {
  if (owner_ != nullptr) owner_->unsubscribe(*this);
}

awaitable<bool> AppendNotifier::Waiter::wait(std::chrono::steady_clock::time_point deadline) {
  auto s = state_;
  if (s->woken.load()) co_return true;
  s->timer.expires_at(deadline);
  s->waiting = true;
  boost::system::error_code ec;
  co_await s->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  s->waiting = false;
  co_return s->woken.load();
}

}  // namespace sluice::broker::replication
