// Codec instantiation for DescribeCluster.
#include "protocol/messages/describe_cluster.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(DescribeClusterRequest, kDescribeClusterApi)
SLUICE_DEFINE_CODEC(DescribeClusterResponse, kDescribeClusterApi)

}  // namespace sluice::protocol
