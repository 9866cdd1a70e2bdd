// Codec instantiation for OffsetCommit.
#include "protocol/messages/offset_commit.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(OffsetCommitRequest, kOffsetCommitApi)
SLUICE_DEFINE_CODEC(OffsetCommitResponse, kOffsetCommitApi)

}  // namespace sluice::protocol
