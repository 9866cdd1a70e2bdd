// CreatePartitions (key 37): grows topics (never shrinks) by rewriting their assignment znode
// with a version CAS; the controller then creates the new partitions' states. Waits (up to
// the timeout) for the new partitions to get leaders. validate_only checks without writing.
#include "protocol/messages/create_partitions.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "broker/cluster/metadata.h"
#include "broker/cluster/metadata_sync.h"
#include "broker/cluster/topic_admin.h"
#include "broker/handlers/adapter.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;

asio::awaitable<std::optional<cluster::TopicError>> grow(Services& services, std::string topic,
                                                         int32_t count,
                                                         std::vector<std::vector<int32_t>> manual,
                                                         bool validate_only) {
  thread_local std::mt19937 rng{std::random_device{}()};
  auto snap = services.metadata->current();
  auto e = co_await cluster::create_partitions(*services.zk, topic, count, manual, *snap,
                                               validate_only, rng);
  services.sync->request_refresh();
  co_return e;
}

// True once `name` has at least `count` partitions, each with a leader.
bool grown(const cluster::Snapshot& s, const std::string& name, int32_t count) {
  const auto* info = s.topic(name);
  if (info == nullptr || static_cast<int32_t>(info->partitions.size()) < count) return false;
  for (const auto& entry : info->partitions)
    if (entry.second.leader() < 0) return false;
  return true;
}

asio::awaitable<protocol::CreatePartitionsResponse> handle_create_partitions(
    Services& services, protocol::CreatePartitionsRequest request, const RequestContext& /*ctx*/) {
  protocol::CreatePartitionsResponse response;
  const auto timeout = std::chrono::milliseconds(std::clamp(request.timeout_ms, 0, 60000));
  for (const auto& t : request.topics) {
    protocol::CreatePartitionsTopicResult result;
    result.name = t.name;
    std::vector<std::vector<int32_t>> manual;
    if (t.assignments) {
      for (const auto& a : *t.assignments) manual.push_back(a.broker_ids);
    }
    auto failure = co_await asio::co_spawn(
        services.control, grow(services, t.name, t.count, std::move(manual), request.validate_only),
        asio::use_awaitable);
    if (failure) {
      result.error_code = protocol::to_wire(failure->code);
      result.error_message = failure->message;
    } else if (!request.validate_only) {
      const std::string name = t.name;
      const int32_t count = t.count;
      co_await wait_for_metadata(services, timeout, [&name, count](const cluster::Snapshot& s) {
        return grown(s, name, count);
      });
      SLUICE_LOG(info) << "topic " << name << " grown to " << count << " partitions";
    }
    response.results.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace

void add_create_partitions(Router& router, Services& services) {
  add_api(router, services, protocol::kCreatePartitionsApi, &handle_create_partitions);
}

}  // namespace sluice::broker::handlers
