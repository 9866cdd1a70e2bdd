// Codec instantiation for DescribeConfigs.
#include "protocol/messages/describe_configs.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(DescribeConfigsRequest, kDescribeConfigsApi)
SLUICE_DEFINE_CODEC(DescribeConfigsResponse, kDescribeConfigsApi)

}  // namespace sluice::protocol
