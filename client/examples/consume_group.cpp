// Example: a consumer group member that prints records and commits what it has processed.
//   sluice-example-consume_group BOOTSTRAP TOPIC GROUP [MAX_RECORDS]
// Joins GROUP, reads TOPIC from the committed offsets (from the beginning for a new group),
// prints each record, commits synchronously after each poll, and leaves the group after
// MAX_RECORDS records or 10 s without any.
#include <chrono>
#include <cstdio>
#include <string>

#include "sluice/consumer.h"

namespace sc = sluice::client;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC GROUP [MAX_RECORDS]\n", argv[0]);
    return 2;
  }
  const long max_records = argc > 4 ? std::stol(argv[4]) : 100;
  auto config = sc::from_properties<sc::ConsumerConfig>({
      {"bootstrap.servers", argv[1]},
      {"group.id", argv[3]},
      {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "false"},  // committed by hand below
      {"partition.assignment.strategy", "cooperative-sticky"},
  });
  if (!config) {
    std::fprintf(stderr, "config: %s\n", config.error().to_string().c_str());
    return 2;
  }
  auto consumer = sc::Consumer::create(*config);
  if (!consumer) {
    std::fprintf(stderr, "consumer: %s\n", consumer.error().to_string().c_str());
    return 1;
  }
  sc::RebalanceListener listener;
  listener.on_assigned = [](const std::vector<sc::TopicPartition>& tps) {
    for (const auto& tp : tps) std::fprintf(stderr, "assigned %s\n", tp.to_string().c_str());
  };
  listener.on_revoked = [](const std::vector<sc::TopicPartition>& tps) {
    for (const auto& tp : tps) std::fprintf(stderr, "revoked %s\n", tp.to_string().c_str());
  };
  if (auto st = (*consumer)->subscribe({argv[2]}, listener); !st) {
    std::fprintf(stderr, "subscribe: %s\n", st.error().to_string().c_str());
    return 1;
  }
  long seen = 0;
  auto last_record = std::chrono::steady_clock::now();
  while (seen < max_records &&
         std::chrono::steady_clock::now() - last_record < std::chrono::seconds(10)) {
    auto records = (*consumer)->poll(std::chrono::milliseconds(500));
    if (!records) {
      std::fprintf(stderr, "poll: %s\n", records.error().to_string().c_str());
      if (!sc::is_retriable(records.error())) return 1;
      continue;
    }
    for (const auto& r : *records) {
      std::printf("%s-%d@%lld %s=%s\n", r.topic.c_str(), r.partition,
                  static_cast<long long>(r.offset), r.key.value_or("(null)").c_str(),
                  r.value.value_or("(null)").c_str());
      ++seen;
    }
    if (!records->empty()) {
      last_record = std::chrono::steady_clock::now();
      if (auto st = (*consumer)->commit_sync(); !st) {
        std::fprintf(stderr, "commit: %s\n", st.error().to_string().c_str());
      }
    }
  }
  (void)(*consumer)->close();  // leaves the group so the others take over at once
  std::fprintf(stderr, "%ld records\n", seen);
  return 0;
}
