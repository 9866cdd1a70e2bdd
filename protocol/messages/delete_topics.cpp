// Codec instantiation for DeleteTopics.
#include "protocol/messages/delete_topics.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(DeleteTopicsRequest, kDeleteTopicsApi)
SLUICE_DEFINE_CODEC(DeleteTopicsResponse, kDeleteTopicsApi)

}  // namespace sluice::protocol
