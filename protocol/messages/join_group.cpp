// Codec instantiation for JoinGroup.
#include "protocol/messages/join_group.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(JoinGroupRequest, kJoinGroupApi)
SLUICE_DEFINE_CODEC(JoinGroupResponse, kJoinGroupApi)

}  // namespace sluice::protocol
