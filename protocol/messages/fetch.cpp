// Codec instantiation for Fetch.
#include "protocol/messages/fetch.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(FetchRequest, kFetchApi)
SLUICE_DEFINE_CODEC(FetchResponse, kFetchApi)

}  // namespace sluice::protocol
