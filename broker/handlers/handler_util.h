// Shared by the handler files: the registration function of each API and small helpers.
// Internal to broker/handlers (not included elsewhere).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "broker/handlers/router.h"
#include "broker/handlers/services.h"
#include "common/result.h"

namespace sluice::broker::handlers {

// Logs a request that could not be decoded, with connection, peer, API and correlation id.
void log_bad_request(const RequestContext& ctx, const Error& error);

void add_metadata(Router& router, Services& services);
void add_create_topics(Router& router, Services& services);
void add_delete_topics(Router& router, Services& services);
void add_produce(Router& router, Services& services);
void add_fetch(Router& router, Services& services);
void add_list_offsets(Router& router, Services& services);
void add_describe_configs(Router& router, Services& services);
void add_alter_configs(Router& router, Services& services);
void add_incremental_alter_configs(Router& router, Services& services);
void add_describe_cluster(Router& router, Services& services);
void add_create_partitions(Router& router, Services& services);
void add_offset_for_leader_epoch(Router& router, Services& services);
void add_init_producer_id(Router& router, Services& services);

}  // namespace sluice::broker::handlers

namespace sluice::broker::cluster {
struct Snapshot;
}

namespace sluice::broker::handlers {

// A live broker as clients of one listener reach it (Metadata and DescribeCluster list these).
struct ListedBroker {
  int32_t id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};
// Every live broker with an endpoint on `listener` (brokers without one are left out, as
// Kafka does), by id.
std::vector<ListedBroker> brokers_on_listener(const cluster::Snapshot& snapshot,
                                              const std::string& listener);

// Waits until pred(current metadata) holds or `timeout` passes; true when it held. Polls
// every 20 ms: for admin requests only, never on the produce/fetch path.
boost::asio::awaitable<bool> wait_for_metadata(Services& services,
                                               std::chrono::milliseconds timeout,
                                               std::function<bool(const cluster::Snapshot&)> pred);

}  // namespace sluice::broker::handlers
