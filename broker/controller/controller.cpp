// Controller election and reconciliation (see controller.h).
#include "broker/controller/controller.h"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>
#include <map>
#include <set>

#include "broker/controller/coordinators.h"
#include "common/log.h"
#include "coordination/cluster_store.h"

namespace sluice::broker::controller {
namespace asio = boost::asio;
using namespace coordination;

struct Controller::State {
  explicit State(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;  // cancelled to wake the loop
  bool dirty = true;
  bool stopped = false;
  bool destroyed = false;  // the Controller object is gone: touch nothing but this state
  bool active = false;
  int32_t epoch = 0;
  int32_t epoch_zk_version = -1;
  std::chrono::steady_clock::time_point next_rebalance = std::chrono::steady_clock::now();
  // Paths with a watch of ours pending. Every round re-reads everything; without this each
  // round would hand ZooKeeper's client one more watcher per path (it keeps them all until
  // the path changes: a leak of a few per topic every `periodic`).
  std::set<std::string> armed;
  void wake() {
    dirty = true;
    timer.cancel();
  }
  // A read of `path` failed or found no znode (a failed get or get-children sets no watch):
  // the next round asks for one again.
  void unarm(const std::string& path) { armed.erase(path); }
};

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A watch on `path` that wakes the controller, or none when one is pending already.
Watcher watch(const std::shared_ptr<Controller::State>& s, const std::string& path) {
  if (!s->armed.insert(path).second) return {};
  return [weak = std::weak_ptr<Controller::State>(s), path](const WatchEvent&) {
    if (auto st = weak.lock()) {
      st->armed.erase(path);
      st->wake();
    }
  };
}

// What the controller wants a partition's state to be, given the live brokers; nullopt when
// the current state is fine. `leader_restarted`: the leader registered after this state was
// written (it restarted, or lost its session): it may have lost what it had not flushed, and
// it does not lead on a state older than its registration, so leadership is decided again —
// another ISR member if there is one (the restarted broker leaves the ISR and catches up).
std::optional<znodes::PartitionState> decide(const znodes::PartitionState& current,
                                             const std::vector<int32_t>& replicas,
                                             const std::set<int32_t>& live, bool unclean,
                                             int32_t controller_epoch, bool leader_restarted) {
  std::vector<int32_t> isr_live;
  for (int32_t b : current.isr) {
    if (live.count(b)) isr_live.push_back(b);
  }
  znodes::PartitionState next = current;
  next.controller_epoch = controller_epoch;
  if (current.leader >= 0 && live.count(current.leader) && leader_restarted) {
    for (int32_t r : replicas) {
      if (r != current.leader && std::find(isr_live.begin(), isr_live.end(), r) != isr_live.end()) {
        next.leader = r;
        std::erase(isr_live, current.leader);
        break;
      }
    }
    next.leader_epoch = current.leader_epoch + 1;
    next.isr = isr_live;
    return next;
  }
  if (current.leader >= 0 && live.count(current.leader)) {
    if (isr_live == current.isr) return std::nullopt;
    next.isr = isr_live;  // the live leader stays; dead followers leave the ISR
    return next;
  }
  if (current.leader < 0 && current.isr.empty()) {
    // Created while none of its replicas was alive: nothing was ever written, so any live
    // replica may start it (like a new partition).
    for (int32_t r : replicas) {
      if (live.count(r)) next.isr.push_back(r);
    }
    if (next.isr.empty()) return std::nullopt;
    next.leader = next.isr.front();
    next.leader_epoch = current.leader_epoch + 1;
    return next;
  }
  // The leader is dead (or there is none): the first live ISR member in assignment order.
  int32_t leader = -1;
  for (int32_t r : replicas) {
    if (std::find(isr_live.begin(), isr_live.end(), r) != isr_live.end()) {
      leader = r;
      break;
    }
  }
  if (leader >= 0) {
    next.leader = leader;
    next.leader_epoch = current.leader_epoch + 1;
    next.isr = isr_live;
    return next;
  }
  if (unclean) {
    for (int32_t r : replicas) {
      if (live.count(r)) {
        SLUICE_LOG(warning) << "unclean leader election: broker " << r
                            << " leads without being in the ISR; records may be lost";
        next.leader = r;
        next.leader_epoch = current.leader_epoch + 1;
        next.isr = {r};
        return next;
      }
    }
  }
  if (current.leader == -1) return std::nullopt;
  // No eligible leader: the partition goes offline and keeps its last ISR, so the first ISR
  // member to come back leads again without losing acknowledged records.
  next.leader = -1;
  next.leader_epoch = current.leader_epoch + 1;
  return next;
}

}  // namespace

Controller::Controller(ZkSession& zk, int32_t broker_id, ControllerOptions options)
    : zk_(zk),
      broker_id_(broker_id),
      options_(options),
      state_(std::make_shared<State>(zk.get_executor())) {
  listener_id_ =
      zk_.add_listener([weak = std::weak_ptr<State>(state_), id = broker_id](SessionEvent e) {
        auto s = weak.lock();
        if (!s) return;
        if (e == SessionEvent::expired && s->active) {
          // The /controller ephemeral died with the session: stop acting at once.
          SLUICE_LOG(warning) << "broker " << id
                              << " lost its ZooKeeper session: no longer controller";
          s->active = false;
        }
        if (e == SessionEvent::expired || e == SessionEvent::reestablished)
          s->armed.clear();  // watches died
        s->wake();
      });
}

Controller::~Controller() {
  state_->destroyed = true;
  stop();
  zk_.remove_listener(listener_id_);
}

void Controller::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

void Controller::request_reconcile() { state_->wake(); }
bool Controller::active() const { return state_->active; }
int32_t Controller::epoch() const { return state_->epoch; }

awaitable<bool> Controller::campaign() {
  // Locals, not members: a Controller destroyed while this coroutine is suspended (a
  // crash-stop) must not be touched when it resumes; `s` keeps the shared state alive.
  ZkSession& zk = zk_;
  const ControllerOptions options = options_;
  const int32_t broker_id = broker_id_;
  (void)options;
  (void)broker_id;
  auto s = state_;
  std::string payload = znodes::encode(znodes::ControllerInfo{broker_id, now_ms()});
  auto created =
      co_await zk.create(znodes::controller(), std::move(payload), CreateMode::ephemeral);
  if (s->destroyed) co_return false;
  if (created) {
    Status st = co_await become_controller();
    if (st) co_return true;
    SLUICE_LOG(error) << "broker " << broker_id
                      << " won /controller but cannot bump the epoch: " << st.error().to_string()
                      << "; resigning";
    (void)co_await zk.remove(znodes::controller());
    co_return false;
  }
  if (created.error() != ZkErrc::node_exists) {
    SLUICE_LOG(warning) << "controller election: " << created.error().to_string();
    co_return false;
  }
  // Someone else leads: watch for its departure. If the node is ours (a create whose reply
  // was lost), take it.
  auto existing = co_await zk.get(znodes::controller(), watch(s, znodes::controller()));
  if (s->destroyed) co_return false;
  if (!existing) s->unarm(znodes::controller());
  if (existing && existing->stat.ephemeral_owner == zk.client_id().session_id) {
    Status st = co_await become_controller();
    co_return st.ok();
  }
  if (!existing && existing.error() == ZkErrc::no_node) s->wake();  // gone already: retry now
  co_return false;
}

awaitable<Status> Controller::become_controller() {
  // Locals, not members: a Controller destroyed while this coroutine is suspended (a
  // crash-stop) must not be touched when it resumes; `s` keeps the shared state alive.
  ZkSession& zk = zk_;
  const ControllerOptions options = options_;
  const int32_t broker_id = broker_id_;
  (void)options;
  (void)broker_id;
  auto s = state_;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto current = co_await zk.get(znodes::controller_epoch());
    if (!current && current.error() == ZkErrc::no_node) {
      auto created =
          co_await zk.create(znodes::controller_epoch(), znodes::encode_controller_epoch(1));
      if (created) {
        s->epoch = 1;
        s->epoch_zk_version = 0;
        break;
      }
      if (created.error() == ZkErrc::node_exists) continue;
      co_return std::move(created).error();
    }
    if (!current) co_return std::move(current).error();
    auto epoch = znodes::decode_controller_epoch(current->data);
    if (!epoch) co_return std::move(epoch).error();
    auto set = co_await zk.set(znodes::controller_epoch(),
                               znodes::encode_controller_epoch(*epoch + 1), current->stat.version);
    if (set) {
      s->epoch = *epoch + 1;
      s->epoch_zk_version = set->version;
      break;
    }
    if (set.error() != ZkErrc::bad_version) co_return std::move(set).error();
  }
  if (s->epoch_zk_version < 0) co_return Error(ZkErrc::bad_version, "controller epoch contention");
  s->active = true;
  s->dirty = true;
  SLUICE_LOG(info) << "broker " << broker_id << " is the controller (epoch " << s->epoch << ")";
  co_return Status{};
}

awaitable<Status> Controller::reconcile() {
  // Locals, not members: a Controller destroyed while this coroutine is suspended (a
  // crash-stop) must not be touched when it resumes; `s` keeps the shared state alive.
  ZkSession& zk = zk_;
  const ControllerOptions options = options_;
  const int32_t broker_id = broker_id_;
  (void)options;
  (void)broker_id;
  auto s = state_;
  s->dirty = false;
  // Still the controller? The node vanishes with our session.
  auto me = co_await zk.get(znodes::controller(), watch(s, znodes::controller()));
  if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
  if (!me) s->unarm(znodes::controller());
  if (!me || me->stat.ephemeral_owner != zk.client_id().session_id) {
    if (me || me.error() == ZkErrc::no_node) {
      SLUICE_LOG(warning) << "broker " << broker_id << " is no longer the controller";
      s->active = false;
      co_return Status{};
    }
    co_return std::move(me).error();
  }

  auto brokers = co_await read_brokers(zk, watch(s, znodes::broker_ids()));
  if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
  if (!brokers) {
    s->unarm(znodes::broker_ids());
    co_return std::move(brokers).error();
  }
  std::set<int32_t> live;
  std::map<int32_t, int64_t> registered_at;  // broker -> czxid of its registration
  for (const auto& b : *brokers) {
    live.insert(b.id);
    registered_at[b.id] = b.czxid;
  }

  // Brokers in a controlled shutdown: no leadership, no ISR membership.
  std::set<int32_t> eligible = live;
  auto shutting = co_await zk.children(znodes::controlled_shutdowns(),
                                       watch(s, znodes::controlled_shutdowns()));
  if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
  if (!shutting) s->unarm(znodes::controlled_shutdowns());
  if (!shutting && shutting.error() != ZkErrc::no_node) co_return std::move(shutting).error();
  if (shutting) {
    for (const auto& name : *shutting) {
      int32_t id = -1;
      auto parsed = std::from_chars(name.data(), name.data() + name.size(), id);
      if (parsed.ec == std::errc()) eligible.erase(id);
    }
  }
  // Preferred-leader election: requested, or due by auto.leader.rebalance.enable.
  std::optional<std::set<znodes::PartitionRef>> preferred;  // empty set: every partition
  bool preferred_requested = false;
  auto request = co_await zk.get(znodes::preferred_replica_election(),
                                 watch(s, znodes::preferred_replica_election()));
  if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
  if (!request) s->unarm(znodes::preferred_replica_election());
  if (request) {
    auto refs = znodes::decode_preferred_election(request->data);
    if (refs) {
      preferred.emplace(refs->begin(), refs->end());
    } else {
      SLUICE_LOG(warning) << "controller: ignoring " << znodes::preferred_replica_election() << ": "
                          << refs.error().to_string();
    }
    preferred_requested = true;
  } else if (request.error() == ZkErrc::no_node) {
    // An exists() on a missing znode does set a watch: it fires when the request appears.
    auto ex = co_await zk.exists(znodes::preferred_replica_election(),
                                 watch(s, znodes::preferred_replica_election()));
    if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
    if (!ex) s->unarm(znodes::preferred_replica_election());
  } else {
    co_return std::move(request).error();
  }
  if (!preferred && options.auto_leader_rebalance &&
      std::chrono::steady_clock::now() >= s->next_rebalance) {
    preferred.emplace();
    s->next_rebalance = std::chrono::steady_clock::now() + options.leader_imbalance_check_interval;
  }

  // Group-coordinator slots of dead brokers move to live ones (docs/groups.md).
  Status slots = co_await assign_coordinator_slots(zk, live, s->epoch, s->epoch_zk_version);
  if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
  if (!slots) co_return slots;

  auto deletions = co_await zk.children(znodes::delete_topics(), watch(s, znodes::delete_topics()));
  if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
  if (!deletions) {
    s->unarm(znodes::delete_topics());
    co_return std::move(deletions).error();
  }
  for (const auto& topic : *deletions) {
    if (options.delete_topic_enable) {
      SLUICE_LOG(info) << "controller: deleting topic " << topic;
      Status st = co_await delete_topic_znodes(zk, topic);
      if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
      if (!st) co_return st;
    } else {
      (void)co_await zk.remove(znodes::delete_topic(topic));
      if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
    }
  }

  auto names = co_await read_topic_names(zk, watch(s, znodes::topics()));
  if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
  if (!names) {
    s->unarm(znodes::topics());
    co_return std::move(names).error();
  }
  for (const auto& topic : *names) {
    if (s->destroyed || s->stopped) co_return Status{};
    auto assignment = co_await read_topic(zk, topic, watch(s, znodes::topic(topic)));
    if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
    if (!assignment) {
      if (assignment.error() != ZkErrc::data_inconsistency) s->unarm(znodes::topic(topic));
      if (assignment.error() == ZkErrc::no_node) continue;
      co_return std::move(assignment).error();
    }
    // The topic's unclean.leader.election.enable (else the broker's), read once per topic and
    // only when a partition has no live in-sync replica left, the one case it decides.
    std::optional<bool> topic_unclean;
    // No structured bindings in coroutines (GCC 12 bug, docs/coordination.md).
    for (const auto& entry : assignment->partitions) {
      if (s->destroyed || s->stopped) co_return Status{};
      const int32_t p = entry.first;
      const std::vector<int32_t>& replicas = entry.second;
      auto current = co_await read_partition_state(zk, topic, p);
      if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
      if (!current) co_return std::move(current).error();
      if (!*current) {
        znodes::PartitionState fresh;
        fresh.controller_epoch = s->epoch;
        for (int32_t r : replicas) {
          if (live.count(r)) fresh.isr.push_back(r);
        }
        fresh.leader = fresh.isr.empty() ? -1 : fresh.isr.front();
        Status st = co_await create_partition_state(zk, topic, p, fresh);
        if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
        if (!st && st.error() != ZkErrc::node_exists) co_return st;
        if (st) {
          SLUICE_LOG(info) << "controller: " << topic << "-" << p << " created, leader "
                           << fresh.leader;
        }
        continue;
      }
      const int32_t leader = (*current)->state.leader;
      const bool restarted =
          registered_at.count(leader) && registered_at[leader] > (*current)->mzxid;
      // Unclean election only when every ISR member is gone: one that is alive but shutting
      // down keeps leading (a controlled shutdown never loses acknowledged records).
      const auto& isr = (*current)->state.isr;
      const bool isr_gone =
          std::none_of(isr.begin(), isr.end(), [&](int32_t r) { return live.count(r) != 0; });
      if (isr_gone && !topic_unclean) {
        const std::string config_path = znodes::topic_config(topic);
        // Watched: turning it on for an offline partition wakes the controller.
        auto config = co_await read_topic_config(zk, topic, watch(s, config_path));
        if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
        topic_unclean = options.unclean_leader_election;
        if (config) {
          auto it = config->config.find("unclean.leader.election.enable");
          if (it != config->config.end()) topic_unclean = it->second == "true";
        } else {
          if (config.error() != ZkErrc::data_inconsistency) s->unarm(config_path);
          SLUICE_LOG(warning) << "controller: config of topic " << topic << ": "
                              << config.error().to_string()
                              << "; using the broker's unclean.leader.election.enable";
        }
      }
      const bool unclean = isr_gone && topic_unclean.value_or(options.unclean_leader_election);
      auto next = decide((*current)->state, replicas, eligible, unclean, s->epoch, restarted);
      if (next && next->leader < 0 && (*current)->state.leader >= 0 &&
          live.count((*current)->state.leader)) {
        // Only brokers shutting down are left: keep the leader rather than go offline.
        next.reset();
      }
      const bool want_preferred =
          preferred && (preferred->empty() || preferred->count(znodes::PartitionRef{topic, p}));
      if (want_preferred) {
        const znodes::PartitionState& base = next ? *next : (*current)->state;
        const int32_t pref = replicas.empty() ? -1 : replicas.front();
        if (pref >= 0 && base.leader != pref && eligible.count(pref) &&
            std::find(base.isr.begin(), base.isr.end(), pref) != base.isr.end()) {
          znodes::PartitionState moved = base;
          moved.leader = pref;
          moved.leader_epoch = (*current)->state.leader_epoch + 1;
          moved.controller_epoch = s->epoch;
          SLUICE_LOG(info) << "controller: " << topic << "-" << p
                           << " back to its preferred leader " << pref;
          next = moved;
        }
      }
      if (!next) continue;
      auto written = co_await update_partition_state(zk, topic, p, *next, (*current)->zk_version,
                                                     s->epoch_zk_version);
      if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
      if (!written) {
        if (written.error() == ZkErrc::bad_version &&
            written.error().context().find(znodes::controller_epoch()) != std::string::npos) {
          SLUICE_LOG(warning) << "controller epoch moved on: broker " << broker_id
                              << " was deposed";
          s->active = false;
          co_return Status{};
        }
        if (written.error() == ZkErrc::bad_version || written.error() == ZkErrc::no_node) {
          s->dirty = true;  // changed under us (a leader's ISR update): next round
          continue;
        }
        co_return std::move(written).error();
      }
      SLUICE_LOG(info) << "controller: " << topic << "-" << p << " leader " << next->leader
                       << " epoch " << next->leader_epoch << " isr " << znodes::encode(*next);
    }
  }
  if (preferred_requested) {
    Status removed = co_await zk.remove(znodes::preferred_replica_election());
    if (s->destroyed) co_return Status{};  // crash-stopped meanwhile
    if (!removed && removed.error() != ZkErrc::no_node) co_return removed;
  }
  co_return Status{};
}

awaitable<void> Controller::run() {
  // Locals, not members: a Controller destroyed while this coroutine is suspended (a
  // crash-stop) must not be touched when it resumes; `s` keeps the shared state alive.
  ZkSession& zk = zk_;
  const ControllerOptions options = options_;
  const int32_t broker_id = broker_id_;
  (void)options;
  (void)broker_id;
  auto s = state_;
  while (!s->stopped) {
    if (!s->active) {
      s->dirty = false;
      bool won = co_await campaign();
      if (s->stopped) break;
      if (won) continue;
    } else if (s->dirty) {
      Status st = co_await reconcile();
      if (s->stopped) break;
      if (!st) {
        SLUICE_LOG(warning) << "controller reconcile failed: " << st.error().to_string();
        s->dirty = true;
        asio::steady_timer backoff(zk.get_executor(), std::chrono::milliseconds(500));
        boost::system::error_code ec;
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      continue;
    }
    if (s->dirty) continue;
    s->timer.expires_after(options.periodic);
    boost::system::error_code ec;
    co_await s->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) s->dirty = true;
  }
  if (s->active && !s->destroyed) {
    s->active = false;
    // Resign so another broker takes over without waiting for our session to time out.
    (void)co_await zk.remove(znodes::controller());
  }
}

}  // namespace sluice::broker::controller
