// Controller election and reconciliation (see controller.h).
#include "broker/controller/controller.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/controller/coordinators.h"
#include "broker/controller/election.h"
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
  // Whether a reconcile round may go on: the Controller exists (a crash-stop destroys it, and
  // perhaps its session: touch neither then), was not stopped, and is still the controller.
  bool can_act() const { return !destroyed && !stopped && active; }
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

Leadership leadership_of(const znodes::PartitionState& state) {
  return Leadership{state.leader, state.leader_epoch, state.isr};
}

znodes::PartitionState state_of(const Leadership& leadership, int32_t controller_epoch) {
  return znodes::PartitionState{leadership.leader, leadership.leader_epoch, leadership.isr,
                                controller_epoch};
}

// One reconcile round: named steps, run one after the other by run(), that read ZooKeeper,
// decide with election.h and write what changes. The steps share what they learn through the
// members below. Every ZooKeeper operation goes through guarded(), the round's one liveness
// guard, and run() checks the same condition between steps: a Controller destroyed while a
// step was suspended (a crash-stop, which may destroy its session too) is never touched again,
// and a round stops once the broker is stopped or no longer the controller.
class Round {
 public:
  Round(ZkSession& zk, std::shared_ptr<Controller::State> s, const ControllerOptions& options,
        int32_t broker_id)
      : zk_(zk), s_(std::move(s)), options_(options), broker_id_(broker_id) {}

  awaitable<Status> run();

 private:
  // The steps, in the order run() takes them.
  awaitable<Status> confirm_controller();
  awaitable<Status> read_live_brokers();
  awaitable<Status> read_shutting_down();
  awaitable<Status> read_preferred_election();
  awaitable<Status> move_coordinator_slots();
  awaitable<Status> delete_topics();
  awaitable<Status> elect_leaders();
  awaitable<Status> finish_preferred_election();

  // The parts of elect_leaders.
  awaitable<Status> elect_topic(const std::string& topic);
  awaitable<Status> elect_partition(const std::string& topic, int32_t partition,
                                    const std::vector<int32_t>& replicas);
  awaitable<Status> create_state(const std::string& topic, int32_t partition,
                                 const std::vector<int32_t>& replicas);
  awaitable<Status> read_unclean_setting(const std::string& topic);
  awaitable<Status> write_state(const std::string& topic, int32_t partition,
                                const ElectionResult& elected, int32_t zk_version);

  // Runs `op` only while the controller can act, and hands back its result only if it still
  // can once `op` completes; ZkErrc::closing otherwise, which every step passes up.
  template <class T>
  awaitable<T> guarded(awaitable<T> op) {
    if (!s_->can_act()) co_return Error(ZkErrc::closing, "controller round stopped");
    T result = co_await std::move(op);
    if (!s_->can_act()) co_return Error(ZkErrc::closing, "controller round stopped");
    co_return std::move(result);
  }

  ZkSession& zk_;
  const std::shared_ptr<Controller::State> s_;
  const ControllerOptions options_;
  const int32_t broker_id_;

  // Learnt by the steps.
  Brokers brokers_;                           // live, and shutting down
  std::map<int32_t, int64_t> registered_at_;  // broker -> czxid of its registration
  // Partitions a preferred-leader election covers this round (an empty set: every one).
  std::optional<std::set<znodes::PartitionRef>> preferred_;
  bool preferred_requested_ = false;  // through /admin/preferred_replica_election
  // The current topic's unclean.leader.election.enable, read at most once per topic.
  std::optional<bool> topic_unclean_;
};

awaitable<Status> Round::run() {
  s_->dirty = false;
  using Step = awaitable<Status> (Round::*)();
  static constexpr Step steps[] = {
      &Round::confirm_controller,     &Round::read_live_brokers,
      &Round::read_shutting_down,     &Round::read_preferred_election,
      &Round::move_coordinator_slots, &Round::delete_topics,
      &Round::elect_leaders,          &Round::finish_preferred_election,
  };
  for (Step step : steps) {
    Status st = co_await (this->*step)();
    if (!s_->can_act()) co_return Status{};  // destroyed, stopped, resigned or deposed
    if (!st) co_return st;
  }
  co_return Status{};
}

// Still the controller? /controller vanishes with our session.
awaitable<Status> Round::confirm_controller() {
  auto me = co_await guarded(zk_.get(znodes::controller(), watch(s_, znodes::controller())));
  if (!me) s_->unarm(znodes::controller());
  if (me && me->stat.ephemeral_owner == zk_.client_id().session_id) co_return Status{};
  if (me || me.error() == ZkErrc::no_node) {
    SLUICE_LOG(warning) << "broker " << broker_id_ << " is no longer the controller";
    s_->active = false;
    co_return Status{};
  }
  co_return std::move(me).error();
}

awaitable<Status> Round::read_live_brokers() {
  auto brokers = co_await guarded(read_brokers(zk_, watch(s_, znodes::broker_ids())));
  if (!brokers) {
    s_->unarm(znodes::broker_ids());
    co_return std::move(brokers).error();
  }
  for (const auto& b : *brokers) {
    brokers_.live.insert(b.id);
    registered_at_[b.id] = b.czxid;
  }
  co_return Status{};
}

// Brokers in a controlled shutdown: they lose their leaderships and leave ISRs (election.h).
awaitable<Status> Round::read_shutting_down() {
  auto shutting = co_await guarded(
      zk_.children(znodes::controlled_shutdowns(), watch(s_, znodes::controlled_shutdowns())));
  if (!shutting) s_->unarm(znodes::controlled_shutdowns());
  if (!shutting && shutting.error() != ZkErrc::no_node) co_return std::move(shutting).error();
  if (shutting) {
    for (const auto& name : *shutting) {
      int32_t id = -1;
      auto parsed = std::from_chars(name.data(), name.data() + name.size(), id);
      if (parsed.ec == std::errc()) brokers_.shutting_down.insert(id);
    }
  }
  co_return Status{};
}

// Preferred-leader election: requested, or due by auto.leader.rebalance.enable.
awaitable<Status> Round::read_preferred_election() {
  auto request = co_await guarded(zk_.get(znodes::preferred_replica_election(),
                                          watch(s_, znodes::preferred_replica_election())));
  if (!request) s_->unarm(znodes::preferred_replica_election());
  if (request) {
    auto refs = znodes::decode_preferred_election(request->data);
    if (refs) {
      preferred_.emplace(refs->begin(), refs->end());
    } else {
      SLUICE_LOG(warning) << "controller: ignoring " << znodes::preferred_replica_election() << ": "
                          << refs.error().to_string();
    }
    preferred_requested_ = true;
  } else if (request.error() == ZkErrc::no_node) {
    // An exists() on a missing znode does set a watch: it fires when the request appears.
    auto ex = co_await guarded(zk_.exists(znodes::preferred_replica_election(),
                                          watch(s_, znodes::preferred_replica_election())));
    if (!ex) s_->unarm(znodes::preferred_replica_election());
  } else {
    co_return std::move(request).error();
  }
  if (!preferred_ && options_.auto_leader_rebalance &&
      std::chrono::steady_clock::now() >= s_->next_rebalance) {
    preferred_.emplace();
    s_->next_rebalance =
        std::chrono::steady_clock::now() + options_.leader_imbalance_check_interval;
  }
  co_return Status{};
}

// Group-coordinator slots of dead brokers move to live ones (docs/groups.md).
awaitable<Status> Round::move_coordinator_slots() {
  Status st = co_await guarded(
      assign_coordinator_slots(zk_, brokers_.live, s_->epoch, s_->epoch_zk_version));
  co_return st;
}

awaitable<Status> Round::delete_topics() {
  auto deletions =
      co_await guarded(zk_.children(znodes::delete_topics(), watch(s_, znodes::delete_topics())));
  if (!deletions) {
    s_->unarm(znodes::delete_topics());
    co_return std::move(deletions).error();
  }
  for (const auto& topic : *deletions) {
    if (options_.delete_topic_enable) {
      SLUICE_LOG(info) << "controller: deleting topic " << topic;
      Status st = co_await guarded(delete_topic_znodes(zk_, topic));
      if (!st) co_return st;
    } else {
      // Deletion is disabled: drop the request. Only `closing` (the round is over) matters.
      Status dropped = co_await guarded(zk_.remove(znodes::delete_topic(topic)));
      if (!dropped && dropped.error() == ZkErrc::closing) co_return dropped;
    }
  }
  co_return Status{};
}

awaitable<Status> Round::elect_leaders() {
  auto names = co_await guarded(read_topic_names(zk_, watch(s_, znodes::topics())));
  if (!names) {
    s_->unarm(znodes::topics());
    co_return std::move(names).error();
  }
  for (const auto& topic : *names) {
    Status st = co_await elect_topic(topic);
    if (!st) co_return st;
  }
  co_return Status{};
}

awaitable<Status> Round::elect_topic(const std::string& topic) {
  auto assignment = co_await guarded(read_topic(zk_, topic, watch(s_, znodes::topic(topic))));
  if (!assignment) {
    if (assignment.error() != ZkErrc::data_inconsistency) s_->unarm(znodes::topic(topic));
    if (assignment.error() == ZkErrc::no_node) co_return Status{};  // deleted meanwhile
    co_return std::move(assignment).error();
  }
  topic_unclean_.reset();
  // No structured bindings in coroutines (see docs/conventions.md, Coroutines).
  for (const auto& entry : assignment->partitions) {
    Status st = co_await elect_partition(topic, entry.first, entry.second);
    if (!st) co_return st;
  }
  co_return Status{};
}

awaitable<Status> Round::elect_partition(const std::string& topic, int32_t partition,
                                         const std::vector<int32_t>& replicas) {
  auto current = co_await guarded(read_partition_state(zk_, topic, partition));
  if (!current) co_return std::move(current).error();
  if (!*current) {
    Status st = co_await create_state(topic, partition, replicas);
    co_return st;
  }
  const VersionedPartitionState& versioned = **current;
  const Leadership now = leadership_of(versioned.state);
  // The topic's unclean.leader.election.enable decides only when no ISR member is alive.
  if (!has_live_isr_member(now, brokers_) && !topic_unclean_) {
    Status st = co_await read_unclean_setting(topic);
    if (!st) co_return st;
  }
  ElectionFlags flags;
  const auto registration = registered_at_.find(now.leader);
  flags.leader_restarted =
      registration != registered_at_.end() && registration->second > versioned.mzxid;
  flags.unclean_enabled = topic_unclean_.value_or(options_.unclean_leader_election);
  flags.preferred_leader_wanted =
      preferred_ &&
      (preferred_->empty() || preferred_->count(znodes::PartitionRef{topic, partition}));
  const auto elected = elect(now, replicas, brokers_, flags);
  if (!elected) co_return Status{};
  if (elected->change == Change::unclean) {
    SLUICE_LOG(warning) << "controller: " << topic << "-" << partition
                        << ": unclean leader election: broker " << elected->leadership.leader
                        << " leads without being in the ISR; records may be lost";
  } else if (elected->change == Change::preferred_leader) {
    SLUICE_LOG(info) << "controller: " << topic << "-" << partition
                     << " back to its preferred leader " << elected->leadership.leader;
  }
  Status st = co_await write_state(topic, partition, *elected, versioned.zk_version);
  co_return st;
}

// The preferred-leader request was carried out: remove it.
awaitable<Status> Round::finish_preferred_election() {
  if (!preferred_requested_) co_return Status{};
  Status removed = co_await guarded(zk_.remove(znodes::preferred_replica_election()));
  if (!removed && removed.error() != ZkErrc::no_node) co_return removed;
  co_return Status{};
}

// A partition without a state znode yet (a new topic or partition).
awaitable<Status> Round::create_state(const std::string& topic, int32_t partition,
                                      const std::vector<int32_t>& replicas) {
  const znodes::PartitionState fresh = state_of(initial_leadership(replicas, brokers_), s_->epoch);
  Status st = co_await guarded(create_partition_state(zk_, topic, partition, fresh));
  if (!st && st.error() != ZkErrc::node_exists) co_return st;
  if (st) {
    SLUICE_LOG(info) << "controller: " << topic << "-" << partition << " created, leader "
                     << fresh.leader;
  }
  co_return Status{};
}

// The topic's unclean.leader.election.enable, else the broker's. Watched: turning it on for an
// offline partition wakes the controller.
awaitable<Status> Round::read_unclean_setting(const std::string& topic) {
  const std::string config_path = znodes::topic_config(topic);
  auto config = co_await guarded(read_topic_config(zk_, topic, watch(s_, config_path)));
  if (!config && config.error() == ZkErrc::closing) co_return std::move(config).error();
  topic_unclean_ = options_.unclean_leader_election;
  if (config) {
    auto it = config->config.find("unclean.leader.election.enable");
    if (it != config->config.end()) topic_unclean_ = it->second == "true";
  } else {
    if (config.error() != ZkErrc::data_inconsistency) s_->unarm(config_path);
    SLUICE_LOG(warning) << "controller: config of topic " << topic << ": "
                        << config.error().to_string()
                        << "; using the broker's unclean.leader.election.enable";
  }
  co_return Status{};
}

// One multi: the state's version CAS and a check of the controller epoch's znode version.
awaitable<Status> Round::write_state(const std::string& topic, int32_t partition,
                                     const ElectionResult& elected, int32_t zk_version) {
  const znodes::PartitionState next = state_of(elected.leadership, s_->epoch);
  const std::optional<int32_t> epoch_zk_version = s_->epoch_zk_version;
  auto written = co_await guarded(
      update_partition_state(zk_, topic, partition, next, zk_version, epoch_zk_version));
  if (!written) {
    if (written.error() == ZkErrc::bad_version &&
        written.error().context().find(znodes::controller_epoch()) != std::string::npos) {
      SLUICE_LOG(warning) << "controller epoch moved on: broker " << broker_id_ << " was deposed";
      s_->active = false;
      co_return Status{};
    }
    if (written.error() == ZkErrc::bad_version || written.error() == ZkErrc::no_node) {
      s_->dirty = true;  // changed under us (a leader's ISR update): next round
      co_return Status{};
    }
    co_return std::move(written).error();
  }
  SLUICE_LOG(info) << "controller: " << topic << "-" << partition << " leader " << next.leader
                   << " epoch " << next.leader_epoch << " isr " << znodes::encode(next);
  co_return Status{};
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
  const int32_t broker_id = broker_id_;
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
  const int32_t broker_id = broker_id_;
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
  // The round copies what it needs: a Controller destroyed while it is suspended (a crash-stop)
  // is not touched when it resumes.
  Round round(zk_, state_, options_, broker_id_);
  Status st = co_await round.run();
  co_return st;
}

awaitable<void> Controller::run() {
  // Locals, not members: a Controller destroyed while this coroutine is suspended (a
  // crash-stop) must not be touched when it resumes; `s` keeps the shared state alive.
  ZkSession& zk = zk_;
  const ControllerOptions options = options_;
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
