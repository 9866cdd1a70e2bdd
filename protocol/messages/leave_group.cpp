// Codec instantiation for LeaveGroup.
#include "protocol/messages/leave_group.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(LeaveGroupRequest, kLeaveGroupApi)
SLUICE_DEFINE_CODEC(LeaveGroupResponse, kLeaveGroupApi)

}  // namespace sluice::protocol
