// AppendNotifier: each waiter is an AsyncEvent (common/async_event.h), set by notify() from
// whichever thread appended; the event wakes the waiter on its own executor.
#include "broker/replication/append_notifier.h"

#include <algorithm>

namespace sluice::broker::replication {

AppendNotifier::Waiter::Waiter(AppendNotifier& owner, std::vector<TopicPartition> keys,
                               AsyncEvent woken)
    : owner_(owner), keys_(std::move(keys)), woken_(std::move(woken)) {}

std::unique_ptr<AppendNotifier::Waiter> AppendNotifier::subscribe(
    const std::vector<TopicPartition>& keys, boost::asio::any_io_executor executor) {
  AsyncEvent woken(std::move(executor));
  std::unique_ptr<Waiter> w(new Waiter(*this, keys, woken));
  MutexLock lock(mu_);
  for (const auto& k : keys) waiters_[k].push_back(woken);
  return w;
}

void AppendNotifier::notify(const TopicPartition& key) {
  std::vector<AsyncEvent> wake;
  {
    MutexLock lock(mu_);
    auto it = waiters_.find(key);
    if (it == waiters_.end()) return;
    wake = it->second;
  }
  for (const auto& w : wake) w.set();
}

std::size_t AppendNotifier::waiting() const {
  MutexLock lock(mu_);
  std::size_t n = 0;
  for (const auto& entry : waiters_) n += entry.second.size();
  return n;
}

void AppendNotifier::unsubscribe(const Waiter& w) {
  MutexLock lock(mu_);
  for (const auto& k : w.keys_) {
    auto it = waiters_.find(k);
    if (it == waiters_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), w.woken_), v.end());
    if (v.empty()) waiters_.erase(it);
  }
}

AppendNotifier::Waiter::~Waiter() { owner_.unsubscribe(*this); }

awaitable<bool> AppendNotifier::Waiter::wait(std::chrono::steady_clock::time_point deadline) {
  return woken_.wait_until(deadline);
}

}  // namespace sluice::broker::replication
