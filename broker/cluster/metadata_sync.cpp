// MetadataSync: full re-reads of the cluster znodes, triggered by watches.
#include "broker/cluster/metadata_sync.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "common/log.h"
#include "coordination/cluster_store.h"

namespace sluice::broker::cluster {
namespace asio = boost::asio;
using namespace coordination;

// Shared with watch callbacks, which may fire after the MetadataSync is gone.
struct MetadataSync::Signal {
  explicit Signal(asio::any_io_executor ex) : timer(ex) {}
  bool dirty = true;
  bool stopped = false;
  asio::steady_timer timer;     // cancelled to wake the run loop
  std::set<std::string> armed;  // paths with a pending watch

  void wake() {
    dirty = true;
    timer.cancel();
  }
  // A read of `path` failed: ZooKeeper set no watch for it (a failed get or get-children
  // never does), so the next refresh must ask for one again. A read that succeeded but did
  // not decode did set its watch, and keeps it.
  Error unarm(const std::string& path, Error error) {
    if (error != ZkErrc::data_inconsistency) armed.erase(path);
    return error;
  }
};

MetadataSync::MetadataSync(ZkSession& zk, MetadataCache& cache, std::string cluster_id)
    : zk_(zk),
      cache_(cache),
      cluster_id_(std::move(cluster_id)),
      signal_(std::make_shared<Signal>(zk.get_executor())) {
  listener_id_ = zk_.add_listener([weak = std::weak_ptr<Signal>(signal_)](SessionEvent e) {
    auto s = weak.lock();
    if (!s) return;
    // A new session has none of the old watches: arm everything again.
    if (e == SessionEvent::reestablished) s->armed.clear();
    if (e == SessionEvent::reestablished || e == SessionEvent::connected) s->wake();
  });
}

MetadataSync::~MetadataSync() {
  stop();
  zk_.remove_listener(listener_id_);
}

void MetadataSync::request_refresh() { signal_->wake(); }

void MetadataSync::stop() {
  signal_->stopped = true;
  signal_->timer.cancel();
}

Watcher MetadataSync::watch(const std::string& path) {
  if (!signal_->armed.insert(path).second) return {};
  return [weak = std::weak_ptr<Signal>(signal_), path](const WatchEvent&) {
    auto s = weak.lock();
    if (!s) return;
    s->armed.erase(path);
    s->wake();
  };
}

awaitable<Status> MetadataSync::refresh() {
  signal_->dirty = false;
  auto next = std::make_shared<Snapshot>();
  next->cluster_id = cluster_id_;

  auto controller = co_await zk_.get(znodes::controller(), watch(znodes::controller()));
  if (controller) {
    auto info = znodes::decode_controller(controller->data);
    if (info) next->controller_id = info->broker_id;
  } else if (controller.error() == ZkErrc::no_node) {
    // No controller right now: watch for the next one.
    signal_->armed.erase(znodes::controller());
    auto ex = co_await zk_.exists(znodes::controller(), watch(znodes::controller()));
    if (!ex) co_return signal_->unarm(znodes::controller(), std::move(ex).error());
  } else {
    co_return signal_->unarm(znodes::controller(), std::move(controller).error());
  }

  auto brokers = co_await read_brokers(zk_, watch(znodes::broker_ids()));
  if (!brokers) co_return signal_->unarm(znodes::broker_ids(), std::move(brokers).error());
  for (auto& b : *brokers) next->brokers[b.id] = std::move(b);

  auto shutting =
      co_await zk_.children(znodes::controlled_shutdowns(), watch(znodes::controlled_shutdowns()));
  if (shutting) {
    for (const auto& name : *shutting) {
      int32_t id = -1;
      auto parsed = std::from_chars(name.data(), name.data() + name.size(), id);
      if (parsed.ec == std::errc() && parsed.ptr == name.data() + name.size())
        next->shutting_down.insert(id);
    }
  } else if (shutting.error() == ZkErrc::no_node) {
    // A cluster created before the path existed: watch for its creation.
    signal_->armed.erase(znodes::controlled_shutdowns());
    auto ex =
        co_await zk_.exists(znodes::controlled_shutdowns(), watch(znodes::controlled_shutdowns()));
    if (!ex) co_return signal_->unarm(znodes::controlled_shutdowns(), std::move(ex).error());
  } else {
    co_return signal_->unarm(znodes::controlled_shutdowns(), std::move(shutting).error());
  }

  auto names = co_await read_topic_names(zk_, watch(znodes::topics()));
  if (!names) co_return signal_->unarm(znodes::topics(), std::move(names).error());
  for (const auto& name : *names) {
    auto assignment = co_await read_topic(zk_, name, watch(znodes::topic(name)));
    if (!assignment) {
      if (assignment.error() == ZkErrc::no_node) {
        // Deleted meanwhile. The get left no watch: a topic re-created under this name must
        // be watched again (the children watch on /brokers/topics brings the next read).
        signal_->armed.erase(znodes::topic(name));
        continue;
      }
      co_return signal_->unarm(znodes::topic(name), std::move(assignment).error());
    }
    TopicInfo topic;
    topic.name = name;
    topic.topic_id = assignment->topic_id;
    // No structured bindings in coroutines (docs/conventions.md, Coroutines).
    for (const auto& entry : assignment->partitions) {
      const int32_t p = entry.first;
      PartitionInfo info;
      info.partition = p;
      info.replicas = entry.second;
      const std::string path = znodes::partition_state(name, p);
      auto state = co_await read_partition_state(zk_, name, p, watch(path));
      if (!state) co_return signal_->unarm(path, std::move(state).error());
      if (*state) {
        info.state = (*state)->state;
        info.state_zk_version = (*state)->zk_version;
        info.state_mzxid = (*state)->mzxid;
      }
      topic.partitions[p] = std::move(info);
    }
    // Watched, so AlterConfigs (from any broker, or a tool writing the znode) reaches the
    // logs and replica manager of every broker at once (docs/znodes.md).
    const std::string config_path = znodes::topic_config(name);
    auto config = co_await read_topic_config(zk_, name, watch(config_path));
    if (config) {
      topic.config = config->config;
    } else if (config.error() == ZkErrc::data_inconsistency) {
      SLUICE_LOG(warning) << "ignoring the overrides of topic " << name << ": "
                          << config.error().to_string();
    } else {
      // Publishing without the overrides would silently revert the topic to the defaults.
      signal_->armed.erase(config_path);
      co_return std::move(config).error();
    }
    next->topics[name] = std::move(topic);
  }

  auto previous = cache_.current();
  next->version = ++version_;
  std::shared_ptr<const Snapshot> published = next;
  cache_.publish(published);
  for (auto& l : listeners_) l(previous, published);
  co_return Status{};
}

awaitable<void> MetadataSync::run() {
  auto signal = signal_;
  while (!signal->stopped) {
    if (!signal->dirty) {
      // The periodic re-read catches anything a lost watch would hide.
      signal->timer.expires_after(std::chrono::seconds(10));
      boost::system::error_code ec;
      co_await signal->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (signal->stopped) break;
      if (!ec) signal->dirty = true;
      continue;
    }
    Status st = co_await refresh();
    if (signal->stopped) break;
    if (!st) {
      SLUICE_LOG(warning) << "metadata refresh from ZooKeeper failed: " << st.error().to_string()
                          << "; retrying";
      signal->dirty = true;
      asio::steady_timer backoff(zk_.get_executor(), std::chrono::milliseconds(500));
      boost::system::error_code ec;
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
}

}  // namespace sluice::broker::cluster
