// Codec instantiation for Produce.
#include "protocol/messages/produce.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(ProduceRequest, kProduceApi)
SLUICE_DEFINE_CODEC(ProduceResponse, kProduceApi)

}  // namespace sluice::protocol
