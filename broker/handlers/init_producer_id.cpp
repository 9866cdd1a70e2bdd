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

#include "broker/handlers/handler_util.h"
#include "common/log.h"
#include "coordination/producer_ids.h"
#include "coordination/zk_error.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

constexpr int16_t code(KafkaErrc e) { return static_cast<int16_t>(e); }

struct Allocated {
  int16_t error_code = 0;
  int64_t producer_id = -1;
};

// Runs on the control executor, which owns the ZooKeeper session and the allocator. A free
// coroutine (not a capturing lambda): see docs/coordination.md.
asio::awaitable<Allocated> allocate_producer_id(coordination::ProducerIdAllocator& allocator,
                                                Services& services) {
  Allocated out;
  if (services.zk == nullptr) {
    out.error_code = code(KafkaErrc::coordinator_not_available);
    co_return out;
  }
  auto id = co_await allocator.next(*services.zk);
  if (!id) {
    // ZooKeeper unreachable or a lost race: clients retry COORDINATOR_NOT_AVAILABLE.
    SLUICE_LOG(warning) << "InitProducerId: no producer id: " << id.error().to_string();
    out.error_code = code(KafkaErrc::coordinator_not_available);
    co_return out;
  }
  out.producer_id = *id;
  co_return out;
}

}  // namespace

void add_init_producer_id(Router& router, Services& services) {
  // Owned by the handler, used only on services.control.
  auto allocator = std::make_shared<coordination::ProducerIdAllocator>(services.broker_id);
  router.add(protocol::kInitProducerIdApi, 0, protocol::kInitProducerIdApi.max_version,
             [&services, allocator](const RequestContext& ctx,
                                    protocol::ByteWriter& out) -> asio::awaitable<Reply> {
               const int16_t version = ctx.header.api_version;
               protocol::InitProducerIdRequest request;
               protocol::ByteReader reader(ctx.body);
               if (auto st = protocol::decode(request, reader, version); !st) {
                 log_bad_request(ctx, st.error());
                 co_return Reply::kClose;
               }
               protocol::InitProducerIdResponse response;
               response.producer_id = -1;
               response.producer_epoch = -1;
               const bool has_id = request.producer_id != -1;
               const bool has_epoch = request.producer_epoch != -1;
               if (request.transactional_id) {
                 response.error_code = code(KafkaErrc::transactional_id_authorization_failed);
               } else if (has_id != has_epoch) {
                 response.error_code = code(KafkaErrc::invalid_request);  // Kafka: both or neither
               } else {
                 Allocated allocated = co_await asio::co_spawn(
                     services.control, allocate_producer_id(*allocator, services),
                     asio::use_awaitable);
                 response.error_code = allocated.error_code;
                 if (allocated.error_code == 0) {
                   response.producer_id = allocated.producer_id;
                   response.producer_epoch = 0;
                   SLUICE_LOG(debug) << "connection " << ctx.connection_id << ": producer id "
                                     << allocated.producer_id;
                 }
               }
               protocol::encode(response, out, version);
               co_return Reply::kSend;
             });
}

}  // namespace sluice::broker::handlers
