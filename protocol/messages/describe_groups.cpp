// Codec instantiation for DescribeGroups.
#include "protocol/messages/describe_groups.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(DescribeGroupsRequest, kDescribeGroupsApi)
SLUICE_DEFINE_CODEC(DescribeGroupsResponse, kDescribeGroupsApi)

}  // namespace sluice::protocol
