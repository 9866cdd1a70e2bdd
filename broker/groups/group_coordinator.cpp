// The group coordinator (see group_coordinator.h): slot ownership, loading, the group APIs,
// timers and offset expiry. Everything runs on the control executor, so no locks guard the
// maps; a group's ZooKeeper writes are serialized by its AsyncLock.
//
// GCC 12 (docs/coordination.md): no structured bindings in coroutines, no capturing lambda
// given to co_spawn (member coroutines taking `self` instead), no ?: temporaries passed by
// value into coroutines.
#include "broker/groups/group_coordinator.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <set>

#include "broker/cluster/metadata.h"
#include "broker/config/broker_config.h"
#include "broker/controller/coordinators.h"
#include "broker/groups/group.h"
#include "broker/groups/group_store.h"
#include "common/log.h"
#include "coordination/zk_error.h"
#include "coordination/zk_session.h"
#include "protocol/error_codes.h"

namespace sluice::broker::groups {
namespace {

namespace asio = boost::asio;
using coordination::ZkErrc;
using protocol::KafkaErrc;
using namespace std::chrono_literals;

int16_t code(KafkaErrc e) { return static_cast<int16_t>(e); }

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Kafka's member ids: "<client.id>-<random UUID>".
std::string new_member_id(std::string_view client_id) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string out(client_id);
  out.push_back('-');
  uint64_t a = rng();
  uint64_t b = rng();
  a = (a & ~0xF000ull) | 0x4000ull;                         // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // IETF variant
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    uint64_t word = i < 16 ? a : b;
    int shift = 60 - 4 * (i % 16);
    out.push_back(hex[(word >> shift) & 15]);
  }
  return out;
}

// A one-shot result delivered from a callback to a waiting coroutine (same executor).
template <class T>
struct Waiter {
  explicit Waiter(asio::any_io_executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  std::optional<T> value;
  void set(T v) {
    value = std::move(v);
    timer.cancel();
  }
  awaitable<T> wait() {
    while (!value) {
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return std::move(*value);
  }
};

// FIFO mutual exclusion between coroutines of one executor.
class AsyncLock {
 public:
  explicit AsyncLock(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  awaitable<void> lock() {
    if (!locked_) {
      locked_ = true;
      co_return;
    }
    auto w = std::make_shared<Waiter<bool>>(ex_);
    waiters_.push_back(w);
    (void)co_await w->wait();  // unlock() handed the lock over
  }
  void unlock() {
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    auto next = waiters_.front();
    waiters_.pop_front();
    next->set(true);
  }

 private:
  asio::any_io_executor ex_;
  bool locked_ = false;
  std::deque<std::shared_ptr<Waiter<bool>>> waiters_;
};

struct GroupEntry {
  GroupEntry(std::string group_id, int32_t slot_index, const GroupEnv& env,
             asio::any_io_executor ex)
      : id(std::move(group_id)),
        slot(slot_index),
        group(std::make_unique<Group>(id, env)),
        lock(std::move(ex)) {}
  std::string id;
  int32_t slot;
  std::unique_ptr<Group> group;
  StoredGroup stored;  // what ZooKeeper holds, including the committed offsets
  AsyncLock lock;      // one ZooKeeper write at a time
  bool unloaded = false;
};

enum class SlotStatus { kNotOwned, kLoading, kActive };

struct SlotInfo {
  int32_t owner = -1;  // as last read from /coordinators/<slot>
  bool armed = false;  // a watch is set on the slot znode
  SlotStatus status = SlotStatus::kNotOwned;
  int32_t owned_version = -1;  // znode version when this broker took it: the fence
  uint64_t load_id = 0;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int64_t config_or(const config::BrokerConfig& config, std::string_view key, int64_t fallback) {
  auto v = config.value(key);
  if (!v) return fallback;
  try {
    return std::stoll(*v);
  } catch (...) {
    return fallback;
  }
}

}  // namespace

struct GroupCoordinator::Impl : std::enable_shared_from_this<Impl> {
  Impl(coordination::ZkSession& zk_session, const config::BrokerConfig& cfg,
       const cluster::MetadataCache& md)
      : zk(zk_session),
        config(cfg),
        metadata(md),
        broker_id(cfg.broker_id),
        wake(zk_session.get_executor()) {
    env.config.initial_rebalance_delay =
        std::chrono::milliseconds(config_or(cfg, "group.initial.rebalance.delay.ms", 3000));
    env.config.min_session_timeout =
        std::chrono::milliseconds(config_or(cfg, "group.min.session.timeout.ms", 6000));
    env.config.max_session_timeout =
        std::chrono::milliseconds(config_or(cfg, "group.max.session.timeout.ms", 1800000));
    env.config.max_size = static_cast<int32_t>(config_or(cfg, "group.max.size", INT32_MAX));
    env.wall_ms = wall_ms;
    env.new_member_id = new_member_id;
    retention_ms = config_or(cfg, "offsets.retention.minutes", 10080) * 60000;
    retention_check =
        std::chrono::milliseconds(config_or(cfg, "offsets.retention.check.interval.ms", 600000));
    metadata_max_bytes = config_or(cfg, "offset.metadata.max.bytes", 4096);
  }

  coordination::ZkSession& zk;
  const config::BrokerConfig& config;
  const cluster::MetadataCache& metadata;
  int32_t broker_id;
  GroupEnv env;
  int64_t retention_ms = 0;
  std::chrono::milliseconds retention_check{600000};
  int64_t metadata_max_bytes = 4096;

  int32_t slot_count = 0;
  std::vector<SlotInfo> slots;
  bool slots_dirty = true;
  bool children_armed = false;  // a watch on the children of /coordinators
  bool stopped = false;
  uint64_t next_load_id = 0;
  std::map<std::string, std::shared_ptr<GroupEntry>> groups;
  asio::steady_timer wake;  // cancelled to wake run()
  int listener_id = -1;
  std::optional<Clock::time_point> disconnected_since;

  void poke() {
    slots_dirty = true;
    wake.cancel();
  }

  // ---- slots ----

  Fence fence(int32_t slot) const {
    return Fence{controller::coordinator_slot(slot),
                 slots[static_cast<std::size_t>(slot)].owned_version};
  }

  // Gives up a slot: its groups answer NOT_COORDINATOR from now on. Returns how many groups
  // were unloaded, or -1 when the slot was not ours.
  int release_slot(int32_t slot) {
    auto& info = slots[static_cast<std::size_t>(slot)];
    if (info.status == SlotStatus::kNotOwned) return -1;
    info.status = SlotStatus::kNotOwned;
    info.owned_version = -1;
    int unloaded = 0;
    for (auto it = groups.begin(); it != groups.end();) {
      if (it->second->slot != slot) {
        ++it;
        continue;
      }
      auto entry = it->second;
      it = groups.erase(it);
      entry->unloaded = true;
      entry->group->shutdown(code(KafkaErrc::not_coordinator));
      ++unloaded;
    }
    return unloaded;
  }

  void log_released(int slots_released, int groups_unloaded, const char* why) {
    if (slots_released == 0) return;
    SLUICE_LOG(info) << "groups: no longer coordinator of " << slots_released << " slots (" << why
                     << "), " << groups_unloaded << " groups unloaded";
  }

  void release_all(const char* why) {
    int released = 0;
    int unloaded = 0;
    for (int32_t s = 0; s < slot_count; ++s) {
      int n = release_slot(s);
      if (n < 0) continue;
      ++released;
      unloaded += n;
    }
    log_released(released, unloaded, why);
  }

  coordination::Watcher children_watcher() {
    return [weak = weak_from_this()](const coordination::WatchEvent&) {
      auto self = weak.lock();
      if (!self) return;
      self->children_armed = false;
      self->poke();
    };
  }

  coordination::Watcher slot_watcher(int32_t slot) {
    return [weak = weak_from_this(), slot](const coordination::WatchEvent&) {
      auto self = weak.lock();
      if (!self) return;
      self->slots[static_cast<std::size_t>(slot)].armed = false;
      self->poke();
    };
  }

  // Reads every slot znode (arming one watch per slot) and takes or gives up slots.
  static awaitable<void> refresh_slots(std::shared_ptr<Impl> self) {
    self->slots_dirty = false;
    if (!self->children_armed) {
      // Slots the controller creates later show up here (a get on a missing znode sets no watch).
      // Armed before the call, like the slots below: a firing during the call must stick.
      self->children_armed = true;
      auto kids =
          co_await self->zk.children(controller::coordinators_root(), self->children_watcher());
      if (self->stopped) co_return;
      if (!kids) {
        self->children_armed = false;
        self->slots_dirty = true;
        co_return;
      }
    }
    // A slot counts as armed from the moment its watch is handed over, so a watch that fires
    // while the read is still in flight clears the flag for good (setting it after the read
    // would hide that firing and leave the slot unwatched).
    auto watched = std::make_shared<std::vector<bool>>(self->slots.size(), false);
    std::function<coordination::Watcher(int32_t)> watch =
        [self, watched](int32_t s) -> coordination::Watcher {
      auto& info = self->slots[static_cast<std::size_t>(s)];
      if (info.armed) return {};
      info.armed = true;
      (*watched)[static_cast<std::size_t>(s)] = true;
      return self->slot_watcher(s);
    };
    auto views =
        co_await controller::read_coordinator_slots(self->zk, self->slot_count, std::move(watch));
    if (self->stopped) co_return;
    if (!views) {
      SLUICE_LOG(debug) << "groups: reading coordinator slots: " << views.error().to_string();
      // Which of the gets armed their watch is unknown: arm them all again next time (a slot
      // watched twice only wakes us twice).
      for (std::size_t s = 0; s < watched->size(); ++s) {
        if ((*watched)[s]) self->slots[s].armed = false;
      }
      self->slots_dirty = true;
      co_return;
    }
    std::vector<int32_t> acquired;
    int released = 0;
    int unloaded = 0;
    for (int32_t s = 0; s < self->slot_count; ++s) {
      auto& info = self->slots[static_cast<std::size_t>(s)];
      const controller::SlotView& view = (*views)[static_cast<std::size_t>(s)];
      // ZooKeeper sets no watch when a get finds no znode: the children watch reports its
      // creation, and the next read arms the slot.
      if ((*watched)[static_cast<std::size_t>(s)] && view.zk_version < 0) info.armed = false;
      const int32_t owner = view.slot ? view.slot->broker : -1;
      const int32_t version = view.zk_version;
      info.owner = owner;
      const bool mine = owner == self->broker_id;
      if (mine && (info.status == SlotStatus::kNotOwned || info.owned_version != version)) {
        if (info.status != SlotStatus::kNotOwned) {
          // Rewritten while ours (it moved away and back): whatever we hold may be stale.
          unloaded += std::max(self->release_slot(s), 0);
          ++released;
        }
        info.status = SlotStatus::kLoading;
        info.owned_version = version;
        info.load_id = ++self->next_load_id;
        acquired.push_back(s);
      } else if (!mine && info.status != SlotStatus::kNotOwned) {
        unloaded += std::max(self->release_slot(s), 0);
        ++released;
      }
    }
    self->log_released(released, unloaded, "reassigned by the controller");
    if (!acquired.empty()) {
      asio::co_spawn(self->zk.get_executor(), load_slots(self, std::move(acquired)),
                     asio::detached);
    }
  }

  bool still_loading(int32_t slot, uint64_t load_id) const {
    const auto& info = slots[static_cast<std::size_t>(slot)];
    return !stopped && info.status == SlotStatus::kLoading && info.load_id == load_id;
  }

  // Loads the groups of newly owned slots; their requests get COORDINATOR_LOAD_IN_PROGRESS
  // until this finishes.
  static awaitable<void> load_slots(std::shared_ptr<Impl> self, std::vector<int32_t> slots) {
    std::map<int32_t, uint64_t> loading;
    for (int32_t s : slots) loading[s] = self->slots[static_cast<std::size_t>(s)].load_id;
    auto started = Clock::now();
    auto ids = co_await read_group_ids(self->zk);
    if (self->stopped) co_return;
    std::map<int32_t, std::vector<std::shared_ptr<GroupEntry>>> loaded;
    std::set<int32_t> failed;
    if (!ids) {
      SLUICE_LOG(warning) << "groups: listing /consumers: " << ids.error().to_string();
      for (const auto& entry : loading) failed.insert(entry.first);
    } else {
      for (const auto& id : *ids) {
        const int32_t s = controller::group_slot(id, self->slot_count);
        auto it = loading.find(s);
        if (it == loading.end() || failed.count(s) || !self->still_loading(s, it->second)) continue;
        auto group = co_await read_group(self->zk, id);
        if (self->stopped) co_return;
        if (!group) {
          SLUICE_LOG(warning) << "groups: loading group " << id << ": "
                              << group.error().to_string();
          failed.insert(s);
          continue;
        }
        if (!group->record) continue;  // deleted meanwhile
        auto entry = std::make_shared<GroupEntry>(id, s, self->env, self->zk.get_executor());
        entry->stored = std::move(group->stored);
        entry->group->restore(*group->record);
        loaded[s].push_back(std::move(entry));
      }
    }
    int groups_loaded = 0;
    for (const auto& entry : loading) {
      const int32_t s = entry.first;
      if (!self->still_loading(s, entry.second)) continue;
      if (failed.count(s)) {
        // Try again at the next refresh.
        self->slots[static_cast<std::size_t>(s)].status = SlotStatus::kNotOwned;
        self->poke();
        continue;
      }
      for (auto& g : loaded[s]) {
        self->groups[g->id] = g;
        ++groups_loaded;
      }
      self->slots[static_cast<std::size_t>(s)].status = SlotStatus::kActive;
    }
    auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    SLUICE_LOG(info) << "groups: coordinator of " << loading.size() << " more slots, loaded "
                     << groups_loaded << " groups in " << took << " ms";
  }

  // ---- request helpers ----

  // NONE with the group's entry (null when the group is unknown), or the error to answer:
  // INVALID_GROUP_ID for an empty id, else whatever says this broker cannot serve it now.
  int16_t locate(const std::string& group, std::shared_ptr<GroupEntry>& out) {
    out.reset();
    if (group.empty()) return code(KafkaErrc::invalid_group_id);
    if (stopped || slot_count == 0) return code(KafkaErrc::not_coordinator);
    const int32_t s = controller::group_slot(group, slot_count);
    switch (slots[static_cast<std::size_t>(s)].status) {
      case SlotStatus::kNotOwned:
        return code(KafkaErrc::not_coordinator);
      case SlotStatus::kLoading:
        return code(KafkaErrc::coordinator_load_in_progress);
      case SlotStatus::kActive:
        break;
    }
    auto it = groups.find(group);
    if (it != groups.end()) out = it->second;
    return 0;
  }

  // locate() for reads and deletions: a group this broker does not hold although it owns the
  // group's slot is read from ZooKeeper before it is reported as unknown. ZooKeeper fences writes,
  // not reads: while this broker has not yet processed a slot's move (its watch is on the way), the
  // new owner may already have created the group, and a client that asked the old view would
  // otherwise be told the group does not exist. The entry found this way is kept (writes through it
  // are still fenced), and the slots are re-read in case the slot left us.
  static awaitable<int16_t> locate_or_load(std::shared_ptr<Impl> self, std::string group,
                                           std::shared_ptr<GroupEntry>& out) {
    int16_t error = self->locate(group, out);
    if (error != 0 || out) co_return error;
    auto loaded = co_await read_group(self->zk, group);
    if (self->stopped) co_return code(KafkaErrc::not_coordinator);
    error = self->locate(group, out);  // the world may have moved during the read
    if (error != 0 || out || !loaded || !loaded->record) co_return error;
    const int32_t s = controller::group_slot(group, self->slot_count);
    auto entry = std::make_shared<GroupEntry>(group, s, self->env, self->zk.get_executor());
    entry->stored = std::move(loaded->stored);
    entry->group->restore(*loaded->record);
    self->groups[group] = entry;
    out = entry;
    SLUICE_LOG(info) << "groups: group " << group << " was not loaded although slot " << s
                     << " is ours; read it from ZooKeeper and re-reading the slots";
    self->poke();
    co_return 0;
  }

  std::shared_ptr<GroupEntry> create_entry(const std::string& group) {
    const int32_t s = controller::group_slot(group, slot_count);
    auto entry = std::make_shared<GroupEntry>(group, s, env, zk.get_executor());
    groups[group] = entry;
    return entry;
  }

  // Forgets a group that holds nothing (e.g. created by a JoinGroup that failed).
  void drop_if_unused(const std::shared_ptr<GroupEntry>& entry) {
    const Group& g = *entry->group;
    if (g.state() == GroupState::kEmpty && g.members().empty() && g.pending_members() == 0 &&
        !entry->stored.node && entry->stored.offsets.empty()) {
      auto it = groups.find(entry->id);
      if (it != groups.end() && it->second == entry) groups.erase(it);
    }
  }

  int16_t store_error(const Error& error, const std::string& group, int32_t slot) {
    if (is_fenced(error)) {
      SLUICE_LOG(warning) << "groups: write of group " << group << " fenced: slot " << slot
                          << " has a new owner (" << error.to_string() << ")";
      poke();
      return code(KafkaErrc::not_coordinator);
    }
    SLUICE_LOG(warning) << "groups: writing group " << group << ": " << error.to_string();
    return code(KafkaErrc::coordinator_not_available);
  }

  void persist(const std::string& group, GroupRecord record, std::function<void(int16_t)> done) {
    auto it = groups.find(group);
    if (it == groups.end()) {
      done(code(KafkaErrc::not_coordinator));
      return;
    }
    asio::co_spawn(zk.get_executor(),
                   store_task(shared_from_this(), it->second, std::move(record), std::move(done)),
                   asio::detached);
  }

  static awaitable<void> store_task(std::shared_ptr<Impl> self, std::shared_ptr<GroupEntry> entry,
                                    GroupRecord record, std::function<void(int16_t)> done) {
    co_await entry->lock.lock();
    int16_t error = 0;
    if (entry->unloaded || self->stopped) {
      error = code(KafkaErrc::not_coordinator);
    } else {
      Status st = co_await store_group(self->zk, self->fence(entry->slot), entry->id, record,
                                       self->broker_id, entry->stored);
      if (!st) error = self->store_error(st.error(), entry->id, entry->slot);
    }
    entry->lock.unlock();
    done(error);
  }

  static awaitable<void> remove_offsets_task(std::shared_ptr<Impl> self,
                                             std::shared_ptr<GroupEntry> entry,
                                             std::vector<TopicPartitionKey> partitions,
                                             std::string why) {
    co_await entry->lock.lock();
    if (!entry->unloaded && !self->stopped) {
      Status st = co_await remove_offsets(self->zk, self->fence(entry->slot), entry->id, partitions,
                                          entry->stored);
      if (!st) {
        (void)self->store_error(st.error(), entry->id, entry->slot);
      } else {
        SLUICE_LOG(info) << "groups: group " << entry->id << ": removed " << partitions.size()
                         << " offsets (" << why << ")";
      }
    }
    entry->lock.unlock();
  }

  // Expired offsets of empty groups, then groups left with nothing.
  static awaitable<void> cleanup(std::shared_ptr<Impl> self) {
    const int64_t now = wall_ms();
    std::vector<std::shared_ptr<GroupEntry>> entries;
    for (const auto& entry : self->groups) entries.push_back(entry.second);
    for (const auto& entry : entries) {
      if (entry->unloaded || self->stopped) continue;
      if (entry->group->state() != GroupState::kEmpty) continue;
      std::vector<TopicPartitionKey> expired;
      for (const auto& o : entry->stored.offsets) {
        // Kafka: offsets of a group with membership expire `retention` after the group
        // became empty; those of a group that only commits, `retention` after the commit.
        const int64_t since = entry->group->protocol_type().empty()
                                  ? o.second.commit_timestamp_ms
                                  : entry->group->state_timestamp_ms();
        if (since + self->retention_ms <= now) expired.push_back(o.first);
      }
      if (!expired.empty()) {
        co_await remove_offsets_task(self, entry, std::move(expired), "offsets.retention.minutes");
      }
      const Group& g = *entry->group;
      if (entry->unloaded || self->stopped || g.state() != GroupState::kEmpty ||
          !g.members().empty() || g.pending_members() != 0 || !entry->stored.offsets.empty()) {
        continue;
      }
      co_await entry->lock.lock();
      bool removed = false;
      if (!entry->unloaded && !self->stopped && entry->group->state() == GroupState::kEmpty &&
          entry->group->members().empty() && entry->stored.offsets.empty()) {
        Status st =
            co_await remove_group(self->zk, self->fence(entry->slot), entry->id, entry->stored);
        if (st)
          removed = true;
        else
          (void)self->store_error(st.error(), entry->id, entry->slot);
      }
      entry->lock.unlock();
      if (removed) {
        SLUICE_LOG(info) << "groups: removed empty group " << entry->id
                         << " (no members, no offsets)";
        entry->unloaded = true;
        entry->group->shutdown(code(KafkaErrc::coordinator_not_available));
        auto it = self->groups.find(entry->id);
        if (it != self->groups.end() && it->second == entry) self->groups.erase(it);
      }
    }
  }
};

// ---- lifecycle ----

GroupCoordinator::GroupCoordinator(coordination::ZkSession& zk, const config::BrokerConfig& config,
                                   const cluster::MetadataCache& metadata)
    : impl_(std::make_shared<Impl>(zk, config, metadata)) {
  impl_->env.persist = [weak = std::weak_ptr<Impl>(impl_)](const std::string& group,
                                                           GroupRecord record,
                                                           std::function<void(int16_t)> done) {
    auto self = weak.lock();
    if (!self) return;
    self->persist(group, std::move(record), std::move(done));
  };
  impl_->listener_id =
      zk.add_listener([weak = std::weak_ptr<Impl>(impl_)](coordination::SessionEvent e) {
        auto self = weak.lock();
        if (!self) return;
        switch (e) {
          case coordination::SessionEvent::expired:
            self->release_all("ZooKeeper session expired");
            for (auto& s : self->slots) s.armed = false;
            self->children_armed = false;
            break;
          case coordination::SessionEvent::disconnected:
            if (!self->disconnected_since) self->disconnected_since = Clock::now();
            break;
          case coordination::SessionEvent::connected:
          case coordination::SessionEvent::reestablished:
            self->disconnected_since.reset();
            break;
        }
        self->poke();
      });
}

GroupCoordinator::~GroupCoordinator() {
  impl_->stopped = true;
  impl_->release_all("shutting down");
  impl_->zk.remove_listener(impl_->listener_id);
  impl_->wake.cancel();
}

awaitable<Status> GroupCoordinator::start() {
  auto self = impl_;
  auto wanted = static_cast<int32_t>(config_or(self->config, "offsets.topic.num.partitions", 50));
  auto count = co_await controller::ensure_coordinators_root(self->zk, wanted);
  if (!count)
    co_return Error(count.error().code(), "group coordinator slots: " + count.error().context());
  if (*count != wanted) {
    SLUICE_LOG(info) << "groups: the cluster has " << *count
                     << " coordinator slots (offsets.topic.num.partitions=" << wanted
                     << " here is ignored: the count is fixed when the cluster first starts)";
  }
  self->slot_count = *count;
  self->slots.assign(static_cast<std::size_t>(*count), SlotInfo{});
  co_return Status{};
}

awaitable<void> GroupCoordinator::run() {
  auto self = impl_;
  auto next_refresh = Clock::now();
  auto next_cleanup = Clock::now() + self->retention_check;
  while (!self->stopped) {
    auto now = Clock::now();
    if (self->slots_dirty || now >= next_refresh) {
      co_await Impl::refresh_slots(self);
      if (self->stopped) break;
      next_refresh = Clock::now() + 10s;
    }
    // Cut off from ZooKeeper for a whole session timeout: the controller may have given our
    // slots away by now, so stop answering for them.
    if (self->disconnected_since &&
        Clock::now() - *self->disconnected_since >
            std::chrono::milliseconds(self->config.zookeeper_session_timeout_ms)) {
      self->release_all("disconnected from ZooKeeper for a session timeout");
    }
    std::vector<std::shared_ptr<GroupEntry>> entries;
    entries.reserve(self->groups.size());
    for (const auto& entry : self->groups) entries.push_back(entry.second);
    for (const auto& entry : entries) {
      if (!entry->unloaded) entry->group->tick();
    }
    if (Clock::now() >= next_cleanup) {
      co_await Impl::cleanup(self);
      next_cleanup = Clock::now() + self->retention_check;
    }
    if (self->stopped) break;
    if (self->slots_dirty) continue;
    self->wake.expires_after(100ms);
    boost::system::error_code ec;
    co_await self->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void GroupCoordinator::stop() {
  impl_->stopped = true;
  impl_->release_all("shutting down");
  impl_->wake.cancel();
}

void GroupCoordinator::on_metadata(const cluster::Snapshot& previous,
                                   const cluster::Snapshot& current) {
  std::set<std::string> deleted;
  for (const auto& entry : previous.topics) {
    if (!current.topics.count(entry.first)) deleted.insert(entry.first);
  }
  if (deleted.empty() || impl_->stopped) return;
  for (const auto& g : impl_->groups) {
    std::vector<TopicPartitionKey> gone;
    for (const auto& o : g.second->stored.offsets) {
      if (deleted.count(o.first.first)) gone.push_back(o.first);
    }
    if (gone.empty()) continue;
    asio::co_spawn(impl_->zk.get_executor(),
                   Impl::remove_offsets_task(impl_, g.second, std::move(gone), "topic deleted"),
                   asio::detached);
  }
}

// ---- FindCoordinator ----

awaitable<std::vector<GroupCoordinator::Located>> GroupCoordinator::find_coordinators(
    std::vector<std::string> keys, int8_t key_type) {
  auto self = impl_;
  std::vector<Located> out;
  for (const auto& key : keys) {
    Located l;
    if (key_type != 0) {
      // Transactions are not supported: no transaction coordinator exists.
      l.error =
          code(key_type == 1 ? KafkaErrc::coordinator_not_available : KafkaErrc::invalid_request);
    } else if (key.empty()) {
      l.error = code(KafkaErrc::invalid_request);
    } else if (self->slot_count == 0) {
      l.error = code(KafkaErrc::coordinator_not_available);
    } else {
      const int32_t owner =
          self->slots[static_cast<std::size_t>(controller::group_slot(key, self->slot_count))]
              .owner;
      if (owner < 0)
        l.error = code(KafkaErrc::coordinator_not_available);
      else
        l.broker_id = owner;
    }
    out.push_back(l);
  }
  co_return out;
}

// ---- JoinGroup ----

awaitable<protocol::JoinGroupResponse> GroupCoordinator::join_group(
    protocol::JoinGroupRequest request, int16_t version, std::string client_id,
    std::string client_host) {
  auto self = impl_;
  protocol::JoinGroupResponse response;
  response.member_id = request.member_id;
  response.protocol_name =
      version >= 7 ? std::optional<std::string>() : std::optional<std::string>(std::string());
  std::shared_ptr<GroupEntry> entry;
  const int16_t located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != 0) {
    response.error_code = located;
    co_return response;
  }
  if (!entry) {
    if (!request.member_id.empty()) {
      response.error_code = code(KafkaErrc::unknown_member_id);
      co_return response;
    }
    entry = self->create_entry(request.group_id);
  }
  JoinRequest join;
  join.member_id = request.member_id;
  join.group_instance_id = request.group_instance_id;
  join.client_id = std::move(client_id);
  join.client_host = std::move(client_host);
  join.session_timeout_ms = request.session_timeout_ms;
  join.rebalance_timeout_ms = request.rebalance_timeout_ms;  // v0: -1, the session timeout
  join.protocol_type = request.protocol_type;
  for (auto& p : request.protocols)
    join.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  join.require_known_member_id = version >= 4 && !request.group_instance_id;

  auto waiter = std::make_shared<Waiter<JoinResult>>(self->zk.get_executor());
  entry->group->join(std::move(join), [waiter](JoinResult r) { waiter->set(std::move(r)); });
  JoinResult result = co_await waiter->wait();
  if (!entry->unloaded) self->drop_if_unused(entry);

  response.error_code = result.error;
  response.generation_id = result.generation;
  response.member_id = result.member_id;
  response.leader = result.leader;
  if (version >= 7) {
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name;
  } else {
    response.protocol_name = result.protocol_name.value_or("");
  }
  for (auto& m : result.members) {
    protocol::JoinGroupResponseMember member;
    member.member_id = std::move(m.member_id);
    member.group_instance_id = std::move(m.group_instance_id);
    member.metadata = std::move(m.metadata);
    response.members.push_back(std::move(member));
  }
  if (result.error == 0) {
    SLUICE_LOG(debug) << "groups: " << request.group_id << " member " << result.member_id
                      << " joined generation " << result.generation
                      << (result.member_id == result.leader ? " as leader" : "");
  }
  co_return response;
}

// ---- SyncGroup ----

awaitable<protocol::SyncGroupResponse> GroupCoordinator::sync_group(
    protocol::SyncGroupRequest request, int16_t version) {
  auto self = impl_;
  protocol::SyncGroupResponse response;
  std::shared_ptr<GroupEntry> entry;
  const int16_t located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != 0) {
    response.error_code = located;
    co_return response;
  }
  if (!entry) {
    response.error_code = code(KafkaErrc::unknown_member_id);
    co_return response;
  }
  SyncRequest sync;
  sync.member_id = request.member_id;
  sync.group_instance_id = request.group_instance_id;
  sync.generation = request.generation_id;
  sync.protocol_type = request.protocol_type;
  sync.protocol_name = request.protocol_name;
  for (auto& a : request.assignments)
    sync.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  auto waiter = std::make_shared<Waiter<SyncResult>>(self->zk.get_executor());
  entry->group->sync(std::move(sync), [waiter](SyncResult r) { waiter->set(std::move(r)); });
  SyncResult result = co_await waiter->wait();
  response.error_code = result.error;
  response.assignment = std::move(result.assignment);
  if (version >= 5 && result.error == 0) {
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name;
  }
  co_return response;
}

// ---- Heartbeat ----

awaitable<protocol::HeartbeatResponse> GroupCoordinator::heartbeat(
    protocol::HeartbeatRequest request) {
  auto self = impl_;
  protocol::HeartbeatResponse response;
  std::shared_ptr<GroupEntry> entry;
  if (int16_t error = self->locate(request.group_id, entry); error != 0) {
    response.error_code = error;
  } else if (!entry) {
    response.error_code = code(KafkaErrc::unknown_member_id);
  } else {
    MemberIdentity who{request.member_id, request.group_instance_id};
    response.error_code = entry->group->heartbeat(who, request.generation_id);
  }
  co_return response;
}

// ---- LeaveGroup ----

awaitable<protocol::LeaveGroupResponse> GroupCoordinator::leave_group(
    protocol::LeaveGroupRequest request, int16_t version) {
  auto self = impl_;
  protocol::LeaveGroupResponse response;
  std::vector<MemberIdentity> leaving;
  if (version < 3) {
    leaving.push_back({request.member_id, std::nullopt});
  } else {
    for (const auto& m : request.members) leaving.push_back({m.member_id, m.group_instance_id});
  }
  std::shared_ptr<GroupEntry> entry;
  const int16_t located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != 0) {
    response.error_code = located;
    co_return response;
  }
  if (entry && entry->group->state() == GroupState::kDead) {
    response.error_code = code(KafkaErrc::coordinator_not_available);
    co_return response;
  }
  for (const auto& who : leaving) {
    int16_t error = entry ? entry->group->leave(who) : code(KafkaErrc::unknown_member_id);
    if (error == 0) {
      SLUICE_LOG(debug) << "groups: " << request.group_id << " member "
                        << (who.member_id.empty() ? who.group_instance_id.value_or("")
                                                  : who.member_id)
                        << " left";
    }
    if (version < 3) {
      response.error_code = error;
    } else {
      protocol::LeaveGroupMemberResponse member;
      member.member_id = who.member_id;
      member.group_instance_id = who.group_instance_id;
      member.error_code = error;
      response.members.push_back(std::move(member));
    }
  }
  co_return response;
}

// ---- OffsetCommit ----

awaitable<protocol::OffsetCommitResponse> GroupCoordinator::commit_offsets(
    protocol::OffsetCommitRequest request, int16_t version) {
  auto self = impl_;
  protocol::OffsetCommitResponse response;
  // One answer per requested partition, NONE until something says otherwise.
  for (const auto& t : request.topics) {
    protocol::OffsetCommitResponseTopic topic;
    topic.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::OffsetCommitResponsePartition part;
      part.partition_index = p.partition_index;
      topic.partitions.push_back(part);
    }
    response.topics.push_back(std::move(topic));
  }
  auto fail_all = [&response](int16_t error) {
    for (auto& t : response.topics) {
      for (auto& p : t.partitions) {
        if (p.error_code == 0) p.error_code = error;
      }
    }
  };
  std::shared_ptr<GroupEntry> entry;
  if (int16_t error = self->locate(request.group_id, entry); error != 0) {
    fail_all(error);
    co_return response;
  }
  if (!entry) {
    if (request.generation_id >= 0) {
      // A member of a generation of a group that does not exist (any more).
      fail_all(code(KafkaErrc::illegal_generation));
      co_return response;
    }
    entry = self->create_entry(request.group_id);  // offsets-only group
  }
  MemberIdentity who{request.member_id, request.group_instance_id};
  if (int16_t error = entry->group->validate_offset_commit(who, request.generation_id);
      error != 0) {
    fail_all(error);
    self->drop_if_unused(entry);
    co_return response;
  }
  auto snapshot = self->metadata.current();
  const int64_t now = wall_ms();
  std::map<TopicPartitionKey, OffsetRecord> commits;
  for (std::size_t ti = 0; ti < request.topics.size(); ++ti) {
    const auto& t = request.topics[ti];
    for (std::size_t pi = 0; pi < t.partitions.size(); ++pi) {
      const auto& p = t.partitions[pi];
      auto& out = response.topics[ti].partitions[pi];
      if (snapshot->partition(t.name, p.partition_index) == nullptr) {
        out.error_code = code(KafkaErrc::unknown_topic_or_partition);
        continue;
      }
      const std::string metadata = p.committed_metadata.value_or("");
      if (static_cast<int64_t>(metadata.size()) > self->metadata_max_bytes) {
        out.error_code = code(KafkaErrc::offset_metadata_too_large);
        continue;
      }
      OffsetRecord rec;
      rec.offset = p.committed_offset;
      rec.leader_epoch = p.committed_leader_epoch;
      rec.metadata = metadata;
      rec.commit_timestamp_ms =
          (version == 1 && p.commit_timestamp >= 0) ? p.commit_timestamp : now;
      commits[TopicPartitionKey(t.name, p.partition_index)] = std::move(rec);
    }
  }
  if (commits.empty()) {
    self->drop_if_unused(entry);
    co_return response;
  }
  co_await entry->lock.lock();
  int16_t error = 0;
  if (entry->unloaded || self->stopped) {
    error = code(KafkaErrc::not_coordinator);
  } else {
    GroupRecord record = entry->group->record();
    Status st = co_await store_offsets(self->zk, self->fence(entry->slot), entry->id, record,
                                       self->broker_id, commits, entry->stored);
    if (!st) error = self->store_error(st.error(), entry->id, entry->slot);
  }
  entry->lock.unlock();
  if (error != 0) fail_all(error);
  co_return response;
}

// ---- OffsetFetch ----

namespace {

struct FetchedPartition {
  int32_t partition = 0;
  OffsetRecord offset;  // offset -1 when none
};
struct FetchedTopic {
  std::string name;
  std::vector<FetchedPartition> partitions;
};

// The committed offsets of `requested` (nullopt: all the group has).
std::vector<FetchedTopic> fetch_from(
    const GroupEntry* entry,
    const std::optional<std::vector<protocol::OffsetFetchRequestTopic>>& requested) {
  std::vector<FetchedTopic> out;
  if (!requested) {
    if (entry == nullptr) return out;
    for (const auto& o : entry->stored.offsets) {
      if (out.empty() || out.back().name != o.first.first) out.push_back({o.first.first, {}});
      out.back().partitions.push_back({o.first.second, o.second});
    }
    return out;
  }
  for (const auto& t : *requested) {
    FetchedTopic topic{t.name, {}};
    for (int32_t p : t.partition_indexes) {
      FetchedPartition fp{p, OffsetRecord{}};
      if (entry != nullptr) {
        auto it = entry->stored.offsets.find(TopicPartitionKey(t.name, p));
        if (it != entry->stored.offsets.end()) fp.offset = it->second;
      }
      topic.partitions.push_back(std::move(fp));
    }
    out.push_back(std::move(topic));
  }
  return out;
}

}  // namespace

awaitable<protocol::OffsetFetchResponse> GroupCoordinator::fetch_offsets(
    protocol::OffsetFetchRequest request, int16_t version) {
  auto self = impl_;
  protocol::OffsetFetchResponse response;
  if (version >= 8) {
    for (const auto& g : request.groups) {
      protocol::OffsetFetchResponseGroup group;
      group.group_id = g.group_id;
      std::shared_ptr<GroupEntry> entry;
      group.error_code = co_await Impl::locate_or_load(self, g.group_id, entry);
      if (group.error_code == 0) {
        for (auto& t : fetch_from(entry.get(), g.topics)) {
          protocol::OffsetFetchResponseTopics topic;
          topic.name = t.name;
          for (const auto& p : t.partitions) {
            protocol::OffsetFetchResponsePartitions part;
            part.partition_index = p.partition;
            part.committed_offset = p.offset.offset;
            part.committed_leader_epoch = p.offset.leader_epoch;
            part.metadata = p.offset.metadata;
            topic.partitions.push_back(std::move(part));
          }
          group.topics.push_back(std::move(topic));
        }
      }
      response.groups.push_back(std::move(group));
    }
    co_return response;
  }
  std::shared_ptr<GroupEntry> entry;
  const int16_t error = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (error != 0 && version >= 2) {
    response.error_code = error;
    co_return response;
  }
  for (auto& t : fetch_from(entry.get(), request.topics)) {
    protocol::OffsetFetchResponseTopic topic;
    topic.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::OffsetFetchResponsePartition part;
      part.partition_index = p.partition;
      part.committed_offset = p.offset.offset;
      part.committed_leader_epoch = p.offset.leader_epoch;
      part.metadata = p.offset.metadata;
      part.error_code = error;  // v0-1 carry coordinator errors per partition
      topic.partitions.push_back(std::move(part));
    }
    response.topics.push_back(std::move(topic));
  }
  co_return response;
}

// ---- DescribeGroups ----

awaitable<protocol::DescribeGroupsResponse> GroupCoordinator::describe_groups(
    protocol::DescribeGroupsRequest request) {
  auto self = impl_;
  protocol::DescribeGroupsResponse response;
  for (const auto& id : request.groups) {
    protocol::DescribedGroup d;
    d.group_id = id;
    std::shared_ptr<GroupEntry> entry;
    d.error_code = co_await Impl::locate_or_load(self, id, entry);
    if (d.error_code == 0) {
      if (!entry) {
        d.group_state = "Dead";  // Kafka describes unknown groups as Dead, without error
      } else {
        const Group& g = *entry->group;
        const bool stable = g.state() == GroupState::kStable;
        d.group_state = std::string(to_string(g.state()));
        d.protocol_type = g.protocol_type();
        if (stable) d.protocol_data = g.protocol_name().value_or("");
        for (const auto& m : g.members()) {
          protocol::DescribedGroupMember member;
          member.member_id = m.second.member_id;
          member.group_instance_id = m.second.group_instance_id;
          member.client_id = m.second.client_id;
          member.client_host = m.second.client_host;
          if (stable) {
            if (const auto* md = m.second.metadata_for(g.protocol_name().value_or("")))
              member.member_metadata = *md;
            member.member_assignment = m.second.assignment;
          }
          d.members.push_back(std::move(member));
        }
      }
      // No ACLs: every group operation a describer may ask about is allowed
      // (READ, DELETE, DESCRIBE as Kafka's AclOperation bits).
      if (request.include_authorized_operations)
        d.authorized_operations = (1 << 3) | (1 << 6) | (1 << 8);
    }
    response.groups.push_back(std::move(d));
  }
  co_return response;
}

// ---- ListGroups ----

awaitable<protocol::ListGroupsResponse> GroupCoordinator::list_groups(
    protocol::ListGroupsRequest request) {
  auto self = impl_;
  protocol::ListGroupsResponse response;
  for (const auto& s : self->slots) {
    if (s.status == SlotStatus::kLoading) {
      response.error_code = code(KafkaErrc::coordinator_load_in_progress);
      co_return response;
    }
  }
  std::set<std::string> states;
  for (const auto& s : request.states_filter) states.insert(lower(s));
  for (const auto& entry : self->groups) {
    const Group& g = *entry.second->group;
    if (g.state() == GroupState::kDead) continue;
    const std::string state(to_string(g.state()));
    if (!states.empty() && !states.count(lower(state))) continue;
    protocol::ListedGroup listed;
    listed.group_id = entry.first;
    listed.protocol_type = g.protocol_type();
    listed.group_state = state;
    response.groups.push_back(std::move(listed));
  }
  co_return response;
}

// ---- DeleteGroups ----

awaitable<protocol::DeleteGroupsResponse> GroupCoordinator::delete_groups(
    protocol::DeleteGroupsRequest request) {
  auto self = impl_;
  protocol::DeleteGroupsResponse response;
  for (const auto& id : request.groups_names) {
    protocol::DeletableGroupResult result;
    result.group_id = id;
    std::shared_ptr<GroupEntry> entry;
    // Like the reads: a group of ours not loaded yet is looked up in ZooKeeper before it is
    // called missing; the removal itself is fenced by the slot's version.
    const int16_t error = co_await Impl::locate_or_load(self, id, entry);
    if (error != 0) {
      result.error_code = error;
    } else if (!entry || entry->group->state() == GroupState::kDead) {
      result.error_code = code(KafkaErrc::group_id_not_found);
    } else if (entry->group->state() != GroupState::kEmpty) {
      result.error_code = code(KafkaErrc::non_empty_group);
    } else {
      co_await entry->lock.lock();
      if (entry->unloaded || self->stopped) {
        result.error_code = code(KafkaErrc::not_coordinator);
      } else if (entry->group->state() != GroupState::kEmpty) {
        result.error_code = code(KafkaErrc::non_empty_group);
      } else {
        Status st =
            co_await remove_group(self->zk, self->fence(entry->slot), entry->id, entry->stored);
        if (!st) result.error_code = self->store_error(st.error(), entry->id, entry->slot);
      }
      entry->lock.unlock();
      if (result.error_code == 0) {
        SLUICE_LOG(info) << "groups: deleted group " << id;
        entry->unloaded = true;
        entry->group->shutdown(code(KafkaErrc::coordinator_not_available));
        auto it = self->groups.find(id);
        if (it != self->groups.end() && it->second == entry) self->groups.erase(it);
      }
    }
    response.results.push_back(std::move(result));
  }
  co_return response;
}

// ---- OffsetDelete ----

awaitable<protocol::OffsetDeleteResponse> GroupCoordinator::delete_offsets(
    protocol::OffsetDeleteRequest request) {
  auto self = impl_;
  protocol::OffsetDeleteResponse response;
  std::shared_ptr<GroupEntry> entry;
  const int16_t located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != 0) {
    response.error_code = located;
    co_return response;
  }
  if (!entry || entry->group->state() == GroupState::kDead) {
    response.error_code = code(KafkaErrc::group_id_not_found);
    co_return response;
  }
  const Group& g = *entry->group;
  const bool empty = g.state() == GroupState::kEmpty;
  if (!empty && g.protocol_type() != "consumer") {
    response.error_code = code(KafkaErrc::non_empty_group);
    co_return response;
  }
  auto snapshot = self->metadata.current();
  std::vector<TopicPartitionKey> removing;
  for (const auto& t : request.topics) {
    protocol::OffsetDeleteResponseTopic topic;
    topic.name = t.name;
    const bool subscribed = !empty && g.subscribed_to(t.name);
    for (const auto& p : t.partitions) {
      protocol::OffsetDeleteResponsePartition part;
      part.partition_index = p.partition_index;
      if (snapshot->partition(t.name, p.partition_index) == nullptr) {
        part.error_code = code(KafkaErrc::unknown_topic_or_partition);
      } else if (subscribed) {
        part.error_code = code(KafkaErrc::group_subscribed_to_topic);
      } else {
        removing.emplace_back(t.name, p.partition_index);
      }
      topic.partitions.push_back(part);
    }
    response.topics.push_back(std::move(topic));
  }
  if (removing.empty()) co_return response;
  co_await entry->lock.lock();
  int16_t error = 0;
  if (entry->unloaded || self->stopped) {
    error = code(KafkaErrc::not_coordinator);
  } else {
    Status st = co_await remove_offsets(self->zk, self->fence(entry->slot), entry->id, removing,
                                        entry->stored);
    if (!st) error = self->store_error(st.error(), entry->id, entry->slot);
  }
  entry->lock.unlock();
  if (error != 0) {
    response.error_code = error;
    response.topics.clear();
  }
  co_return response;
}

}  // namespace sluice::broker::groups
