// Admin: each operation is one coroutine on the client's runtime that picks the broker the API
// must go to (controller, coordinator, leader, any), sends, and retries what is retriable until
// its deadline. Per-item Kafka errors become Error values in the item's status.
//
// This file is the Admin class: it hands each call to its operation (admin_ops, declared in
// admin_internal.h, written per resource in admin_topics.cpp, admin_configs.cpp,
// admin_groups.cpp and admin_cluster.cpp) and blocks on it or delivers it to a callback.
#include "sluice/admin.h"

#include "client/src/admin_internal.h"
#include "client/src/runtime.h"

namespace sluice::client {

const char* to_string(ConfigSource source) {
  switch (source) {
    case ConfigSource::unknown:
      return "UNKNOWN";
    case ConfigSource::dynamic_topic:
      return "DYNAMIC_TOPIC_CONFIG";
    case ConfigSource::dynamic_broker:
      return "DYNAMIC_BROKER_CONFIG";
    case ConfigSource::dynamic_default_broker:
      return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case ConfigSource::static_broker:
      return "STATIC_BROKER_CONFIG";
    case ConfigSource::default_config:
      return "DEFAULT_CONFIG";
    case ConfigSource::dynamic_broker_logger:
      return "DYNAMIC_BROKER_LOGGER_CONFIG";
  }
  return "UNKNOWN";
}

namespace admin_ops {
namespace {

// Runs `op` and hands its result to `cb` (the async_ forms).
template <class T>
awaitable<void> deliver(awaitable<Result<T>> op, std::function<void(Result<T>)> cb) {
  cb(co_await std::move(op));
}

awaitable<Result<bool>> close_cluster(State s) {
  s->cluster.close();
  co_return true;
}

}  // namespace
}  // namespace admin_ops

using admin_ops::State;

// ---- Admin ----------------------------------------------------------------------------------

struct Admin::Impl {
  // Declared first, destroyed last: the runtime's thread stops after the state's connections
  // are closed and its coroutines released.
  std::unique_ptr<detail::Runtime> runtime;
  State state;

  template <class T>
  Result<T> block_on(std::function<awaitable<Result<T>>()> make_op) {
    return runtime->block_on<T>(std::move(make_op));
  }
  template <class T>
  void spawn(awaitable<Result<T>> op, std::function<void(Result<T>)> cb) {
    runtime->spawn(admin_ops::deliver<T>(std::move(op), std::move(cb)));
  }
};

Result<std::unique_ptr<Admin>> Admin::create(AdminConfig config,
                                             std::optional<boost::asio::any_io_executor> executor) {
  if (auto st = config.validate(); !st) return std::move(st).error();
  auto impl = std::make_unique<Impl>();
  impl->runtime = std::make_unique<detail::Runtime>(std::move(executor));
  impl->state = std::make_shared<AdminState>(impl->runtime->executor(), std::move(config));
  return std::unique_ptr<Admin>(new Admin(std::move(impl)));
}

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Admin::~Admin() {
  if (!impl_) return;
  // Close the connections on the client's executor (the Cluster is not thread-safe).
  if (!impl_->runtime->on_runtime_thread()) {
    State s = impl_->state;
    (void)impl_->block_on<bool>([s] { return admin_ops::close_cluster(s); });
  }
  // The state (sockets, timers) must go before the io_context it lives on: stop the thread,
  // drop the state, then the runtime (which destroys the coroutines still holding it).
  impl_->runtime->stop();
  impl_->state.reset();
  impl_->runtime.reset();
}

boost::asio::any_io_executor Admin::executor() const { return impl_->runtime->executor(); }

Result<std::vector<CreateTopicResult>> Admin::create_topics(std::vector<NewTopic> topics,
                                                            CreateTopicsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<CreateTopicResult>>(
      [s, &topics, options] { return admin_ops::create_topics(s, topics, options); });
}
void Admin::start_create_topics(std::vector<NewTopic> topics, CreateTopicsOptions options,
                                Callback<std::vector<CreateTopicResult>> cb) {
  impl_->spawn(admin_ops::create_topics(impl_->state, std::move(topics), options), std::move(cb));
}

Result<std::vector<ItemStatus>> Admin::delete_topics(std::vector<std::string> topics,
                                                     std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ItemStatus>>(
      [s, &topics, timeout] { return admin_ops::delete_topics(s, topics, timeout); });
}
void Admin::start_delete_topics(std::vector<std::string> topics, std::optional<Millis> timeout,
                                Callback<std::vector<ItemStatus>> cb) {
  impl_->spawn(admin_ops::delete_topics(impl_->state, std::move(topics), timeout), std::move(cb));
}

Result<std::vector<TopicDescription>> Admin::describe_topics(std::vector<std::string> topics,
                                                             DescribeTopicsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<TopicDescription>>(
      [s, &topics, options] { return admin_ops::describe_topics(s, topics, options); });
}
void Admin::start_describe_topics(std::vector<std::string> topics, DescribeTopicsOptions options,
                                  Callback<std::vector<TopicDescription>> cb) {
  impl_->spawn(admin_ops::describe_topics(impl_->state, std::move(topics), options), std::move(cb));
}

Result<std::vector<TopicListing>> Admin::list_topics(ListTopicsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<TopicListing>>(
      [s, options] { return admin_ops::list_topics(s, options); });
}
void Admin::start_list_topics(ListTopicsOptions options, Callback<std::vector<TopicListing>> cb) {
  impl_->spawn(admin_ops::list_topics(impl_->state, options), std::move(cb));
}

Result<std::vector<ItemStatus>> Admin::create_partitions(std::vector<NewPartitions> partitions,
                                                         CreatePartitionsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ItemStatus>>(
      [s, &partitions, options] { return admin_ops::create_partitions(s, partitions, options); });
}
void Admin::start_create_partitions(std::vector<NewPartitions> partitions,
                                    CreatePartitionsOptions options,
                                    Callback<std::vector<ItemStatus>> cb) {
  impl_->spawn(admin_ops::create_partitions(impl_->state, std::move(partitions), options),
               std::move(cb));
}

Result<std::vector<ResourceConfig>> Admin::describe_configs(std::vector<ConfigResource> resources,
                                                            std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ResourceConfig>>(
      [s, &resources, timeout] { return admin_ops::describe_configs(s, resources, timeout); });
}
void Admin::start_describe_configs(std::vector<ConfigResource> resources,
                                   std::optional<Millis> timeout,
                                   Callback<std::vector<ResourceConfig>> cb) {
  impl_->spawn(admin_ops::describe_configs(impl_->state, std::move(resources), timeout),
               std::move(cb));
}

Result<std::vector<ResourceStatus>> Admin::alter_configs(
    std::vector<AlterConfigsResource> resources, AlterConfigsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ResourceStatus>>(
      [s, &resources, options] { return admin_ops::alter_configs(s, resources, options); });
}
void Admin::start_alter_configs(std::vector<AlterConfigsResource> resources,
                                AlterConfigsOptions options,
                                Callback<std::vector<ResourceStatus>> cb) {
  impl_->spawn(admin_ops::alter_configs(impl_->state, std::move(resources), options),
               std::move(cb));
}

Result<std::vector<GroupListing>> Admin::list_groups(std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<GroupListing>>(
      [s, timeout] { return admin_ops::list_groups(s, timeout); });
}
void Admin::start_list_groups(std::optional<Millis> timeout,
                              Callback<std::vector<GroupListing>> cb) {
  impl_->spawn(admin_ops::list_groups(impl_->state, timeout), std::move(cb));
}

Result<std::vector<GroupDescription>> Admin::describe_groups(std::vector<std::string> groups,
                                                             std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<GroupDescription>>(
      [s, &groups, timeout] { return admin_ops::describe_groups(s, groups, timeout); });
}
void Admin::start_describe_groups(std::vector<std::string> groups, std::optional<Millis> timeout,
                                  Callback<std::vector<GroupDescription>> cb) {
  impl_->spawn(admin_ops::describe_groups(impl_->state, std::move(groups), timeout), std::move(cb));
}

Result<std::vector<ItemStatus>> Admin::delete_groups(std::vector<std::string> groups,
                                                     std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ItemStatus>>(
      [s, &groups, timeout] { return admin_ops::delete_groups(s, groups, timeout); });
}
void Admin::start_delete_groups(std::vector<std::string> groups, std::optional<Millis> timeout,
                                Callback<std::vector<ItemStatus>> cb) {
  impl_->spawn(admin_ops::delete_groups(impl_->state, std::move(groups), timeout), std::move(cb));
}

Result<std::map<TopicPartition, OffsetAndMetadata>> Admin::list_consumer_group_offsets(
    std::string group, std::optional<std::vector<TopicPartition>> partitions,
    std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::map<TopicPartition, OffsetAndMetadata>>(
      [s, &group, &partitions, timeout] {
        return admin_ops::list_group_offsets(s, group, partitions, timeout);
      });
}
void Admin::start_list_consumer_group_offsets(
    std::string group, std::optional<std::vector<TopicPartition>> partitions,
    std::optional<Millis> timeout, Callback<std::map<TopicPartition, OffsetAndMetadata>> cb) {
  impl_->spawn(
      admin_ops::list_group_offsets(impl_->state, std::move(group), std::move(partitions), timeout),
      std::move(cb));
}

Status Admin::alter_consumer_group_offsets(std::string group,
                                           std::map<TopicPartition, int64_t> offsets,
                                           std::optional<Millis> timeout) {
  State s = impl_->state;
  auto r = impl_->block_on<bool>([s, &group, &offsets, timeout] {
    return admin_ops::alter_group_offsets(s, group, offsets, timeout);
  });
  if (!r) return std::move(r).error();
  return ok_status();
}
void Admin::start_alter_consumer_group_offsets(std::string group,
                                               std::map<TopicPartition, int64_t> offsets,
                                               std::optional<Millis> timeout, Callback<bool> cb) {
  impl_->spawn(
      admin_ops::alter_group_offsets(impl_->state, std::move(group), std::move(offsets), timeout),
      std::move(cb));
}

Result<std::map<TopicPartition, ListedOffset>> Admin::list_offsets(
    std::map<TopicPartition, OffsetSpec> request, std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::map<TopicPartition, ListedOffset>>(
      [s, &request, timeout] { return admin_ops::list_offsets(s, request, timeout); });
}
void Admin::start_list_offsets(std::map<TopicPartition, OffsetSpec> request,
                               std::optional<Millis> timeout,
                               Callback<std::map<TopicPartition, ListedOffset>> cb) {
  impl_->spawn(admin_ops::list_offsets(impl_->state, std::move(request), timeout), std::move(cb));
}

Result<ClusterDescription> Admin::describe_cluster(std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<ClusterDescription>(
      [s, timeout] { return admin_ops::describe_cluster(s, timeout); });
}
void Admin::start_describe_cluster(std::optional<Millis> timeout, Callback<ClusterDescription> cb) {
  impl_->spawn(admin_ops::describe_cluster(impl_->state, timeout), std::move(cb));
}

}  // namespace sluice::client
