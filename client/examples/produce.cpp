// Example: produce records with the blocking and the callback interface.
//   sluice-example-produce BOOTSTRAP TOPIC [COUNT]
// Sends COUNT keyed records ("key-<i>" -> "value-<i>", with a header), waits for each report
// of the first one, then sends the rest with callbacks and flushes. Exit status 0 when every
// record was acknowledged.
#include <atomic>
#include <cstdio>
#include <string>

#include "sluice/producer.h"

namespace sc = sluice::client;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [COUNT]\n", argv[0]);
    return 2;
  }
  const std::string topic = argv[2];
  const int count = argc > 3 ? std::stoi(argv[3]) : 10;

  // Kafka's property names work as they do with the Java client or librdkafka.
  auto config = sc::from_properties<sc::ProducerConfig>({
      {"bootstrap.servers", argv[1]},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"compression.type", "lz4"},
  });
  if (!config) {
    std::fprintf(stderr, "config: %s\n", config.error().to_string().c_str());
    return 2;
  }
  auto producer = sc::Producer::create(*config);
  if (!producer) {
    std::fprintf(stderr, "producer: %s\n", producer.error().to_string().c_str());
    return 1;
  }

  // Blocking: send() returns once the record is acknowledged (or has failed for good).
  sc::ProducerRecord first;
  first.topic = topic;
  first.key = "key-0";
  first.value = "value-0";
  first.headers.push_back({"source", "sluice-example"});
  auto md = (*producer)->send(first);
  if (!md) {
    std::fprintf(stderr, "send: %s\n", md.error().to_string().c_str());
    return 1;
  }
  std::printf("key-0 -> %s-%d@%lld\n", md->topic.c_str(), md->partition,
              static_cast<long long>(md->offset));

  // Callbacks: send() returns at once; each record gets exactly one report.
  std::atomic<int> failed{0};
  for (int i = 1; i < count; ++i) {
    sc::ProducerRecord r;
    r.topic = topic;
    r.key = "key-" + std::to_string(i);
    r.value = "value-" + std::to_string(i);
    r.headers.push_back({"source", "sluice-example"});
    (*producer)->send(std::move(r), [&failed](const sluice::Result<sc::RecordMetadata>& report) {
      if (!report) {
        std::fprintf(stderr, "delivery failed: %s\n", report.error().to_string().c_str());
        ++failed;
      }
    });
  }
  if (auto st = (*producer)->flush(std::chrono::seconds(30)); !st) {
    std::fprintf(stderr, "flush: %s\n", st.error().to_string().c_str());
    return 1;
  }
  std::printf("%d records acknowledged, %d failed\n", count - failed.load(), failed.load());
  return failed == 0 ? 0 : 1;
}
