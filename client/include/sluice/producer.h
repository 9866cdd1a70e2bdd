// Producer: sends records to Kafka-protocol brokers (Sluice or Apache Kafka) with the Java
// client's semantics — murmur2 key partitioning (sticky for null keys), batching by
// linger.ms and batch.size, compression, acks, retries, idempotence, bounded memory — and
// exactly one delivery report per record.
//
//   auto config = sluice::client::from_properties<sluice::client::ProducerConfig>(
//       {{"bootstrap.servers", "localhost:9092"}, {"linger.ms", "10"}});
//   auto producer = sluice::client::Producer::create(*config);
//   if (!producer) return fail(producer.error());
//   // Blocking: waits for the delivery report.
//   auto md = (*producer)->send({.topic = "orders", .key = "user-42", .value = "{...}"});
//   // Callback: returns at once; the callback runs on the producer's thread.
//   (*producer)->send(record, [](const sluice::Result<RecordMetadata>& r) { ... });
//   // Asio: any completion token, e.g. inside a coroutine
//   auto r = co_await (*producer)->async_send(record, boost::asio::use_awaitable);
//   (*producer)->flush(std::chrono::seconds(10));
//
// Ordering: records of one partition are written in send order. With idempotence (the
// default: producer id + sequence numbers, DUPLICATE_SEQUENCE_NUMBER counts as delivered)
// this holds across retries with up to max_in_flight (<= 5) requests per connection.
// Without idempotence a retried batch may land after a later one when max_in_flight > 1
// (as with Kafka's clients); set max_in_flight = 1 to keep order then.
//
// Threading: every public method is safe from any thread. Delivery callbacks and
// completion handlers without an executor of their own run on the producer's thread (or
// strand, with a user executor): keep them short and never call a blocking method (send
// returning a Result, flush, close, partition_count) from them — those fail with
// ClientErrc::invalid_argument there instead of deadlocking.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sluice/async.h"
#include "sluice/config.h"
#include "sluice/error.h"
#include "sluice/record.h"

namespace sluice::client {

class Producer {
 public:
  using DeliveryCallback = std::function<void(const Result<RecordMetadata>&)>;

  // Validates `config` (config.validate(); only plaintext is supported) and starts the
  // producer: on a private thread, or on a strand of `executor` when given. Brokers are
  // contacted lazily, on the first send.
  static Result<std::unique_ptr<Producer>> create(
      ProducerConfig config, std::optional<boost::asio::any_io_executor> executor = std::nullopt);
  // close() with the delivery timeout as the flush bound.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Sends `record` and completes with its delivery report (partition and offset, or the
  // error). Immediate failures (a record larger than max_request_size: record_too_large;
  // buffer.memory full: buffer_full when max_block is 0, else timed_out after max_block;
  // a closed producer: closed) complete the token too. May block up to max_block while the
  // buffer is full (never on the producer's own thread).
  template <class Token>
  auto async_send(ProducerRecord record, Token&& token) {
    return detail::async_op<RecordMetadata>(
        executor(),
        [this, r = std::move(record)](std::function<void(Result<RecordMetadata>)> done) mutable {
          send_impl(std::move(r), std::move(done));
        },
        std::forward<Token>(token));
  }
  // Sends and waits for the delivery report.
  Result<RecordMetadata> send(ProducerRecord record);
  // Sends; `on_delivery` is called exactly once with the report (on the producer's thread,
  // or on the caller's when the record is refused before it is queued).
  void send(ProducerRecord record, DeliveryCallback on_delivery);

  // Sends every queued record now (ignoring linger.ms) and waits until all records sent
  // before the call have their reports, or `timeout` (ClientErrc::timed_out).
  Status flush(Millis timeout);
  template <class Token>
  auto async_flush(Millis timeout, Token&& token) {
    return detail::async_op<void>(
        executor(),
        [this, timeout](std::function<void(Status)> done) { flush_impl(timeout, std::move(done)); },
        std::forward<Token>(token));
  }

  // flush(timeout), then stops: every record still without a report gets ClientErrc::closed
  // (or its own error), connections close, later sends fail with ClientErrc::closed.
  // Returns the flush's status. Idempotent.
  Status close(Millis timeout);

  // The number of partitions of `topic` (fetching its metadata, waiting up to max_block
  // for a topic that is being created).
  Result<int32_t> partition_count(const std::string& topic);

  // The producer's executor (its runtime thread or strand).
  boost::asio::any_io_executor executor() const;

  class Impl;

 private:
  explicit Producer(std::shared_ptr<Impl> impl);
  void send_impl(ProducerRecord record, std::function<void(Result<RecordMetadata>)> done);
  void flush_impl(Millis timeout, std::function<void(Status)> done);

  std::shared_ptr<Impl> impl_;
};

}  // namespace sluice::client
