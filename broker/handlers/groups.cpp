// The consumer-group APIs as a whole (see group_handlers.h); each API has its own file.
#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {

void add_group_apis(Router& router, Services& services) {
  add_find_coordinator(router, services);
  add_join_group(router, services);
  add_sync_group(router, services);
  add_heartbeat(router, services);
  add_leave_group(router, services);
  add_offset_commit(router, services);
  add_offset_fetch(router, services);
  add_describe_groups(router, services);
  add_list_groups(router, services);
  add_delete_groups(router, services);
  add_offset_delete(router, services);
}

std::string client_host(const RequestContext& ctx) {
  // ctx.peer is "address:port"; IPv4 clients of a dual-stack listener look like ::ffff:a.b.c.d.
  std::string host = ctx.peer;
  auto colon = host.rfind(':');
  if (colon != std::string::npos) host.resize(colon);
  if (host.rfind("::ffff:", 0) == 0 && host.find('.') != std::string::npos) host = host.substr(7);
  return "/" + host;
}

}  // namespace sluice::broker::handlers
