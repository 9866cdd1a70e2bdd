// The Sluice C++ client's side of the client benchmark: the same `produce` / `consume`
// commands, flags, --json line and exit codes as rdkafka_bench (the contract is written at
// the top of tests/bench/rdkafka_bench.cpp), so scripts/bench-clients.sh runs both against
// the same broker and docs/benchmarks.md compares them.
//
// Usage:
//   sluice_client_bench produce -b HOST:PORT -t TOPIC -n COUNT -s BYTES [--acks 0|1|all]
//                       [--linger-ms MS] [--batch-size BYTES] [--compression CODEC] [--keyed]
//                       [--json]
//   sluice_client_bench consume -b HOST:PORT -t TOPIC -n COUNT [-s BYTES] [--group ID] [--json]
//
// -X key=value passes a Kafka-named property to the client (ProducerConfig/ConsumerConfig::set).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "sluice/consumer.h"
#include "sluice/producer.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace sc = sluice::client;

std::atomic<bool> g_interrupted{false};
void on_signal(int) { g_interrupted.store(true); }

struct Options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;
  int64_t count = 1'000'000;
  int64_t size = 100;
  std::string acks = "1";
  int linger_ms = 5;
  int batch_size = 1'000'000;
  std::string compression = "none";
  bool keyed = false;
  bool json = false;
  std::string group;
  int timeout_ms = 30'000;
  std::vector<std::string> extra;
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <class Config>
bool apply_extra(Config& config, const std::vector<std::string>& extra) {
  for (const auto& kv : extra) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "sluice_client_bench: -X needs key=value, got '%s'\n", kv.c_str());
      return false;
    }
    if (auto st = config.set(kv.substr(0, eq), kv.substr(eq + 1)); !st) {
      std::fprintf(stderr, "sluice_client_bench: %s\n", st.error().to_string().c_str());
      return false;
    }
  }
  return true;
}

int64_t percentile(std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

int run_produce(const Options& opt) {
  sc::ProducerConfig config;
  auto st = config.set("bootstrap.servers", opt.bootstrap);
  config.acks = opt.acks == "0"   ? sc::Acks::none
                : opt.acks == "1" ? sc::Acks::leader
                                  : sc::Acks::all;
  // Like librdkafka 2.0 (the reference): idempotence off unless asked for with -X.
  config.enable_idempotence = false;
  config.linger = std::chrono::milliseconds(opt.linger_ms);
  config.batch_size = opt.batch_size;
  config.max_request_size = std::max(config.max_request_size, opt.batch_size);
  if (!config.set("compression.type", opt.compression) || !st || !apply_extra(config, opt.extra))
    return 2;
  auto producer = sc::Producer::create(config);
  if (!producer) {
    std::fprintf(stderr, "sluice_client_bench: %s\n", producer.error().to_string().c_str());
    return 1;
  }
  auto partitions = (*producer)->partition_count(opt.topic);
  if (!partitions) {
    std::fprintf(stderr, "sluice_client_bench: topic %s: %s\n", opt.topic.c_str(),
                 partitions.error().to_string().c_str());
    return 1;
  }

  std::string value(static_cast<std::size_t>(opt.size), '\0');
  std::mt19937 rng(42);
  for (auto& c : value) c = static_cast<char>(rng());

  // Reports arrive on the producer's thread; latencies are written by index, no lock. The
  // callback captures only a pointer and the index (16 bytes), so std::function stores it
  // without a heap allocation, as a per-producer callback with an opaque pointer would be
  // in librdkafka's C API.
  struct State {
    explicit State(std::size_t n) : latency_us(n, -1), sent_at(n) {}
    std::vector<int64_t> latency_us;
    std::vector<Clock::time_point> sent_at;
    std::atomic<int64_t> delivered{0};
    std::atomic<int64_t> errors{0};
    std::atomic<int64_t> reported{0};
    int64_t count = 0;
    std::string first_error;
    std::mutex error_mutex;
    Clock::time_point last_report;
    std::mutex done_mutex;
    std::condition_variable done_cv;

    void on_report(std::size_t index, const sluice::Result<sc::RecordMetadata>& md) {
      const auto now = Clock::now();
      if (md) {
        latency_us[index] =
            std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at[index]).count();
        delivered.fetch_add(1, std::memory_order_relaxed);
      } else if (errors.fetch_add(1) == 0) {
        std::lock_guard<std::mutex> lock(error_mutex);
        first_error = md.error().to_string();
      }
      if (reported.fetch_add(1) + 1 == count) {
        std::lock_guard<std::mutex> lock(done_mutex);
        last_report = now;
        done_cv.notify_all();
      }
    }
  };
  State state(static_cast<std::size_t>(opt.count));
  state.count = opt.count;
  State* const st_ptr = &state;

  const auto start = Clock::now();
  for (int64_t i = 0; i < opt.count && !g_interrupted; ++i) {
    sc::ProducerRecord r;
    r.topic = opt.topic;
    if (opt.keyed) r.key = std::to_string(i);
    r.value = value;
    const auto index = static_cast<std::size_t>(i);
    state.sent_at[index] = Clock::now();
    (*producer)->send(std::move(r), [st_ptr, index](const sluice::Result<sc::RecordMetadata>& md) {
      st_ptr->on_report(index, md);
    });
  }
  auto flushed = (*producer)->flush(std::chrono::milliseconds(opt.timeout_ms));
  {
    std::unique_lock<std::mutex> lock(state.done_mutex);
    state.done_cv.wait_for(lock, std::chrono::milliseconds(opt.timeout_ms),
                           [&] { return state.reported.load() == opt.count; });
    if (state.reported.load() != opt.count) state.last_report = Clock::now();
  }
  (void)(*producer)->close(std::chrono::milliseconds(opt.timeout_ms));
  if (!flushed)
    std::fprintf(stderr, "sluice_client_bench: flush: %s\n", flushed.error().to_string().c_str());
  if (!state.first_error.empty()) {
    std::fprintf(stderr, "sluice_client_bench: first delivery error: %s\n",
                 state.first_error.c_str());
  }
  const auto& latency_us = state.latency_us;
  const auto& last_report = state.last_report;
  const auto& delivered = state.delivered;
  const auto& errors = state.errors;

  std::vector<int64_t> lat;
  lat.reserve(latency_us.size());
  for (auto v : latency_us) {
    if (v >= 0) lat.push_back(v);
  }
  std::sort(lat.begin(), lat.end());
  const double elapsed = std::chrono::duration<double>(last_report - start).count();
  const int64_t n = delivered.load();
  const double rps = elapsed > 0 ? static_cast<double>(n) / elapsed : 0;
  const double mbps = rps * static_cast<double>(opt.size) / 1e6;
  if (opt.json) {
    std::printf(
        "{\"client\":\"sluice\",\"client_version\":\"0.1\",\"mode\":\"produce\",\"topic\":%s,"
        "\"records\":%lld,"
        "\"record_bytes\":%lld,\"errors\":%lld,\"elapsed_s\":%.6f,\"records_per_s\":%.1f,\"mb_per_"
        "s\":%.3f,"
        "\"acks\":%s,\"linger_ms\":%d,\"batch_size\":%d,\"compression\":%s,\"keyed\":%s,"
        "\"latency_p50_us\":%lld,\"latency_p95_us\":%lld,\"latency_p99_us\":%lld,\"latency_p999_"
        "us\":%lld,"
        "\"latency_max_us\":%lld}\n",
        json_string(opt.topic).c_str(), static_cast<long long>(n), static_cast<long long>(opt.size),
        static_cast<long long>(errors.load()), elapsed, rps, mbps, json_string(opt.acks).c_str(),
        opt.linger_ms, opt.batch_size, json_string(opt.compression).c_str(),
        opt.keyed ? "true" : "false", static_cast<long long>(percentile(lat, 0.50)),
        static_cast<long long>(percentile(lat, 0.95)),
        static_cast<long long>(percentile(lat, 0.99)),
        static_cast<long long>(percentile(lat, 0.999)),
        static_cast<long long>(lat.empty() ? 0 : lat.back()));
  } else {
    std::printf(
        "sluice produce: %lld records of %lld B in %.3f s: %.0f records/s, %.2f MB/s, %lld "
        "errors\n",
        static_cast<long long>(n), static_cast<long long>(opt.size), elapsed, rps, mbps,
        static_cast<long long>(errors.load()));
    std::printf("delivery latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, p99.9 %.2f ms\n",
                static_cast<double>(percentile(lat, 0.50)) / 1e3,
                static_cast<double>(percentile(lat, 0.95)) / 1e3,
                static_cast<double>(percentile(lat, 0.99)) / 1e3,
                static_cast<double>(percentile(lat, 0.999)) / 1e3);
  }
  return n == opt.count && errors.load() == 0 ? 0 : 1;
}

int run_consume(const Options& opt) {
  sc::ConsumerConfig config;
  if (!config.set("bootstrap.servers", opt.bootstrap)) return 2;
  config.group_id = opt.group;
  config.auto_offset_reset = sc::OffsetReset::earliest;
  config.enable_auto_commit = !opt.group.empty();
  config.max_poll_records = 10000;
  if (!apply_extra(config, opt.extra)) return 2;

  // Partition count from a metadata lookup (a producer is the lightest way to ask).
  int32_t partitions = 0;
  {
    sc::ProducerConfig pc;
    pc.bootstrap_servers = config.bootstrap_servers;
    auto p = sc::Producer::create(pc);
    if (!p) {
      std::fprintf(stderr, "sluice_client_bench: %s\n", p.error().to_string().c_str());
      return 1;
    }
    auto n = (*p)->partition_count(opt.topic);
    if (!n) {
      std::fprintf(stderr, "sluice_client_bench: topic %s: %s\n", opt.topic.c_str(),
                   n.error().to_string().c_str());
      return 1;
    }
    partitions = *n;
  }
  auto consumer = sc::Consumer::create(config);
  if (!consumer) {
    std::fprintf(stderr, "sluice_client_bench: %s\n", consumer.error().to_string().c_str());
    return 1;
  }
  const auto start = Clock::now();
  if (opt.group.empty()) {
    std::vector<sc::TopicPartition> tps;
    for (int32_t p = 0; p < partitions; ++p) tps.push_back({opt.topic, p});
    if (auto st = (*consumer)->assign(tps); !st) {
      std::fprintf(stderr, "sluice_client_bench: assign: %s\n", st.error().to_string().c_str());
      return 1;
    }
  } else if (auto st = (*consumer)->subscribe({opt.topic}); !st) {
    std::fprintf(stderr, "sluice_client_bench: subscribe: %s\n", st.error().to_string().c_str());
    return 1;
  }
  int64_t n = 0;
  int64_t bytes = 0;
  int64_t errors = 0;
  double first_record_s = -1;
  double max_gap_ms = 0;
  Clock::time_point last = start;
  Clock::time_point progress = start;
  while (n < opt.count && !g_interrupted) {
    auto records = (*consumer)->poll(std::chrono::milliseconds(100));
    const auto now = Clock::now();
    if (!records) {
      ++errors;
      std::fprintf(stderr, "sluice_client_bench: poll: %s\n", records.error().to_string().c_str());
      if (!sc::is_retriable(records.error())) break;
      continue;
    }
    if (records->empty()) {
      if (now - progress > std::chrono::milliseconds(opt.timeout_ms)) break;
      continue;
    }
    if (first_record_s < 0) {
      first_record_s = std::chrono::duration<double>(now - start).count();
    } else {
      max_gap_ms =
          std::max(max_gap_ms, std::chrono::duration<double, std::milli>(now - last).count());
    }
    for (const auto& r : *records) bytes += r.value ? static_cast<int64_t>(r.value->size()) : 0;
    n += static_cast<int64_t>(records->size());
    last = progress = now;
  }
  (void)(*consumer)->close();
  const double elapsed = std::chrono::duration<double>(last - start).count();
  const double rps = elapsed > 0 ? static_cast<double>(n) / elapsed : 0;
  const double mbps = elapsed > 0 ? static_cast<double>(bytes) / 1e6 / elapsed : 0;
  const int64_t mean = n > 0 ? bytes / n : 0;
  if (opt.json) {
    std::printf(
        "{\"client\":\"sluice\",\"client_version\":\"0.1\",\"mode\":\"consume\",\"topic\":%s,"
        "\"records\":%lld,"
        "\"record_bytes\":%lld,\"errors\":%lld,\"elapsed_s\":%.6f,\"records_per_s\":%.1f,\"mb_per_"
        "s\":%.3f,"
        "\"group\":%s,\"first_record_s\":%.6f,\"max_gap_ms\":%.3f}\n",
        json_string(opt.topic).c_str(), static_cast<long long>(n), static_cast<long long>(mean),
        static_cast<long long>(errors), elapsed, rps, mbps,
        opt.group.empty() ? "null" : json_string(opt.group).c_str(), std::max(first_record_s, 0.0),
        max_gap_ms);
  } else {
    std::printf(
        "sluice consume: %lld records (%lld B mean) in %.3f s: %.0f records/s, %.2f MB/s; first "
        "after %.3f s, "
        "longest gap %.1f ms\n",
        static_cast<long long>(n), static_cast<long long>(mean), elapsed, rps, mbps, first_record_s,
        max_gap_ms);
  }
  return n >= opt.count && errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"Produce/consume benchmark through the Sluice C++ client"};
  app.require_subcommand(1);
  auto add_common = [&opt](CLI::App* cmd) {
    cmd->add_option("-b,--bootstrap", opt.bootstrap, "bootstrap servers")->capture_default_str();
    cmd->add_option("-t,--topic", opt.topic, "topic")->required();
    cmd->add_option("--timeout-ms", opt.timeout_ms, "give up after this long without progress")
        ->capture_default_str();
    cmd->add_option("-X", opt.extra, "client property key=value (repeatable)");
    cmd->add_option("-n,--count", opt.count, "records")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("-s,--size", opt.size, "value bytes per record")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--json", opt.json, "print one JSON line instead of a summary");
  };
  CLI::App* produce = app.add_subcommand("produce", "send COUNT records of SIZE bytes");
  add_common(produce);
  produce->add_option("--acks", opt.acks, "0, 1 or all")
      ->capture_default_str()
      ->check(CLI::IsMember({"0", "1", "all", "-1"}));
  produce->add_option("--linger-ms", opt.linger_ms, "linger.ms")->capture_default_str();
  produce->add_option("--batch-size", opt.batch_size, "batch.size (bytes)")->capture_default_str();
  produce->add_option("--compression", opt.compression, "none, gzip, snappy, lz4 or zstd")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
  produce->add_flag("--keyed", opt.keyed, "key every record (its index), murmur2 partitioning");
  CLI::App* consume = app.add_subcommand("consume", "read COUNT records from the beginning");
  add_common(consume);
  consume->add_option("--group", opt.group,
                      "join this consumer group (default: assign all partitions)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (opt.acks == "-1") opt.acks = "all";
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (produce->parsed()) return run_produce(opt);
  return run_consume(opt);
}
