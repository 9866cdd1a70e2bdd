// The broker's API table: which handler serves which API, and the versions advertised.
#include "broker/handlers/group_handlers.h"
#include "broker/handlers/handler_util.h"

namespace sluice::broker::handlers {

void register_handlers(Router& router, Services& services) {
  add_api_versions(router);
  add_metadata(router, services);
  add_create_topics(router, services);
  add_delete_topics(router, services);
  add_produce(router, services);
  add_fetch(router, services);
  add_list_offsets(router, services);
  add_offset_for_leader_epoch(router, services);
  add_describe_configs(router, services);
  add_alter_configs(router, services);
  add_incremental_alter_configs(router, services);
  add_describe_cluster(router, services);
  add_create_partitions(router, services);
  add_init_producer_id(router, services);
  add_group_apis(router, services);  // FindCoordinator, JoinGroup, ..., OffsetDelete
}

}  // namespace sluice::broker::handlers
