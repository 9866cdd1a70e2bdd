// Boost.Asio's awaitable<T> for headers that expose coroutines. Boost 1.74's awaitable.hpp
// uses std::exchange without including <utility>; include it through this header.
#pragma once

#include <utility>
// <utility> first (see above); this comment keeps clang-format from reordering the two.
#include <boost/asio/awaitable.hpp>

namespace sluice {
// Coroutine return type used across modules (on the default any_io_executor).
template <class T>
using awaitable = boost::asio::awaitable<T>;
}  // namespace sluice
