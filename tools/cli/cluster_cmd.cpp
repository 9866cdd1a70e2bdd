// `sluice cluster ...`: `info` (brokers, controller, cluster id, through the Admin client) and
// `znodes` (a readable dump of Sluice's ZooKeeper tree, see docs/znodes.md).
#include <utility>
// <utility> before Asio: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>

#include "common/awaitable.h"
#include "coordination/zk_error.h"
#include "coordination/zk_session.h"
#include "tools/cli/cli.h"

namespace sluice::tools {
namespace {

using namespace sluice::client;
namespace coord = sluice::coordination;

int cluster_info(const Context& ctx) {
  auto admin = ctx.admin();
  if (!admin) return kExitUsage;
  auto c = admin->describe_cluster();
  if (!c) return report(c.error(), "describe cluster", ctx);
  std::cout << "cluster id:  " << (c->cluster_id.empty() ? "-" : c->cluster_id) << "\n";
  std::cout << "controller:  "
            << (c->controller_id >= 0 ? std::to_string(c->controller_id) : "none") << "\n";
  std::cout << "brokers:     " << c->brokers.size() << "\n\n";
  Table table({"ID", "ADDRESS", "RACK", "ROLE"});
  for (const auto& b : c->brokers) {
    table.add({std::to_string(b.id), b.host + ":" + std::to_string(b.port), b.rack.value_or("-"),
               b.id == c->controller_id ? "controller" : "-"});
  }
  table.print(std::cout);
  return kExitOk;
}

struct ZnodeDumpOptions {
  std::string zookeeper;
  std::string path = "/";
  bool stats = false;
};

bool printable(const std::string& data) {
  for (unsigned char ch : data) {
    if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') return false;
  }
  return true;
}

struct ZnodeLine {
  std::string path;
  std::string data;
  coord::NodeStat stat;
};

// Walks the tree under `root` depth first (children sorted). `prefix` is the chroot, read
// explicitly so that a dump never creates it.
awaitable<Result<std::vector<ZnodeLine>>> walk(coord::ZkSession& zk, std::string prefix,
                                               std::string root) {
  std::vector<ZnodeLine> out;
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    std::string path = stack.back();
    stack.pop_back();
    std::string full = prefix + (path == "/" && !prefix.empty() ? std::string() : path);
    auto node = co_await zk.get(full);
    if (!node) {
      if (node.error() == coord::ZkErrc::no_node) continue;  // deleted while we walked
      co_return Error(node.error().code(), full + ": " + node.error().context());
    }
    auto children = co_await zk.children(full);
    if (!children) {
      if (children.error() == coord::ZkErrc::no_node) continue;
      co_return Error(children.error().code(), full + ": " + children.error().context());
    }
    out.push_back({path, node->data, node->stat});
    std::vector<std::string> names = *children;
    std::sort(names.begin(), names.end(), std::greater<>());  // popped in ascending order
    for (const auto& name : names) {
      if (prefix.empty() && path == "/" && name == "zookeeper") continue;  // ZooKeeper's own
      stack.push_back(path == "/" ? "/" + name : path + "/" + name);
    }
  }
  co_return out;
}

awaitable<Result<std::vector<ZnodeLine>>> dump(std::string connect, std::string root,
                                               int64_t timeout_ms) {
  auto split = coord::split_chroot(connect);
  coord::ZkOptions options;
  options.connect = split.first;  // no chroot: connecting would create it
  options.connect_timeout = std::chrono::milliseconds(timeout_ms);
  options.session_timeout = std::chrono::milliseconds(std::max<int64_t>(timeout_ms, 6000));
  auto zk = co_await coord::ZkSession::connect(co_await boost::asio::this_coro::executor, options);
  if (!zk) co_return std::move(zk).error();
  std::string prefix = split.second == "/" ? std::string() : split.second;
  if (!prefix.empty()) {
    auto exists = co_await (*zk)->exists(prefix);
    if (!exists) co_return std::move(exists).error();
    if (!*exists) {
      co_return Error(make_error_code(coord::ZkErrc::no_node),
                      "chroot " + prefix + " does not exist (no Sluice cluster has used it)");
    }
  }
  co_return co_await walk(**zk, prefix, root);
}

// co_spawn needs a default-constructible result: hand the Result over through `out`.
awaitable<void> dump_into(std::string connect, std::string root, int64_t timeout_ms,
                          std::optional<Result<std::vector<ZnodeLine>>>* out) {
  out->emplace(co_await dump(std::move(connect), std::move(root), timeout_ms));
}

std::string time_text(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int cluster_znodes(const Context& ctx, const ZnodeDumpOptions& o) {
  if (o.path.empty() || o.path[0] != '/') return usage_error("--path must start with '/'");
  // The C client logs every failed connection attempt to stderr; the error below says it once.
  static FILE* devnull = std::fopen("/dev/null", "w");
  if (devnull) zoo_set_log_stream(devnull);
  boost::asio::io_context io;
  std::optional<Result<std::vector<ZnodeLine>>> result;
  boost::asio::co_spawn(io, dump_into(o.zookeeper, o.path, ctx.timeout_ms, &result),
                        boost::asio::detached);
  io.run();
  if (!result) {
    std::cerr << "error: reading ZooKeeper at " << o.zookeeper << ": no result\n";
    return kExitKafkaError;
  }
  const auto& r = *result;
  if (!r) {
    auto code = r.error().code();
    std::cerr << "error: reading ZooKeeper at " << o.zookeeper << ": " << r.error().to_string()
              << "\n";
    bool unreachable = code == coord::ZkErrc::operation_timeout ||
                       code == coord::ZkErrc::connection_loss ||
                       code.category() != coord::zk_category();
    return unreachable ? kExitUnreachable : kExitKafkaError;
  }
  for (const auto& z : *r) {
    std::cout << z.path;
    if (z.stat.ephemeral_owner != 0) std::cout << "  (ephemeral)";
    if (o.stats) {
      std::cout << "  [version " << z.stat.version << ", modified " << time_text(z.stat.mtime_ms)
                << ", " << z.stat.num_children << " children]";
    }
    std::cout << "\n";
    if (z.data.empty()) continue;
    if (printable(z.data)) {
      std::cout << "    " << z.data << "\n";
    } else {
      std::cout << "    (" << z.data.size() << " bytes of binary data)\n";
    }
  }
  return kExitOk;
}

}  // namespace

void add_cluster_commands(CLI::App& app, Context& ctx) {
  auto* cluster = app.add_subcommand("cluster", "Inspect the cluster");
  cluster->require_subcommand(1);
  {
    auto* c = cluster->add_subcommand("info", "Brokers, controller and cluster id");
    c->callback([&ctx] { ctx.run = [&ctx] { return cluster_info(ctx); }; });
  }
  {
    auto o = std::make_shared<ZnodeDumpOptions>();
    auto* c = cluster->add_subcommand("znodes",
                                      "Print Sluice's znodes in ZooKeeper (see docs/znodes.md)");
    c->add_option("-z,--zookeeper", o->zookeeper,
                  "ZooKeeper connect string host:port[,host:port][/chroot]")
        ->required();
    c->add_option("-p,--path", o->path, "Only this subtree (relative to the chroot)");
    c->add_flag("-s,--stat", o->stats,
                "Show each znode's version, modification time and child count");
    c->callback([&ctx, o] { ctx.run = [&ctx, o] { return cluster_znodes(ctx, *o); }; });
  }
}

}  // namespace sluice::tools
