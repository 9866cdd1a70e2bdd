// DescribeCluster (key 60): the cluster id, the controller and the live brokers, from this
// broker's ZooKeeper-synced snapshot, each broker with its endpoint on the listener the
// request arrived on (as Metadata lists them). There are no ACLs: authorized operations are
// Kafka's "not requested" value (INT32_MIN) even when asked for.
#include "protocol/messages/describe_cluster.h"

#include "broker/cluster/metadata.h"
#include "broker/handlers/handler_util.h"

namespace sluice::broker::handlers {

void add_describe_cluster(Router& router, Services& services) {
  router.add(protocol::kDescribeClusterApi, 0, protocol::kDescribeClusterApi.max_version,
             [&services](const RequestContext& ctx,
                         protocol::ByteWriter& out) -> boost::asio::awaitable<Reply> {
               const int16_t version = ctx.header.api_version;
               protocol::DescribeClusterRequest request;
               protocol::ByteReader reader(ctx.body);
               if (auto st = protocol::decode(request, reader, version); !st) {
                 log_bad_request(ctx, st.error());
                 co_return Reply::kClose;
               }
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
               protocol::encode(response, out, version);
               co_return Reply::kSend;
             });
}

}  // namespace sluice::broker::handlers
