// Example: the asynchronous interface inside a service that runs its own io_context. The
// producer and consumer run on strands of the application's executor; coroutines await
// their operations with boost::asio::use_awaitable (any completion token works the same way).
//   sluice-example-async_service BOOTSTRAP TOPIC
// Produces 100 records to partition 0 from one coroutine, then reads them back with an
// assigned consumer from another.
#include <utility>
// <utility> before Boost 1.74's awaitable.hpp, which uses std::exchange without it (this
// comment keeps clang-format from sorting it below the Boost headers).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "sluice/consumer.h"
#include "sluice/producer.h"

namespace asio = boost::asio;
namespace sc = sluice::client;

asio::awaitable<int> produce(sc::Producer& producer, std::string topic) {
  for (int i = 0; i < 100; ++i) {
    sc::ProducerRecord r;
    r.topic = topic;
    r.partition = 0;
    r.value = "async-" + std::to_string(i);
    auto report = co_await producer.async_send(std::move(r), asio::use_awaitable);
    if (!report) {
      std::fprintf(stderr, "send: %s\n", report.error().to_string().c_str());
      co_return 1;
    }
  }
  co_return 0;
}

asio::awaitable<int> consume(sc::Consumer& consumer, std::string topic) {
  // On the consumer's own executor the blocking assign()/seek() are refused: await the
  // async forms.
  std::vector<sc::TopicPartition> partitions{{topic, 0}};
  auto assigned = co_await consumer.async_assign(partitions, asio::use_awaitable);
  if (!assigned) {
    std::fprintf(stderr, "assign: %s\n", assigned.error().to_string().c_str());
    co_return 1;
  }
  auto rewound = co_await consumer.async_seek_to_beginning(partitions, asio::use_awaitable);
  if (!rewound) {
    std::fprintf(stderr, "seek: %s\n", rewound.error().to_string().c_str());
    co_return 1;
  }
  int seen = 0;
  for (int polls = 0; seen < 100 && polls < 100; ++polls) {
    auto records =
        co_await consumer.async_poll(std::chrono::milliseconds(200), asio::use_awaitable);
    if (!records) {
      std::fprintf(stderr, "poll: %s\n", records.error().to_string().c_str());
      co_return 1;
    }
    seen += static_cast<int>(records->size());
  }
  std::printf("read %d records\n", seen);
  co_return seen >= 100 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC\n", argv[0]);
    return 2;
  }
  // The application's io_context, run by its own thread as a service would.
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&io] { io.run(); });

  sc::ProducerConfig pc;
  pc.bootstrap_servers = {argv[1]};
  auto producer = sc::Producer::create(pc, io.get_executor());
  sc::ConsumerConfig cc;
  cc.bootstrap_servers = {argv[1]};
  auto consumer = sc::Consumer::create(cc, io.get_executor());
  int status = 1;
  if (producer && consumer) {
    const std::string topic = argv[2];
    // Two coroutines on the application's executor, one after the other; use_future lets
    // main wait for each.
    status = asio::co_spawn(io, produce(**producer, topic), asio::use_future).get();
    if (status == 0)
      status = asio::co_spawn(io, consume(**consumer, topic), asio::use_future).get();
    // Blocking calls are fine here: main is not one of the io_context's threads.
    (void)(*consumer)->close();
    (void)(*producer)->close(std::chrono::seconds(5));
  } else {
    std::fprintf(stderr, "cannot create the clients\n");
  }
  // Destroy the clients while the io_context still runs their strands.
  if (consumer) consumer->reset();
  if (producer) producer->reset();
  work.reset();
  io.stop();
  io_thread.join();
  return status;
}
