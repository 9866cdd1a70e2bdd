// Codec instantiation for OffsetForLeaderEpoch.
#include "protocol/messages/offset_for_leader_epoch.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(OffsetForLeaderEpochRequest, kOffsetForLeaderEpochApi)
SLUICE_DEFINE_CODEC(OffsetForLeaderEpochResponse, kOffsetForLeaderEpochApi)

}  // namespace sluice::protocol
