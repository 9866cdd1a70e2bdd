// `sluice topic ...`: create, list, describe, delete, add-partitions, alter-config — the
// Admin client's topic operations with readable output.
#include <iostream>
#include <set>

#include "protocol/error_codes.h"
#include "tools/cli/cli.h"

namespace sluice::tools {
namespace {

using namespace sluice::client;

struct CreateOptions {
  std::string name;
  int32_t partitions = 1;
  int16_t replicas = 1;
  std::vector<std::string> configs;
  bool validate_only = false;
};

int topic_create(const Context& ctx, const CreateOptions& o) {
  NewTopic t{.name = o.name, .partitions = o.partitions, .replication_factor = o.replicas};
  for (const auto& kv : o.configs) {
    auto p = split_key_value(kv);
    if (!p) return usage_error("-c expects key=value, got '" + kv + "'");
    t.configs[p->first] = p->second;
  }
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->create_topics({t}, {.validate_only = o.validate_only});
  if (!r) return report(r.error(), "create topic " + o.name, ctx);
  const auto& res = r->at(0);
  if (!res.status) return report(res.status.error(), "create topic " + o.name, ctx);
  std::cout << (o.validate_only ? "valid: topic " : "created topic ") << o.name << " ("
            << o.partitions << (o.partitions == 1 ? " partition" : " partitions")
            << ", replication factor " << o.replicas << ")\n";
  return kExitOk;
}

int topic_list(const Context& ctx, bool internal) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->list_topics({.include_internal = internal});
  if (!r) return report(r.error(), "list topics", ctx);
  Table table({"NAME", "PARTITIONS", "TOPIC-ID"});
  for (const auto& t : *r)
    table.add(
        {t.name + (t.internal ? " (internal)" : ""), std::to_string(t.partitions), t.topic_id});
  if (r->empty()) {
    std::cout << "no topics\n";
  } else {
    table.print(std::cout);
  }
  return kExitOk;
}

int topic_describe(const Context& ctx, const std::string& name, bool all_configs) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->describe_topics({name}, {.include_configs = true});
  if (!r) return report(r.error(), "describe topic " + name, ctx);
  const TopicDescription& d = r->at(0);
  if (!d.status) {
    if (kafka_code(d.status.error()) ==
        static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition)) {
      std::cerr << "error: topic '" << name << "' does not exist\n";
      return kExitKafkaError;
    }
    return report(d.status.error(), "describe topic " + name, ctx);
  }
  std::map<TopicPartition, OffsetSpec> earliest, latest;
  for (const auto& p : d.partitions) {
    earliest[{name, p.partition}] = OffsetSpec::earliest();
    latest[{name, p.partition}] = OffsetSpec::latest();
  }
  auto lo = admin->list_offsets(earliest);
  auto hi = admin->list_offsets(latest);
  std::cout << "topic:       " << d.name << (d.internal ? " (internal)" : "") << "\n";
  std::cout << "topic id:    " << (d.topic_id.empty() ? "-" : d.topic_id) << "\n";
  std::cout << "partitions:  " << d.partitions.size() << "\n";
  std::size_t rf = d.partitions.empty() ? 0 : d.partitions[0].replicas.size();
  std::cout << "replicas:    " << rf << "\n\n";
  Table table(
      {"PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "EARLIEST", "LATEST", "MESSAGES"});
  for (const auto& p : d.partitions) {
    TopicPartition tp{name, p.partition};
    std::string e = "?", l = "?", n = "?";
    if (lo && lo->count(tp)) e = std::to_string(lo->at(tp).offset);
    if (hi && hi->count(tp)) l = std::to_string(hi->at(tp).offset);
    if (lo && hi && lo->count(tp) && hi->count(tp))
      n = std::to_string(hi->at(tp).offset - lo->at(tp).offset);
    std::string leader = p.leader >= 0 ? std::to_string(p.leader) : "none";
    if (!p.status)
      leader += " (" + std::string(protocol::kafka_error_name(kafka_code(p.status.error()))) + ")";
    table.add({std::to_string(p.partition), leader, std::to_string(p.leader_epoch),
               join(p.replicas), join(p.isr), e, l, n});
  }
  table.print(std::cout);
  if (!lo || !hi) {
    std::cerr << "warning: offsets unavailable: " << (!lo ? lo.error() : hi.error()).to_string()
              << "\n";
  }
  if (d.configs) {
    std::cout << "\nconfigs" << (all_configs ? "" : " (overrides; --all-configs for every key)")
              << ":\n";
    Table configs({"KEY", "VALUE", "SOURCE"});
    for (const auto& c : *d.configs) {
      if (!all_configs && c.source != ConfigSource::dynamic_topic) continue;
      configs.add(
          {c.name, c.sensitive ? "(sensitive)" : c.value.value_or("(null)"), to_string(c.source)});
    }
    if (configs.size() == 0) {
      std::cout << "  (none)\n";
    } else {
      configs.print(std::cout, "  ");
    }
  }
  return (lo && hi) ? kExitOk : kExitKafkaError;
}

int topic_delete(const Context& ctx, const std::vector<std::string>& names) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->delete_topics(names);
  if (!r) return report(r.error(), "delete topics", ctx);
  int rc = kExitOk;
  for (const auto& item : *r) {
    if (item.status) {
      std::cout << "deleted topic " << item.name << "\n";
    } else if (kafka_code(item.status.error()) ==
               static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition)) {
      std::cerr << "error: topic '" << item.name << "' does not exist\n";
      rc = kExitKafkaError;
    } else {
      rc = report(item.status.error(), "delete topic " + item.name, ctx);
    }
  }
  return rc;
}

int topic_add_partitions(const Context& ctx, const std::string& name, int32_t total) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->create_partitions({{.topic = name, .total_count = total}});
  if (!r) return report(r.error(), "add partitions to " + name, ctx);
  if (!r->at(0).status) return report(r->at(0).status.error(), "add partitions to " + name, ctx);
  std::cout << "topic " << name << " now has " << total << " partitions\n";
  return kExitOk;
}

int topic_alter_config(const Context& ctx, const std::string& name,
                       const std::vector<std::string>& set, const std::vector<std::string>& del) {
  if (set.empty() && del.empty())
    return usage_error("nothing to change: give -s key=value or -d key");
  std::map<std::string, std::string> sets;
  for (const auto& kv : set) {
    auto p = split_key_value(kv);
    if (!p) return usage_error("-s expects key=value, got '" + kv + "'");
    sets[p->first] = p->second;
  }
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  // AlterConfigs replaces every override: start from the current ones.
  auto current = admin->describe_configs({{ConfigResource::Type::topic, name}});
  if (!current) return report(current.error(), "describe configs of " + name, ctx);
  if (!current->at(0).status) {
    if (kafka_code(current->at(0).status.error()) ==
        static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition)) {
      std::cerr << "error: topic '" << name << "' does not exist\n";
      return kExitKafkaError;
    }
    return report(current->at(0).status.error(), "describe configs of " + name, ctx);
  }
  std::map<std::string, std::string> overrides;
  for (const auto& e : current->at(0).entries) {
    if (e.source == ConfigSource::dynamic_topic && e.value) overrides[e.name] = *e.value;
  }
  for (const auto& k : del) overrides.erase(k);
  for (const auto& kv : sets) overrides[kv.first] = kv.second;
  auto r = admin->alter_configs({{{ConfigResource::Type::topic, name}, overrides}});
  if (!r) return report(r.error(), "alter configs of " + name, ctx);
  if (!r->at(0).status) return report(r->at(0).status.error(), "alter configs of " + name, ctx);
  for (const auto& kv : sets) std::cout << "set " << kv.first << "=" << kv.second << "\n";
  for (const auto& k : del) std::cout << "deleted " << k << " (back to its default)\n";
  return kExitOk;
}

}  // namespace

void add_topic_commands(CLI::App& app, Context& ctx) {
  auto* topic = app.add_subcommand("topic", "Create, list, describe, change and delete topics");
  topic->require_subcommand(1);

  {
    auto o = std::make_shared<CreateOptions>();
    auto* c = topic->add_subcommand("create", "Create a topic");
    c->add_option("name", o->name, "Topic name")->required();
    c->add_option("-p,--partitions", o->partitions, "Number of partitions")
        ->check(CLI::PositiveNumber);
    c->add_option("-r,--replicas", o->replicas, "Replication factor")->check(CLI::PositiveNumber);
    c->add_option("-c,--config", o->configs,
                  "Topic config key=value (repeatable), e.g. -c retention.ms=86400000");
    c->add_flag("--dry-run", o->validate_only, "Validate only; create nothing");
    c->callback([&ctx, o] { ctx.run = [&ctx, o] { return topic_create(ctx, *o); }; });
  }
  {
    auto internal = std::make_shared<bool>(false);
    auto* c = topic->add_subcommand("list", "List topics");
    c->alias("ls");
    c->add_flag("-i,--internal", *internal, "Include internal topics");
    c->callback(
        [&ctx, internal] { ctx.run = [&ctx, internal] { return topic_list(ctx, *internal); }; });
  }
  {
    auto name = std::make_shared<std::string>();
    auto all = std::make_shared<bool>(false);
    auto* c = topic->add_subcommand(
        "describe", "Partitions (leader, replicas, ISR, offsets) and configs of a topic");
    c->add_option("name", *name, "Topic name")->required();
    c->add_flag("-a,--all-configs", *all, "Show every config key, not only the topic's overrides");
    c->callback([&ctx, name, all] {
      ctx.run = [&ctx, name, all] { return topic_describe(ctx, *name, *all); };
    });
  }
  {
    auto names = std::make_shared<std::vector<std::string>>();
    auto* c = topic->add_subcommand("delete", "Delete topics");
    c->add_option("names", *names, "Topic names")->required();
    c->callback([&ctx, names] { ctx.run = [&ctx, names] { return topic_delete(ctx, *names); }; });
  }
  {
    auto name = std::make_shared<std::string>();
    auto total = std::make_shared<int32_t>(0);
    auto* c =
        topic->add_subcommand("add-partitions", "Grow a topic to a new total number of partitions");
    c->add_option("name", *name, "Topic name")->required();
    c->add_option("-n,--total", *total, "The new total number of partitions")
        ->required()
        ->check(CLI::PositiveNumber);
    c->callback([&ctx, name, total] {
      ctx.run = [&ctx, name, total] { return topic_add_partitions(ctx, *name, *total); };
    });
  }
  {
    auto name = std::make_shared<std::string>();
    auto set = std::make_shared<std::vector<std::string>>();
    auto del = std::make_shared<std::vector<std::string>>();
    auto* c = topic->add_subcommand("alter-config", "Set or remove topic config overrides");
    c->add_option("name", *name, "Topic name")->required();
    c->add_option("-s,--set", *set, "key=value to set (repeatable)");
    c->add_option("-d,--delete", *del, "key to remove, back to its default (repeatable)");
    c->callback([&ctx, name, set, del] {
      ctx.run = [&ctx, name, set, del] { return topic_alter_config(ctx, *name, *set, *del); };
    });
  }
}

}  // namespace sluice::tools
