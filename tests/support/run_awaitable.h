// Runs a coroutine to completion from a test's thread: drives the io_context until the
// coroutine finishes (ZooKeeper results arrive from other threads, so the context is kept
// alive with a work guard while waiting). Throws if the coroutine throws.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

#include "common/awaitable.h"

namespace sluice::test {

template <class T>
T run_awaitable(boost::asio::io_context& io, awaitable<T> coro,
                std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  // co_spawn needs a default-constructible result for its exception path: wrap in optional.
  auto wrapped = [](awaitable<T> c) -> awaitable<std::optional<T>> {
    co_return std::optional<T>(co_await std::move(c));
  };
  boost::asio::co_spawn(io, wrapped(std::move(coro)),
                        [&](std::exception_ptr e, std::optional<T> value) {
                          error = e;
                          result = std::move(value);
                          done = true;
                        });
  // A context that ran out of work is stopped and would return at once: restart it.
  if (io.stopped()) io.restart();
  auto guard = boost::asio::make_work_guard(io);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("coroutine did not finish within the test timeout");
    }
    io.run_one_for(std::chrono::milliseconds(50));
  }
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline void run_awaitable(boost::asio::io_context& io, awaitable<void> coro,
                          std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  auto wrapper = [](awaitable<void> c) -> awaitable<bool> {
    co_await std::move(c);
    co_return true;
  };
  run_awaitable<bool>(io, wrapper(std::move(coro)), timeout);
}

// Drives the io_context until pred() holds or the timeout passes; returns pred().
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred,
               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  // A context that ran out of work is stopped and would return at once: restart it.
  if (io.stopped()) io.restart();
  auto guard = boost::asio::make_work_guard(io);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace sluice::test
