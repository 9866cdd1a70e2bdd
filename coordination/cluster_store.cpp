// Typed znode access for brokers and the controller (see cluster_store.h).
#include "coordination/cluster_store.h"

#include <algorithm>
#include <charconv>

#include "common/log.h"

namespace sluice::coordination {

awaitable<Status> ensure_roots(ZkSession& zk) {
  for (const auto& path : znodes::persistent_roots()) {
    Status st = co_await zk.create_recursive(path);
    if (!st) co_return st;
  }
  co_return Status{};
}

awaitable<Result<std::string>> get_or_create_cluster_id(ZkSession& zk, std::string candidate) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = co_await zk.get(znodes::cluster_id());
    if (existing) co_return znodes::decode_cluster_id(existing->data);
    if (existing.error() != ZkErrc::no_node) co_return std::move(existing).error();
    std::string payload = znodes::encode_cluster_id(candidate);
    auto created = co_await zk.create(znodes::cluster_id(), std::move(payload));
    if (created) co_return candidate;
    if (created.error() != ZkErrc::node_exists) co_return std::move(created).error();
    // Another broker won the race: read its id.
  }
  co_return Error(ZkErrc::runtime_inconsistency, "cannot read or create /cluster/id");
}

awaitable<Result<std::unique_ptr<EphemeralNode>>> register_broker(
    ZkSession& zk, const znodes::BrokerRegistration& registration) {
  std::string path = znodes::broker(registration.id);
  std::string payload = znodes::encode(registration);
  auto node = co_await EphemeralNode::create(zk, path, std::move(payload));
  if (!node && node.error() == ZkErrc::node_exists) {
    co_return Error(ZkErrc::node_exists, "broker.id " + std::to_string(registration.id) +
                                             " is registered by another live broker (" +
                                             node.error().context() +
                                             "); choose another broker.id or stop that broker");
  }
  co_return node;
}

awaitable<Result<std::vector<znodes::BrokerRegistration>>> read_brokers(ZkSession& zk,
                                                                        Watcher on_change) {
  auto ids = co_await zk.children(znodes::broker_ids(), std::move(on_change));
  if (!ids) co_return std::move(ids).error();
  std::vector<znodes::BrokerRegistration> out;
  for (const auto& name : *ids) {
    int32_t id = 0;
    // No structured bindings in coroutines (docs/conventions.md, Coroutines).
    const auto parsed = std::from_chars(name.data(), name.data() + name.size(), id);
    if (parsed.ec != std::errc() || parsed.ptr != name.data() + name.size()) continue;
    auto data = co_await zk.get(znodes::broker(id));
    if (!data) {
      if (data.error() == ZkErrc::no_node) continue;  // died meanwhile
      co_return std::move(data).error();
    }
    auto reg = znodes::decode_broker(id, data->data);
    if (!reg) {
      SLUICE_LOG(warning) << "ignoring broker registration: " << reg.error().to_string();
      continue;
    }
    reg->czxid = data->stat.czxid;
    out.push_back(std::move(*reg));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  co_return out;
}

awaitable<Result<std::vector<std::string>>> read_topic_names(ZkSession& zk, Watcher on_change) {
  auto names = co_await zk.children(znodes::topics(), std::move(on_change));
  if (!names) co_return std::move(names).error();
  std::sort(names->begin(), names->end());
  co_return names;
}

awaitable<Result<znodes::TopicAssignment>> read_topic(ZkSession& zk, const std::string& topic,
                                                      Watcher on_change) {
  auto data = co_await zk.get(znodes::topic(topic), std::move(on_change));
  if (!data) co_return std::move(data).error();
  auto t = znodes::decode_topic(data->data);
  if (!t) co_return Error(t.error().code(), znodes::topic(topic) + ": " + t.error().context());
  co_return t;
}

awaitable<Result<std::optional<VersionedPartitionState>>> read_partition_state(
    ZkSession& zk, const std::string& topic, int32_t partition, Watcher on_change) {
  using Out = std::optional<VersionedPartitionState>;
  const std::string path = znodes::partition_state(topic, partition);
  auto data = co_await zk.get(path, on_change);
  if (!data) {
    if (data.error() != ZkErrc::no_node) co_return std::move(data).error();
    // Watch for its creation instead.
    if (on_change) {
      auto ex = co_await zk.exists(path, std::move(on_change));
      if (!ex) co_return std::move(ex).error();
      if (ex->has_value()) co_return co_await read_partition_state(zk, topic, partition);
    }
    co_return Out{};
  }
  auto s = znodes::decode_partition_state(data->data);
  if (!s) co_return Error(s.error().code(), path + ": " + s.error().context());
  co_return Out(VersionedPartitionState{std::move(*s), data->stat.version, data->stat.mzxid});
}

awaitable<Status> create_topic(ZkSession& zk, const std::string& topic,
                               const znodes::TopicAssignment& assignment,
                               const znodes::TopicConfig& config) {
  std::vector<ZkOp> ops;
  // A config left behind by an earlier topic of the same name is replaced.
  auto old_config = co_await zk.exists(znodes::topic_config(topic));
  if (!old_config) co_return std::move(old_config).error();
  ops.push_back(ZkOp::create(znodes::topic(topic), znodes::encode(assignment)));
  ops.push_back(ZkOp::create(znodes::partitions(topic), ""));
  if (old_config->has_value()) {
    ops.push_back(ZkOp::set(znodes::topic_config(topic), znodes::encode(config)));
  } else {
    ops.push_back(ZkOp::create(znodes::topic_config(topic), znodes::encode(config)));
  }
  auto r = co_await zk.multi(std::move(ops));
  if (!r) co_return std::move(r).error();
  co_return Status{};
}

awaitable<Status> update_topic_assignment(ZkSession& zk, const std::string& topic,
                                          const znodes::TopicAssignment& assignment,
                                          int32_t zk_version) {
  auto r = co_await zk.set(znodes::topic(topic), znodes::encode(assignment), zk_version);
  if (!r) co_return std::move(r).error();
  co_return Status{};
}

awaitable<Status> create_partition_state(ZkSession& zk, const std::string& topic, int32_t partition,
                                         const znodes::PartitionState& state) {
  auto parent = co_await zk.create_recursive(znodes::partition(topic, partition));
  if (!parent) co_return parent;
  auto r = co_await zk.create(znodes::partition_state(topic, partition), znodes::encode(state));
  if (!r) co_return std::move(r).error();
  co_return Status{};
}

awaitable<Result<int32_t>> update_partition_state(ZkSession& zk, const std::string& topic,
                                                  int32_t partition,
                                                  const znodes::PartitionState& state,
                                                  int32_t zk_version,
                                                  std::optional<int32_t> controller_epoch_version) {
  std::vector<ZkOp> ops;
  if (controller_epoch_version) {
    ops.push_back(ZkOp::check(znodes::controller_epoch(), *controller_epoch_version));
  }
  ops.push_back(
      ZkOp::set(znodes::partition_state(topic, partition), znodes::encode(state), zk_version));
  auto r = co_await zk.multi(std::move(ops));
  if (!r) co_return std::move(r).error();
  co_return r->back().stat.version;
}

awaitable<Result<znodes::TopicConfig>> read_topic_config(ZkSession& zk, const std::string& topic,
                                                         Watcher on_change) {
  const std::string path = znodes::topic_config(topic);
  auto data = co_await zk.get(path, on_change);
  if (!data) {
    if (data.error() != ZkErrc::no_node) co_return std::move(data).error();
    // A get on a missing node leaves no watch: watch for its creation instead.
    if (on_change) {
      auto ex = co_await zk.exists(path, std::move(on_change));
      if (!ex) co_return std::move(ex).error();
      if (ex->has_value()) {
        Watcher none;  // named argument (docs/conventions.md, Coroutines)
        co_return co_await read_topic_config(zk, topic, std::move(none));
      }
    }
    co_return znodes::TopicConfig{};
  }
  auto config = znodes::decode_topic_config(data->data);
  if (!config) co_return Error(config.error().code(), path + ": " + config.error().context());
  co_return config;
}

awaitable<Result<VersionedTopicConfig>> read_topic_config_versioned(ZkSession& zk,
                                                                    const std::string& topic) {
  const std::string path = znodes::topic_config(topic);
  auto data = co_await zk.get(path);
  if (!data) {
    if (data.error() == ZkErrc::no_node) co_return VersionedTopicConfig{};
    co_return std::move(data).error();
  }
  auto config = znodes::decode_topic_config(data->data);
  if (!config) co_return Error(config.error().code(), path + ": " + config.error().context());
  co_return VersionedTopicConfig{std::move(*config), data->stat.version};
}

awaitable<Status> update_topic_config(ZkSession& zk, const std::string& topic,
                                      const znodes::TopicConfig& config, int32_t zk_version) {
  std::vector<ZkOp> ops;
  ops.push_back(ZkOp::check(znodes::topic(topic), -1));
  if (zk_version < 0) {
    ops.push_back(ZkOp::create(znodes::topic_config(topic), znodes::encode(config)));
  } else {
    ops.push_back(ZkOp::set(znodes::topic_config(topic), znodes::encode(config), zk_version));
  }
  auto r = co_await zk.multi(std::move(ops));
  if (!r) co_return std::move(r).error();
  co_return Status{};
}

awaitable<Status> write_topic_config(ZkSession& zk, const std::string& topic,
                                     const znodes::TopicConfig& config) {
  std::string payload = znodes::encode(config);
  auto set = co_await zk.set(znodes::topic_config(topic), payload);
  if (set) co_return Status{};
  if (set.error() != ZkErrc::no_node) co_return std::move(set).error();
  auto created = co_await zk.create_recursive(znodes::topic_config(topic), payload);
  co_return created;
}

awaitable<Status> remove_recursive(ZkSession& zk, const std::string& path) {
  auto kids = co_await zk.children(path);
  if (!kids) {
    if (kids.error() == ZkErrc::no_node) co_return Status{};
    co_return std::move(kids).error();
  }
  for (const auto& k : *kids) {
    std::string child = path + "/" + k;
    Status st = co_await remove_recursive(zk, child);
    if (!st) co_return st;
  }
  auto st = co_await zk.remove(path);
  if (!st && st.error() != ZkErrc::no_node) co_return st;
  co_return Status{};
}

awaitable<Status> delete_topic_znodes(ZkSession& zk, const std::string& topic) {
  std::string topic_path = znodes::topic(topic);
  Status st = co_await remove_recursive(zk, topic_path);
  if (!st) co_return st;
  std::string config_path = znodes::topic_config(topic);
  st = co_await remove_recursive(zk, config_path);
  if (!st) co_return st;
  std::string marker = znodes::delete_topic(topic);
  co_return co_await remove_recursive(zk, marker);
}

}  // namespace sluice::coordination
