// What `sluice produce`, `consume` and `perf` share: client configurations built from the global
// options, the topic lookup (with the broker's auto-creation), Ctrl-C handling and JSON strings.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>

#include "sluice/producer.h"
#include "tools/cli/cli.h"

namespace sluice::tools {

using namespace sluice::client;

std::optional<Acks> parse_acks(const std::string& text) {
  if (text == "0") return Acks::none;
  if (text == "1") return Acks::leader;
  if (text == "all" || text == "-1") return Acks::all;
  return std::nullopt;
}

std::optional<CompressionType> parse_compression(const std::string& text) {
  if (text == "none") return CompressionType::none;
  if (text == "gzip") return CompressionType::gzip;
  if (text == "snappy") return CompressionType::snappy;
  if (text == "lz4") return CompressionType::lz4;
  if (text == "zstd") return CompressionType::zstd;
  return std::nullopt;
}

ProducerConfig producer_config(const Context& ctx) {
  ProducerConfig c;
  c.client_id = "sluice-cli";
  c.bootstrap_servers = ctx.broker_list();
  c.connect_timeout = Millis(std::min<int64_t>(ctx.timeout_ms, 5000));
  return c;
}

ConsumerConfig consumer_config(const Context& ctx) {
  ConsumerConfig c;
  c.client_id = "sluice-cli";
  c.bootstrap_servers = ctx.broker_list();
  c.connect_timeout = Millis(std::min<int64_t>(ctx.timeout_ms, 5000));
  return c;
}

namespace {

bool is_unknown_topic(const Error& e) {
  return kafka_code(e) == static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition);
}

int no_such_topic(const std::string& topic) {
  std::cerr << "error: topic '" << topic << "' does not exist\n";
  return kExitKafkaError;
}

}  // namespace

TopicLookup lookup_topic(const Context& ctx, const std::string& topic, bool auto_create) {
  {
    auto admin = ctx.admin();
    if (!admin) return {.exit_code = kExitUsage};
    // The Admin client never asks for auto-creation: an existing topic is found here.
    auto d = admin->describe_topics({topic});
    if (!d) return {.exit_code = report(d.error(), "topic " + topic, ctx)};
    const auto& t = d->at(0);
    if (t.status) return {.partitions = static_cast<int32_t>(t.partitions.size())};
    if (!is_unknown_topic(t.status.error()))
      return {.exit_code = report(t.status.error(), "topic " + topic, ctx)};
    if (!auto_create) return {.exit_code = no_such_topic(topic)};
  }
  // Whether an unknown topic is created is the broker's choice (auto.create.topics.enable): a
  // producer's metadata request allows it. A broker that refuses keeps answering
  // UNKNOWN_TOPIC_OR_PARTITION, which the producer retries until max.block.ms: keep that short.
  auto config = producer_config(ctx);
  config.max_block = Millis(std::min<int64_t>(ctx.timeout_ms, 3000));
  auto probe = Producer::create(config);
  if (!probe) return {.exit_code = report(probe.error(), "producer", ctx)};
  auto n = (*probe)->partition_count(topic);
  if (!n) {
    if (is_unknown_topic(n.error()) || n.error() == ClientErrc::timed_out)
      return {.exit_code = no_such_topic(topic)};
    return {.exit_code = report(n.error(), "topic " + topic, ctx)};
  }
  std::cerr << "topic '" << topic << "' did not exist; the broker created it (" << *n
            << (*n == 1 ? " partition)\n" : " partitions)\n");
  return {.partitions = *n};
}

namespace {

// The one process-wide flag a signal handler may touch.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

}  // namespace

void catch_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A closed pipe (`sluice consume ... | head`) shows as a failed write, not a dead process.
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void accept_interrupts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

bool interrupted() { return g_interrupted.load(); }

std::string json_string(const std::string& bytes) {
  std::string out = "\"";
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  char buf[8];
  for (std::size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
      }
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // A valid UTF-8 sequence is copied; any other byte becomes the code point of the same
      // value (as Latin-1), so the output is always valid JSON.
      std::size_t len = (c & 0xe0) == 0xc0   ? 2
                        : (c & 0xf0) == 0xe0 ? 3
                        : (c & 0xf8) == 0xf0 ? 4
                                             : 0;
      bool valid = len != 0 && i + len <= n && c >= 0xc2 && c <= 0xf4;
      for (std::size_t k = 1; valid && k < len; ++k) valid = (s[i + k] & 0xc0) == 0x80;
      if (valid && len == 3 && c == 0xe0 && s[i + 1] < 0xa0) valid = false;   // overlong
      if (valid && len == 3 && c == 0xed && s[i + 1] >= 0xa0) valid = false;  // surrogate
      if (valid && len == 4 && c == 0xf0 && s[i + 1] < 0x90) valid = false;   // overlong
      if (valid && len == 4 && c == 0xf4 && s[i + 1] >= 0x90) valid = false;  // > U+10FFFF
      if (valid) {
        out.append(bytes, i, len);
        i += len;
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
        ++i;
      }
    }
  }
  out += '"';
  return out;
}

}  // namespace sluice::tools
