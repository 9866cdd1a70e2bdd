// Codec instantiation for SaslHandshake and SaslAuthenticate.
#include "protocol/messages/sasl.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(SaslHandshakeRequest, kSaslHandshakeApi)
SLUICE_DEFINE_CODEC(SaslHandshakeResponse, kSaslHandshakeApi)
SLUICE_DEFINE_CODEC(SaslAuthenticateRequest, kSaslAuthenticateApi)
SLUICE_DEFINE_CODEC(SaslAuthenticateResponse, kSaslAuthenticateApi)

}  // namespace sluice::protocol
