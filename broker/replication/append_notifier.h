// Wakes fetches that wait for data (Fetch max_wait_ms / min_bytes long polling) when a
// partition gets an append or its high watermark moves — without busy loops or polling.
//
// Use: register first, then check for data, then wait — so an append that lands between the
// check and the wait is never missed:
//   auto waiter = notifier.subscribe(keys, executor);
//   if (!enough_data()) co_await waiter->wait(deadline);
//
// Threading: subscribe/notify from any thread. A waiter's timer lives on the executor given
// to subscribe (the connection's strand); notify posts the wake-up there.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/async_event.h"
#include "common/awaitable.h"
#include "common/mutex.h"
#include "sluice/topic_partition.h"

namespace sluice::broker::replication {

class AppendNotifier {
 public:
  class Waiter {
   public:
    // Returns true when woken by notify(), false at the deadline. Call it from a coroutine
    // running on the executor given to subscribe().
    awaitable<bool> wait(std::chrono::steady_clock::time_point deadline);
    ~Waiter();
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;

   private:
    friend class AppendNotifier;
    Waiter(AppendNotifier& owner, std::vector<TopicPartition> keys, AsyncEvent woken);
    AppendNotifier& owner_;
    std::vector<TopicPartition> keys_;
    AsyncEvent woken_;  // set by the first notify() of one of `keys_`
  };

  std::unique_ptr<Waiter> subscribe(const std::vector<TopicPartition>& keys,
                                    boost::asio::any_io_executor executor);
  void notify(const TopicPartition& key);
  std::size_t waiting() const;

 private:
  void unsubscribe(const Waiter& w);

  mutable Mutex mu_;
  std::map<TopicPartition, std::vector<AsyncEvent>> waiters_ GUARDED_BY(mu_);
};

}  // namespace sluice::broker::replication
