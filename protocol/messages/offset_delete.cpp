// Codec instantiation for OffsetDelete.
#include "protocol/messages/offset_delete.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(OffsetDeleteRequest, kOffsetDeleteApi)
SLUICE_DEFINE_CODEC(OffsetDeleteResponse, kOffsetDeleteApi)

}  // namespace sluice::protocol
