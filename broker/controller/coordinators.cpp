// Group-coordinator slots: schema, placement decisions and the controller's writes (see
// coordinators.h and docs/groups.md).
#include "broker/controller/coordinators.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "coordination/zk_error.h"
#include "coordination/znodes.h"

namespace sluice::broker::controller {
namespace {

using Json = nlohmann::ordered_json;
using coordination::ZkErrc;

std::optional<Json> parse(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<int32_t> int32_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  int64_t v = it->get<int64_t>();
  if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(v);
}

Error bad(std::string_view what, std::string_view why) {
  return Error(ZkErrc::data_inconsistency, std::string(what) + ": " + std::string(why));
}

// Concurrent reads: one coroutine per znode, the last one to finish wakes the reader.
struct ManyGets {
  explicit ManyGets(boost::asio::any_io_executor ex, std::size_t n)
      : results(n), remaining(n), done(ex, boost::asio::steady_timer::time_point::max()) {}
  std::vector<std::optional<Result<coordination::NodeData>>> results;
  std::size_t remaining;
  boost::asio::steady_timer done;
};

awaitable<void> get_one(coordination::ZkSession& zk, std::shared_ptr<ManyGets> gets, std::size_t i,
                        std::string path, coordination::Watcher watcher) {
  auto got = co_await zk.get(std::move(path), std::move(watcher));
  gets->results[i].emplace(std::move(got));
  if (--gets->remaining == 0) gets->done.cancel();
}

}  // namespace

std::string coordinators_root() { return "/coordinators"; }
std::string coordinator_slot(int32_t slot) { return "/coordinators/" + std::to_string(slot); }

std::string encode(const CoordinatorSlot& s) {
  Json j;
  j["version"] = 1;
  j["broker"] = s.broker;
  j["coordinator_epoch"] = s.coordinator_epoch;
  j["controller_epoch"] = s.controller_epoch;
  return j.dump();
}

Result<CoordinatorSlot> decode_coordinator_slot(std::string_view json) {
  auto j = parse(json);
  if (!j) return bad("/coordinators/<slot>", "not a JSON object");
  auto broker = int32_field(*j, "broker");
  if (!broker) return bad("/coordinators/<slot>", "no integer \"broker\"");
  CoordinatorSlot s;
  s.broker = *broker;
  s.coordinator_epoch = int32_field(*j, "coordinator_epoch").value_or(0);
  s.controller_epoch = int32_field(*j, "controller_epoch").value_or(0);
  return s;
}

std::string encode_slot_count(int32_t slots) {
  Json j;
  j["version"] = 1;
  j["slots"] = slots;
  return j.dump();
}

Result<int32_t> decode_slot_count(std::string_view json) {
  auto j = parse(json);
  if (!j) return bad(coordinators_root(), "not a JSON object");
  auto slots = int32_field(*j, "slots");
  if (!slots || *slots <= 0) return bad(coordinators_root(), "no positive integer \"slots\"");
  return *slots;
}

int32_t group_slot(std::string_view group, int32_t slots) {
  // Java's String.hashCode over UTF-16 code units; group ids are mostly ASCII, and for
  // other text we hash the UTF-8 decoded code points the way Java would see them.
  int32_t h = 0;
  auto mix = [&h](uint32_t unit) {
    h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + unit);
  };
  for (std::size_t i = 0; i < group.size();) {
    auto c = static_cast<unsigned char>(group[i]);
    uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0 && i + 3 < group.size()) {
      len = 4;
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(group[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(group[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(group[i + 3]) & 0x3Fu);
    } else if (c >= 0xE0 && i + 2 < group.size()) {
      len = 3;
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(group[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(group[i + 2]) & 0x3Fu);
    } else if (c >= 0xC0 && i + 1 < group.size()) {
      len = 2;
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(group[i + 1]) & 0x3Fu);
    }
    if (cp >= 0x10000) {  // a surrogate pair in UTF-16
      cp -= 0x10000;
      mix(0xD800u + (cp >> 10));
      mix(0xDC00u + (cp & 0x3FFu));
    } else {
      mix(cp);
    }
    i += len;
  }
  // Kafka's Utils.abs: n & 0x7fffffff.
  return static_cast<int32_t>((static_cast<uint32_t>(h) & 0x7fffffffu) %
                              static_cast<uint32_t>(slots));
}

std::map<int32_t, int32_t> plan_coordinator_slots(const std::vector<int32_t>& owners,
                                                  const std::set<int32_t>& live) {
  std::map<int32_t, int32_t> changes;
  if (live.empty()) return changes;
  std::map<int32_t, std::set<int32_t>> load;  // broker -> its slots
  for (int32_t b : live) load[b];
  for (std::size_t s = 0; s < owners.size(); ++s) {
    if (live.count(owners[s])) load[owners[s]].insert(static_cast<int32_t>(s));
  }
  auto least = [&load]() {
    auto best = load.begin();
    for (auto it = load.begin(); it != load.end(); ++it) {
      if (it->second.size() < best->second.size()) best = it;
    }
    return best;
  };
  auto most = [&load]() {
    auto best = load.begin();
    for (auto it = load.begin(); it != load.end(); ++it) {
      if (it->second.size() > best->second.size()) best = it;
    }
    return best;
  };
  for (std::size_t s = 0; s < owners.size(); ++s) {
    if (live.count(owners[s])) continue;
    auto target = least();
    target->second.insert(static_cast<int32_t>(s));
    changes[static_cast<int32_t>(s)] = target->first;
  }
  while (true) {
    auto from = most();
    auto to = least();
    if (from->second.size() <= to->second.size() + 1) break;
    int32_t slot = *from->second.rbegin();
    from->second.erase(slot);
    to->second.insert(slot);
    changes[slot] = to->first;
  }
  // A slot that moved away and back again is no change.
  for (auto it = changes.begin(); it != changes.end();) {
    if (owners[static_cast<std::size_t>(it->first)] == it->second)
      it = changes.erase(it);
    else
      ++it;
  }
  return changes;
}

awaitable<Result<std::vector<SlotView>>> read_coordinator_slots(
    coordination::ZkSession& zk, int32_t count,
    std::function<coordination::Watcher(int32_t)> watch) {
  const auto n = static_cast<std::size_t>(std::max(count, 0));
  std::vector<SlotView> out(n);
  if (n == 0) co_return out;
  auto gets = std::make_shared<ManyGets>(zk.get_executor(), n);
  for (std::size_t s = 0; s < n; ++s) {
    coordination::Watcher watcher;
    if (watch) watcher = watch(static_cast<int32_t>(s));
    boost::asio::co_spawn(
        zk.get_executor(),
        get_one(zk, gets, s, coordinator_slot(static_cast<int32_t>(s)), std::move(watcher)),
        boost::asio::detached);
  }
  while (gets->remaining > 0) {
    boost::system::error_code ec;
    co_await gets->done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  for (std::size_t s = 0; s < n; ++s) {
    auto& got = *gets->results[s];
    const int32_t slot = static_cast<int32_t>(s);
    if (!got) {
      if (got.error() != ZkErrc::no_node) co_return std::move(got).error();
      continue;  // not assigned yet
    }
    out[s].zk_version = got->stat.version;
    auto decoded = decode_coordinator_slot(got->data);
    if (decoded) {
      out[s].slot = *decoded;
    } else {
      SLUICE_LOG(warning) << coordinator_slot(slot)
                          << " does not decode: " << decoded.error().to_string();
    }
  }
  co_return out;
}

awaitable<Result<int32_t>> ensure_coordinators_root(coordination::ZkSession& zk, int32_t slots) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto got = co_await zk.get(coordinators_root());
    if (got) co_return decode_slot_count(got->data);
    if (got.error() != ZkErrc::no_node) co_return std::move(got).error();
    auto created = co_await zk.create(coordinators_root(), encode_slot_count(slots));
    if (created) co_return slots;
    if (created.error() != ZkErrc::node_exists) co_return std::move(created).error();
  }
  co_return Error(ZkErrc::node_exists, "creating " + coordinators_root());
}

awaitable<Status> assign_coordinator_slots(coordination::ZkSession& zk,
                                           const std::set<int32_t>& live, int32_t controller_epoch,
                                           int32_t controller_epoch_zk_version) {
  auto root = co_await zk.get(coordinators_root());
  if (!root) {
    if (root.error() == ZkErrc::no_node) co_return Status{};
    co_return std::move(root).error();
  }
  auto count = decode_slot_count(root->data);
  if (!count) co_return std::move(count).error();
  const auto n = static_cast<std::size_t>(*count);
  auto views = co_await read_coordinator_slots(zk, *count);
  if (!views) co_return std::move(views).error();
  std::vector<int32_t> owners(n, -1);
  std::vector<std::optional<CoordinatorSlot>> current(n);
  std::vector<int32_t> versions(n, -1);
  for (std::size_t s = 0; s < n; ++s) {
    const SlotView& view = (*views)[s];
    versions[s] = view.zk_version;
    if (view.zk_version >= 0)
      current[s] = view.slot.value_or(CoordinatorSlot{});  // undecodable: reassigned
    if (view.slot) owners[s] = view.slot->broker;
  }
  auto plan = plan_coordinator_slots(owners, live);
  if (plan.empty()) co_return Status{};
  std::vector<coordination::ZkOp> ops;
  ops.push_back(coordination::ZkOp::check(coordination::znodes::controller_epoch(),
                                          controller_epoch_zk_version));
  for (const auto& change : plan) {
    const auto s = static_cast<std::size_t>(change.first);
    CoordinatorSlot next;
    next.broker = change.second;
    next.controller_epoch = controller_epoch;
    next.coordinator_epoch = current[s] ? current[s]->coordinator_epoch + 1 : 1;
    if (versions[s] >= 0) {
      ops.push_back(
          coordination::ZkOp::set(coordinator_slot(change.first), encode(next), versions[s]));
    } else {
      ops.push_back(coordination::ZkOp::create(coordinator_slot(change.first), encode(next)));
    }
  }
  auto done = co_await zk.multi(std::move(ops));
  if (!done) co_return std::move(done).error();
  std::map<int32_t, int> per_broker;
  for (const auto& change : plan) ++per_broker[change.second];
  std::string summary;
  for (const auto& entry : per_broker) {
    if (!summary.empty()) summary += ", ";
    summary += std::to_string(entry.second) + " to broker " + std::to_string(entry.first);
  }
  SLUICE_LOG(info) << "controller: coordinator slots assigned: " << summary;
  co_return Status{};
}

}  // namespace sluice::broker::controller
