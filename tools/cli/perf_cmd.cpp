// `sluice perf produce|consume`: throughput and latency of the client against a cluster, like
// kafka-producer-perf-test / kafka-consumer-perf-test: a progress line every second on stderr,
// a summary at the end, and --json for scripts.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <random>
#include <thread>

#include "common/mutex.h"
#include "sluice/consumer.h"
#include "sluice/producer.h"
#include "tools/cli/cli.h"

namespace sluice::tools {
namespace {

using namespace sluice::client;
using Clock = std::chrono::steady_clock;
constexpr double kMiB = 1024.0 * 1024.0;

// Counters of the current one-second window: written by the client's thread (producer) or the
// polling thread (consumer), read and reset by the Reporter.
struct Window {
  std::atomic<int64_t> records{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> latency_sum_us{0};
  std::atomic<int64_t> latency_max_us{0};

  void add(int64_t n_bytes, int64_t latency_us) {
    records.fetch_add(1, std::memory_order_relaxed);
    bytes.fetch_add(n_bytes, std::memory_order_relaxed);
    latency_sum_us.fetch_add(latency_us, std::memory_order_relaxed);
    int64_t max = latency_max_us.load(std::memory_order_relaxed);
    while (latency_us > max &&
           !latency_max_us.compare_exchange_weak(max, latency_us, std::memory_order_relaxed)) {
    }
  }
};

// Prints the window's totals every second on its own thread, until destroyed.
class Reporter {
 public:
  Reporter(Window& window, std::function<int64_t()> total, const char* verb)
      : window_(window), total_(std::move(total)), verb_(verb), thread_([this] { run(); }) {}
  ~Reporter() {
    {
      MutexLock lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void run() {
    auto last = Clock::now();
    MutexLock lock(mu_);
    while (true) {
      const auto due = last + std::chrono::seconds(1);
      while (!stop_ && cv_.wait_until(mu_, due)) {
      }
      if (stop_) return;
      const auto now = Clock::now();
      const double s = std::chrono::duration<double>(now - last).count();
      last = now;
      const int64_t n = window_.records.exchange(0);
      const int64_t bytes = window_.bytes.exchange(0);
      const int64_t sum = window_.latency_sum_us.exchange(0);
      const int64_t max = window_.latency_max_us.exchange(0);
      std::fprintf(
          stderr,
          "%lld records %s, %.1f records/s (%.2f MB/s), %.2f ms avg latency, %.2f ms max latency\n",
          static_cast<long long>(total_()), verb_, n / s, bytes / kMiB / s,
          n ? sum / 1000.0 / n : 0.0, max / 1000.0);
    }
  }

  Window& window_;
  std::function<int64_t()> total_;
  const char* verb_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

struct Latencies {
  double avg_ms = 0, max_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, p999_ms = 0;
};

// Percentiles by the nearest-rank method over the samples (microseconds); negative = missing.
Latencies summarize(std::vector<int64_t> us) {
  us.erase(std::remove_if(us.begin(), us.end(), [](int64_t v) { return v < 0; }), us.end());
  Latencies l;
  if (us.empty()) return l;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(us.size())));
    return us[std::clamp<std::size_t>(rank, 1, us.size()) - 1] / 1000.0;
  };
  double sum = 0;
  for (auto v : us) sum += static_cast<double>(v);
  l.avg_ms = sum / static_cast<double>(us.size()) / 1000.0;
  l.max_ms = us.back() / 1000.0;
  l.p50_ms = at(0.50);
  l.p95_ms = at(0.95);
  l.p99_ms = at(0.99);
  l.p999_ms = at(0.999);
  return l;
}

std::string json_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string latency_json(const Latencies& l) {
  return "\"latency_avg_ms\":" + json_number(l.avg_ms) +
         ",\"latency_max_ms\":" + json_number(l.max_ms) +
         ",\"latency_p50_ms\":" + json_number(l.p50_ms) +
         ",\"latency_p95_ms\":" + json_number(l.p95_ms) +
         ",\"latency_p99_ms\":" + json_number(l.p99_ms) +
         ",\"latency_p999_ms\":" + json_number(l.p999_ms);
}

struct PerfProduceOptions {
  std::string topic;
  int64_t count = 0;
  int32_t size = 100;
  std::string acks = "all";
  std::string compression = "none";
  int64_t linger_ms = 5;
  int32_t batch_size = 16384;
  double rate = 0;  // records/s; 0: as fast as possible
  bool json = false;
};

int perf_produce(const Context& ctx, const PerfProduceOptions& o) {
  auto config = producer_config(ctx);
  auto acks = parse_acks(o.acks);
  auto compression = parse_compression(o.compression);
  if (!acks) return usage_error("--acks must be 0, 1 or all");
  if (!compression) return usage_error("unknown --compression '" + o.compression + "'");
  config.acks = *acks;
  config.enable_idempotence = *acks == Acks::all;
  config.compression = *compression;
  config.linger = Millis(o.linger_ms);
  config.batch_size = o.batch_size;

  catch_interrupts();
  auto topic = lookup_topic(ctx, o.topic, /*auto_create=*/true);
  if (topic.exit_code != kExitOk) return topic.exit_code;
  auto producer = Producer::create(config);
  if (!producer) return report(producer.error(), "producer", ctx);
  accept_interrupts();

  // Random letters: compressible about as much as text, never a run of one byte.
  std::string payload(static_cast<std::size_t>(o.size), 'x');
  std::mt19937 rng(42);
  for (auto& c : payload) c = static_cast<char>('a' + rng() % 26);

  std::vector<int64_t> latency_us(static_cast<std::size_t>(o.count), -1);
  std::atomic<int64_t> acked{0}, failed{0};
  struct {
    Mutex mu;
    std::optional<Error> error GUARDED_BY(mu);
  } first_error;
  Window window;
  int64_t sent = 0;
  const auto start = Clock::now();
  {
    Reporter reporter(
        window, [&] { return acked.load(); }, "sent");
    for (; sent < o.count && !interrupted(); ++sent) {
      if (o.rate > 0) {
        auto due = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(sent / o.rate));
        if (due > Clock::now()) std::this_thread::sleep_until(due);
      }
      const auto sent_at = Clock::now();
      const auto index = static_cast<std::size_t>(sent);
      // Runs on the producer's thread; each report writes only its own slot.
      auto on_delivery = [&, sent_at, index](const Result<RecordMetadata>& md) {
        const int64_t us =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_at).count();
        if (!md) {
          if (failed.fetch_add(1) == 0) {
            MutexLock lock(first_error.mu);
            first_error.error = md.error();
            std::cerr << "error: delivery failed: " << md.error().to_string() << "\n";
          }
          return;
        }
        latency_us[index] = us;
        window.add(o.size, us);
        acked.fetch_add(1);
      };
      (*producer)->send(ProducerRecord{.topic = o.topic, .value = payload}, std::move(on_delivery));
    }
    auto flushed = (*producer)->flush(config.delivery_timeout);
    if (!flushed) std::cerr << "error: flush: " << flushed.error().to_string() << "\n";
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  (void)(*producer)->close(Millis(0));

  const int64_t ok = acked.load();
  const Latencies l = summarize(std::move(latency_us));
  const double rps = elapsed > 0 ? ok / elapsed : 0;
  const double mbps = elapsed > 0 ? ok * static_cast<double>(o.size) / kMiB / elapsed : 0;
  char line[512];
  std::snprintf(
      line, sizeof line,
      "%lld records sent, %.1f records/s (%.2f MB/s), %.2f ms avg latency, %.2f ms max latency, "
      "%.2f ms 50th, %.2f ms 95th, %.2f ms 99th, %.2f ms 99.9th.\n",
      static_cast<long long>(ok), rps, mbps, l.avg_ms, l.max_ms, l.p50_ms, l.p95_ms, l.p99_ms,
      l.p999_ms);
  if (o.json) {
    std::cerr << line;
    std::cout << "{\"topic\":" << json_string(o.topic) << ",\"records\":" << ok
              << ",\"failed\":" << failed.load() << ",\"record_size\":" << o.size
              << ",\"bytes\":" << ok * o.size << ",\"acks\":" << json_string(o.acks)
              << ",\"compression\":" << json_string(o.compression)
              << ",\"elapsed_s\":" << json_number(elapsed)
              << ",\"records_per_s\":" << json_number(rps) << ",\"mb_per_s\":" << json_number(mbps)
              << "," << latency_json(l) << "}\n";
  } else {
    std::cout << line;
  }
  if (failed.load() > 0) {
    MutexLock lock(first_error.mu);
    std::cerr << "error: " << failed.load() << " records failed\n";
    return exit_code_for(*first_error.error);
  }
  if (ok < o.count) {
    std::cerr << "error: " << ok << " of " << o.count << " records acknowledged"
              << (interrupted() ? " (interrupted)" : "") << "\n";
    return kExitKafkaError;
  }
  return kExitOk;
}

struct PerfConsumeOptions {
  std::string topic;
  int64_t count = 0;
  std::string group;
  int64_t idle_timeout_ms = 10000;
  bool json = false;
};

int perf_consume(const Context& ctx, const PerfConsumeOptions& o) {
  catch_interrupts();
  auto topic = lookup_topic(ctx, o.topic, /*auto_create=*/false);
  if (topic.exit_code != kExitOk) return topic.exit_code;
  auto config = consumer_config(ctx);
  config.group_id = o.group;
  config.enable_auto_commit = !o.group.empty();
  config.auto_offset_reset = OffsetReset::earliest;
  config.max_poll_records = 2000;
  auto created = Consumer::create(config);
  if (!created) return report(created.error(), "consumer", ctx);
  Consumer& consumer = **created;
  if (o.group.empty()) {
    std::vector<TopicPartition> tps;
    for (int32_t p = 0; p < topic.partitions; ++p) tps.push_back({o.topic, p});
    if (auto st = consumer.assign(tps); !st) return report(st.error(), "assign", ctx);
    if (auto st = consumer.seek_to_beginning(); !st) return report(st.error(), "seek", ctx);
  } else if (auto st = consumer.subscribe({o.topic}); !st) {
    return report(st.error(), "subscribe", ctx);
  }
  accept_interrupts();

  // End-to-end latency: arrival here minus the record's timestamp (meaningful when a producer
  // runs at the same time on a host with the same clock).
  std::vector<int64_t> latency_us;
  latency_us.reserve(static_cast<std::size_t>(o.count));
  std::atomic<int64_t> total{0};
  int64_t bytes = 0;
  int rc = kExitOk;
  Window window;
  const auto start = Clock::now();
  std::optional<Clock::time_point> first;
  {
    Reporter reporter(
        window, [&] { return total.load(); }, "consumed");
    auto last_record = start;
    while (total.load() < o.count && !interrupted()) {
      auto records = consumer.poll(Millis(100));
      const auto now = Clock::now();
      if (!records) {
        std::cerr << "error: " << records.error().to_string() << "\n";
        if (!is_retriable(records.error())) {
          rc = exit_code_for(records.error());
          break;
        }
        continue;
      }
      if (records->empty()) {
        if (now - last_record >= Millis(o.idle_timeout_ms)) break;
        continue;
      }
      last_record = now;
      if (!first) first = now;
      const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      for (const auto& r : *records) {
        if (total.load() >= o.count) break;
        const int64_t size = (r.key ? static_cast<int64_t>(r.key->size()) : 0) +
                             (r.value ? static_cast<int64_t>(r.value->size()) : 0);
        const int64_t us = std::max<int64_t>(0, now_ms - r.timestamp_ms) * 1000;
        bytes += size;
        latency_us.push_back(us);
        window.add(size, us);
        total.fetch_add(1);
      }
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (auto st = consumer.close(); !st)
    std::cerr << "warning: close: " << st.error().to_string() << "\n";
  const int64_t n = total.load();
  const Latencies l = summarize(std::move(latency_us));
  const double rps = elapsed > 0 ? n / elapsed : 0;
  const double mbps = elapsed > 0 ? bytes / kMiB / elapsed : 0;
  const double first_ms =
      first ? std::chrono::duration<double, std::milli>(*first - start).count() : -1;
  char line[512];
  std::snprintf(
      line, sizeof line,
      "%lld records consumed (%.2f MB) in %.2f s, %.1f records/s (%.2f MB/s), first record after "
      "%.0f ms; "
      "end-to-end latency %.2f ms avg, %.2f ms max, %.2f ms 50th, %.2f ms 95th, %.2f ms 99th, "
      "%.2f ms 99.9th.\n",
      static_cast<long long>(n), bytes / kMiB, elapsed, rps, mbps, first_ms, l.avg_ms, l.max_ms,
      l.p50_ms, l.p95_ms, l.p99_ms, l.p999_ms);
  if (o.json) {
    std::cerr << line;
    std::cout << "{\"topic\":" << json_string(o.topic) << ",\"records\":" << n
              << ",\"bytes\":" << bytes
              << ",\"group\":" << (o.group.empty() ? std::string("null") : json_string(o.group))
              << ",\"elapsed_s\":" << json_number(elapsed)
              << ",\"records_per_s\":" << json_number(rps) << ",\"mb_per_s\":" << json_number(mbps)
              << ",\"first_record_ms\":" << json_number(first_ms) << "," << latency_json(l)
              << "}\n";
  } else {
    std::cout << line;
  }
  if (rc == kExitOk && n < o.count) {
    std::cerr << "error: " << n << " of " << o.count << " records read"
              << (interrupted() ? " (interrupted)"
                                : " (no records for " + std::to_string(o.idle_timeout_ms) + " ms)")
              << "\n";
    rc = kExitKafkaError;
  }
  return rc;
}

}  // namespace

void add_perf_commands(CLI::App& app, Context& ctx) {
  auto* perf = app.add_subcommand("perf", "Measure produce and consume throughput and latency");
  perf->require_subcommand(1);
  {
    auto o = std::make_shared<PerfProduceOptions>();
    auto* c = perf->add_subcommand(
        "produce", "Send N records of SIZE bytes; report records/s, MB/s and latency");
    c->add_option("topic", o->topic, "Topic name")->required();
    c->add_option("-n,--count", o->count, "Number of records")
        ->required()
        ->check(CLI::PositiveNumber);
    c->add_option("-s,--size", o->size, "Value size in bytes")->check(CLI::NonNegativeNumber);
    c->add_option("--acks", o->acks, "Acknowledgements: 0, 1 or all")
        ->check(CLI::IsMember({"0", "1", "all", "-1"}));
    c->add_option("-z,--compression", o->compression, "Compression codec")
        ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
    c->add_option("--linger-ms", o->linger_ms, "linger.ms")->check(CLI::NonNegativeNumber);
    c->add_option("--batch-size", o->batch_size, "batch.size in bytes")->check(CLI::PositiveNumber);
    c->add_option("--rate", o->rate, "Records per second at most (0: unlimited)")
        ->check(CLI::NonNegativeNumber);
    c->add_flag("--json", o->json, "Print the result as one JSON object on stdout");
    c->footer(
        "Progress every second on stderr. Latency: from send() to the delivery report. Exit 0 "
        "when\n"
        "every record was acknowledged.");
    c->callback([&ctx, o] { ctx.run = [&ctx, o] { return perf_produce(ctx, *o); }; });
  }
  {
    auto o = std::make_shared<PerfConsumeOptions>();
    auto* c = perf->add_subcommand("consume",
                                   "Read N records from the beginning; report records/s and MB/s");
    c->add_option("topic", o->topic, "Topic name")->required();
    c->add_option("-n,--count", o->count, "Number of records")
        ->required()
        ->check(CLI::PositiveNumber);
    c->add_option("-g,--group", o->group,
                  "Consume as a member of GROUP (else: assign every partition)");
    c->add_option("--timeout-ms", o->idle_timeout_ms, "Give up after this long without records")
        ->check(CLI::PositiveNumber);
    c->add_flag("--json", o->json, "Print the result as one JSON object on stdout");
    c->footer(
        "Progress every second on stderr. Latency: arrival minus the record's timestamp (end to "
        "end\n"
        "when a producer runs at the same time). Exit 1 if fewer than N records arrive.");
    c->callback([&ctx, o] { ctx.run = [&ctx, o] { return perf_consume(ctx, *o); }; });
  }
}

}  // namespace sluice::tools
