// Runtime: where a client's coroutines run. Either a private io_context on a thread of its
// own (the default: blocking programs need nothing else) or a strand on an executor the
// application owns (services that run their own io_context). Everything inside one client
// (connections, metadata, producer batches, consumer fetches) runs on this one serial
// executor, so the client's state needs no locks; public methods hop onto it.
//
// Threading: the public members are safe from any thread. block_on() from the runtime's own
// thread (or strand, or a thread running the application's io_context) would deadlock and
// fails with ClientErrc::invalid_argument instead.
#pragma once

// common/awaitable.h first: Boost 1.74's awaitable.hpp needs <utility> included before it.
#include "common/awaitable.h"
// (this comment keeps clang-format from sorting the include above below the others)
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "sluice/error.h"

namespace sluice::client::detail {

class Runtime {
 public:
  // No executor: a private io_context and thread. An executor: a strand on it.
  explicit Runtime(std::optional<boost::asio::any_io_executor> user_executor = std::nullopt);
  // stop(), then destroys the private io_context and with it the coroutines still suspended
  // in it. Declare the Runtime before (so it is destroyed after) whatever owns sockets or
  // timers on it.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const boost::asio::any_io_executor& executor() const { return executor_; }
  bool on_runtime_thread() const;
  // Stops and joins the private thread (no-op on a user executor: close the client's
  // connections instead, which ends its coroutines). Idempotent; not from the runtime thread.
  void stop();

  // Starts `op` on the runtime without waiting for it.
  void spawn(awaitable<void> op) {
    boost::asio::co_spawn(executor_, std::move(op), boost::asio::detached);
  }

  // Runs `make_op()` on the runtime and blocks the caller until it finishes.
  template <class T>
  Result<T> block_on(std::function<awaitable<Result<T>>()> make_op) {
    if (on_runtime_thread()) {
      return Error(make_error_code(ClientErrc::invalid_argument),
                   "a blocking client call on the client's own executor would deadlock; use the "
                   "async_ form");
    }
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    boost::asio::co_spawn(executor_, run(std::move(make_op), promise), boost::asio::detached);
    try {
      return future.get();
    } catch (const std::future_error&) {  // the runtime stopped before the operation ended
      return Error(make_error_code(ClientErrc::closed), "the client was closed");
    }
  }

 private:
  template <class T>
  static awaitable<void> run(std::function<awaitable<Result<T>>()> make_op,
                             std::shared_ptr<std::promise<Result<T>>> promise) {
    promise->set_value(co_await make_op());
  }

  std::unique_ptr<boost::asio::io_context> own_;
  // The application's io_context behind a user executor (nullptr for other contexts): a
  // blocking call from one of its threads could wait for itself.
  std::optional<boost::asio::io_context::executor_type> user_io_;
  std::optional<boost::asio::strand<boost::asio::any_io_executor>> strand_;
  boost::asio::any_io_executor executor_;
  std::thread thread_;
  bool detached_ = false;
};

}  // namespace sluice::client::detail
