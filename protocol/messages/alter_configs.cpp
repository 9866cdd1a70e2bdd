// Codec instantiation for AlterConfigs.
#include "protocol/messages/alter_configs.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(AlterConfigsRequest, kAlterConfigsApi)
SLUICE_DEFINE_CODEC(AlterConfigsResponse, kAlterConfigsApi)

}  // namespace sluice::protocol
