// Codec instantiation for Heartbeat.
#include "protocol/messages/heartbeat.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(HeartbeatRequest, kHeartbeatApi)
SLUICE_DEFINE_CODEC(HeartbeatResponse, kHeartbeatApi)

}  // namespace sluice::protocol
