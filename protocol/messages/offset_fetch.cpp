// Codec instantiation for OffsetFetch.
#include "protocol/messages/offset_fetch.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(OffsetFetchRequest, kOffsetFetchApi)
SLUICE_DEFINE_CODEC(OffsetFetchResponse, kOffsetFetchApi)

}  // namespace sluice::protocol
