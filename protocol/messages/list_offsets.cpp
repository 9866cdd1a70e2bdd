// Codec instantiation for ListOffsets.
#include "protocol/messages/list_offsets.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(ListOffsetsRequest, kListOffsetsApi)
SLUICE_DEFINE_CODEC(ListOffsetsResponse, kListOffsetsApi)

}  // namespace sluice::protocol
