// Broker start-up and shutdown sequences (see broker.h).
#include "broker/broker.h"

#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <random>
#include <thread>

#include "broker/cluster/metadata_sync.h"
#include "broker/controller/controller.h"
#include "broker/groups/group_coordinator.h"
#include "broker/handlers/router.h"
#include "broker/handlers/services.h"
#include "broker/replication/append_notifier.h"
#include "broker/replication/replica_fetcher.h"
#include "broker/replication/replica_manager.h"
#include "broker/server/server.h"
#include "broker/storage/log_manager.h"
#include "common/log.h"
#include "coordination/cluster_store.h"

namespace sluice::broker {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A fresh cluster id in Kafka's form: 16 random bytes as URL-safe base64 without padding.
std::string random_cluster_id() {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 22; ++i) out.push_back(alphabet[rd() % 64]);
  return out;
}

std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

// Runs a control-plane coroutine on `io` and waits for it from the calling thread.
Status run_on(asio::io_context& io, awaitable<Status> coro) {
  auto future = asio::co_spawn(io, std::move(coro), asio::use_future);
  try {
    return future.get();
  } catch (const std::exception& e) {
    return Error(std::make_error_code(std::errc::state_not_recoverable), e.what());
  }
}

}  // namespace

awaitable<void> write_isr(Broker::Impl* d, replication::IsrUpdate update);
awaitable<void> isr_check_loop(Broker::Impl* d);

struct Broker::Impl {
  explicit Impl(config::BrokerConfig c) : config(std::move(c)) {}

  config::BrokerConfig config;
  asio::io_context network;
  asio::io_context control;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> network_work;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> control_work;
  std::vector<std::thread> network_threads;
  std::thread control_thread;

  std::unique_ptr<storage::LogManager> logs;
  replication::AppendNotifier notifier;
  std::unique_ptr<replication::ReplicaManager> replicas;
  // Follower fetchers and the ISR lag check run on their own thread, so replication keeps
  // going while network threads are busy and never waits on ZooKeeper.
  asio::io_context replication;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> replication_work;
  std::thread replication_thread;
  std::unique_ptr<replication::ReplicaFetchers> fetchers;
  std::atomic<bool> replication_stopping{false};
  // Storage maintenance (retention, checkpoints, flush.ms, compaction) runs on its own
  // thread: it does file I/O that must not stall ZooKeeper handling or requests.
  asio::io_context maintenance;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> maintenance_work;
  std::thread maintenance_thread;
  std::vector<std::unique_ptr<asio::steady_timer>> maintenance_timers;
  std::vector<std::unique_ptr<std::function<void(boost::system::error_code)>>> maintenance_ticks;

  std::unique_ptr<coordination::ZkSession> zk;
  std::unique_ptr<coordination::EphemeralNode> registration;
  cluster::MetadataCache metadata;
  std::unique_ptr<cluster::MetadataSync> sync;
  std::unique_ptr<controller::Controller> controller;
  std::future<void> controller_done;
  std::future<void> sync_done;
  // Consumer groups (docs/groups.md): lives on the control thread, like the controller.
  std::unique_ptr<groups::GroupCoordinator> group_coordinator;
  std::future<void> groups_done;
  std::string cluster_id;

  handlers::Router router;
  handlers::Services services;
  std::unique_ptr<server::Server> server;
  std::vector<uint16_t> ports;

  std::promise<void> stop_requested;
  std::once_flag stop_once;
  std::unique_ptr<asio::signal_set> signals;
  bool started = false;

  void request_stop() {
    std::call_once(stop_once, [this] { stop_requested.set_value(); });
  }

  awaitable<Status> connect_zookeeper() {
    coordination::ZkOptions o;
    o.connect = config.zookeeper_connect;
    o.session_timeout = std::chrono::milliseconds(config.zookeeper_session_timeout_ms);
    o.connect_timeout = std::chrono::milliseconds(config.zookeeper_connection_timeout_ms);
    auto session = co_await coordination::ZkSession::connect(control.get_executor(), o);
    if (!session) {
      co_return Error(session.error().code(),
                      "connecting to ZooKeeper (zookeeper.connect=" + config.zookeeper_connect +
                          "): " + session.error().context());
    }
    zk = std::move(*session);
    Status roots = co_await coordination::ensure_roots(*zk);
    if (!roots) co_return roots;
    auto id = co_await coordination::get_or_create_cluster_id(*zk, random_cluster_id());
    if (!id) co_return std::move(id).error();
    cluster_id = *id;
    sync = std::make_unique<cluster::MetadataSync>(*zk, metadata, cluster_id);
    co_return co_await sync->refresh();
  }

  // Locks the log dirs and loads (recovering when needed) every partition log.
  Status open_logs() {
    storage::LogManagerOptions o;
    for (const auto& d : config.log_dirs) o.log_dirs.emplace_back(d);
    o.default_config = replication::log_config_for(config, {});
    auto snap = metadata.current();
    o.config_for = [this, snap](const storage::TopicPartition& tp) {
      const auto* t = snap->topic(tp.topic);
      return replication::log_config_for(config,
                                         t ? t->config : std::map<std::string, std::string>{});
    };
    auto opened = storage::LogManager::open(std::move(o));
    if (!opened) return Error(opened.error().code(), "log dirs: " + opened.error().context());
    logs = std::move(*opened);
    replicas =
        std::make_unique<replication::ReplicaManager>(config.broker_id, *logs, config, notifier);
    replication::FetcherOptions fo;
    fo.broker_id = config.broker_id;
    fo.listener_name = config.inter_broker_listener_name;
    fo.max_wait_ms = static_cast<int32_t>(config.get_long("replica.fetch.wait.max.ms"));
    fo.min_bytes = static_cast<int32_t>(config.get_long("replica.fetch.min.bytes"));
    fo.partition_max_bytes = static_cast<int32_t>(config.get_long("replica.fetch.max.bytes"));
    fo.socket_timeout_ms = static_cast<int32_t>(config.get_long("replica.socket.timeout.ms"));
    fetchers = std::make_unique<replication::ReplicaFetchers>(replication.get_executor(), *replicas,
                                                              metadata, fo);
    replicas->set_followed_listener([this](std::vector<replication::FollowedPartition> followed) {
      fetchers->update(std::move(followed));
    });
    replicas->set_isr_writer([this](replication::IsrUpdate update) {
      asio::co_spawn(control, write_isr(this, std::move(update)), asio::detached);
    });
    zk->add_listener([this](coordination::SessionEvent e) {
      if (e == coordination::SessionEvent::expired) replicas->on_session_lost();
    });
    replicas->apply_metadata(*metadata.current());
    sync->add_listener(
        [this](const auto&, const std::shared_ptr<const cluster::Snapshot>& current) {
          replicas->apply_metadata(*current);
        });
    return {};
  }

  // Runs `task` every `period` on the maintenance thread.
  void every(std::chrono::milliseconds period, std::function<void()> task) {
    auto timer = std::make_unique<asio::steady_timer>(maintenance);
    auto* t = timer.get();
    maintenance_timers.push_back(std::move(timer));
    // The tick function lives in maintenance_ticks (no self-owning cycle); handlers refer to it.
    auto tick = std::make_unique<std::function<void(boost::system::error_code)>>();
    auto* fn = tick.get();
    maintenance_ticks.push_back(std::move(tick));
    *fn = [t, period, task = std::move(task), fn](boost::system::error_code ec) {
      if (ec) return;
      task();
      t->expires_after(period);
      t->async_wait(*fn);
    };
    t->expires_after(period);
    t->async_wait(*fn);
  }

  void start_maintenance() {
    maintenance_work.emplace(maintenance.get_executor());
    auto& lm = *logs;
    every(std::chrono::milliseconds(config.get_long("log.retention.check.interval.ms")), [&lm] {
      auto r = lm.run_retention(now_ms());
      if (r.segments_deleted > 0) {
        SLUICE_LOG(info) << "retention deleted " << r.segments_deleted << " segments ("
                         << r.bytes_deleted << " bytes)";
      }
    });
    every(5s, [&lm] {
      if (Status st = lm.checkpoint(); !st)
        SLUICE_LOG(warning) << "checkpoint: " << st.error().to_string();
    });
    every(1s, [&lm] { lm.flush_due(now_ms()); });
    if (config.get_bool("log.cleaner.enable")) {
      every(std::chrono::milliseconds(config.get_long("log.cleaner.backoff.ms")),
            [&lm] { lm.run_cleaner(); });
    }
    maintenance_thread = std::thread([this] { maintenance.run(); });
  }

  void start_replication() {
    replication_work.emplace(replication.get_executor());
    asio::co_spawn(replication, isr_check_loop(this), asio::detached);
    replication_thread = std::thread([this] { replication.run(); });
  }

  void stop_replication() {
    if (!replication_thread.joinable()) return;
    replication_stopping = true;
    fetchers->stop();
    replication_work.reset();
    // Fetchers in a long poll end at their next wake-up; do not wait for them.
    asio::post(replication, [this] { replication.stop(); });
    replication_thread.join();
  }

  void stop_maintenance() {
    if (!maintenance_thread.joinable()) return;
    asio::post(maintenance, [this] {
      for (auto& t : maintenance_timers) t->cancel();
    });
    maintenance_work.reset();
    maintenance_thread.join();
    maintenance_timers.clear();
    maintenance_ticks.clear();
  }

  std::vector<coordination::znodes::BrokerEndpoint> advertised_endpoints() const {
    const auto& source =
        config.advertised_listeners.empty() ? config.listeners : config.advertised_listeners;
    std::vector<coordination::znodes::BrokerEndpoint> out;
    for (const auto& e : source) {
      coordination::znodes::BrokerEndpoint ep;
      ep.listener = e.listener_name;
      ep.security_protocol = e.security_protocol.empty() ? e.listener_name : e.security_protocol;
      ep.host = e.host.empty() ? local_hostname() : e.host;
      ep.port = e.port;
      // Port 0 (tests): advertise the port the listener of the same name got.
      if (ep.port == 0) {
        for (std::size_t i = 0; i < config.listeners.size() && i < ports.size(); ++i) {
          if (config.listeners[i].listener_name == e.listener_name) ep.port = ports[i];
        }
      }
      out.push_back(std::move(ep));
    }
    return out;
  }

  awaitable<Status> register_and_lead() {
    coordination::znodes::BrokerRegistration reg;
    reg.id = config.broker_id;
    reg.endpoints = advertised_endpoints();
    reg.rack = config.broker_rack;
    reg.timestamp_ms = now_ms();
    // After a crash, our previous registration lingers until its session times out; wait
    // that long for it to go before concluding that another live broker holds the id.
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(config.zookeeper_session_timeout_ms) + 2s;
    bool logged = false;
    while (true) {
      auto node = co_await coordination::register_broker(*zk, reg);
      if (node) {
        registration = std::move(*node);
        break;
      }
      if (node.error() != coordination::ZkErrc::node_exists ||
          std::chrono::steady_clock::now() >= deadline) {
        co_return std::move(node).error();
      }
      if (!logged) {
        SLUICE_LOG(warning)
            << "broker.id " << config.broker_id
            << " is still registered (a previous run that crashed?); waiting up to the "
               "session timeout for that registration to expire";
        logged = true;
      }
      asio::steady_timer pause(control, 250ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    controller::ControllerOptions opts;
    opts.unclean_leader_election = config.unclean_leader_election_enable;
    opts.delete_topic_enable = config.delete_topic_enable;
    opts.auto_leader_rebalance = config.auto_leader_rebalance_enable;
    opts.leader_imbalance_check_interval =
        std::chrono::seconds(config.get_long("leader.imbalance.check.interval.seconds"));
    controller = std::make_unique<controller::Controller>(*zk, config.broker_id, opts);
    controller_done = asio::co_spawn(control, controller->run(), asio::use_future);
    // Serve only with a view that includes this registration: before it, CreateTopics would
    // see no live broker and partitions led here would not be trusted (docs/replication.md).
    if (Status st = co_await sync->refresh(); !st) {
      SLUICE_LOG(warning) << "metadata after registering: " << st.error().to_string()
                          << "; retrying in the background";
    }
    sync_done = asio::co_spawn(control, sync->run(), asio::use_future);
    co_return Status{};
  }

  // Controlled shutdown: marks this broker as leaving (/admin/controlled_shutdown/<id>, an
  // ephemeral), so the controller moves its leaderships to other in-sync replicas, and waits
  // (bounded) until it leads nothing that another replica could take over.
  awaitable<Status> controlled_shutdown() {
    if (!zk || !registration || !replicas || replicas->leading_movable() == 0) co_return Status{};
    auto created =
        co_await zk->create(coordination::znodes::controlled_shutdown(config.broker_id),
                            std::to_string(now_ms()), coordination::CreateMode::ephemeral);
    if (!created && created.error() != coordination::ZkErrc::node_exists) {
      SLUICE_LOG(warning) << "controlled shutdown not possible: " << created.error().to_string();
      co_return Status{};
    }
    SLUICE_LOG(info) << "controlled shutdown: moving leadership of " << replicas->leading_movable()
                     << " partitions to other in-sync replicas";
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (replicas->leading_movable() > 0 && std::chrono::steady_clock::now() < deadline) {
      asio::steady_timer pause(control, 100ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    const auto left = replicas->leading_movable();
    if (left > 0) {
      SLUICE_LOG(warning) << "controlled shutdown: still leading " << left
                          << " partitions after 15 s; stopping anyway";
    } else {
      SLUICE_LOG(info) << "controlled shutdown: leadership moved";
    }
    co_return Status{};
  }

  // ---- consumer groups: start (slots root, metadata listener, run loop) and stop ----
  awaitable<Status> start_groups() {
    group_coordinator = std::make_unique<groups::GroupCoordinator>(*zk, config, metadata);
    Status st = co_await group_coordinator->start();
    if (!st) co_return st;
    sync->add_listener([this](const std::shared_ptr<const cluster::Snapshot>& previous,
                              const std::shared_ptr<const cluster::Snapshot>& current) {
      if (group_coordinator) group_coordinator->on_metadata(*previous, *current);
    });
    groups_done = asio::co_spawn(control, group_coordinator->run(), asio::use_future);
    co_return Status{};
  }

  awaitable<Status> stop_groups() {
    if (group_coordinator) group_coordinator->stop();
    co_return Status{};
  }
  // ---- end consumer groups ----

  awaitable<Status> deregister() {
    if (controller) controller->stop();
    if (sync) sync->stop();
    if (registration) {
      Status st = co_await registration->remove();
      if (!st) SLUICE_LOG(warning) << "deregistering: " << st.error().to_string();
    }
    co_return Status{};
  }
};

// Writes a leader's ISR change to the partition state znode (CAS on its version) and tells
// the replica manager how it went. On the control executor.
awaitable<void> write_isr(Broker::Impl* d, replication::IsrUpdate update) {
  if (!d->zk) co_return;
  auto written = co_await coordination::update_partition_state(
      *d->zk, update.tp.topic, update.tp.partition, update.state, update.zk_version, std::nullopt);
  if (written) {
    d->replicas->isr_write_done(update, *written);
    co_return;
  }
  SLUICE_LOG(warning) << "partition " << update.tp.to_string()
                      << ": ISR change not written: " << written.error().to_string();
  d->replicas->isr_write_failed(update);
  if (d->sync) d->sync->request_refresh();
}

// Every half replica.lag.time.max.ms: followers that fell behind leave the ISR.
awaitable<void> isr_check_loop(Broker::Impl* d) {
  asio::steady_timer timer(d->replication);
  const auto period =
      std::chrono::milliseconds(std::max<int64_t>(50, d->config.replica_lag_time_max_ms / 2));
  while (!d->replication_stopping) {
    timer.expires_after(period);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (d->replication_stopping) break;
    d->replicas->check_isr_lag();
  }
}

Broker::Broker(config::BrokerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Broker::~Broker() {
  request_stop();
  if (impl_->started) return;  // wait_for_shutdown() cleaned up
  impl_->stop_replication();
  impl_->stop_maintenance();
  impl_->network_work.reset();
  impl_->control_work.reset();
  impl_->network.stop();
  impl_->control.stop();
  for (auto& t : impl_->network_threads) {
    if (t.joinable()) t.join();
  }
  if (impl_->control_thread.joinable()) impl_->control_thread.join();
}

Status Broker::start() {
  auto& d = *impl_;
  d.control_work.emplace(d.control.get_executor());
  d.control_thread = std::thread([&d] { d.control.run(); });

  SLUICE_LOG(info) << "starting broker " << d.config.broker_id
                   << " (zookeeper.connect=" << d.config.zookeeper_connect << ")";
  if (Status st = run_on(d.control, d.connect_zookeeper()); !st) return st;

  d.services.broker_id = d.config.broker_id;
  d.services.config = &d.config;
  d.services.metadata = &d.metadata;
  d.services.control = d.control.get_executor();
  d.services.zk = d.zk.get();
  d.services.sync = d.sync.get();
  if (Status st = run_on(d.control, d.start_groups()); !st) return st;
  d.services.groups = d.group_coordinator.get();
  if (Status st = d.open_logs(); !st) return st;
  d.services.replicas = d.replicas.get();
  d.start_maintenance();
  d.start_replication();
  handlers::register_handlers(d.router, d.services);

  server::ConnectionLimits limits;
  limits.max_request_bytes = d.config.socket_request_max_bytes;
  d.server = std::make_unique<server::Server>(d.network, d.router, limits);
  std::vector<server::ListenerSpec> specs;
  for (const auto& l : d.config.listeners) specs.push_back({l.listener_name, l.host, l.port});
  auto ports = d.server->listen(specs);
  if (!ports) return Error(ports.error().code(), "listeners: " + ports.error().context());
  d.ports = *ports;

  if (Status st = run_on(d.control, d.register_and_lead()); !st) return st;

  d.network_work.emplace(d.network.get_executor());
  const int threads = std::max(1, d.config.num_network_threads);
  for (int i = 0; i < threads; ++i) d.network_threads.emplace_back([&d] { d.network.run(); });

  d.signals = std::make_unique<asio::signal_set>(d.control, SIGTERM, SIGINT);
  d.signals->async_wait([&d](boost::system::error_code ec, int sig) {
    if (!ec) {
      SLUICE_LOG(info) << "signal " << sig << ": shutting down";
      d.request_stop();
    }
  });
  d.started = true;
  std::string listeners;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    listeners += (i ? ", " : "") + specs[i].name + "://" +
                 (specs[i].host.empty() ? "0.0.0.0" : specs[i].host) + ":" +
                 std::to_string(d.ports[i]);
  }
  SLUICE_LOG(info) << "broker " << d.config.broker_id << " started in cluster " << d.cluster_id
                   << ", listening on " << listeners;
  return {};
}

void Broker::request_stop() { impl_->request_stop(); }

std::vector<uint16_t> Broker::bound_ports() const { return impl_->ports; }

void Broker::wait_for_shutdown() {
  auto& d = *impl_;
  d.stop_requested.get_future().wait();
  if (!d.started) return;
  SLUICE_LOG(info) << "broker " << d.config.broker_id << " shutting down";
  // 0. Leadership moves to other replicas while clients can still be told where it went.
  if (d.config.get_bool("controlled.shutdown.enable"))
    (void)run_on(d.control, d.controlled_shutdown());
  // 0b. Consumer groups unload (their state stays in ZooKeeper for the broker that takes the
  // slots over); waiting JoinGroup/SyncGroup requests get NOT_COORDINATOR.
  (void)run_on(d.control, d.stop_groups());
  // 1. No new connections; requests in progress finish, then connections close.
  d.server->stop_accepting();
  d.server->close_connections();
  // 2. Leave the cluster: controller resigns, registration removed.
  (void)run_on(d.control, d.deregister());
  if (d.controller_done.valid()) d.controller_done.wait_for(10s);
  if (d.sync_done.valid()) d.sync_done.wait_for(10s);
  if (d.groups_done.valid()) d.groups_done.wait_for(10s);
  // 3. Stop the network threads, then close the ZooKeeper session on its own thread.
  d.network_work.reset();
  d.network.stop();
  for (auto& t : d.network_threads) t.join();
  d.network_threads.clear();
  d.server.reset();
  // 4. Storage: stop replication and maintenance, then flush, checkpoint and mark a clean
  // shutdown.
  d.stop_replication();
  d.stop_maintenance();
  if (d.logs) {
    if (Status st = d.logs->close(); !st)
      SLUICE_LOG(error) << "closing logs: " << st.error().to_string();
  }
  std::promise<void> closed;
  asio::post(d.control, [&d, &closed] {
    d.signals.reset();
    d.controller.reset();
    d.group_coordinator.reset();
    d.sync.reset();
    d.registration.reset();
    d.zk.reset();
    closed.set_value();
  });
  closed.get_future().wait();
  d.control_work.reset();
  d.control.stop();
  d.control_thread.join();
  d.started = false;
  SLUICE_LOG(info) << "broker " << d.config.broker_id << " stopped";
}

}  // namespace sluice::broker
