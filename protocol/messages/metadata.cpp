// Codec instantiation for Metadata.
#include "protocol/messages/metadata.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(MetadataRequest, kMetadataApi)
SLUICE_DEFINE_CODEC(MetadataResponse, kMetadataApi)

}  // namespace sluice::protocol
