// Admin: configurations. A topic's configs may be read or changed through any broker; a
// broker's configs only through that broker, which answers for itself. Each broker's items
// are asked about until done (the per-item driver), one broker after the other.
#include <algorithm>

#include "client/src/admin_internal.h"
#include "protocol/messages/alter_configs.h"
#include "protocol/messages/describe_configs.h"

namespace sluice::client::admin_ops {
namespace {

std::string resource_text(const ConfigResource& r) {
  return (r.type == ConfigResource::Type::topic ? "topic " : "broker ") + r.name;
}

// Items (indexes into `results`, whose `resource` is set) per broker to ask, -1 for any
// broker. A broker resource whose name is no broker id gets its error in `results` instead.
template <class R>
std::map<int32_t, std::vector<std::size_t>> by_broker(std::vector<R>& results) {
  std::map<int32_t, std::vector<std::size_t>> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ConfigResource& r = results[i].resource;
    int32_t node = -1;
    if (r.type == ConfigResource::Type::broker) {
      try {
        node = std::stoi(r.name);
      } catch (...) {
        results[i].status =
            Error(make_error_code(ClientErrc::invalid_argument),
                  "broker config resource needs a numeric broker id, not '" + r.name + "'");
        continue;
      }
    }
    out[node].push_back(i);
  }
  return out;
}

Target broker_target(int32_t node) {
  Target target;
  if (node >= 0) target = Target{Route::node, node};
  return target;
}

template <class Item>
bool same_resource(const Item& answer, const ConfigResource& r) {
  return answer.resource_type == static_cast<int8_t>(r.type) && answer.resource_name == r.name;
}

Error no_result(const ConfigResource& r) {
  return Error(make_error_code(ClientErrc::protocol_error), "no result for " + resource_text(r));
}

Error out_of_time(const std::string& what) {
  return Error(make_error_code(ClientErrc::timed_out), what + ": out of time");
}

ConfigEntry to_entry(const proto::DescribeConfigsResourceResult& c) {
  ConfigEntry e;
  e.name = c.name;
  e.value = c.value;
  e.read_only = c.read_only;
  e.sensitive = c.is_sensitive;
  if (c.config_source >= 0) {
    e.source = static_cast<ConfigSource>(c.config_source);
    e.is_default = e.source == ConfigSource::default_config;
  } else {  // v0: only is_default
    e.is_default = c.is_default;
    e.source = c.is_default ? ConfigSource::default_config : ConfigSource::unknown;
  }
  return e;
}

}  // namespace

awaitable<Result<std::vector<ResourceConfig>>> describe_configs(
    State s, std::vector<ConfigResource> resources, std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::vector<ResourceConfig> results(resources.size());
  for (std::size_t i = 0; i < resources.size(); ++i) results[i].resource = resources[i];

  ItemRequests<proto::DescribeConfigsRequest, proto::DescribeConfigsResponse> op;
  op.api = &proto::kDescribeConfigsApi;
  op.build = [&](const std::vector<std::size_t>& items) {
    proto::DescribeConfigsRequest req;
    for (std::size_t i : items) {
      proto::DescribeConfigsResource r;
      r.resource_type = static_cast<int8_t>(resources[i].type);
      r.resource_name = resources[i].name;
      r.configuration_keys = std::nullopt;
      req.resources.push_back(std::move(r));
    }
    return req;
  };
  op.read = [&](const proto::DescribeConfigsResponse& resp, std::size_t i) -> Result<Verdict> {
    const ConfigResource& res = resources[i];
    auto it =
        std::find_if(resp.results.begin(), resp.results.end(),
                     [&](const proto::DescribeConfigsResult& r) { return same_resource(r, res); });
    if (it == resp.results.end()) {
      results[i].status = no_result(res);
      return Verdict::done;
    }
    if (attempts.ask_again(it->error_code)) return Verdict::retry;
    if (it->error_code != 0) {
      results[i].status = kafka_error(it->error_code, it->error_message,
                                      "describe configs of " + resource_text(res));
      return Verdict::done;
    }
    results[i].status = ok_status();
    for (const auto& c : it->configs) results[i].entries.push_back(to_entry(c));
    std::sort(results[i].entries.begin(), results[i].entries.end(),
              [](const ConfigEntry& a, const ConfigEntry& b) { return a.name < b.name; });
    return Verdict::done;
  };
  op.out_of_time = [&](const std::vector<std::size_t>& items) {
    for (std::size_t i : items)
      results[i].status = out_of_time("describe configs of " + resource_text(resources[i]));
    return ok_status();
  };
  const auto brokers = by_broker(results);
  for (const auto& group : brokers) {
    Target target = broker_target(group.first);
    std::vector<std::size_t> items = group.second;
    auto st = co_await run_items(s, attempts, target, items, op);
    if (!st) co_return std::move(st).error();
  }
  co_return results;
}

awaitable<Result<std::vector<ResourceStatus>>> alter_configs(
    State s, std::vector<AlterConfigsResource> resources, AlterConfigsOptions options) {
  Attempts attempts(s->config, options.timeout);
  std::vector<ResourceStatus> results(resources.size());
  for (std::size_t i = 0; i < resources.size(); ++i) results[i].resource = resources[i].resource;

  ItemRequests<proto::AlterConfigsRequest, proto::AlterConfigsResponse> op;
  op.api = &proto::kAlterConfigsApi;
  op.build = [&](const std::vector<std::size_t>& items) {
    proto::AlterConfigsRequest req;
    req.validate_only = options.validate_only;
    for (std::size_t i : items) {
      proto::AlterConfigsResource r;
      r.resource_type = static_cast<int8_t>(resources[i].resource.type);
      r.resource_name = resources[i].resource.name;
      for (const auto& kv : resources[i].configs) {
        proto::AlterableConfig c;
        c.name = kv.first;
        c.value = kv.second;
        r.configs.push_back(std::move(c));
      }
      req.resources.push_back(std::move(r));
    }
    return req;
  };
  op.read = [&](const proto::AlterConfigsResponse& resp, std::size_t i) -> Result<Verdict> {
    const ConfigResource& res = resources[i].resource;
    auto it = std::find_if(
        resp.responses.begin(), resp.responses.end(),
        [&](const proto::AlterConfigsResourceResponse& r) { return same_resource(r, res); });
    if (it == resp.responses.end()) {
      results[i].status = no_result(res);
      return Verdict::done;
    }
    if (attempts.ask_again(it->error_code)) return Verdict::retry;
    if (it->error_code != 0) {
      results[i].status =
          kafka_error(it->error_code, it->error_message, "alter configs of " + resource_text(res));
    } else {
      results[i].status = ok_status();
    }
    return Verdict::done;
  };
  op.out_of_time = [&](const std::vector<std::size_t>& items) {
    for (std::size_t i : items)
      results[i].status = out_of_time("alter configs of " + resource_text(resources[i].resource));
    return ok_status();
  };
  const auto brokers = by_broker(results);
  for (const auto& group : brokers) {
    Target target = broker_target(group.first);
    std::vector<std::size_t> items = group.second;
    auto st = co_await run_items(s, attempts, target, items, op);
    if (!st) co_return std::move(st).error();
  }
  co_return results;
}

}  // namespace sluice::client::admin_ops
