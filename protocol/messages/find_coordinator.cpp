// Codec instantiation for FindCoordinator.
#include "protocol/messages/find_coordinator.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(FindCoordinatorRequest, kFindCoordinatorApi)
SLUICE_DEFINE_CODEC(FindCoordinatorResponse, kFindCoordinatorApi)

}  // namespace sluice::protocol
