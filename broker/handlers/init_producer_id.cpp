// InitProducerId (key 22): a producer id and epoch for an idempotent producer (KIP-98). Ids
// come from this broker's block of /latest_producer_id_block (coordination/producer_ids.h),
// claimed on the control thread; every request gets a fresh id at epoch 0, as Kafka does for a
// null transactional id (also when v3+ names the producer's current id and epoch). Sluice has
// no transactions: a transactional id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which
// clients treat as fatal at once (librdkafka, Java) instead of retrying for
// transaction.timeout.ms as they would with COORDINATOR_NOT_AVAILABLE.
#include "protocol/messages/init_producer_id.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "broker/handlers/adapter.h"
#include "common/log.h"
#include "coordination/producer_ids.h"
#include "coordination/zk_error.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

struct Allocated {
  KafkaErrc error = KafkaErrc::none;
  int64_t producer_id = -1;
};

// Runs on the control executor, which owns the ZooKeeper session and the allocator. A free
// coroutine, not a lambda handed to co_spawn (see docs/conventions.md, Coroutines). Without
// ZooKeeper, or when it fails or a race for a block is lost, clients are told to retry:
// COORDINATOR_NOT_AVAILABLE.
asio::awaitable<Allocated> allocate_producer_id(Services& services) {
  Allocated out;
  if (services.zk == nullptr) {
    out.error = KafkaErrc::coordinator_not_available;
    co_return out;
  }
  auto id = co_await services.producer_ids->next(*services.zk);
  if (!id) {
    SLUICE_LOG(warning) << "InitProducerId: no producer id: " << id.error().to_string();
    out.error = KafkaErrc::coordinator_not_available;
    co_return out;
  }
  out.producer_id = *id;
  co_return out;
}

asio::awaitable<protocol::InitProducerIdResponse> handle_init_producer_id(
    Services& services, protocol::InitProducerIdRequest request, const RequestContext& ctx) {
  protocol::InitProducerIdResponse response;
  response.producer_id = -1;
  response.producer_epoch = -1;
  const bool has_id = request.producer_id != -1;
  const bool has_epoch = request.producer_epoch != -1;
  if (request.transactional_id) {
    response.error_code = protocol::to_wire(KafkaErrc::transactional_id_authorization_failed);
    co_return response;
  }
  if (has_id != has_epoch) {
    response.error_code = protocol::to_wire(KafkaErrc::invalid_request);  // both or neither
    co_return response;
  }
  Allocated allocated = co_await asio::co_spawn(services.control, allocate_producer_id(services),
                                                asio::use_awaitable);
  response.error_code = protocol::to_wire(allocated.error);
  if (allocated.error == KafkaErrc::none) {
    response.producer_id = allocated.producer_id;
    response.producer_epoch = 0;
    SLUICE_LOG(debug) << "connection " << ctx.connection_id << ": producer id "
                      << allocated.producer_id;
  }
  co_return response;
}

}  // namespace

void add_init_producer_id(Router& router, Services& services) {
  services.producer_ids = std::make_shared<coordination::ProducerIdAllocator>(services.broker_id);
  add_api(router, services, protocol::kInitProducerIdApi, &handle_init_producer_id);
}

}  // namespace sluice::broker::handlers
