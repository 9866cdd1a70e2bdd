// Shared by the handler files: the registration function of each API and small helpers.
// Internal to broker/handlers (not included elsewhere).
#pragma once

#include "broker/handlers/router.h"
#include "broker/handlers/services.h"
#include "common/result.h"

namespace sluice::broker::handlers {

// Logs a request that could not be decoded, with connection, peer, API and correlation id.
void log_bad_request(const RequestContext& ctx, const Error& error);

void add_metadata(Router& router, Services& services);

}  // namespace sluice::broker::handlers
