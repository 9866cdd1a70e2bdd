// Codec instantiation for CreateTopics.
#include "protocol/messages/create_topics.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(CreateTopicsRequest, kCreateTopicsApi)
SLUICE_DEFINE_CODEC(CreateTopicsResponse, kCreateTopicsApi)

}  // namespace sluice::protocol
