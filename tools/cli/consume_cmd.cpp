// `sluice consume TOPIC`: prints records as a group member (-g, committing what it printed) or
// from partitions it assigns itself, in a kcat-like format or as JSON lines.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "sluice/consumer.h"
#include "tools/cli/cli.h"

namespace sluice::tools {
namespace {

using namespace sluice::client;
using Clock = std::chrono::steady_clock;

struct ConsumeOptions {
  std::string topic;
  bool from_beginning = false;
  std::optional<int64_t> offset;
  std::optional<int32_t> partition;
  int64_t count = 0;  // 0: no limit
  std::string group;
  std::optional<int64_t> idle_timeout_ms;
  std::string format = "%v\\n";
};

// A --format string, parsed once: literal text and %-placeholders.
class RecordFormat {
 public:
  // nullopt (after printing why) for an unknown placeholder.
  static std::optional<RecordFormat> parse(const std::string& spec) {
    RecordFormat f;
    if (spec == "json") {
      f.json_ = true;
      return f;
    }
    std::string literal;
    auto flush_literal = [&] {
      if (!literal.empty()) f.parts_.push_back({0, std::move(literal)});
      literal.clear();
    };
    for (std::size_t i = 0; i < spec.size(); ++i) {
      char c = spec[i];
      if (c == '\\' && i + 1 < spec.size()) {
        switch (char e = spec[++i]) {
          case 'n':
            literal += '\n';
            break;
          case 't':
            literal += '\t';
            break;
          case 'r':
            literal += '\r';
            break;
          case '0':
            literal += '\0';
            break;
          case '\\':
            literal += '\\';
            break;
          default:
            literal += '\\';
            literal += e;
        }
      } else if (c == '%' && i + 1 < spec.size()) {
        char p = spec[++i];
        if (p == '%') {
          literal += '%';
          continue;
        }
        if (std::string("kvpotThKS").find(p) == std::string::npos) {
          usage_error(std::string("unknown placeholder %") + p + " in --format (see --help)");
          return std::nullopt;
        }
        flush_literal();
        f.parts_.push_back({p, {}});
      } else {
        literal += c;
      }
    }
    flush_literal();
    return f;
  }

  void append(std::string& out, const ConsumerRecord& r) const {
    if (json_) return append_json(out, r);
    for (const auto& part : parts_) {
      switch (part.placeholder) {
        case 0:
          out += part.literal;
          break;
        case 'k':
          if (r.key) out += *r.key;
          break;
        case 'v':
          if (r.value) out += *r.value;
          break;
        case 'K':
          out += r.key ? std::to_string(r.key->size()) : "-1";
          break;
        case 'S':
          out += r.value ? std::to_string(r.value->size()) : "-1";
          break;
        case 'p':
          out += std::to_string(r.partition);
          break;
        case 'o':
          out += std::to_string(r.offset);
          break;
        case 't':
          out += r.topic;
          break;
        case 'T':
          out += std::to_string(r.timestamp_ms);
          break;
        case 'h':
          for (std::size_t i = 0; i < r.headers.size(); ++i) {
            if (i) out += ',';
            out += r.headers[i].key;
            out += '=';
            if (r.headers[i].value) out += *r.headers[i].value;
          }
          break;
      }
    }
  }

 private:
  struct Part {
    char placeholder = 0;  // 0: literal
    std::string literal;
  };

  static void append_json(std::string& out, const ConsumerRecord& r) {
    auto nullable = [](const std::optional<std::string>& s) {
      return s ? json_string(*s) : std::string("null");
    };
    out += "{\"topic\":" + json_string(r.topic) + ",\"partition\":" + std::to_string(r.partition) +
           ",\"offset\":" + std::to_string(r.offset) +
           ",\"timestamp\":" + std::to_string(r.timestamp_ms) + ",\"timestamp_type\":\"" +
           (r.timestamp_type == TimestampType::create_time ? "CreateTime" : "LogAppendTime") +
           "\",\"key\":" + nullable(r.key) + ",\"value\":" + nullable(r.value) + ",\"headers\":[";
    for (std::size_t i = 0; i < r.headers.size(); ++i) {
      if (i) out += ',';
      out += "{\"key\":" + json_string(r.headers[i].key) +
             ",\"value\":" + nullable(r.headers[i].value) + "}";
    }
    out += "]}\n";
  }

  bool json_ = false;
  std::vector<Part> parts_;
};

int consume(const Context& ctx, const ConsumeOptions& o) {
  auto format = RecordFormat::parse(o.format);
  if (!format) return kExitUsage;
  const bool grouped = !o.group.empty();
  if (grouped && (o.offset || o.partition)) {
    return usage_error(
        "--offset and --partition pick partitions by hand: not with -g (the group assigns them)");
  }
  if (o.offset && o.from_beginning)
    return usage_error("--offset and --from-beginning exclude each other");
  const int64_t idle_timeout_ms = o.idle_timeout_ms.value_or(o.count > 0 ? 60000 : 0);

  catch_interrupts();
  auto topic = lookup_topic(ctx, o.topic, /*auto_create=*/false);
  if (topic.exit_code != kExitOk) return topic.exit_code;
  if (o.partition && *o.partition >= topic.partitions) {
    std::cerr << "error: topic '" << o.topic << "' has no partition " << *o.partition << " (it has "
              << topic.partitions << ")\n";
    return kExitKafkaError;
  }

  auto config = consumer_config(ctx);
  config.group_id = o.group;
  config.enable_auto_commit = false;  // with -g, exactly what was printed is committed
  config.auto_offset_reset = o.from_beginning ? OffsetReset::earliest : OffsetReset::latest;
  auto created = Consumer::create(config);
  if (!created) return report(created.error(), "consumer", ctx);
  Consumer& consumer = **created;

  // Next offset to commit per partition: one past the last record printed.
  OffsetMap printed;
  auto commit_printed = [&](const std::vector<TopicPartition>& partitions) -> Status {
    OffsetMap some;
    for (const auto& tp : partitions) {
      auto it = printed.find(tp);
      if (it == printed.end()) continue;
      some.insert(*it);
      printed.erase(it);
    }
    if (some.empty()) return {};
    return consumer.commit_sync(some);
  };
  if (grouped) {
    RebalanceListener listener;
    // Listeners run inside poll() on this thread, so a blocking commit is allowed here.
    listener.on_revoked = [&](const std::vector<TopicPartition>& tps) {
      if (auto st = commit_printed(tps); !st)
        std::cerr << "warning: commit on rebalance: " << st.error().to_string() << "\n";
    };
    listener.on_lost = [&](const std::vector<TopicPartition>& tps) {
      for (const auto& tp : tps) printed.erase(tp);
    };
    if (auto st = consumer.subscribe({o.topic}, listener); !st)
      return report(st.error(), "subscribe", ctx);
  } else {
    std::vector<TopicPartition> tps;
    if (o.partition) {
      tps.push_back({o.topic, *o.partition});
    } else {
      for (int32_t p = 0; p < topic.partitions; ++p) tps.push_back({o.topic, p});
    }
    if (auto st = consumer.assign(tps); !st) return report(st.error(), "assign", ctx);
    Status st;
    if (o.offset) {
      for (const auto& tp : tps) {
        if (st = consumer.seek(tp, *o.offset); !st) break;
      }
    } else {
      st = o.from_beginning ? consumer.seek_to_beginning() : consumer.seek_to_end();
    }
    if (!st) return report(st.error(), "seek", ctx);
  }
  accept_interrupts();

  int rc = kExitOk;
  int64_t n = 0;
  bool timed_out = false;
  std::string out;
  auto last_record = Clock::now();
  while (!interrupted() && (o.count == 0 || n < o.count)) {
    auto records = consumer.poll(Millis(200));
    if (!records) {
      std::cerr << "error: " << records.error().to_string() << "\n";
      if (!is_retriable(records.error()) && records.error() != ClientErrc::rebalance_in_progress) {
        rc = exit_code_for(records.error());
        break;
      }
      std::this_thread::sleep_for(Millis(200));
      continue;
    }
    const auto now = Clock::now();
    if (records->empty()) {
      if (idle_timeout_ms > 0 && now - last_record >= Millis(idle_timeout_ms)) {
        timed_out = true;
        break;
      }
      continue;
    }
    last_record = now;
    out.clear();
    for (const auto& r : *records) {
      if (o.count > 0 && n >= o.count) break;
      format->append(out, r);
      printed[{r.topic, r.partition}] = r.offset + 1;
      ++n;
    }
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
      break;  // stdout closed (`| head`): stop reading
    }
  }

  if (grouped) {
    std::vector<TopicPartition> all;
    for (const auto& entry : printed) all.push_back(entry.first);
    if (auto st = commit_printed(all); !st)
      rc = report(st.error(), "commit offsets of group " + o.group, ctx);
  }
  if (auto st = consumer.close(); !st)
    std::cerr << "warning: close: " << st.error().to_string() << "\n";
  std::cerr << "consumed " << n << (n == 1 ? " record" : " records") << " from " << o.topic
            << (interrupted() ? " (interrupted)" : "") << "\n";
  if (timed_out && o.count > 0 && n < o.count) {
    std::cerr << "error: no records for " << idle_timeout_ms << " ms; " << n << " of " << o.count
              << " read\n";
    if (rc == kExitOk) rc = kExitKafkaError;
  }
  return rc;
}

}  // namespace

void add_consume_commands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ConsumeOptions>();
  auto* c = app.add_subcommand("consume", "Print records of a topic");
  c->add_option("topic", o->topic, "Topic name")->required();
  c->add_flag(
      "--from-beginning", o->from_beginning,
      "Start at the earliest offset (with -g: only for partitions the group has no commit for)");
  c->add_option("--offset", o->offset,
                "Start at this offset (of -p's partition, else of every partition)")
      ->check(CLI::NonNegativeNumber);
  c->add_option("-p,--partition", o->partition, "Read only this partition")
      ->check(CLI::NonNegativeNumber);
  c->add_option("-n,--count", o->count, "Exit after N records")->check(CLI::PositiveNumber);
  c->add_option(
      "-g,--group", o->group,
      "Consume as a member of GROUP; commits the offsets of the records printed before exiting");
  c->add_option("--timeout-ms", o->idle_timeout_ms,
                "Exit after this long without records (0: never). Default: never, or 60000 with -n")
      ->check(CLI::NonNegativeNumber);
  c->add_option("-f,--format", o->format,
                "Output per record: 'json' (one object per line) or text with %k key, %v value, %p "
                "partition,\n"
                "%o offset, %t topic, %T timestamp (ms), %h headers (k=v,...), %K/%S key/value "
                "size, %%, \\n, \\t");
  c->footer(
      "Without -g: reads every partition (or -p's) from the end, --from-beginning or --offset; "
      "commits\n"
      "nothing. With -g: the group's committed offsets, else the end (or the beginning with\n"
      "--from-beginning). Null keys and values print as empty text (JSON: null).\n"
      "Exit 0 after -n records, --timeout-ms of silence or Ctrl-C (which commits with -g); 1 when "
      "-n\n"
      "records did not arrive in time or on a Kafka error.\n"
      "Example: sluice consume events -g readers --from-beginning -n 10 -f '%p:%o %k=%v\\n'");
  c->callback([&ctx, o] { ctx.run = [&ctx, o] { return consume(ctx, *o); }; });
}

}  // namespace sluice::tools
