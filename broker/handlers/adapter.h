// The one way an API is served: add_api() registers a handler — a named function
//
//   awaitable<XResponse> handle_x(Services&, XRequest, const RequestContext&)
//
// in the API's own file — for every version the codec knows, and does the rest the same way
// for every API: decode the request at the client's version, run the handler, encode its
// response at that version. A request that does not decode is logged and the connection
// closed (there is no layout in which to answer it). Internal to broker/handlers.
//
// Two variations, each spelled at the registration:
// - where the handler runs: on the connection's strand (RunOn::connection, most APIs, which
//   reach ZooKeeper by co_spawn-ing onto services.control themselves) or wholly on the control
//   executor (RunOn::control: the group APIs, whose coordinator lives there);
// - a handler returning std::optional<XResponse> may answer nothing (nullopt: Produce with
//   acks=0).
// ApiVersions alone answers what it cannot decode; it passes Fallbacks (api_versions.cpp).
#pragma once

#include <optional>
#include <type_traits>
#include <utility>
// <utility> before Boost's coroutine headers (see common/awaitable.h).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/handlers/handler_util.h"
#include "common/awaitable.h"

namespace sluice::broker::handlers {

// Where a handler runs.
enum class RunOn {
  connection,  // the connection's strand (a network thread)
  control,     // services.control, which owns ZooKeeper and the group coordinator
};

// A handler. `Env` is what it serves from: Services, or the Router for ApiVersions.
template <class Env, class Request, class Response>
using ApiHandler = boost::asio::awaitable<Response> (*)(Env&, Request, const RequestContext&);

// Answers for requests the handler never sees; without them the connection is closed.
template <class Env, class Response>
struct Fallbacks {
  // A version the codec does not know (the router lets only ApiVersions through with one):
  // the answer, sent in the v0 layout.
  Response (*unknown_version)(Env&, const RequestContext&) = nullptr;
  // A body that does not decode: the answer, in the request's version.
  Response (*malformed)(Env&, const RequestContext&, const Error&) = nullptr;
};

namespace detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <class Response>
Reply encode_reply(const Response& response, protocol::ByteWriter& out, int16_t version) {
  if constexpr (IsOptional<Response>::value) {
    if (!response) return Reply::no_reply;
    protocol::encode(*response, out, version);
  } else {
    protocol::encode(response, out, version);
  }
  return Reply::send;
}

// Decode, run, encode. A free coroutine: the router's lambda only calls it (a capturing
// lambda must not be the coroutine; see docs/conventions.md, Coroutines).
template <RunOn where, class Env, class Request, class Response>
boost::asio::awaitable<Reply> serve(const protocol::ApiDescriptor& api, Env& env,
                                    ApiHandler<Env, Request, Response> handler,
                                    Fallbacks<Env, Response> fallbacks, const RequestContext& ctx,
                                    protocol::ByteWriter& out) {
  const int16_t version = ctx.header.api_version;
  if (fallbacks.unknown_version != nullptr && !api.supports(version)) {
    co_return encode_reply(fallbacks.unknown_version(env, ctx), out, 0);
  }
  Request request;
  protocol::ByteReader reader(ctx.body);
  if (auto st = protocol::decode(request, reader, version); !st) {
    if (fallbacks.malformed == nullptr) {
      log_bad_request(ctx, st.error());
      co_return Reply::close;
    }
    co_return encode_reply(fallbacks.malformed(env, ctx, st.error()), out, version);
  }
  if constexpr (where == RunOn::control) {
    Response response = co_await boost::asio::co_spawn(
        env.control, handler(env, std::move(request), ctx), boost::asio::use_awaitable);
    co_return encode_reply(response, out, version);
  } else {
    Response response = co_await handler(env, std::move(request), ctx);
    co_return encode_reply(response, out, version);
  }
}

}  // namespace detail

// Registers `handler` for `api`, all versions the codec knows, running where `where` says.
template <RunOn where = RunOn::connection, class Env, class Request, class Response>
void add_api(Router& router, Env& env, const protocol::ApiDescriptor& api,
             ApiHandler<Env, Request, Response> handler, Fallbacks<Env, Response> fallbacks = {}) {
  router.add(
      api, api.min_version, api.max_version,
      [&api, &env, handler, fallbacks](const RequestContext& ctx, protocol::ByteWriter& out) {
        return detail::serve<where>(api, env, handler, fallbacks, ctx, out);
      });
}

}  // namespace sluice::broker::handlers
