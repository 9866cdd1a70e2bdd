// Codec instantiation for SyncGroup.
#include "protocol/messages/sync_group.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(SyncGroupRequest, kSyncGroupApi)
SLUICE_DEFINE_CODEC(SyncGroupResponse, kSyncGroupApi)

}  // namespace sluice::protocol
