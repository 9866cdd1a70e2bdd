// How the client's asynchronous operations take Boost.Asio completion tokens: every async_
// method completes with the signature void(Result<T>), so
//   co_await producer.async_send(record, boost::asio::use_awaitable)  -> Result<RecordMetadata>
//   producer.async_send(record, boost::asio::use_future)              -> std::future<Result<...>>
//   producer.async_send(record, [](Result<RecordMetadata> r) { ... }) -> a callback
// The completion runs on the handler's associated executor (for a plain callback: the
// client's own thread, so keep it short and never call a blocking client method from it).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <memory>
#include <type_traits>
#include <utility>

#include "sluice/error.h"

namespace sluice::client::detail {

// Starts `start(callback)` — a type-erased operation that calls `callback(Result<T>)` once,
// from the client's executor — and adapts it to `token`. `client_executor` is where a
// handler without an associated executor runs.
template <class T, class Token, class Start>
auto async_op(boost::asio::any_io_executor client_executor, Start start, Token&& token) {
  return boost::asio::async_initiate<Token, void(Result<T>)>(
      [](auto handler, boost::asio::any_io_executor client_ex, Start start_op) {
        using Handler = std::decay_t<decltype(handler)>;
        auto h = std::make_shared<Handler>(std::move(handler));
        // Keep the handler's executor (e.g. the application's io_context) from running out
        // of work while the operation is pending.
        auto ex = boost::asio::prefer(boost::asio::get_associated_executor(*h, client_ex),
                                      boost::asio::execution::outstanding_work.tracked);
        start_op([h, ex](Result<T> r) mutable {
          boost::asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
        });
      },
      token, std::move(client_executor), std::move(start));
}

}  // namespace sluice::client::detail
