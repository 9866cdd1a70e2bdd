// Codec instantiation for DeleteGroups.
#include "protocol/messages/delete_groups.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(DeleteGroupsRequest, kDeleteGroupsApi)
SLUICE_DEFINE_CODEC(DeleteGroupsResponse, kDeleteGroupsApi)

}  // namespace sluice::protocol
