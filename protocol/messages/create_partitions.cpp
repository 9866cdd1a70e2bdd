// Codec instantiation for CreatePartitions.
#include "protocol/messages/create_partitions.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(CreatePartitionsRequest, kCreatePartitionsApi)
SLUICE_DEFINE_CODEC(CreatePartitionsResponse, kCreatePartitionsApi)

}  // namespace sluice::protocol
