// What handlers may use of the broker: its identity and config, the metadata snapshot, and
// the control plane (ZooKeeper) — which lives on the control executor, so a handler running
// on a network thread reaches it with co_spawn(services.control, ..., use_awaitable).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>

namespace sluice::broker::config {
class BrokerConfig;
}
namespace sluice::broker::cluster {
class MetadataCache;
class MetadataSync;
}  // namespace sluice::broker::cluster
namespace sluice::coordination {
class ProducerIdAllocator;
class ZkSession;
}  // namespace sluice::coordination
namespace sluice::broker::replication {
class ReplicaManager;
}
namespace sluice::broker::groups {
class GroupCoordinator;
}

namespace sluice::broker::handlers {

class Router;

struct Services {
  int32_t broker_id = -1;
  const config::BrokerConfig* config = nullptr;
  cluster::MetadataCache* metadata = nullptr;
  boost::asio::any_io_executor control;             // ZooKeeper work runs here
  coordination::ZkSession* zk = nullptr;            // only touch on `control`
  cluster::MetadataSync* sync = nullptr;            // only touch on `control`
  replication::ReplicaManager* replicas = nullptr;  // any thread
  groups::GroupCoordinator* groups = nullptr;       // only touch on `control`
  // InitProducerId's block of producer ids (made by its registration); only touch on `control`.
  std::shared_ptr<coordination::ProducerIdAllocator> producer_ids;
};

// Registers every API handler of the broker on `router`.
void register_handlers(Router& router, Services& services);

}  // namespace sluice::broker::handlers
