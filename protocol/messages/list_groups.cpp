// Codec instantiation for ListGroups.
#include "protocol/messages/list_groups.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(ListGroupsRequest, kListGroupsApi)
SLUICE_DEFINE_CODEC(ListGroupsResponse, kListGroupsApi)

}  // namespace sluice::protocol
