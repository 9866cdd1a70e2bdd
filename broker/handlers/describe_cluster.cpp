// DescribeCluster (key 60): the cluster id, the controller and the live brokers, from this
// broker's ZooKeeper-synced snapshot, each broker with its endpoint on the listener the
// request arrived on (as Metadata lists them). There are no ACLs: authorized operations are
// Kafka's "not requested" value (INT32_MIN) even when asked for.
#include "protocol/messages/describe_cluster.h"

#include "broker/cluster/metadata.h"
#include "broker/handlers/adapter.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::DescribeClusterResponse> handle_describe_cluster(
    Services& services, protocol::DescribeClusterRequest /*request*/, const RequestContext& ctx) {
  auto snap = services.metadata->current();
  protocol::DescribeClusterResponse response;
  response.cluster_id = snap->cluster_id;
  response.controller_id = snap->controller_id;
  auto listed_brokers = brokers_on_listener(*snap, ctx.listener);
  for (auto& listed : listed_brokers) {
    protocol::DescribeClusterBroker b;
    b.broker_id = listed.id;
    b.host = std::move(listed.host);
    b.port = listed.port;
    b.rack = std::move(listed.rack);
    response.brokers.push_back(std::move(b));
  }
  co_return response;
}

}  // namespace

void add_describe_cluster(Router& router, Services& services) {
  add_api(router, services, protocol::kDescribeClusterApi, &handle_describe_cluster);
}

}  // namespace sluice::broker::handlers
