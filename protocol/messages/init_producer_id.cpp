// Codec instantiation for InitProducerId.
#include "protocol/messages/init_producer_id.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(InitProducerIdRequest, kInitProducerIdApi)
SLUICE_DEFINE_CODEC(InitProducerIdResponse, kInitProducerIdApi)

}  // namespace sluice::protocol
