// Helpers shared by the handlers.
#include "broker/handlers/handler_util.h"

#include "common/log.h"

namespace sluice::broker::handlers {

void log_bad_request(const RequestContext& ctx, const Error& error) {
  SLUICE_LOG(warning) << "connection " << ctx.connection_id << " from " << ctx.peer << " api "
                      << ctx.header.api_key << " v" << ctx.header.api_version
                      << " corr=" << ctx.header.correlation_id
                      << ": malformed request, closing: " << error.to_string();
}

}  // namespace sluice::broker::handlers
