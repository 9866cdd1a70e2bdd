// `sluice produce TOPIC`: records from stdin (one per line or per delimiter), with keys split at
// a separator, headers, acks and compression; every record's delivery report is checked.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "common/mutex.h"
#include "sluice/producer.h"
#include "tools/cli/cli.h"

namespace sluice::tools {
namespace {

using namespace sluice::client;

struct ProduceOptions {
  std::string topic;
  std::string delimiter = "\\n";
  std::optional<std::string> key_separator;
  std::vector<std::string> headers;
  std::optional<int32_t> partition;
  std::string acks = "all";
  std::string compression = "none";
  std::optional<std::string> null_value;
  int64_t linger_ms = 5;
};

// "\n", "\t", "\r", "\0" and "\\" in a delimiter or separator given on the command line.
std::string unescape(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 == in.size()) {
      out += in[i];
      continue;
    }
    switch (in[++i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        out += '\\';
        out += in[i];
    }
  }
  return out;
}

// Delivery reports arrive on the producer's thread; the totals are read after flush().
class DeliveryTally {
 public:
  static constexpr int kMaxPrinted = 20;

  void on_report(const Result<RecordMetadata>& r) {
    if (r) {
      acked_.fetch_add(1);
      return;
    }
    MutexLock lock(mu_);
    if (++failed_ == 1) first_error_ = r.error();
    if (failed_ <= kMaxPrinted)
      std::cerr << "error: delivery failed: " << r.error().to_string() << "\n";
    if (failed_ == kMaxPrinted + 1) std::cerr << "error: (more delivery errors not shown)\n";
  }
  int64_t acked() const { return acked_.load(); }
  int64_t failed() const {
    MutexLock lock(mu_);
    return failed_;
  }
  std::optional<Error> first_error() const {
    MutexLock lock(mu_);
    return first_error_;
  }

 private:
  std::atomic<int64_t> acked_{0};
  mutable Mutex mu_;
  int64_t failed_ GUARDED_BY(mu_) = 0;
  std::optional<Error> first_error_ GUARDED_BY(mu_);
};

int produce(const Context& ctx, const ProduceOptions& o) {
  const std::string delimiter = unescape(o.delimiter);
  if (delimiter.empty()) return usage_error("--delimiter must not be empty");
  std::optional<std::string> separator;
  if (o.key_separator) {
    separator = unescape(*o.key_separator);
    if (separator->empty()) return usage_error("--key-separator must not be empty");
  }
  std::vector<Header> headers;
  for (const auto& h : o.headers) {
    auto kv = split_key_value(h);
    if (!kv) return usage_error("-H expects key=value, got '" + h + "'");
    headers.push_back({kv->first, kv->second});
  }
  auto config = producer_config(ctx);
  auto acks = parse_acks(o.acks);
  if (!acks) return usage_error("--acks must be 0, 1 or all, got '" + o.acks + "'");
  auto compression = parse_compression(o.compression);
  if (!compression) return usage_error("unknown --compression '" + o.compression + "'");
  config.acks = *acks;
  config.enable_idempotence = *acks == Acks::all;  // idempotence needs acks=all
  config.compression = *compression;
  config.linger = Millis(o.linger_ms);

  catch_interrupts();
  auto topic = lookup_topic(ctx, o.topic, /*auto_create=*/true);
  if (topic.exit_code != kExitOk) return topic.exit_code;
  if (o.partition && (*o.partition < 0 || *o.partition >= topic.partitions)) {
    std::cerr << "error: topic '" << o.topic << "' has no partition " << *o.partition << " (it has "
              << topic.partitions << ")\n";
    return kExitKafkaError;
  }
  auto producer = Producer::create(config);
  if (!producer) return report(producer.error(), "producer", ctx);
  accept_interrupts();
  if (isatty(STDIN_FILENO)) {
    std::cerr << "producing to " << o.topic << ": one record per "
              << (delimiter == "\n" ? "line" : "delimiter") << ", Ctrl-D to finish\n";
  }

  DeliveryTally tally;
  int64_t sent = 0;
  auto send = [&](std::string text) {
    ProducerRecord r{.topic = o.topic, .partition = o.partition, .headers = headers};
    if (separator) {
      auto at = text.find(*separator);
      if (at != std::string::npos) {
        r.key = text.substr(0, at);
        text.erase(0, at + separator->size());
      }
    }
    if (!(o.null_value && text == *o.null_value)) r.value = std::move(text);
    ++sent;
    (*producer)->send(std::move(r),
                      [&tally](const Result<RecordMetadata>& md) { tally.on_report(md); });
  };

  // read(2), not iostreams: a line typed at a terminal is sent at once, not when a buffer fills.
  std::string pending;
  char buf[64 * 1024];
  bool read_error = false;
  while (!interrupted()) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::cerr << "error: reading stdin: " << std::strerror(errno) << "\n";
      read_error = true;
      break;
    }
    if (n == 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (;;) {
      auto at = pending.find(delimiter, start);
      if (at == std::string::npos) break;
      send(pending.substr(start, at - start));
      start = at + delimiter.size();
    }
    pending.erase(0, start);
  }
  if (!pending.empty() && !interrupted())
    send(std::move(pending));  // the last record, unterminated

  auto flushed = (*producer)->flush(config.delivery_timeout);
  (void)(*producer)->close(Millis(0));
  const int64_t acked = tally.acked();
  const int64_t failed = tally.failed();
  std::cerr << "produced " << acked << (acked == 1 ? " record" : " records") << " to " << o.topic;
  if (failed > 0) std::cerr << "; " << failed << " failed";
  if (sent - acked - failed > 0)
    std::cerr << "; " << (sent - acked - failed) << " without a delivery report";
  std::cerr << (interrupted() ? " (interrupted)\n" : "\n");
  if (!flushed && failed == 0) return report(flushed.error(), "flush", ctx);
  if (failed > 0) return exit_code_for(*tally.first_error());
  if (read_error || acked != sent) return kExitKafkaError;
  return kExitOk;
}

}  // namespace

void add_produce_commands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ProduceOptions>();
  auto* c = app.add_subcommand("produce", "Produce records read from stdin, one per line");
  c->add_option("topic", o->topic, "Topic name")->required();
  c->add_option("-d,--delimiter", o->delimiter, "Record delimiter (\\n, \\t, \\0 understood)");
  c->add_option(
      "-k,--key-separator", o->key_separator,
      "Split each record into key and value at the first SEP (no SEP in a record: null key)");
  c->add_option("-H,--header", o->headers, "Header key=value added to every record (repeatable)");
  c->add_option("-p,--partition", o->partition,
                "Partition to write to (default: by key, sticky for null keys)")
      ->check(CLI::NonNegativeNumber);
  c->add_option("--acks", o->acks, "Acknowledgements: 0, 1 or all")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}));
  c->add_option("-z,--compression", o->compression, "Compression codec")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
  c->add_option("--null-value", o->null_value,
                "A value equal to STR is sent as null (a tombstone)");
  c->add_option("--linger-ms", o->linger_ms, "Batching delay (linger.ms)")
      ->check(CLI::NonNegativeNumber);
  c->footer(
      "Prints \"produced N records to TOPIC\" to stderr. Exit 0 only if every record was\n"
      "acknowledged; delivery errors are printed with the Kafka error name. An unknown topic is\n"
      "created if the brokers auto-create topics; otherwise exit 1.\n"
      "Example: printf 'alice:signed up\\nbob:paid\\n' | sluice produce events -k :");
  c->callback([&ctx, o] { ctx.run = [&ctx, o] { return produce(ctx, *o); }; });
}

}  // namespace sluice::tools
