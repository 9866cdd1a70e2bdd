// Codec instantiation for IncrementalAlterConfigs.
#include "protocol/messages/incremental_alter_configs.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(IncrementalAlterConfigsRequest, kIncrementalAlterConfigsApi)
SLUICE_DEFINE_CODEC(IncrementalAlterConfigsResponse, kIncrementalAlterConfigsApi)

}  // namespace sluice::protocol
