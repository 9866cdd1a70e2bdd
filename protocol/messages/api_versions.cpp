// Codec instantiation for ApiVersions.
#include "protocol/messages/api_versions.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(ApiVersionsRequest, kApiVersionsApi)
SLUICE_DEFINE_CODEC(ApiVersionsResponse, kApiVersionsApi)

}  // namespace sluice::protocol
