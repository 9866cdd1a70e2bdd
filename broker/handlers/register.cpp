// The broker's API table: which handler serves which API, and the versions advertised.
#include "broker/handlers/router.h"
#include "broker/handlers/services.h"

namespace sluice::broker::handlers {

void register_handlers(Router& router, Services& services) {
  (void)services;
  add_api_versions(router);
}

}  // namespace sluice::broker::handlers
