// Consumer: reads records from Sluice (or any Kafka-protocol cluster), either as a member of a
// consumer group (subscribe(): the group splits the topics' partitions among its members and
// rebalances when members come and go) or from partitions the application picks (assign()).
// Modelled on Java's KafkaConsumer, with errors as values.
//
//   sluice::client::ConsumerConfig config;
//   config.bootstrap_servers = {"localhost:9092"};
//   config.group_id = "billing";
//   config.auto_offset_reset = sluice::client::OffsetReset::earliest;
//   auto consumer = sluice::client::Consumer::create(config);
//   if (!consumer) return fail(consumer.error());
//   (*consumer)->subscribe({"orders"});
//   for (;;) {
//     auto records = (*consumer)->poll(std::chrono::milliseconds(500));
//     if (!records) { log(records.error().to_string()); continue; }
//     for (const auto& r : *records) handle(r);
//   }  // positions are auto-committed every auto.commit.interval.ms, on rebalances and on close()
//
// Services on their own io_context use the async forms:
//   auto records = co_await consumer->async_poll(500ms, boost::asio::use_awaitable);
//
// Delivery: at least once. A record is committed (with auto-commit) only after a later poll
// returned, so a crash repeats at most the records of the last poll(s) since the last commit.
//
// Fetching is pipelined: a Fetch to every leader is in flight while the application works
// through the records of the previous one (up to max.partition.fetch.bytes buffered per
// partition), so poll() rarely waits for a round trip.
//
// Threading: every method may be called from any thread, but a consumer serves one reader: do
// not poll from two threads at once. The blocking methods must not be called from the
// consumer's own executor (they fail with ClientErrc::invalid_argument), nor from a
// completion handler of an async_ method running there. The rebalance listener runs on the
// thread that calls poll() (or, with async_poll, on the consumer's executor: use the async_
// methods there).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/async.h"
#include "sluice/config.h"
#include "sluice/error.h"
#include "sluice/record.h"

namespace sluice::client {

// Called during poll() when the group changes this member's partitions. on_revoked runs
// before the partitions go (commit their positions here when auto-commit is off); on_lost
// when they were taken without a revocation (the member was dropped from the group: another
// member may already own them, so committing is pointless); on_assigned after new partitions
// arrive (seek here to start elsewhere than the committed offset). Each may be empty.
struct RebalanceListener {
  std::function<void(const std::vector<TopicPartition>&)> on_assigned;
  std::function<void(const std::vector<TopicPartition>&)> on_revoked;
  std::function<void(const std::vector<TopicPartition>&)> on_lost;
};

// Offsets by partition. A committed offset is the offset of the next record to read
// (last processed + 1), as in Kafka.
using OffsetMap = std::map<TopicPartition, int64_t>;

class Consumer {
 public:
  // Validates `config` (ClientErrc::invalid_config). No executor: the consumer runs on a
  // thread of its own; an executor: on a strand of it.
  static Result<std::unique_ptr<Consumer>> create(
      ConsumerConfig config, std::optional<boost::asio::any_io_executor> executor = std::nullopt);
  // close() if the application did not.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Joins group.id (REQUIRES: non-empty group_id) to read `topics`; replaces an earlier
  // subscription (a rebalance follows at the next poll). The group forms during poll().
  // Fails with invalid_argument for an empty list (use unsubscribe) or after assign().
  Status subscribe(std::vector<std::string> topics, RebalanceListener listener = {});
  // Reads exactly `partitions`, without group membership (commits still go to group.id if
  // set). Replaces an earlier assignment; fails after subscribe() without unsubscribe().
  Status assign(std::vector<TopicPartition> partitions);
  // Leaves the group (after the auto-commit and on_revoked) or drops the manual assignment.
  Status unsubscribe();
  // The partitions this consumer reads now (the group's current assignment when subscribed).
  std::vector<TopicPartition> assignment() const;
  std::vector<std::string> subscription() const;

  // Records of the assigned, unpaused partitions, at most max.poll.records, waiting up to
  // `timeout` for some. Also where the group is joined, rebalance listeners run and offsets
  // are auto-committed. An empty vector means nothing arrived in time. Errors: a partition's
  // fetch error (OFFSET_OUT_OF_RANGE with auto.offset.reset=none, a corrupt batch, ...), a
  // fatal group error (FENCED_INSTANCE_ID, ...), ClientErrc::closed. Records already polled
  // are never lost by an error: the next poll continues after them.
  Result<std::vector<ConsumerRecord>> poll(Millis timeout);
  template <class Token>
  auto async_poll(Millis timeout, Token&& token) {
    return detail::async_op<std::vector<ConsumerRecord>>(
        executor(), [this, timeout](auto done) { start_poll(timeout, std::move(done)); },
        std::forward<Token>(token));
  }

  // Commits the positions of all assigned partitions (or `offsets`), waiting for the
  // coordinator's answer (at most request.timeout.ms of retries on coordinator errors).
  // ClientErrc::rebalance_in_progress: the group is rebalancing; poll() and commit again.
  Status commit_sync();
  Status commit_sync(const OffsetMap& offsets);
  // The same without waiting; the token completes with the commit's Status.
  template <class Token>
  auto commit_async(Token&& token) {
    return detail::async_op<void>(
        executor(), [this](auto done) { start_commit(std::nullopt, std::move(done)); },
        std::forward<Token>(token));
  }
  template <class Token>
  auto commit_async(OffsetMap offsets, Token&& token) {
    return detail::async_op<void>(
        executor(),
        [this, offsets = std::move(offsets)](auto done) mutable {
          start_commit(std::move(offsets), std::move(done));
        },
        std::forward<Token>(token));
  }
  // Asynchronous forms of assign() and the seeks, for code running on the consumer's own
  // executor (a service's coroutine), where the blocking forms are refused.
  template <class Token>
  auto async_assign(std::vector<TopicPartition> partitions, Token&& token) {
    return detail::async_op<void>(
        executor(),
        [this, p = std::move(partitions)](auto done) mutable {
          start_change(Change::assign, std::move(p), -1, std::move(done));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_seek(TopicPartition tp, int64_t offset, Token&& token) {
    return detail::async_op<void>(
        executor(),
        [this, tp = std::move(tp), offset](auto done) mutable {
          start_change(Change::seek, std::vector<TopicPartition>{std::move(tp)}, offset,
                       std::move(done));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_seek_to_beginning(std::vector<TopicPartition> partitions, Token&& token) {
    return detail::async_op<void>(
        executor(),
        [this, p = std::move(partitions)](auto done) mutable {
          start_change(Change::seek_to_beginning, std::move(p), -1, std::move(done));
        },
        std::forward<Token>(token));
  }
  template <class Token>
  auto async_seek_to_end(std::vector<TopicPartition> partitions, Token&& token) {
    return detail::async_op<void>(
        executor(),
        [this, p = std::move(partitions)](auto done) mutable {
          start_change(Change::seek_to_end, std::move(p), -1, std::move(done));
        },
        std::forward<Token>(token));
  }

  // The group's committed offsets of `partitions`; partitions without one are absent.
  Result<OffsetMap> committed(const std::vector<TopicPartition>& partitions);

  // The next poll() returns `tp`'s records from `offset` on. ClientErrc::not_assigned if
  // `tp` is not assigned. seek_to_beginning/end apply at the next poll (empty: all assigned).
  Status seek(const TopicPartition& tp, int64_t offset);
  Status seek_to_beginning(const std::vector<TopicPartition>& partitions = {});
  Status seek_to_end(const std::vector<TopicPartition>& partitions = {});
  // The offset of the next record poll() returns for `tp`, looked up (committed offset or
  // auto.offset.reset) if not known yet, waiting up to request.timeout.ms.
  Result<int64_t> position(const TopicPartition& tp);

  // Paused partitions stay assigned but are neither fetched nor returned by poll().
  Status pause(const std::vector<TopicPartition>& partitions);
  Status resume(const std::vector<TopicPartition>& partitions);
  std::vector<TopicPartition> paused() const;

  // Commits (with auto-commit), runs on_revoked, leaves the group (unless static: a static
  // member's partitions wait session.timeout.ms for it to return) and closes connections.
  // Later calls fail with ClientErrc::closed. Idempotent.
  Status close();

  // The group membership (empty / -1 when not a member).
  std::string member_id() const;
  int32_t generation() const;
  // The executor the consumer's work runs on (handlers without one of their own run here).
  boost::asio::any_io_executor executor() const;

 private:
  struct Impl;
  explicit Consumer(std::shared_ptr<Impl> impl);
  void start_poll(Millis timeout, std::function<void(Result<std::vector<ConsumerRecord>>)> done);
  void start_commit(std::optional<OffsetMap> offsets, std::function<void(Status)> done);
  enum class Change { assign = 0, seek = 1, seek_to_beginning = 2, seek_to_end = 3 };
  void start_change(Change change, std::vector<TopicPartition> partitions, int64_t offset,
                    std::function<void(Status)> done);

  std::shared_ptr<Impl> impl_;
};

}  // namespace sluice::client
