// The group coordinator (see group_coordinator.h): its lifecycle, the run loop that fires the
// groups' timers, and FindCoordinator. The other seams live next to it (coordinator_impl.h
// lists them).
#include "broker/groups/group_coordinator.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "broker/cluster/metadata.h"
#include "broker/config/broker_config.h"
#include "broker/groups/coordinator_impl.h"
#include "common/log.h"

namespace sluice::broker::groups {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;
using namespace std::chrono_literals;

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

}  // namespace

int64_t config_or(const config::BrokerConfig& config, std::string_view key, int64_t fallback) {
  auto v = config.value(key);
  if (!v) return fallback;
  try {
    return std::stoll(*v);
  } catch (...) {
    return fallback;
  }
}

GroupCoordinator::Impl::Impl(coordination::ZkSession& zk_session, const config::BrokerConfig& cfg,
                             const cluster::MetadataCache& md)
    : zk(zk_session),
      config(cfg),
      metadata(md),
      broker_id(cfg.broker_id),
      groups(env, zk_session.get_executor()),
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
  offsets.retention_ms = config_or(cfg, "offsets.retention.minutes", 10080) * 60000;
  offsets.retention_check =
      std::chrono::milliseconds(config_or(cfg, "offsets.retention.check.interval.ms", 600000));
  offsets.metadata_max_bytes = config_or(cfg, "offset.metadata.max.bytes", 4096);
}

void GroupCoordinator::Impl::poke() {
  slots_dirty = true;
  wake.cancel();
}

void GroupCoordinator::Impl::spawn(awaitable<void> task) {
  asio::co_spawn(zk.get_executor(), std::move(task), asio::detached);
}

// ---- lifecycle ----

GroupCoordinator::GroupCoordinator(coordination::ZkSession& zk, const config::BrokerConfig& config,
                                   const cluster::MetadataCache& metadata)
    : impl_(std::make_shared<Impl>(zk, config, metadata)) {
  impl_->env.persist = [weak = std::weak_ptr<Impl>(impl_)](const std::string& group,
                                                           GroupRecord record,
                                                           std::function<void(KafkaErrc)> done) {
    auto self = weak.lock();
    if (!self) return;
    self->persist(group, std::move(record), std::move(done));
  };
  impl_->listener_id =
      zk.add_listener([weak = std::weak_ptr<Impl>(impl_)](coordination::SessionEvent e) {
        auto self = weak.lock();
        if (self) self->on_session_event(e);
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
  self->slots.reset(*count);
  co_return Status{};
}

awaitable<void> GroupCoordinator::run() {
  auto self = impl_;
  auto next_refresh = Clock::now();
  auto next_cleanup = Clock::now() + self->offsets.retention_check;
  while (!self->stopped) {
    if (self->slots_dirty || Clock::now() >= next_refresh) {
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
    auto entries = self->groups.snapshot();
    for (const auto& entry : entries) {
      if (!entry->unloaded) entry->group->tick();
    }
    if (Clock::now() >= next_cleanup) {
      co_await Impl::expire_offsets(self);
      next_cleanup = Clock::now() + self->offsets.retention_check;
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

// ---- FindCoordinator ----

awaitable<std::vector<GroupCoordinator::Located>> GroupCoordinator::find_coordinators(
    std::vector<std::string> keys, int8_t key_type) {
  auto self = impl_;
  std::vector<Located> out;
  for (const auto& key : keys) {
    KafkaErrc error = KafkaErrc::none;
    Located l;
    if (key_type != 0) {
      // Transactions are not supported: no transaction coordinator exists.
      error = key_type == 1 ? KafkaErrc::coordinator_not_available : KafkaErrc::invalid_request;
    } else if (key.empty()) {
      error = KafkaErrc::invalid_request;
    } else if (self->slots.count() == 0) {
      error = KafkaErrc::coordinator_not_available;
    } else {
      l.broker_id = self->slots.at(self->slots.slot_of(key)).owner;
      if (l.broker_id < 0) {
        error = KafkaErrc::coordinator_not_available;
        l.broker_id = -1;
      }
    }
    l.error = error;
    out.push_back(l);
  }
  co_return out;
}

}  // namespace sluice::broker::groups
