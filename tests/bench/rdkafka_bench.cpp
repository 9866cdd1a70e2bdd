// Reference client benchmark: produces and consumes through librdkafka's public C API
// (rdkafka.h) against a running broker, so the Sluice client (tests/bench/sluice_client_bench.cpp)
// can be compared with it on the same broker, record size and acks. scripts/bench-clients.sh
// starts a broker and runs both; docs/benchmarks.md records the figures.
//
// Usage:
//   rdkafka_bench produce -b HOST:PORT -t TOPIC -n COUNT -s BYTES [--acks 0|1|all]
//                 [--linger-ms MS] [--batch-size BYTES] [--compression none|gzip|snappy|lz4|zstd]
//                 [--keyed] [--json] [-X key=value ...]
//   rdkafka_bench consume -b HOST:PORT -t TOPIC -n COUNT [-s BYTES] [--group ID] [--json]
//                 [--timeout-ms MS] [-X key=value ...]
//   rdkafka_bench create-topic -b HOST:PORT -t TOPIC [--partitions P] [--replication-factor R]
//
// CONTRACT shared with every client bench program plugged into scripts/bench-clients.sh
// (sluice_client_bench must accept the same `produce`/`consume` flags above, except -X, which
// is librdkafka's own configuration pass-through, and `create-topic`, which only this program
// needs to offer):
//   - With --json, stdout carries exactly one line, a JSON object; diagnostics go to stderr.
//     Without --json, stdout carries a human-readable summary.
//   - Exit status 0 when all COUNT records were delivered (produce) or read (consume) without
//     error, 1 otherwise (the JSON line is still printed), 2 for bad usage.
//   - The JSON object's keys (all present; numbers are JSON numbers):
//       "client"          string   "librdkafka" / "sluice"
//       "client_version"  string
//       "mode"            string   "produce" / "consume"
//       "topic"           string
//       "records"         integer  records delivered (produce) / read (consume)
//       "record_bytes"    integer  value size S (produce: as sent; consume: mean size read)
//       "errors"          integer  failed deliveries (produce) / consumer errors (consume)
//       "elapsed_s"       number   seconds from the first send to the last delivery report
//                                  (produce) / from assign or subscribe to the last record read
//                                  (consume)
//       "records_per_s"   number   records / elapsed_s
//       "mb_per_s"        number   records * record_bytes / 1e6 / elapsed_s  (values only, MB =
//       10^6 B)
//     produce only:
//       "acks" string ("0"/"1"/"all"), "linger_ms" integer, "batch_size" integer,
//       "compression" string, "keyed" boolean,
//       "latency_p50_us", "latency_p95_us", "latency_p99_us", "latency_p999_us",
//       "latency_max_us"  integers: microseconds from handing a record to the client to its
//                         delivery report, over successfully delivered records. The program
//                         sends as fast as the client accepts, so these include the time a
//                         record waits in the client's queue behind the ones before it.
//     consume only:
//       "group"           string or null (null: partitions assigned by hand, no group)
//       "first_record_s"  number   seconds from assign or subscribe to the first record
//       "max_gap_ms"      number   longest wait between two records after the first one (a
//                                  stall, e.g. a fetch that sat out its max wait, shows here)
//   Example:
//     {"client":"librdkafka","client_version":"2.0.2","mode":"produce","topic":"t","records":1000000,
//      "record_bytes":100,"errors":0,"elapsed_s":2.5,"records_per_s":400000,"mb_per_s":40,
//      "acks":"1","linger_ms":5,"batch_size":1000000,"compression":"none","keyed":false,
//      "latency_p50_us":900,"latency_p95_us":2000,"latency_p99_us":3000,"latency_p999_us":5000,
//      "latency_max_us":6000}
//
// Records: values are S pseudo-random bytes (one buffer shared by all records, so batch-level
// compression sees repeated data); keys, with --keyed, are the record's index in decimal.

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

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
  int partitions = 1;
  int replication_factor = 1;
  std::vector<std::string> extra;  // -X key=value
};

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

// A JSON string literal; topic and group names are plain ASCII but quote them properly anyway.
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Builds a configuration from the common options plus -X overrides. Returns nullptr (after
// printing why) when librdkafka rejects a property.
rd_kafka_conf_t* make_conf(const Options& opt,
                           std::vector<std::pair<std::string, std::string>> props) {
  props.emplace_back("bootstrap.servers", opt.bootstrap);
  props.emplace_back("client.id", "rdkafka_bench");
  for (const auto& kv : opt.extra) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "rdkafka_bench: -X needs key=value, got '%s'\n", kv.c_str());
      return nullptr;
    }
    props.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "rdkafka_bench: %s\n", err);
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  return conf;
}

Handle make_handle(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);  // owns conf on success
  if (!rk) {
    std::fprintf(stderr, "rdkafka_bench: rd_kafka_new: %s\n", err);
    rd_kafka_conf_destroy(conf);
  }
  return Handle(rk);
}

// Waits until the broker's metadata lists the topic with a leader for every partition, and
// returns its partition count (0 on timeout). Doing this before the clock starts keeps
// connection set-up and metadata out of the measurement.
int wait_for_topic(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int partitions = 0;
  while (Clock::now() < deadline && !g_interrupted.load()) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      bool ready = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                   md->topics[0].partition_cnt > 0;
      for (int i = 0; ready && i < md->topics[0].partition_cnt; ++i) {
        ready = md->topics[0].partitions[i].leader >= 0;
      }
      if (ready) partitions = md->topics[0].partition_cnt;
      rd_kafka_metadata_destroy(md);
      if (ready) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  rd_kafka_topic_destroy(rkt);
  if (partitions == 0)
    std::fprintf(stderr, "rdkafka_bench: topic '%s' not available\n", topic.c_str());
  return partitions;
}

// ---- produce -------------------------------------------------------------------------------

// State reached from the delivery-report callback. That callback runs inside rd_kafka_poll()
// and rd_kafka_flush() on the main thread, so nothing here needs synchronising.
struct ProduceState {
  std::vector<Clock::time_point> sent_at;  // indexed by record number (the message opaque)
  std::vector<uint32_t> latency_us;        // one per successful delivery
  int64_t delivered = 0;
  int64_t failed = 0;
  Clock::time_point last_report;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* st = static_cast<ProduceState*>(opaque);
  const auto now = Clock::now();
  st->last_report = now;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (st->failed++ == 0) st->first_error = rd_kafka_err2str(msg->err);
    return;
  }
  ++st->delivered;
  const auto index = reinterpret_cast<uintptr_t>(msg->_private);
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(now - st->sent_at[index]).count();
  st->latency_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
}

// Nearest-rank percentile of a sorted sample.
uint32_t percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

int run_produce(const Options& opt) {
  const std::string codec = opt.compression == "none" ? "none" : opt.compression;
  ProduceState st;
  st.sent_at.resize(static_cast<size_t>(opt.count));
  st.latency_us.reserve(static_cast<size_t>(opt.count));

  rd_kafka_conf_t* conf = make_conf(opt, {
                                             {"acks", opt.acks},
                                             {"linger.ms", std::to_string(opt.linger_ms)},
                                             {"batch.size", std::to_string(opt.batch_size)},
                                             {"compression.codec", codec},
                                             // Keys land where the Java client puts them.
                                             {"partitioner", "murmur2_random"},
                                         });
  if (!conf) return 2;
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &st);
  Handle rk = make_handle(RD_KAFKA_PRODUCER, conf);
  if (!rk) return 2;
  if (wait_for_topic(rk.get(), opt.topic, opt.timeout_ms) == 0) return 1;

  // Shared value buffer: librdkafka neither copies nor frees it (msgflags 0), and it outlives
  // every record.
  std::vector<char> value(static_cast<size_t>(opt.size));
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (auto& b : value) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    b = static_cast<char>(x);
  }

  int64_t sent = 0;
  const auto start = Clock::now();
  st.last_report = start;
  char key[24];
  for (int64_t i = 0; i < opt.count && !g_interrupted.load(); ++i) {
    for (;;) {
      st.sent_at[static_cast<size_t>(i)] = Clock::now();
      rd_kafka_resp_err_t err;
      if (opt.keyed) {
        const int key_len = std::snprintf(key, sizeof key, "%lld", static_cast<long long>(i));
        err = rd_kafka_producev(
            rk.get(), RD_KAFKA_V_TOPIC(opt.topic.c_str()), RD_KAFKA_V_MSGFLAGS(0),
            RD_KAFKA_V_KEY(key, static_cast<size_t>(key_len)),  // keys are copied
            RD_KAFKA_V_VALUE(value.data(), value.size()),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(i))), RD_KAFKA_V_END);
      } else {
        err = rd_kafka_producev(
            rk.get(), RD_KAFKA_V_TOPIC(opt.topic.c_str()), RD_KAFKA_V_MSGFLAGS(0),
            RD_KAFKA_V_VALUE(value.data(), value.size()),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(i))), RD_KAFKA_V_END);
      }
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::fprintf(stderr, "rdkafka_bench: produce: %s\n", rd_kafka_err2str(err));
        ++st.failed;
        break;
      }
      rd_kafka_poll(rk.get(), 5);  // queue full: let deliveries drain it
    }
    ++sent;
    rd_kafka_poll(rk.get(), 0);  // serve delivery reports promptly (they time the latency)
  }
  while (rd_kafka_outq_len(rk.get()) > 0 && !g_interrupted.load()) {
    rd_kafka_flush(rk.get(), 100);
  }
  const double elapsed = std::chrono::duration<double>(st.last_report - start).count();

  std::sort(st.latency_us.begin(), st.latency_us.end());
  const double records_per_s = elapsed > 0 ? static_cast<double>(st.delivered) / elapsed : 0;
  const double mb_per_s = records_per_s * static_cast<double>(opt.size) / 1e6;
  const uint32_t p50 = percentile(st.latency_us, 0.50), p95 = percentile(st.latency_us, 0.95),
                 p99 = percentile(st.latency_us, 0.99), p999 = percentile(st.latency_us, 0.999),
                 pmax = st.latency_us.empty() ? 0 : st.latency_us.back();
  if (!st.first_error.empty()) {
    std::fprintf(stderr, "rdkafka_bench: %lld deliveries failed, first: %s\n",
                 static_cast<long long>(st.failed), st.first_error.c_str());
  }
  if (opt.json) {
    std::printf(
        "{\"client\":\"librdkafka\",\"client_version\":%s,\"mode\":\"produce\",\"topic\":%s,"
        "\"records\":%lld,\"record_bytes\":%lld,\"errors\":%lld,\"elapsed_s\":%.6f,"
        "\"records_per_s\":%.1f,\"mb_per_s\":%.3f,\"acks\":%s,\"linger_ms\":%d,\"batch_size\":%d,"
        "\"compression\":%s,\"keyed\":%s,\"latency_p50_us\":%u,\"latency_p95_us\":%u,"
        "\"latency_p99_us\":%u,\"latency_p999_us\":%u,\"latency_max_us\":%u}\n",
        json_string(rd_kafka_version_str()).c_str(), json_string(opt.topic).c_str(),
        static_cast<long long>(st.delivered), static_cast<long long>(opt.size),
        static_cast<long long>(st.failed), elapsed, records_per_s, mb_per_s,
        json_string(opt.acks).c_str(), opt.linger_ms, opt.batch_size,
        json_string(opt.compression).c_str(), opt.keyed ? "true" : "false", p50, p95, p99, p999,
        pmax);
  } else {
    std::printf(
        "librdkafka %s produce: %lld/%lld records of %lld B to %s (acks=%s, linger.ms=%d, "
        "batch.size=%d, "
        "compression=%s%s) in %.3f s\n"
        "  %.0f records/s, %.2f MB/s; %lld failed\n"
        "  delivery latency us: p50 %u, p95 %u, p99 %u, p99.9 %u, max %u\n",
        rd_kafka_version_str(), static_cast<long long>(st.delivered), static_cast<long long>(sent),
        static_cast<long long>(opt.size), opt.topic.c_str(), opt.acks.c_str(), opt.linger_ms,
        opt.batch_size, opt.compression.c_str(), opt.keyed ? ", keyed" : "", elapsed, records_per_s,
        mb_per_s, static_cast<long long>(st.failed), p50, p95, p99, p999, pmax);
  }
  return st.delivered == opt.count && st.failed == 0 ? 0 : 1;
}

// ---- consume -------------------------------------------------------------------------------

int run_consume(const Options& opt) {
  const bool use_group = !opt.group.empty();
  // librdkafka's assign() needs a consumer-group handle, which needs a group.id; without
  // --group the id is a throwaway one that never joins (no subscribe) and never commits.
  const std::string group_id =
      use_group ? opt.group : "rdkafka-bench-assign-" + std::to_string(::getpid());
  rd_kafka_conf_t* conf =
      make_conf(opt, {
                         {"group.id", group_id},
                         {"enable.auto.commit", use_group ? "true" : "false"},
                         {"enable.auto.offset.store", use_group ? "true" : "false"},
                         {"auto.offset.reset", "earliest"},
                         {"enable.partition.eof", "false"},
                     });
  if (!conf) return 2;
  Handle rk = make_handle(RD_KAFKA_CONSUMER, conf);
  if (!rk) return 2;
  const int partitions = wait_for_topic(rk.get(), opt.topic, opt.timeout_ms);
  if (partitions == 0) return 1;

  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  if (!use_group) {
    for (int p = 0; p < partitions; ++p) {
      rd_kafka_topic_partition_list_add(list, opt.topic.c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
  } else {
    rd_kafka_topic_partition_list_add(list, opt.topic.c_str(), RD_KAFKA_PARTITION_UA);
  }

  const auto start = Clock::now();
  rd_kafka_resp_err_t err =
      use_group ? rd_kafka_subscribe(rk.get(), list) : rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "rdkafka_bench: %s: %s\n", use_group ? "subscribe" : "assign",
                 rd_kafka_err2str(err));
    return 1;
  }

  int64_t records = 0, bytes = 0, errors = 0;
  auto last_record = start;
  auto last_progress = start;
  Clock::time_point first_record{};
  Clock::duration max_gap{};
  while (records < opt.count && !g_interrupted.load()) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 100);
    const auto now = Clock::now();
    if (!msg) {
      if (now - last_progress > std::chrono::milliseconds(opt.timeout_ms)) {
        std::fprintf(stderr, "rdkafka_bench: no record for %d ms; stopping at %lld\n",
                     opt.timeout_ms, static_cast<long long>(records));
        break;
      }
      continue;
    }
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (errors++ < 5)
        std::fprintf(stderr, "rdkafka_bench: consume: %s\n", rd_kafka_message_errstr(msg));
    } else {
      if (records++ == 0) {
        first_record = now;
      } else {
        max_gap = std::max(max_gap, now - last_record);
      }
      bytes += static_cast<int64_t>(msg->len);
      last_record = last_progress = now;
    }
    rd_kafka_message_destroy(msg);
  }
  const double elapsed = std::chrono::duration<double>(last_record - start).count();
  rd_kafka_consumer_close(rk.get());

  const double records_per_s = elapsed > 0 ? static_cast<double>(records) / elapsed : 0;
  const double mb_per_s = elapsed > 0 ? static_cast<double>(bytes) / 1e6 / elapsed : 0;
  const long long mean_size = records > 0 ? bytes / records : 0;
  const double first_s =
      records > 0 ? std::chrono::duration<double>(first_record - start).count() : 0;
  const double max_gap_ms = std::chrono::duration<double, std::milli>(max_gap).count();
  if (opt.json) {
    std::printf(
        "{\"client\":\"librdkafka\",\"client_version\":%s,\"mode\":\"consume\",\"topic\":%s,"
        "\"records\":%lld,\"record_bytes\":%lld,\"errors\":%lld,\"elapsed_s\":%.6f,"
        "\"records_per_s\":%.1f,\"mb_per_s\":%.3f,\"group\":%s,\"first_record_s\":%.6f,\"max_gap_"
        "ms\":%.3f}\n",
        json_string(rd_kafka_version_str()).c_str(), json_string(opt.topic).c_str(),
        static_cast<long long>(records), mean_size, static_cast<long long>(errors), elapsed,
        records_per_s, mb_per_s, use_group ? json_string(opt.group).c_str() : "null", first_s,
        max_gap_ms);
  } else {
    std::printf(
        "librdkafka %s consume: %lld records (mean %lld B) from %s (%s) in %.3f s\n"
        "  %.0f records/s, %.2f MB/s; %lld errors; first record after %.3f s, longest gap %.1f "
        "ms\n",
        rd_kafka_version_str(), static_cast<long long>(records), mean_size, opt.topic.c_str(),
        use_group ? ("group " + opt.group).c_str() : "assign, no group", elapsed, records_per_s,
        mb_per_s, static_cast<long long>(errors), first_s, max_gap_ms);
  }
  return records == opt.count && errors == 0 ? 0 : 1;
}

// ---- create-topic --------------------------------------------------------------------------

int run_create_topic(const Options& opt) {
  rd_kafka_conf_t* conf = make_conf(opt, {});
  if (!conf) return 2;
  Handle rk = make_handle(RD_KAFKA_PRODUCER, conf);
  if (!rk) return 2;
  // A broker that has just opened its port may not be registered yet, or no controller elected:
  // wait for a controller and enough brokers for the replicas before asking.
  const auto deadline = Clock::now() + std::chrono::milliseconds(opt.timeout_ms);
  for (;;) {
    const rd_kafka_metadata_t* md = nullptr;
    int brokers = 0;
    if (rd_kafka_metadata(rk.get(), 0, nullptr, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      brokers = md->broker_cnt;
      rd_kafka_metadata_destroy(md);
    }
    if (brokers >= opt.replication_factor && rd_kafka_controllerid(rk.get(), 2000) >= 0) break;
    if (Clock::now() > deadline || g_interrupted.load()) {
      std::fprintf(stderr, "rdkafka_bench: no controller or fewer than %d brokers\n",
                   opt.replication_factor);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  char err[512];
  rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(opt.topic.c_str(), opt.partitions,
                                                     opt.replication_factor, err, sizeof err);
  if (!topic) {
    std::fprintf(stderr, "rdkafka_bench: %s\n", err);
    return 2;
  }
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, opt.timeout_ms, err, sizeof err);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk.get());
  rd_kafka_CreateTopics(rk.get(), &topic, 1, options, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, opt.timeout_ms + 5000);
  int rc = 1;
  if (!ev) {
    std::fprintf(stderr, "rdkafka_bench: CreateTopics timed out\n");
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "rdkafka_bench: CreateTopics: %s\n", rd_kafka_event_error_string(ev));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    rc = 0;
    for (size_t i = 0; i < n; ++i) {
      if (rd_kafka_topic_result_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::fprintf(stderr, "rdkafka_bench: create %s: %s\n",
                     rd_kafka_topic_result_name(results[i]),
                     rd_kafka_topic_result_error_string(results[i]));
        rc = 1;
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy(topic);
  if (rc == 0) rc = wait_for_topic(rk.get(), opt.topic, opt.timeout_ms) > 0 ? 0 : 1;
  if (rc == 0)
    std::fprintf(stderr, "created topic %s (%d partitions)\n", opt.topic.c_str(), opt.partitions);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"Produce/consume benchmark through librdkafka's public C API"};
  app.require_subcommand(1);

  auto add_common = [&opt](CLI::App* cmd) {
    cmd->add_option("-b,--bootstrap", opt.bootstrap, "bootstrap servers")->capture_default_str();
    cmd->add_option("-t,--topic", opt.topic, "topic")->required();
    cmd->add_option("--timeout-ms", opt.timeout_ms, "give up after this long without progress")
        ->capture_default_str();
    cmd->add_option("-X", opt.extra, "librdkafka property key=value (repeatable)");
  };
  auto add_io = [&opt](CLI::App* cmd) {
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
  add_io(produce);
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
  add_io(consume);
  consume->add_option("--group", opt.group,
                      "join this consumer group (default: assign all partitions)");

  CLI::App* create = app.add_subcommand("create-topic", "create TOPIC and wait for its leaders");
  add_common(create);
  create->add_option("--partitions", opt.partitions, "partitions")->capture_default_str();
  create->add_option("--replication-factor", opt.replication_factor, "replicas")
      ->capture_default_str();

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
  if (consume->parsed()) return run_consume(opt);
  return run_create_topic(opt);
}
