// Consumer: the public API over the fetcher (fetcher.h), the group membership
// (group_member.h) and the per-partition state they share (subscription_state.h). Public
// methods hop onto the runtime (runtime.h) with block_on; rebalance listeners run on the
// polling thread, between two hops (see GroupMember).
#include "sluice/consumer.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <set>

#include "client/src/assignors.h"
#include "client/src/cluster.h"
#include "client/src/fetcher.h"
#include "client/src/group_member.h"
#include "client/src/runtime.h"
#include "client/src/subscription_state.h"
#include "common/log.h"
#include "protocol/messages/list_offsets.h"

namespace sluice::client {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using detail::AssignedPartition;
using detail::ListenerCall;
using detail::SubscriptionMode;

namespace {

Error closed_error() {
  return Error(make_error_code(ClientErrc::closed), "the consumer is closed");
}

std::size_t record_bytes(const ConsumerRecord& r) {
  std::size_t bytes = 64;
  if (r.key) bytes += r.key->size();
  if (r.value) bytes += r.value->size();
  for (const auto& h : r.headers) bytes += h.key.size() + (h.value ? h.value->size() : 0);
  return bytes;
}

}  // namespace

// Everything the consumer's coroutines share; lives on the runtime executor.
struct ConsumerCore {
  struct PollStep {
    std::vector<ConsumerRecord> records;
    std::vector<ListenerCall> calls;
  };

  ConsumerConfig config;
  std::shared_ptr<detail::Cluster> cluster;
  std::shared_ptr<detail::SubscriptionState> state;
  std::shared_ptr<detail::GroupMember> group;  // null without group.id
  std::shared_ptr<detail::Fetcher> fetcher;
  RebalanceListener listener;
  bool closed = false;
  Clock::time_point next_auto_commit;
  bool auto_commit_in_flight = false;
  OffsetMap last_auto_committed;
  std::size_t drain_cursor = 0;

  Clock::time_point request_deadline() const { return Clock::now() + config.request_timeout; }

  OffsetMap positions(bool include_revoking) const {
    OffsetMap out;
    for (const auto& entry : state->assigned) {
      if (entry.second.position && (include_revoking || !entry.second.revoking))
        out[entry.first] = *entry.second.position;
    }
    return out;
  }

  // Takes up to max.poll.records buffered records, a partition at a time, starting after the
  // partition drained last (so every partition gets its turn).
  std::vector<ConsumerRecord> drain() {
    std::vector<ConsumerRecord> out;
    auto& assigned = state->assigned;
    if (assigned.empty()) return out;
    const std::size_t n = assigned.size();
    const auto max = static_cast<std::size_t>(std::max(config.max_poll_records, 1));
    // Sized once: records are moved into place, never moved again by a reallocation.
    std::size_t available = 0;
    for (const auto& entry : assigned) available += entry.second.buffer.size();
    out.reserve(std::min(available, max));
    auto it = assigned.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(drain_cursor % n));
    for (std::size_t k = 0; k < n && out.size() < max; ++k) {
      auto& ps = it->second;
      if (!ps.paused && !ps.revoking && ps.position && !ps.buffer.empty()) {
        while (!ps.buffer.empty() && out.size() < max) {
          auto& r = ps.buffer.front();
          ps.buffered_bytes -= std::min(ps.buffered_bytes, record_bytes(r));
          if (r.offset >= *ps.position) {
            ps.position = r.offset + 1;
            ps.position_epoch = r.leader_epoch;
            out.push_back(std::move(r));
          }
          ps.buffer.pop_front();
        }
        drain_cursor = (drain_cursor + k + 1) % n;
      }
      if (++it == assigned.end()) it = assigned.begin();
    }
    return out;
  }

  std::optional<Error> take_partition_error() {
    for (auto& entry : state->assigned) {
      if (entry.second.error && !entry.second.revoking) {
        auto e = std::move(*entry.second.error);
        entry.second.error.reset();
        entry.second.retry_at = Clock::now() + config.retry_backoff;
        return e;
      }
    }
    return std::nullopt;
  }

  static awaitable<void> auto_commit(std::shared_ptr<ConsumerCore> self, OffsetMap offsets) {
    auto st = co_await self->group->commit(offsets, self->request_deadline());
    self->auto_commit_in_flight = false;
    if (st) {
      self->last_auto_committed = std::move(offsets);
    } else {
      SLUICE_LOG(warning) << "auto-commit to group " << self->config.group_id
                          << " failed: " << st.error().to_string();
    }
  }

  void maybe_auto_commit(const std::shared_ptr<ConsumerCore>& self) {
    if (!group || !config.enable_auto_commit || auto_commit_in_flight) return;
    const auto now = Clock::now();
    if (now < next_auto_commit) return;
    next_auto_commit = now + config.auto_commit_interval;
    if (state->mode == SubscriptionMode::subscribed && !group->in_group()) return;
    auto offsets = positions(false);
    if (offsets.empty() || offsets == last_auto_committed) return;
    auto_commit_in_flight = true;
    asio::co_spawn(cluster->executor(), auto_commit(self, std::move(offsets)), asio::detached);
  }

  // One step of poll(): listener calls to run, an error, records, or nothing by `deadline`.
  static awaitable<Result<PollStep>> poll_step(std::shared_ptr<ConsumerCore> self,
                                               Clock::time_point deadline) {
    for (;;) {
      if (self->closed) co_return closed_error();
      if (self->group) {
        self->group->on_poll();
        auto calls = self->group->take_calls();
        if (!calls.empty()) {
          PollStep step;
          step.calls = std::move(calls);
          co_return step;
        }
        if (auto e = self->group->take_error()) co_return std::move(*e);
      }
      self->maybe_auto_commit(self);
      if (auto e = self->take_partition_error()) co_return std::move(*e);
      PollStep step;
      step.records = self->drain();
      if (!step.records.empty()) {
        self->state->fetch_wake.set();  // buffers have room again
        co_return step;
      }
      const auto now = Clock::now();
      if (now >= deadline) co_return step;
      auto wake = deadline;
      if (self->group && self->config.enable_auto_commit)
        wake = std::min(wake, self->next_auto_commit);
      wake = std::max(wake, now + std::chrono::milliseconds(1));
      self->state->data_ready.reset();
      (void)co_await self->state->data_ready.wait_until(wake);
    }
  }

  static awaitable<Result<bool>> ack_calls(std::shared_ptr<ConsumerCore> self, std::size_t n) {
    if (self->group) self->group->ack_calls(n);
    co_return true;
  }

  void run_calls(const std::vector<ListenerCall>& calls) const {
    for (const auto& call : calls) {
      switch (call.kind) {
        case ListenerCall::Kind::assigned:
          if (listener.on_assigned) listener.on_assigned(call.partitions);
          break;
        case ListenerCall::Kind::revoked:
          if (listener.on_revoked) listener.on_revoked(call.partitions);
          break;
        case ListenerCall::Kind::lost:
          if (listener.on_lost) listener.on_lost(call.partitions);
          break;
      }
    }
  }

  // async_poll: the same steps, listener calls run here on the executor.
  static awaitable<void> poll_async(std::shared_ptr<ConsumerCore> self, Clock::time_point deadline,
                                    std::function<void(Result<std::vector<ConsumerRecord>>)> done) {
    for (;;) {
      auto step = co_await poll_step(self, deadline);
      if (!step) {
        done(std::move(step).error());
        co_return;
      }
      if (step->calls.empty()) {
        done(std::move(step->records));
        co_return;
      }
      self->run_calls(step->calls);
      if (self->group) self->group->ack_calls(step->calls.size());
    }
  }

  static awaitable<void> commit_async(std::shared_ptr<ConsumerCore> self,
                                      std::optional<OffsetMap> offsets,
                                      std::function<void(Status)> done) {
    if (self->closed) {
      done(closed_error());
      co_return;
    }
    if (!self->group) {
      done(Error(make_error_code(ClientErrc::invalid_config), "commit needs group.id"));
      co_return;
    }
    OffsetMap map = offsets ? std::move(*offsets) : self->positions(true);
    done(co_await self->group->commit(std::move(map), self->request_deadline()));
  }
};

struct Consumer::Impl {
  // Declared first, destroyed last: the runtime goes before the core's last reference.
  std::shared_ptr<ConsumerCore> core;
  std::unique_ptr<detail::Runtime> runtime;

  ~Impl() {
    if (runtime && core && !runtime->on_runtime_thread()) {
      // Drop the core on the runtime: its connections belong to the runtime's executor.
      (void)runtime->block_on<bool>(
          [c = std::move(core)]() mutable { return release(std::move(c)); });
    }
    runtime.reset();
  }
  static awaitable<Result<bool>> release(std::shared_ptr<ConsumerCore> c) {
    c.reset();
    co_return true;
  }

  // Runs `op(core)` on the runtime and waits for it.
  template <class T, class Op>
  Result<T> run(Op op) {
    auto c = core;
    return runtime->block_on<T>([c, op]() { return op(c); });
  }
};

Consumer::Consumer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Consumer::~Consumer() {
  if (impl_) (void)close();
}

Result<std::unique_ptr<Consumer>> Consumer::create(ConsumerConfig config,
                                                   std::optional<asio::any_io_executor> executor) {
  if (auto st = config.validate(); !st) return std::move(st).error();
  if (std::none_of(config.assignment_strategies.begin(), config.assignment_strategies.end(),
                   [](const std::string& s) { return detail::is_known_assignor(s); })) {
    return Error(make_error_code(ClientErrc::invalid_config),
                 "partition.assignment.strategy: none of the strategies is known (range, "
                 "roundrobin, cooperative-sticky)");
  }
  if (config.max_poll_records <= 0 || config.max_partition_fetch_bytes <= 0 ||
      config.fetch_max_bytes <= 0) {
    return Error(
        make_error_code(ClientErrc::invalid_config),
        "max.poll.records, max.partition.fetch.bytes and fetch.max.bytes must be positive");
  }
  auto impl = std::make_shared<Impl>();
  impl->runtime = std::make_unique<detail::Runtime>(std::move(executor));
  const auto ex = impl->runtime->executor();
  auto core = std::make_shared<ConsumerCore>();
  core->config = config;
  core->cluster = std::make_shared<detail::Cluster>(ex, static_cast<const ClientConfig&>(config));
  core->state = std::make_shared<detail::SubscriptionState>(ex);
  detail::CommittedLookup lookup;
  if (!config.group_id.empty()) {
    core->group = std::make_shared<detail::GroupMember>(core->cluster, core->state, config);
    auto group = core->group;
    const auto timeout = config.request_timeout;
    lookup = [group, timeout](std::vector<TopicPartition> tps) {
      return group->committed(std::move(tps), Clock::now() + timeout);
    };
  }
  core->fetcher =
      std::make_shared<detail::Fetcher>(core->cluster, core->state, config, std::move(lookup));
  core->next_auto_commit = Clock::now() + config.auto_commit_interval;
  impl->core = core;
  core->fetcher->start();  // posts its loop onto the runtime
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

asio::any_io_executor Consumer::executor() const { return impl_->runtime->executor(); }

namespace {

awaitable<Result<bool>> do_subscribe(std::shared_ptr<ConsumerCore> c,
                                     std::vector<std::string> topics, RebalanceListener listener) {
  if (c->closed) co_return closed_error();
  if (!c->group)
    co_return Error(make_error_code(ClientErrc::invalid_config), "subscribe needs group.id");
  if (topics.empty())
    co_return Error(make_error_code(ClientErrc::invalid_argument),
                    "subscribe to no topics: use unsubscribe()");
  for (const auto& t : topics) {
    if (t.empty())
      co_return Error(make_error_code(ClientErrc::invalid_argument), "subscribe: empty topic name");
  }
  if (c->state->mode == SubscriptionMode::manual) {
    co_return Error(make_error_code(ClientErrc::invalid_argument),
                    "subscribe after assign(): unsubscribe() first");
  }
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  c->listener = std::move(listener);
  c->group->set_listening(static_cast<bool>(c->listener.on_assigned),
                          static_cast<bool>(c->listener.on_revoked),
                          static_cast<bool>(c->listener.on_lost));
  if (c->state->mode != SubscriptionMode::subscribed || c->state->topics != topics) {
    c->state->mode = SubscriptionMode::subscribed;
    c->state->topics = std::move(topics);
    c->group->request_rejoin();
    c->state->wake_all();
  }
  co_return true;
}

awaitable<Result<bool>> do_assign(std::shared_ptr<ConsumerCore> c,
                                  std::vector<TopicPartition> partitions) {
  if (c->closed) co_return closed_error();
  if (c->state->mode == SubscriptionMode::subscribed) {
    co_return Error(make_error_code(ClientErrc::invalid_argument),
                    "assign after subscribe(): unsubscribe() first");
  }
  for (const auto& tp : partitions) {
    if (tp.topic.empty() || tp.partition < 0) {
      co_return Error(make_error_code(ClientErrc::invalid_argument),
                      "assign: bad partition " + tp.to_string());
    }
  }
  std::set<TopicPartition> wanted(partitions.begin(), partitions.end());
  std::vector<TopicPartition> removed;
  for (const auto& entry : c->state->assigned) {
    if (!wanted.contains(entry.first)) removed.push_back(entry.first);
  }
  if (c->group && c->config.enable_auto_commit && !removed.empty()) {
    OffsetMap offsets;
    for (const auto& tp : removed) {
      const auto& ps = c->state->assigned.at(tp);
      if (ps.position) offsets[tp] = *ps.position;
    }
    if (!offsets.empty()) {
      auto st = co_await c->group->commit(std::move(offsets), c->request_deadline());
      if (!st)
        SLUICE_LOG(warning) << "auto-commit of unassigned partitions failed: "
                            << st.error().to_string();
    }
  }
  c->state->remove(removed);
  c->state->add(std::vector<TopicPartition>(wanted.begin(), wanted.end()));
  c->state->mode = wanted.empty() ? SubscriptionMode::none : SubscriptionMode::manual;
  c->state->wake_all();
  co_return true;
}

// unsubscribe() and close(), part 1: commit what was read; returns the partitions to pass to
// on_revoked (the group's, when subscribed).
awaitable<Result<std::vector<TopicPartition>>> prepare_leave(std::shared_ptr<ConsumerCore> c) {
  if (c->closed) co_return closed_error();
  std::vector<TopicPartition> revoked;
  if (c->group && c->config.enable_auto_commit) {
    const bool member = c->state->mode != SubscriptionMode::subscribed || c->group->in_group();
    if (member) {
      auto st = co_await c->group->commit(c->positions(true), c->request_deadline());
      if (!st) SLUICE_LOG(warning) << "auto-commit on leave failed: " << st.error().to_string();
    }
  }
  if (c->state->mode == SubscriptionMode::subscribed) revoked = c->group->owned();
  co_return revoked;
}

// Part 2: leave the group and drop the assignment; with `close`, stop everything.
awaitable<Result<bool>> finish_leave(std::shared_ptr<ConsumerCore> c, bool close) {
  if (c->closed) co_return closed_error();
  if (c->state->mode == SubscriptionMode::subscribed && c->group) {
    c->state->mode = SubscriptionMode::none;
    co_await c->group->leave(close ? "the consumer is closing" : "the consumer unsubscribed");
    c->group->forget_owned();
  }
  c->state->mode = SubscriptionMode::none;
  c->state->topics.clear();
  c->state->assigned.clear();
  if (close) {
    c->closed = true;
    if (c->group) c->group->stop();
    c->fetcher->stop();
    c->cluster->close();
  }
  c->state->wake_all();
  co_return true;
}

}  // namespace

Status Consumer::subscribe(std::vector<std::string> topics, RebalanceListener listener) {
  auto r = impl_->run<bool>([topics = std::move(topics),
                             listener = std::move(listener)](std::shared_ptr<ConsumerCore> c) {
    return do_subscribe(std::move(c), topics, listener);
  });
  if (!r) return std::move(r).error();
  return {};
}

Status Consumer::assign(std::vector<TopicPartition> partitions) {
  auto r = impl_->run<bool>([partitions = std::move(partitions)](std::shared_ptr<ConsumerCore> c) {
    return do_assign(std::move(c), partitions);
  });
  if (!r) return std::move(r).error();
  return {};
}

Status Consumer::unsubscribe() {
  auto revoked = impl_->run<std::vector<TopicPartition>>(
      [](std::shared_ptr<ConsumerCore> c) { return prepare_leave(std::move(c)); });
  if (!revoked) return std::move(revoked).error();
  if (!revoked->empty() && impl_->core->listener.on_revoked)
    impl_->core->listener.on_revoked(*revoked);
  auto r = impl_->run<bool>(
      [](std::shared_ptr<ConsumerCore> c) { return finish_leave(std::move(c), false); });
  if (!r) return std::move(r).error();
  return {};
}

Status Consumer::close() {
  if (impl_->runtime->on_runtime_thread()) {
    return Error(make_error_code(ClientErrc::invalid_argument),
                 "close() on the consumer's own executor would deadlock");
  }
  auto revoked = impl_->run<std::vector<TopicPartition>>(
      [](std::shared_ptr<ConsumerCore> c) { return prepare_leave(std::move(c)); });
  if (!revoked) {
    if (revoked.error() == ClientErrc::closed) return {};  // idempotent
    return std::move(revoked).error();
  }
  if (!revoked->empty() && impl_->core->listener.on_revoked)
    impl_->core->listener.on_revoked(*revoked);
  auto r = impl_->run<bool>(
      [](std::shared_ptr<ConsumerCore> c) { return finish_leave(std::move(c), true); });
  if (!r && r.error() != ClientErrc::closed) return std::move(r).error();
  return {};
}

namespace {

template <class T>
awaitable<Result<T>> read_state(std::shared_ptr<ConsumerCore> c,
                                std::function<T(ConsumerCore&)> f) {
  co_return f(*c);
}

}  // namespace

std::vector<TopicPartition> Consumer::assignment() const {
  auto r = impl_->run<std::vector<TopicPartition>>([](std::shared_ptr<ConsumerCore> c) {
    return read_state<std::vector<TopicPartition>>(
        std::move(c), [](ConsumerCore& core) { return core.state->assignment(); });
  });
  return r ? std::move(r).value() : std::vector<TopicPartition>{};
}

std::vector<std::string> Consumer::subscription() const {
  auto r = impl_->run<std::vector<std::string>>([](std::shared_ptr<ConsumerCore> c) {
    return read_state<std::vector<std::string>>(
        std::move(c), [](ConsumerCore& core) { return core.state->topics; });
  });
  return r ? std::move(r).value() : std::vector<std::string>{};
}

std::string Consumer::member_id() const {
  auto r = impl_->run<std::string>([](std::shared_ptr<ConsumerCore> c) {
    return read_state<std::string>(std::move(c), [](ConsumerCore& core) {
      return core.group ? core.group->member_id() : std::string();
    });
  });
  return r ? std::move(r).value() : std::string();
}

int32_t Consumer::generation() const {
  auto r = impl_->run<int32_t>([](std::shared_ptr<ConsumerCore> c) {
    return read_state<int32_t>(std::move(c), [](ConsumerCore& core) {
      return core.group ? core.group->generation() : -1;
    });
  });
  return r ? *r : -1;
}

std::vector<TopicPartition> Consumer::paused() const {
  auto r = impl_->run<std::vector<TopicPartition>>([](std::shared_ptr<ConsumerCore> c) {
    return read_state<std::vector<TopicPartition>>(std::move(c), [](ConsumerCore& core) {
      std::vector<TopicPartition> out;
      for (const auto& entry : core.state->assigned) {
        if (entry.second.paused) out.push_back(entry.first);
      }
      return out;
    });
  });
  return r ? std::move(r).value() : std::vector<TopicPartition>{};
}

Result<std::vector<ConsumerRecord>> Consumer::poll(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto step = impl_->run<ConsumerCore::PollStep>([deadline](std::shared_ptr<ConsumerCore> c) {
      return ConsumerCore::poll_step(std::move(c), deadline);
    });
    if (!step) return std::move(step).error();
    if (step->calls.empty()) return std::move(step->records);
    // Rebalance listeners run here, on the polling thread, where they may commit or seek.
    impl_->core->run_calls(step->calls);
    const auto n = step->calls.size();
    auto acked = impl_->run<bool>(
        [n](std::shared_ptr<ConsumerCore> c) { return ConsumerCore::ack_calls(std::move(c), n); });
    if (!acked) return std::move(acked).error();
  }
}

void Consumer::start_poll(Millis timeout,
                          std::function<void(Result<std::vector<ConsumerRecord>>)> done) {
  asio::co_spawn(impl_->runtime->executor(),
                 ConsumerCore::poll_async(impl_->core, Clock::now() + timeout, std::move(done)),
                 asio::detached);
}

void Consumer::start_commit(std::optional<OffsetMap> offsets, std::function<void(Status)> done) {
  asio::co_spawn(impl_->runtime->executor(),
                 ConsumerCore::commit_async(impl_->core, std::move(offsets), std::move(done)),
                 asio::detached);
}

namespace {

awaitable<Result<bool>> do_commit(std::shared_ptr<ConsumerCore> c,
                                  std::optional<OffsetMap> offsets) {
  if (c->closed) co_return closed_error();
  if (!c->group)
    co_return Error(make_error_code(ClientErrc::invalid_config), "commit needs group.id");
  OffsetMap map = offsets ? std::move(*offsets) : c->positions(true);
  auto st = co_await c->group->commit(std::move(map), c->request_deadline());
  if (!st) co_return std::move(st).error();
  co_return true;
}

awaitable<Result<OffsetMap>> do_committed(std::shared_ptr<ConsumerCore> c,
                                          std::vector<TopicPartition> partitions) {
  if (c->closed) co_return closed_error();
  if (!c->group)
    co_return Error(make_error_code(ClientErrc::invalid_config), "committed() needs group.id");
  co_return co_await c->group->committed(std::move(partitions), c->request_deadline());
}

Error not_assigned(const TopicPartition& tp) {
  return Error(make_error_code(ClientErrc::not_assigned),
               tp.to_string() + " is not assigned to this consumer");
}

awaitable<Result<bool>> do_seek(std::shared_ptr<ConsumerCore> c, TopicPartition tp,
                                int64_t offset) {
  if (c->closed) co_return closed_error();
  if (offset < 0)
    co_return Error(make_error_code(ClientErrc::invalid_argument), "seek to a negative offset");
  auto it = c->state->assigned.find(tp);
  if (it == c->state->assigned.end()) co_return not_assigned(tp);
  it->second.seek(offset);
  c->state->wake_all();
  co_return true;
}

awaitable<Result<bool>> do_seek_to(std::shared_ptr<ConsumerCore> c,
                                   std::vector<TopicPartition> partitions, OffsetReset where) {
  if (c->closed) co_return closed_error();
  if (partitions.empty()) partitions = c->state->assignment();
  for (const auto& tp : partitions) {
    if (!c->state->assigned.contains(tp)) co_return not_assigned(tp);
  }
  for (const auto& tp : partitions) {
    auto& ps = c->state->assigned.at(tp);
    ps.position.reset();
    ps.reset = where;
    ps.awaiting_seek = false;
    ps.error.reset();
    ps.retry_at = {};
    ps.clear_buffer();
  }
  c->state->wake_all();
  co_return true;
}

awaitable<Result<int64_t>> do_position(std::shared_ptr<ConsumerCore> c, TopicPartition tp) {
  const auto deadline = c->request_deadline();
  for (;;) {
    if (c->closed) co_return closed_error();
    auto it = c->state->assigned.find(tp);
    if (it == c->state->assigned.end()) co_return not_assigned(tp);
    if (it->second.position) co_return *it->second.position;
    if (it->second.error) co_return *it->second.error;
    if (Clock::now() >= deadline) {
      co_return Error(make_error_code(ClientErrc::timed_out), "position of " + tp.to_string());
    }
    c->state->fetch_wake.set();
    c->state->data_ready.reset();
    (void)co_await c->state->data_ready.wait_until(
        std::min(deadline, Clock::now() + std::chrono::milliseconds(100)));
  }
}

awaitable<Result<bool>> do_pause(std::shared_ptr<ConsumerCore> c,
                                 std::vector<TopicPartition> partitions, bool pause) {
  if (c->closed) co_return closed_error();
  for (const auto& tp : partitions) {
    if (!c->state->assigned.contains(tp)) co_return not_assigned(tp);
  }
  for (const auto& tp : partitions) c->state->assigned.at(tp).paused = pause;
  c->state->wake_all();
  co_return true;
}

Status to_status(Result<bool> r) {
  if (!r) return std::move(r).error();
  return {};
}

}  // namespace

Status Consumer::commit_sync() {
  return to_status(impl_->run<bool>(
      [](std::shared_ptr<ConsumerCore> c) { return do_commit(std::move(c), std::nullopt); }));
}

Status Consumer::commit_sync(const OffsetMap& offsets) {
  return to_status(impl_->run<bool>([offsets](std::shared_ptr<ConsumerCore> c) {
    return do_commit(std::move(c), std::optional<OffsetMap>(offsets));
  }));
}

Result<OffsetMap> Consumer::committed(const std::vector<TopicPartition>& partitions) {
  return impl_->run<OffsetMap>([partitions](std::shared_ptr<ConsumerCore> c) {
    return do_committed(std::move(c), partitions);
  });
}

Status Consumer::seek(const TopicPartition& tp, int64_t offset) {
  return to_status(impl_->run<bool>(
      [tp, offset](std::shared_ptr<ConsumerCore> c) { return do_seek(std::move(c), tp, offset); }));
}

Status Consumer::seek_to_beginning(const std::vector<TopicPartition>& partitions) {
  return to_status(impl_->run<bool>([partitions](std::shared_ptr<ConsumerCore> c) {
    return do_seek_to(std::move(c), partitions, OffsetReset::earliest);
  }));
}

Status Consumer::seek_to_end(const std::vector<TopicPartition>& partitions) {
  return to_status(impl_->run<bool>([partitions](std::shared_ptr<ConsumerCore> c) {
    return do_seek_to(std::move(c), partitions, OffsetReset::latest);
  }));
}

Result<int64_t> Consumer::position(const TopicPartition& tp) {
  return impl_->run<int64_t>(
      [tp](std::shared_ptr<ConsumerCore> c) { return do_position(std::move(c), tp); });
}

namespace {

awaitable<void> run_change(std::shared_ptr<ConsumerCore> c, int change,
                           std::vector<TopicPartition> partitions, int64_t offset,
                           std::function<void(Status)> done) {
  // change: 0 assign, 1 seek, 2 seek_to_beginning, 3 seek_to_end (Consumer::Change).
  Result<bool> r = true;
  if (change == 0) {
    r = co_await do_assign(std::move(c), std::move(partitions));
  } else if (change == 1) {
    TopicPartition tp = partitions.at(0);
    r = co_await do_seek(std::move(c), std::move(tp), offset);
  } else {
    const OffsetReset where = change == 2 ? OffsetReset::earliest : OffsetReset::latest;
    r = co_await do_seek_to(std::move(c), std::move(partitions), where);
  }
  done(to_status(std::move(r)));
}

}  // namespace

void Consumer::start_change(Change change, std::vector<TopicPartition> partitions, int64_t offset,
                            std::function<void(Status)> done) {
  asio::co_spawn(impl_->runtime->executor(),
                 run_change(impl_->core, static_cast<int>(change), std::move(partitions), offset,
                            std::move(done)),
                 asio::detached);
}

Status Consumer::pause(const std::vector<TopicPartition>& partitions) {
  return to_status(impl_->run<bool>([partitions](std::shared_ptr<ConsumerCore> c) {
    return do_pause(std::move(c), partitions, true);
  }));
}

Status Consumer::resume(const std::vector<TopicPartition>& partitions) {
  return to_status(impl_->run<bool>([partitions](std::shared_ptr<ConsumerCore> c) {
    return do_pause(std::move(c), partitions, false);
  }));
}

}  // namespace sluice::client
