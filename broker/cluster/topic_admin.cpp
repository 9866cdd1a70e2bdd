// Topic creation, deletion and growth through ZooKeeper (see topic_admin.h).
#include "broker/cluster/topic_admin.h"

#include <algorithm>
#include <set>

#include "broker/config/broker_config.h"
#include "broker/config/topic_config.h"
#include "coordination/cluster_store.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace sluice::broker::cluster {
namespace {

using protocol::KafkaErrc;

TopicError err(KafkaErrc code, std::string message) { return TopicError{code, std::move(message)}; }

// Brokers ordered so that consecutive entries alternate racks (r1 b1, r2 b2, r1 b3, ...).
std::vector<BrokerPlacement> rack_alternated(std::vector<BrokerPlacement> brokers) {
  std::map<std::string, std::vector<BrokerPlacement>> by_rack;
  for (auto& b : brokers) by_rack[*b.rack].push_back(b);
  std::vector<BrokerPlacement> out;
  for (std::size_t round = 0; out.size() < brokers.size(); ++round) {
    for (auto& [rack, list] : by_rack) {
      if (round < list.size()) out.push_back(list[round]);
    }
  }
  return out;
}

}  // namespace

std::map<int32_t, std::vector<int32_t>> plan_assignment(std::vector<BrokerPlacement> brokers,
                                                        int32_t partitions,
                                                        int32_t replication_factor,
                                                        int32_t first_partition,
                                                        std::mt19937& rng) {
  std::sort(brokers.begin(), brokers.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  const bool racks =
      !brokers.empty() &&
      std::all_of(brokers.begin(), brokers.end(), [](const auto& b) { return b.rack.has_value(); });
  if (racks) brokers = rack_alternated(std::move(brokers));
  const int n = static_cast<int>(brokers.size());
  std::map<int32_t, std::vector<int32_t>> out;
  if (n == 0) return out;
  std::uniform_int_distribution<int> pick(0, n - 1);
  const int start = pick(rng);
  int shift = pick(rng);
  std::set<std::string> all_racks;
  for (const auto& b : brokers) {
    if (b.rack) all_racks.insert(*b.rack);
  }
  for (int i = 0; i < partitions; ++i) {
    const int p = first_partition + i;
    if (p > 0 && p % n == 0) ++shift;  // a new round: shift followers relative to leaders
    const int first = (p + start) % n;
    std::vector<int32_t> replicas = {brokers[static_cast<std::size_t>(first)].id};
    std::set<std::string> used_racks;
    if (racks) used_racks.insert(*brokers[static_cast<std::size_t>(first)].rack);
    for (int j = 0; static_cast<int>(replicas.size()) < replication_factor && j < 4 * n; ++j) {
      const int step = n > 1 ? 1 + (shift + j) % (n - 1) : 0;
      const auto& candidate = brokers[static_cast<std::size_t>((first + step) % n)];
      if (std::find(replicas.begin(), replicas.end(), candidate.id) != replicas.end()) continue;
      // Rack-aware: a rack holds a second replica only once every rack has one.
      if (racks && used_racks.count(*candidate.rack) && used_racks.size() < all_racks.size() &&
          j < 2 * n) {
        continue;
      }
      replicas.push_back(candidate.id);
      if (racks) used_racks.insert(*candidate.rack);
    }
    // Fallback for small clusters where the shifts above skipped someone: any unused broker.
    for (const auto& b : brokers) {
      if (static_cast<int>(replicas.size()) >= replication_factor) break;
      if (std::find(replicas.begin(), replicas.end(), b.id) == replicas.end())
        replicas.push_back(b.id);
    }
    out[p] = std::move(replicas);
  }
  return out;
}

std::optional<TopicError> prepare_new_topic(TopicCreation& topic, const Snapshot& snapshot,
                                            const config::BrokerConfig& config, std::mt19937& rng) {
  if (Status st = coordination::znodes::validate_topic_name(topic.name); !st) {
    return err(KafkaErrc::invalid_topic_exception, st.error().context());
  }
  if (snapshot.topic(topic.name) != nullptr) {
    return err(KafkaErrc::topic_already_exists, "Topic '" + topic.name + "' already exists.");
  }
  if (Status st = config::validate_topic_configs(topic.configs); !st) {
    return err(KafkaErrc::invalid_config, st.error().context());
  }
  std::vector<BrokerPlacement> brokers;
  for (const auto& [id, reg] : snapshot.brokers) brokers.push_back({id, reg.rack});

  if (!topic.assignment.empty()) {
    if (topic.num_partitions != -1 || topic.replication_factor != -1) {
      return err(KafkaErrc::invalid_request,
                 "Both numPartitions or replicationFactor and replicasAssignment were set. Both "
                 "cannot be used at the same time.");
    }
    std::size_t rf = topic.assignment.begin()->second.size();
    int32_t expected = 0;
    for (const auto& [p, replicas] : topic.assignment) {
      if (p != expected++) {
        return err(KafkaErrc::invalid_replica_assignment,
                   "Partitions should be consecutive from 0.");
      }
      std::set<int32_t> unique(replicas.begin(), replicas.end());
      if (replicas.empty() || unique.size() != replicas.size() || replicas.size() != rf) {
        return err(KafkaErrc::invalid_replica_assignment,
                   "Partition " + std::to_string(p) +
                       " has duplicate, missing or a different number of replicas.");
      }
      for (int32_t b : replicas) {
        if (!snapshot.is_live(b)) {
          return err(KafkaErrc::invalid_replica_assignment,
                     "Broker " + std::to_string(b) + " of partition " + std::to_string(p) +
                         " is not alive.");
        }
      }
    }
    return std::nullopt;
  }
  if (topic.num_partitions == -1) topic.num_partitions = config.num_partitions;
  if (topic.replication_factor == -1) topic.replication_factor = config.default_replication_factor;
  if (topic.num_partitions <= 0) {
    return err(KafkaErrc::invalid_partitions, "Number of partitions must be larger than 0.");
  }
  if (topic.replication_factor <= 0) {
    return err(KafkaErrc::invalid_replication_factor, "Replication factor must be larger than 0.");
  }
  if (static_cast<std::size_t>(topic.replication_factor) > brokers.size()) {
    return err(KafkaErrc::invalid_replication_factor,
               "Replication factor: " + std::to_string(topic.replication_factor) +
                   " larger than available brokers: " + std::to_string(brokers.size()) + ".");
  }
  topic.assignment =
      plan_assignment(brokers, topic.num_partitions, topic.replication_factor, 0, rng);
  return std::nullopt;
}

std::string random_topic_id() {
  std::random_device rd;
  while (true) {
    protocol::Uuid id;
    for (std::size_t i = 0; i < id.bytes.size(); i += 4) {
      const uint32_t word = rd();
      for (std::size_t j = 0; j < 4; ++j) id.bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
    }
    if (id.is_zero()) continue;
    std::string text = id.to_base64();
    if (text.front() == '-') continue;
    return text;
  }
}

awaitable<std::optional<TopicError>> create_topic(coordination::ZkSession& zk,
                                                  const TopicCreation& topic) {
  coordination::znodes::TopicAssignment assignment;
  assignment.topic_id = random_topic_id();
  assignment.partitions = topic.assignment;
  coordination::znodes::TopicConfig config{topic.configs};
  Status st = co_await coordination::create_topic(zk, topic.name, assignment, config);
  if (st) co_return std::nullopt;
  if (st.error() == coordination::ZkErrc::node_exists) {
    co_return err(KafkaErrc::topic_already_exists, "Topic '" + topic.name + "' already exists.");
  }
  co_return err(KafkaErrc::unknown_server_error, st.error().to_string());
}

awaitable<std::optional<TopicError>> request_topic_deletion(coordination::ZkSession& zk,
                                                            const std::string& topic,
                                                            bool deletion_enabled) {
  if (!deletion_enabled) {
    co_return err(KafkaErrc::topic_deletion_disabled,
                  "Topic deletion is disabled (delete.topic.enable=false).");
  }
  auto exists = co_await zk.exists(coordination::znodes::topic(topic));
  if (!exists) co_return err(KafkaErrc::unknown_server_error, exists.error().to_string());
  if (!exists->has_value()) {
    co_return err(KafkaErrc::unknown_topic_or_partition,
                  "This server does not host this topic-partition.");
  }
  auto created = co_await zk.create(coordination::znodes::delete_topic(topic), "");
  if (!created && created.error() != coordination::ZkErrc::node_exists) {
    co_return err(KafkaErrc::unknown_server_error, created.error().to_string());
  }
  co_return std::nullopt;
}

awaitable<std::optional<TopicError>> create_partitions(
    coordination::ZkSession& zk, const std::string& topic, int32_t total,
    const std::vector<std::vector<int32_t>>& manual, const Snapshot& snapshot, bool validate_only,
    std::mt19937& rng) {
  auto current = co_await zk.get(coordination::znodes::topic(topic));
  if (!current) {
    if (current.error() == coordination::ZkErrc::no_node) {
      co_return err(KafkaErrc::unknown_topic_or_partition,
                    "The topic '" + topic + "' does not exist.");
    }
    co_return err(KafkaErrc::unknown_server_error, current.error().to_string());
  }
  auto assignment = coordination::znodes::decode_topic(current->data);
  if (!assignment) co_return err(KafkaErrc::unknown_server_error, assignment.error().to_string());
  const int32_t existing = static_cast<int32_t>(assignment->partitions.size());
  if (total <= existing) {
    co_return err(KafkaErrc::invalid_partitions,
                  "Topic currently has " + std::to_string(existing) +
                      " partitions, which is higher than or equal to the requested " +
                      std::to_string(total) + ".");
  }
  const std::size_t rf = assignment->partitions.begin()->second.size();
  std::map<int32_t, std::vector<int32_t>> added;
  if (!manual.empty()) {
    if (static_cast<int32_t>(manual.size()) != total - existing) {
      co_return err(KafkaErrc::invalid_replica_assignment,
                    "Increasing the number of partitions by " + std::to_string(total - existing) +
                        " but " + std::to_string(manual.size()) + " assignments provided.");
    }
    for (std::size_t i = 0; i < manual.size(); ++i) {
      std::set<int32_t> unique(manual[i].begin(), manual[i].end());
      if (manual[i].size() != rf || unique.size() != rf) {
        co_return err(KafkaErrc::invalid_replica_assignment,
                      "Inconsistent replication factor or duplicate replicas.");
      }
      for (int32_t b : manual[i]) {
        if (!snapshot.is_live(b)) {
          co_return err(KafkaErrc::invalid_replica_assignment,
                        "Unknown broker id " + std::to_string(b) + ".");
        }
      }
      added[existing + static_cast<int32_t>(i)] = manual[i];
    }
  } else {
    std::vector<BrokerPlacement> brokers;
    for (const auto& entry : snapshot.brokers) brokers.push_back({entry.first, entry.second.rack});
    if (rf > brokers.size()) {
      co_return err(KafkaErrc::invalid_replication_factor,
                    "Not enough live brokers for the topic's replication factor.");
    }
    added = plan_assignment(brokers, total - existing, static_cast<int32_t>(rf), existing, rng);
  }
  if (validate_only) co_return std::nullopt;
  for (const auto& entry : added) assignment->partitions[entry.first] = entry.second;
  Status st =
      co_await coordination::update_topic_assignment(zk, topic, *assignment, current->stat.version);
  if (!st) {
    if (st.error() == coordination::ZkErrc::bad_version) {
      co_return err(KafkaErrc::reassignment_in_progress, "The topic changed concurrently; retry.");
    }
    co_return err(KafkaErrc::unknown_server_error, st.error().to_string());
  }
  co_return std::nullopt;
}

awaitable<TopicConfigAltered> alter_topic_config(coordination::ZkSession& zk, std::string topic,
                                                 TopicConfigChange change, bool validate_only) {
  TopicConfigAltered out;
  // A few CAS rounds: losing one means another AlterConfigs of this topic just landed.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto exists = co_await zk.exists(coordination::znodes::topic(topic));
    if (!exists) {
      out.error = err(KafkaErrc::unknown_server_error, exists.error().to_string());
      co_return out;
    }
    if (!exists->has_value()) {
      out.error = err(KafkaErrc::unknown_topic_or_partition, "Topic " + topic + " does not exist.");
      co_return out;
    }
    auto current = co_await coordination::read_topic_config_versioned(zk, topic);
    if (!current) {
      out.error = err(KafkaErrc::unknown_server_error, current.error().to_string());
      co_return out;
    }
    config::AlterOutcome outcome = change(current->config.config);
    if (!outcome.ok()) {
      const bool request_error = outcome.error->kind == config::AlterError::Kind::invalid_request;
      out.error = err(request_error ? KafkaErrc::invalid_request : KafkaErrc::invalid_config,
                      outcome.error->message);
      co_return out;
    }
    out.overrides = std::move(outcome.overrides);
    if (validate_only) co_return out;
    coordination::znodes::TopicConfig next{out.overrides};
    Status st = co_await coordination::update_topic_config(zk, topic, next, current->zk_version);
    if (st) co_return out;
    const bool raced = st.error() == coordination::ZkErrc::bad_version ||
                       st.error() == coordination::ZkErrc::node_exists ||
                       st.error() == coordination::ZkErrc::no_node;  // topic gone: re-checked above
    if (!raced) {
      out.error = err(KafkaErrc::unknown_server_error, st.error().to_string());
      co_return out;
    }
  }
  out.error = err(KafkaErrc::unknown_server_error,
                  "The configuration of topic " + topic + " kept changing concurrently; retry.");
  co_return out;
}

}  // namespace sluice::broker::cluster
