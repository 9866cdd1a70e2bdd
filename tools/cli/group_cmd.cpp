// `sluice group ...`: list, describe (members, assignment, committed offset, log end offset and
// lag per partition), reset-offsets (a dry run unless --execute) and delete consumer groups.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>

#include "tools/cli/cli.h"

namespace sluice::tools {
namespace {

using namespace sluice::client;

int group_list(const Context& ctx) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->list_groups();
  if (!r) return report(r.error(), "list groups", ctx);
  if (r->empty()) {
    std::cout << "no groups\n";
    return kExitOk;
  }
  Table table({"GROUP", "STATE", "PROTOCOL-TYPE", "COORDINATOR"});
  for (const auto& g : *r) {
    table.add({g.group_id, g.state.empty() ? "-" : g.state,
               g.protocol_type.empty() ? "-" : g.protocol_type, std::to_string(g.coordinator)});
  }
  table.print(std::cout);
  return kExitOk;
}

// The partitions of `topics` (all of them), or an error for one that does not exist.
Result<std::vector<TopicPartition>> partitions_of(Admin& admin,
                                                  const std::set<std::string>& topics) {
  std::vector<TopicPartition> out;
  if (topics.empty()) return out;
  auto d = admin.describe_topics(std::vector<std::string>(topics.begin(), topics.end()));
  if (!d) return std::move(d).error();
  for (const auto& t : *d) {
    if (!t.status) return t.status.error();
    for (const auto& p : t.partitions) out.push_back({t.name, p.partition});
  }
  return out;
}

int group_describe(const Context& ctx, const std::string& group) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->describe_groups({group});
  if (!r) return report(r.error(), "describe group " + group, ctx);
  const GroupDescription& g = r->at(0);
  if (!g.status) return report(g.status.error(), "describe group " + group, ctx);
  auto committed = admin->list_consumer_group_offsets(group);
  if (!committed) return report(committed.error(), "offsets of group " + group, ctx);
  if (g.state == "Dead" && committed->empty()) {
    std::cerr << "error: group '" << group << "' does not exist\n";
    return kExitKafkaError;
  }
  std::cout << "group:        " << group << "\n";
  std::cout << "state:        " << g.state << "\n";
  std::cout << "protocol:     " << (g.protocol_type.empty() ? "-" : g.protocol_type)
            << (g.protocol.empty() ? "" : " / " + g.protocol) << "\n";
  std::cout << "coordinator:  " << g.coordinator << "\n";
  std::cout << "members:      " << g.members.size() << "\n";

  std::map<TopicPartition, const MemberDescription*> owner;
  std::set<std::string> topics;
  if (!g.members.empty()) {
    std::cout << "\n";
    Table members({"MEMBER-ID", "CLIENT-ID", "HOST", "ASSIGNMENT"});
    for (const auto& m : g.members) {
      std::string assignment;
      std::map<std::string, std::vector<int32_t>> by_topic;
      for (const auto& tp : m.assignment) {
        by_topic[tp.topic].push_back(tp.partition);
        owner[tp] = &m;
        topics.insert(tp.topic);
      }
      for (const auto& kv : by_topic) {
        if (!assignment.empty()) assignment += " ";
        assignment += kv.first + ":" + join(kv.second);
      }
      members.add({m.member_id, m.client_id, m.client_host, assignment.empty() ? "-" : assignment});
    }
    members.print(std::cout);
  }
  for (const auto& kv : *committed) topics.insert(kv.first.topic);
  // Log end offsets of every partition of the topics the group reads or committed.
  std::set<std::string> existing;
  std::vector<TopicPartition> all;
  for (const auto& t : topics) {
    auto ps = partitions_of(*admin, {t});
    if (!ps) continue;  // a deleted topic: its commits are still shown
    existing.insert(t);
    all.insert(all.end(), ps->begin(), ps->end());
  }
  for (const auto& kv : *committed) {
    if (!existing.count(kv.first.topic)) all.push_back(kv.first);
  }
  std::sort(all.begin(), all.end());
  std::map<TopicPartition, OffsetSpec> ask;
  for (const auto& tp : all) {
    if (existing.count(tp.topic)) ask[tp] = OffsetSpec::latest();
  }
  std::map<TopicPartition, ListedOffset> ends;
  if (!ask.empty()) {
    auto e = admin->list_offsets(ask);
    if (!e) return report(e.error(), "log end offsets of group " + group, ctx);
    ends = std::move(*e);
  }
  std::cout << "\n";
  if (all.empty()) {
    std::cout << "no committed offsets\n";
    return kExitOk;
  }
  Table offsets({"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER"});
  int64_t total_lag = 0;
  for (const auto& tp : all) {
    auto c = committed->find(tp);
    auto e = ends.find(tp);
    std::string lag = "-";
    if (c != committed->end() && e != ends.end()) {
      int64_t l = std::max<int64_t>(0, e->second.offset - c->second.offset);
      total_lag += l;
      lag = std::to_string(l);
    }
    auto o = owner.find(tp);
    offsets.add({tp.topic, std::to_string(tp.partition),
                 c != committed->end() ? std::to_string(c->second.offset) : "-",
                 e != ends.end() ? std::to_string(e->second.offset) : "-", lag,
                 o != owner.end() ? o->second->member_id : "-"});
  }
  offsets.print(std::cout);
  std::cout << "\ntotal lag: " << total_lag << "\n";
  return kExitOk;
}

// "2024-05-01T12:00:00", "2024-05-01T12:00:00.250Z", "2024-05-01T14:00:00+02:00" -> ms since
// the epoch. Without a zone the time is UTC.
std::optional<int64_t> parse_datetime(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t ms = 0;
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    std::string frac;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) frac += rest[i++];
    if (frac.empty()) return std::nullopt;
    frac = (frac + "000").substr(0, 3);
    ms = std::stoi(frac);
    rest = rest.substr(i);
  }
  int64_t offset_s = 0;
  if (rest == "Z" || rest.empty()) {
  } else if ((rest[0] == '+' || rest[0] == '-') && rest.size() == 6 && rest[3] == ':') {
    int h = 0, m = 0;
    if (std::sscanf(rest.c_str() + 1, "%2d:%2d", &h, &m) != 2) return std::nullopt;
    offset_s = (h * 3600 + m * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return (static_cast<int64_t>(t) - offset_s) * 1000 + ms;
}

struct ResetOptions {
  std::string group;
  std::vector<std::string> topics;  // "t" or "t:0,2"
  bool all_topics = false;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> to_offset;
  std::optional<std::string> to_datetime;
  bool execute = false;
};

int group_reset_offsets(const Context& ctx, const ResetOptions& o) {
  int targets = int(o.to_earliest) + int(o.to_latest) + int(o.to_offset.has_value()) +
                int(o.to_datetime.has_value());
  if (targets != 1)
    return usage_error(
        "give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime");
  if (o.topics.empty() && !o.all_topics)
    return usage_error("give --topic TOPIC[:PARTITIONS] or --all-topics");
  std::optional<int64_t> at_ms;
  if (o.to_datetime) {
    at_ms = parse_datetime(*o.to_datetime);
    if (!at_ms)
      return usage_error("--to-datetime expects YYYY-MM-DDTHH:MM:SS[.mmm][Z|+HH:MM], got '" +
                         *o.to_datetime + "'");
  }
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;

  auto described = admin->describe_groups({o.group});
  if (!described) return report(described.error(), "describe group " + o.group, ctx);
  const GroupDescription& g = described->at(0);
  if (!g.status) return report(g.status.error(), "describe group " + o.group, ctx);
  auto committed = admin->list_consumer_group_offsets(o.group);
  if (!committed) return report(committed.error(), "offsets of group " + o.group, ctx);

  // Which partitions.
  std::vector<TopicPartition> partitions;
  std::set<std::string> whole_topics;
  std::vector<TopicPartition> explicit_partitions;
  for (const auto& spec : o.topics) {
    auto colon = spec.find(':');
    if (colon == std::string::npos) {
      whole_topics.insert(spec);
      continue;
    }
    std::string topic = spec.substr(0, colon);
    std::stringstream in(spec.substr(colon + 1));
    std::string p;
    while (std::getline(in, p, ',')) {
      try {
        explicit_partitions.push_back({topic, std::stoi(p)});
      } catch (...) {
        return usage_error("bad partition '" + p + "' in --topic " + spec);
      }
    }
  }
  if (o.all_topics) {
    for (const auto& kv : *committed) whole_topics.insert(kv.first.topic);
  }
  auto ps = partitions_of(*admin, whole_topics);
  if (!ps) {
    if (kafka_code(ps.error()) == static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition)) {
      std::cerr << "error: " << ps.error().context() << " does not exist\n";
      return kExitKafkaError;
    }
    return report(ps.error(), "partitions", ctx);
  }
  partitions = std::move(*ps);
  partitions.insert(partitions.end(), explicit_partitions.begin(), explicit_partitions.end());
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  if (partitions.empty()) {
    std::cerr << "error: no partitions to reset\n";
    return kExitUsage;
  }

  // The new offsets: earliest/latest bound every target.
  std::map<TopicPartition, OffsetSpec> lo_req, hi_req, ts_req;
  for (const auto& tp : partitions) {
    lo_req[tp] = OffsetSpec::earliest();
    hi_req[tp] = OffsetSpec::latest();
    if (at_ms) ts_req[tp] = OffsetSpec::for_timestamp(*at_ms);
  }
  auto lo = admin->list_offsets(lo_req);
  if (!lo) return report(lo.error(), "earliest offsets", ctx);
  auto hi = admin->list_offsets(hi_req);
  if (!hi) return report(hi.error(), "latest offsets", ctx);
  std::map<TopicPartition, ListedOffset> by_time;
  if (at_ms) {
    auto t = admin->list_offsets(ts_req);
    if (!t) return report(t.error(), "offsets by time", ctx);
    by_time = std::move(*t);
  }
  std::map<TopicPartition, int64_t> plan;
  for (const auto& tp : partitions) {
    int64_t earliest = lo->at(tp).offset, latest = hi->at(tp).offset, target = 0;
    if (o.to_earliest) target = earliest;
    if (o.to_latest) target = latest;
    if (o.to_offset) target = std::clamp(*o.to_offset, earliest, latest);
    if (at_ms) target = by_time.at(tp).offset < 0 ? latest : by_time.at(tp).offset;
    plan[tp] = target;
  }

  Table table({"TOPIC", "PARTITION", "CURRENT", "NEW", "EARLIEST", "LATEST"});
  for (const auto& kv : plan) {
    auto c = committed->find(kv.first);
    table.add({kv.first.topic, std::to_string(kv.first.partition),
               c != committed->end() ? std::to_string(c->second.offset) : "-",
               std::to_string(kv.second), std::to_string(lo->at(kv.first).offset),
               std::to_string(hi->at(kv.first).offset)});
  }
  table.print(std::cout);
  if (!o.execute) {
    std::cout << "\ndry run: nothing changed (add --execute to commit these offsets)\n";
    return kExitOk;
  }
  if (g.state != "Empty" && g.state != "Dead") {
    std::cerr << "error: group '" << o.group << "' is " << g.state << " with " << g.members.size()
              << " member(s); stop its consumers before resetting its offsets\n";
    return kExitKafkaError;
  }
  auto st = admin->alter_consumer_group_offsets(o.group, plan);
  if (!st) return report(st.error(), "commit offsets of group " + o.group, ctx);
  std::cout << "\ncommitted " << plan.size() << " offset(s) for group " << o.group << "\n";
  return kExitOk;
}

int group_delete(const Context& ctx, const std::vector<std::string>& groups) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto r = admin->delete_groups(groups);
  if (!r) return report(r.error(), "delete groups", ctx);
  int rc = kExitOk;
  for (const auto& item : *r) {
    if (item.status) {
      std::cout << "deleted group " << item.name << "\n";
    } else if (kafka_code(item.status.error()) ==
               static_cast<int16_t>(KafkaErrc::group_id_not_found)) {
      std::cerr << "error: group '" << item.name << "' does not exist\n";
      rc = kExitKafkaError;
    } else if (kafka_code(item.status.error()) ==
               static_cast<int16_t>(KafkaErrc::non_empty_group)) {
      std::cerr << "error: group '" << item.name
                << "' has active members; stop its consumers first\n";
      rc = kExitKafkaError;
    } else {
      rc = report(item.status.error(), "delete group " + item.name, ctx);
    }
  }
  return rc;
}

}  // namespace

void add_group_commands(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("group", "List, describe, reset and delete consumer groups");
  group->require_subcommand(1);
  {
    auto* c = group->add_subcommand("list", "List every consumer group of the cluster");
    c->alias("ls");
    c->callback([&ctx] { ctx.run = [&ctx] { return group_list(ctx); }; });
  }
  {
    auto name = std::make_shared<std::string>();
    auto* c = group->add_subcommand(
        "describe", "Members, assignment, committed offset, log end offset and lag per partition");
    c->add_option("group", *name, "Group id")->required();
    c->callback([&ctx, name] { ctx.run = [&ctx, name] { return group_describe(ctx, *name); }; });
  }
  {
    auto o = std::make_shared<ResetOptions>();
    auto* c = group->add_subcommand(
        "reset-offsets",
        "Move a group's committed offsets (prints the plan; --execute commits it)");
    c->add_option("group", o->group, "Group id")->required();
    c->add_option("-t,--topic", o->topics, "TOPIC or TOPIC:P1,P2 (repeatable)");
    c->add_flag("--all-topics", o->all_topics, "Every topic the group has offsets for");
    c->add_flag("--to-earliest", o->to_earliest, "To the earliest offset");
    c->add_flag("--to-latest", o->to_latest, "To the log end offset");
    c->add_option("--to-offset", o->to_offset, "To this offset (clamped to the partition's range)");
    c->add_option(
        "--to-datetime", o->to_datetime,
        "To the first offset at or after YYYY-MM-DDTHH:MM:SS[.mmm][Z|+HH:MM] (UTC without a zone)");
    c->add_flag("--execute", o->execute, "Commit the new offsets (default: dry run)");
    c->callback([&ctx, o] { ctx.run = [&ctx, o] { return group_reset_offsets(ctx, *o); }; });
  }
  {
    auto names = std::make_shared<std::vector<std::string>>();
    auto* c = group->add_subcommand("delete", "Delete empty groups and their committed offsets");
    c->add_option("groups", *names, "Group ids")->required();
    c->callback([&ctx, names] { ctx.run = [&ctx, names] { return group_delete(ctx, *names); }; });
  }
}

}  // namespace sluice::tools
