// The admin client's inside, shared by its files: admin.cpp (the Admin class, which hands
// each call to a coroutine on the client's runtime), admin_driver.cpp (sending, retrying,
// routing) and one file per kind of resource: admin_topics.cpp, admin_configs.cpp,
// admin_groups.cpp, admin_cluster.cpp (log offsets, the cluster itself).
//
// Most operations ask about several items at once (topics, config resources, groups,
// partitions) and keep asking about those whose answer was retriable until their deadline.
// That loop is written once, run_items(); an operation only says how to build its request
// for some items and what each item's answer means (ItemRequests).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/src/cluster.h"
#include "client/src/runtime.h"
#include "protocol/messages/metadata.h"
#include "sluice/admin.h"

namespace sluice::client {

// What every operation of one Admin shares.
struct AdminState {
  AdminState(boost::asio::any_io_executor ex, AdminConfig c)
      : config(c), cluster(std::move(ex), std::move(c)) {}
  AdminConfig config;
  detail::Cluster cluster;
};

namespace admin_ops {

namespace proto = sluice::protocol;
using State = std::shared_ptr<AdminState>;
using Clock = std::chrono::steady_clock;

// ---- errors -----------------------------------------------------------------------------

// The Error for a Kafka error code in a response: the code, what it concerns, and the
// broker's message when it sent one.
Error kafka_error(int16_t code, const std::optional<std::string>& message, const std::string& what);
// Kafka codes after which the same request may succeed once metadata or the coordinator is
// re-read.
bool retriable_code(int16_t code);
bool is_coordinator_code(int16_t code);
// A failure of the request as a whole that a later attempt may not see.
bool retriable_transport(const Error& e);
std::string uuid_text(const proto::Uuid& id);

// ---- time -------------------------------------------------------------------------------

// The time an operation may take and the pause between its attempts.
class Attempts {
 public:
  Attempts(const ClientConfig& config, std::optional<Millis> timeout)
      : deadline_(Clock::now() + timeout.value_or(config.request_timeout)),
        backoff_(config.retry_backoff) {}

  bool expired() const { return Clock::now() >= deadline_; }
  Millis remaining() const {
    auto left = std::chrono::duration_cast<Millis>(deadline_ - Clock::now());
    return left.count() > 0 ? left : Millis(0);
  }
  // The broker-side timeout to put in a request (CreateTopics, ...): what is left, at least 1s.
  int32_t request_timeout_ms() const {
    return static_cast<int32_t>(std::max<int64_t>(1000, remaining().count()));
  }
  // Sleeps retry.backoff.ms (less if the deadline is closer); false when there is no time
  // left for another attempt.
  awaitable<bool> backoff();

  // An item whose answer was `code` is asked about again: a retriable code with time left.
  bool ask_again(int16_t code) const { return code != 0 && retriable_code(code) && !expired(); }

 private:
  Clock::time_point deadline_;
  Millis backoff_;
};

// ---- where a request goes ---------------------------------------------------------------

enum class Route { any, controller, node, coordinator };

// Coroutines take it by value: pass a named object, never a braced temporary
// (see docs/conventions.md, Coroutines).
struct Target {
  Route route = Route::any;
  int32_t node = -1;  // Route::node
  std::string group;  // Route::coordinator
};

awaitable<Result<std::shared_ptr<detail::Connection>>> connect(State s, Target target);
// What to re-read before retrying a request that went to `target`: the coordinator, or the
// metadata (controller, leaders).
awaitable<void> forget_route(State s, Target target);

// Sends `request` to `target`, retrying failures of the request as a whole (no connection,
// a lost connection, no controller or coordinator known yet) until `attempts` runs out
// (`retry` false: once). Kafka error codes inside the response are the caller's to read.
template <class Resp, class Req>
awaitable<Result<Resp>> send(State s, Attempts& attempts, Target target,
                             const proto::ApiDescriptor& api, Req request, int16_t min_version = 0,
                             int16_t max_version = INT16_MAX, bool retry = true) {
  for (;;) {
    auto conn = co_await connect(s, target);
    if (conn) {
      auto response = co_await s->cluster.call<Resp>(*conn, api, request, min_version, max_version);
      if (response) co_return std::move(response->body);
      if (!retry || !retriable_transport(response.error())) co_return std::move(response).error();
      if (!co_await attempts.backoff()) co_return std::move(response).error();
    } else {
      if (!retry || !retriable_transport(conn.error())) co_return std::move(conn).error();
      if (!co_await attempts.backoff()) co_return std::move(conn).error();
    }
    co_await forget_route(s, target);
  }
}

// A Metadata request for `topics` (nullopt: all) that never creates topics.
awaitable<Result<proto::MetadataResponse>> fetch_metadata(
    State s, Attempts& attempts, std::optional<std::vector<std::string>> topics);

// ---- the per-item driver ------------------------------------------------------------------
//
// run_items() asks about the pending items, round after round:
//   1. route them: all to one broker, or (ItemRequests::route) each to its own (a leader);
//   2. per broker, send one request for its items and read each item's answer (Verdict);
//   3. stop when no item is pending; else re-find the brokers that said they were the wrong
//      one (Verdict::reroute), back off and go again, or, out of time, let out_of_time()
//      say what the pending items became.
// Items are indexes into the operation's own input; the operation keeps its results.

enum class Verdict {
  done,     // the item's outcome is known: a success or a final error
  retry,    // ask the same broker again after the backoff
  reroute,  // the broker no longer serves it (not controller, not coordinator): re-find it first
};

// Some items and the broker a request for them goes to.
struct Batch {
  Target target;
  std::vector<std::size_t> items;
};

template <class Req, class Resp>
struct ItemRequests {
  const proto::ApiDescriptor* api = nullptr;
  int16_t min_version = 0;
  // The request for `items`.
  std::function<Req(const std::vector<std::size_t>& items)> build;
  // Item i's answer in `response`. An Error ends the whole operation with it.
  std::function<Result<Verdict>(const Resp& response, std::size_t i)> read;
  // The items still pending when time ran out. An Error ends the whole operation with it.
  std::function<Status(const std::vector<std::size_t>& items)> out_of_time;

  // Optional: each round's brokers for the pending items (items it cannot place yet stay
  // pending). Unset: every item goes to run_items' target.
  std::function<awaitable<Result<std::vector<Batch>>>(std::vector<std::size_t> items)> route;
  // Optional: what a failed request means. Unset: send() itself retries a request that
  // failed as a whole, and a lasting failure ends the operation. Set: one attempt per round;
  // an ok Status leaves the batch's items pending, an Error ends the operation.
  std::function<Status(const Batch& batch, const Error& error)> send_failed;
};

template <class Req, class Resp>
awaitable<Status> run_items(State s, Attempts& attempts, Target target,
                            std::vector<std::size_t> pending, const ItemRequests<Req, Resp>& op) {
  while (!pending.empty()) {
    std::vector<Batch> batches;
    if (op.route) {
      auto routed = co_await op.route(pending);
      if (!routed) co_return std::move(routed).error();
      batches = std::move(*routed);
    } else {
      batches.push_back(Batch{target, pending});
    }
    std::vector<std::size_t> answered;
    std::vector<Target> lost;
    for (const Batch& batch : batches) {
      Req request = op.build(batch.items);
      auto response = co_await send<Resp>(s, attempts, batch.target, *op.api, std::move(request),
                                          op.min_version, INT16_MAX, /*retry=*/!op.send_failed);
      if (!response) {
        if (!op.send_failed) co_return std::move(response).error();
        if (auto st = op.send_failed(batch, response.error()); !st) co_return st;
        continue;
      }
      bool reroute = false;
      for (std::size_t i : batch.items) {
        auto verdict = op.read(*response, i);
        if (!verdict) co_return std::move(verdict).error();
        if (*verdict == Verdict::done) answered.push_back(i);
        if (*verdict == Verdict::reroute) reroute = true;
      }
      if (reroute) lost.push_back(batch.target);
    }
    std::erase_if(pending, [&](std::size_t i) {
      return std::find(answered.begin(), answered.end(), i) != answered.end();
    });
    if (pending.empty()) break;
    for (const Target& t : lost) co_await forget_route(s, t);
    if (!co_await attempts.backoff()) co_return op.out_of_time(pending);
  }
  co_return ok_status();
}

// 0 .. n-1: every item of an operation's input.
std::vector<std::size_t> all_items(std::size_t n);

// ---- the operations (one file per resource) ---------------------------------------------

// admin_topics.cpp
awaitable<Result<std::vector<CreateTopicResult>>> create_topics(State s,
                                                                std::vector<NewTopic> topics,
                                                                CreateTopicsOptions options);
awaitable<Result<std::vector<ItemStatus>>> delete_topics(State s, std::vector<std::string> topics,
                                                         std::optional<Millis> timeout);
awaitable<Result<std::vector<TopicDescription>>> describe_topics(State s,
                                                                 std::vector<std::string> topics,
                                                                 DescribeTopicsOptions options);
awaitable<Result<std::vector<TopicListing>>> list_topics(State s, ListTopicsOptions options);
awaitable<Result<std::vector<ItemStatus>>> create_partitions(State s,
                                                             std::vector<NewPartitions> partitions,
                                                             CreatePartitionsOptions options);

// admin_configs.cpp
awaitable<Result<std::vector<ResourceConfig>>> describe_configs(
    State s, std::vector<ConfigResource> resources, std::optional<Millis> timeout);
awaitable<Result<std::vector<ResourceStatus>>> alter_configs(
    State s, std::vector<AlterConfigsResource> resources, AlterConfigsOptions options);

// admin_groups.cpp
awaitable<Result<std::vector<GroupListing>>> list_groups(State s, std::optional<Millis> timeout);
awaitable<Result<std::vector<GroupDescription>>> describe_groups(State s,
                                                                 std::vector<std::string> groups,
                                                                 std::optional<Millis> timeout);
awaitable<Result<std::vector<ItemStatus>>> delete_groups(State s, std::vector<std::string> groups,
                                                         std::optional<Millis> timeout);
awaitable<Result<std::map<TopicPartition, OffsetAndMetadata>>> list_group_offsets(
    State s, std::string group, std::optional<std::vector<TopicPartition>> partitions,
    std::optional<Millis> timeout);
awaitable<Result<bool>> alter_group_offsets(State s, std::string group,
                                            std::map<TopicPartition, int64_t> offsets,
                                            std::optional<Millis> timeout);

// admin_cluster.cpp
awaitable<Result<std::map<TopicPartition, ListedOffset>>> list_offsets(
    State s, std::map<TopicPartition, OffsetSpec> request, std::optional<Millis> timeout);
awaitable<Result<ClusterDescription>> describe_cluster(State s, std::optional<Millis> timeout);

}  // namespace admin_ops
}  // namespace sluice::client
