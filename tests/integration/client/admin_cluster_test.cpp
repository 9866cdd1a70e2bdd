// Admin against a real three-broker cluster: topics, partitions, configs, log offsets,
// consumer groups and the cluster description, including the per-item Kafka errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "protocol/error_codes.h"
#include "sluice/admin.h"
#include "sluice/producer.h"
#include "tests/integration/client/cluster_fixture.h"

namespace sluice::client {
namespace {

using namespace std::chrono_literals;

class AdminCluster : public test::ClusterTest {
 protected:
  AdminConfig config() {
    AdminConfig c;
    c.bootstrap_servers = cluster().bootstrap_list();
    c.request_timeout = 15s;
    return c;
  }
  std::unique_ptr<Admin> admin() {
    auto a = Admin::create(config());
    EXPECT_TRUE(a) << a.error().to_string();
    return a ? std::move(*a) : nullptr;
  }

  // Creates `name` and waits until every broker's metadata shows all its partitions with a
  // leader (brokers learn of new topics from ZooKeeper a moment after the controller).
  void create(Admin& a, const std::string& name, int32_t partitions, int16_t rf,
              std::map<std::string, std::string> configs = {}) {
    auto r = a.create_topics(
        {{.name = name, .partitions = partitions, .replication_factor = rf, .configs = configs}});
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->size(), 1u);
    ASSERT_TRUE((*r)[0].status) << (*r)[0].status.error().to_string();
    ASSERT_TRUE(wait_described(a, name, partitions));
  }
  static bool wait_described(Admin& a, const std::string& name, int32_t partitions) {
    for (int i = 0; i < 100; ++i) {
      auto d = a.describe_topics({name});
      if (d && (*d)[0].status && static_cast<int32_t>((*d)[0].partitions.size()) == partitions &&
          std::all_of((*d)[0].partitions.begin(), (*d)[0].partitions.end(),
                      [](const PartitionDescription& p) { return p.leader >= 1; })) {
        return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  static int16_t code(const Status& s) { return s ? 0 : kafka_code(s.error()); }
  template <class T>
  static int16_t code(const Result<T>& r) {
    return r ? 0 : kafka_code(r.error());
  }
  static constexpr int16_t k(KafkaErrc e) { return static_cast<int16_t>(e); }
};

TEST_F(AdminCluster, CreatesDescribesListsAndDeletesTopics) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string name = test::ThreeBrokerCluster::unique_name("adm");
  auto created = a->create_topics({{.name = name, .partitions = 4, .replication_factor = 3}});
  ASSERT_TRUE(created) << created.error().to_string();
  ASSERT_EQ(created->size(), 1u);
  ASSERT_TRUE((*created)[0].status) << (*created)[0].status.error().to_string();
  EXPECT_EQ((*created)[0].name, name);
  ASSERT_TRUE(wait_described(*a, name, 4));

  auto d = a->describe_topics({name});
  ASSERT_TRUE(d) << d.error().to_string();
  const TopicDescription& t = (*d)[0];
  EXPECT_FALSE(t.internal);
  EXPECT_FALSE(t.topic_id.empty());
  for (int32_t p = 0; p < 4; ++p) {
    const PartitionDescription& pd = t.partitions[static_cast<std::size_t>(p)];
    EXPECT_EQ(pd.partition, p);
    EXPECT_EQ(pd.replicas.size(), 3u);
    EXPECT_NE(std::find(pd.replicas.begin(), pd.replicas.end(), pd.leader), pd.replicas.end());
    EXPECT_FALSE(pd.isr.empty());
    EXPECT_GE(pd.leader_epoch, 0);
  }
  // Created topic ids agree with the metadata.
  if (!(*created)[0].topic_id.empty()) {
    EXPECT_EQ((*created)[0].topic_id, t.topic_id);
  }

  auto listed = a->list_topics();
  ASSERT_TRUE(listed) << listed.error().to_string();
  auto it = std::find_if(listed->begin(), listed->end(),
                         [&](const TopicListing& l) { return l.name == name; });
  ASSERT_NE(it, listed->end());
  EXPECT_EQ(it->partitions, 4);
  EXPECT_EQ(it->topic_id, t.topic_id);

  auto deleted = a->delete_topics({name});
  ASSERT_TRUE(deleted) << deleted.error().to_string();
  ASSERT_TRUE((*deleted)[0].status) << (*deleted)[0].status.error().to_string();
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    auto after = a->describe_topics({name});
    ASSERT_TRUE(after) << after.error().to_string();
    gone = code((*after)[0].status) == k(KafkaErrc::unknown_topic_or_partition);
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone) << "topic still described after deletion";
  // Deleting it again is a per-topic error, not a failed request.
  auto again = a->delete_topics({name});
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(code((*again)[0].status), k(KafkaErrc::unknown_topic_or_partition));
}

TEST_F(AdminCluster, ReportsEachTopicsOwnErrorOnCreate) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string existing = test::ThreeBrokerCluster::unique_name("adm-exists");
  const std::string fresh = test::ThreeBrokerCluster::unique_name("adm-fresh");
  const std::string too_many = test::ThreeBrokerCluster::unique_name("adm-rf");
  create(*a, existing, 1, 1);
  auto r = a->create_topics({{.name = existing, .partitions = 1, .replication_factor = 1},
                             {.name = fresh, .partitions = 2, .replication_factor = 2},
                             {.name = too_many, .partitions = 1, .replication_factor = 4}});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].name, existing);
  EXPECT_EQ(code((*r)[0].status), k(KafkaErrc::topic_already_exists));
  EXPECT_TRUE((*r)[1].status) << (*r)[1].status.error().to_string();
  EXPECT_EQ(code((*r)[2].status), k(KafkaErrc::invalid_replication_factor));
  // The error carries Kafka's name through the kafka category.
  EXPECT_NE((*r)[2].status.error().to_string().find("INVALID_REPLICATION_FACTOR"),
            std::string::npos)
      << (*r)[2].status.error().to_string();
  auto d = a->describe_topics({too_many});
  ASSERT_TRUE(d);
  EXPECT_EQ(code((*d)[0].status), k(KafkaErrc::unknown_topic_or_partition));
}

TEST_F(AdminCluster, ValidateOnlyCreatesNothing) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string name = test::ThreeBrokerCluster::unique_name("adm-validate");
  auto r = a->create_topics({{.name = name, .partitions = 2, .replication_factor = 1}},
                            {.validate_only = true});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE((*r)[0].status) << (*r)[0].status.error().to_string();
  std::this_thread::sleep_for(300ms);
  auto d = a->describe_topics({name});
  ASSERT_TRUE(d);
  EXPECT_EQ(code((*d)[0].status), k(KafkaErrc::unknown_topic_or_partition));
}

TEST_F(AdminCluster, CreatePartitionsGrowsATopicAndRefusesToShrinkIt) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string name = test::ThreeBrokerCluster::unique_name("adm-grow");
  create(*a, name, 2, 2);
  auto r = a->create_partitions({{.topic = name, .total_count = 5}});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE((*r)[0].status) << (*r)[0].status.error().to_string();
  EXPECT_TRUE(wait_described(*a, name, 5));
  auto shrink = a->create_partitions({{.topic = name, .total_count = 3}});
  ASSERT_TRUE(shrink) << shrink.error().to_string();
  EXPECT_EQ(code((*shrink)[0].status), k(KafkaErrc::invalid_partitions));
  auto unknown = a->create_partitions({{.topic = name + "-missing", .total_count = 3}});
  ASSERT_TRUE(unknown) << unknown.error().to_string();
  EXPECT_EQ(code((*unknown)[0].status), k(KafkaErrc::unknown_topic_or_partition));
}

TEST_F(AdminCluster, DescribesTopicAndBrokerConfigsWithTheirSources) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string name = test::ThreeBrokerCluster::unique_name("adm-cfg");
  create(*a, name, 1, 1, {{"retention.ms", "123456"}});
  auto r = a->describe_configs({{ConfigResource::Type::topic, name},
                                {ConfigResource::Type::broker, "1"},
                                {ConfigResource::Type::topic, name + "-missing"}});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  ASSERT_TRUE((*r)[0].status) << (*r)[0].status.error().to_string();
  auto find = [](const std::vector<ConfigEntry>& entries,
                 const std::string& key) -> const ConfigEntry* {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const ConfigEntry& e) { return e.name == key; });
    return it == entries.end() ? nullptr : &*it;
  };
  const ConfigEntry* retention = find((*r)[0].entries, "retention.ms");
  ASSERT_NE(retention, nullptr);
  EXPECT_EQ(retention->value, "123456");
  EXPECT_EQ(retention->source, ConfigSource::dynamic_topic);
  EXPECT_FALSE(retention->is_default);
  const ConfigEntry* cleanup = find((*r)[0].entries, "cleanup.policy");
  ASSERT_NE(cleanup, nullptr);
  EXPECT_NE(cleanup->source, ConfigSource::dynamic_topic);
  // Broker 1 describes itself.
  ASSERT_TRUE((*r)[1].status) << (*r)[1].status.error().to_string();
  EXPECT_FALSE((*r)[1].entries.empty());
  EXPECT_EQ(code((*r)[2].status), k(KafkaErrc::unknown_topic_or_partition));

  // describe_topics can include the same configs.
  auto d = a->describe_topics({name}, {.include_configs = true});
  ASSERT_TRUE(d) << d.error().to_string();
  ASSERT_TRUE((*d)[0].configs.has_value());
  const ConfigEntry* again = find(*(*d)[0].configs, "retention.ms");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->value, "123456");
}

TEST_F(AdminCluster, AlterConfigsReplacesTheOverrides) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string name = test::ThreeBrokerCluster::unique_name("adm-alter");
  create(*a, name, 1, 1, {{"retention.ms", "123456"}});
  auto r =
      a->alter_configs({{{ConfigResource::Type::topic, name}, {{"cleanup.policy", "compact"}}}});
  if (!r && r.error() == ClientErrc::unsupported_version) {
    GTEST_SKIP() << "the brokers do not serve AlterConfigs yet: " << r.error().to_string();
  }
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE((*r)[0].status) << (*r)[0].status.error().to_string();
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    auto d = a->describe_configs({{ConfigResource::Type::topic, name}});
    ASSERT_TRUE(d) << d.error().to_string();
    bool compact = false, retention_default = false;
    for (const auto& e : (*d)[0].entries) {
      if (e.name == "cleanup.policy")
        compact = e.value == "compact" && e.source == ConfigSource::dynamic_topic;
      if (e.name == "retention.ms") retention_default = e.source != ConfigSource::dynamic_topic;
    }
    seen = compact && retention_default;
    if (!seen) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(seen) << "cleanup.policy=compact not applied or retention.ms override kept";
  auto bad = a->alter_configs({{{ConfigResource::Type::topic, name}, {{"no.such.key", "1"}}}});
  ASSERT_TRUE(bad) << bad.error().to_string();
  EXPECT_EQ(code((*bad)[0].status), k(KafkaErrc::invalid_config));
}

TEST_F(AdminCluster, ListsEarliestLatestAndTimestampOffsets) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string name = test::ThreeBrokerCluster::unique_name("adm-offsets");
  create(*a, name, 2, 3);
  auto empty =
      a->list_offsets({{{name, 0}, OffsetSpec::earliest()}, {{name, 0}, OffsetSpec::latest()}});
  ASSERT_TRUE(empty) << empty.error().to_string();
  // (a map: the second entry for the same partition replaced the first)
  EXPECT_EQ(empty->at({name, 0}).offset, 0);

  ProducerConfig pc;
  pc.bootstrap_servers = cluster().bootstrap_list();
  auto producer = Producer::create(pc);
  ASSERT_TRUE(producer) << producer.error().to_string();
  const int64_t t0 = 1'700'000'000'000;
  for (int i = 0; i < 5; ++i) {
    ProducerRecord rec;
    rec.topic = name;
    rec.partition = 0;
    rec.value = "v" + std::to_string(i);
    rec.timestamp_ms = t0 + i * 1000;
    auto md = (*producer)->send(rec);
    ASSERT_TRUE(md) << md.error().to_string();
  }
  auto earliest =
      a->list_offsets({{{name, 0}, OffsetSpec::earliest()}, {{name, 1}, OffsetSpec::earliest()}});
  auto latest =
      a->list_offsets({{{name, 0}, OffsetSpec::latest()}, {{name, 1}, OffsetSpec::latest()}});
  auto by_time = a->list_offsets({{{name, 0}, OffsetSpec::for_timestamp(t0 + 2500)}});
  ASSERT_TRUE(earliest) << earliest.error().to_string();
  ASSERT_TRUE(latest) << latest.error().to_string();
  ASSERT_TRUE(by_time) << by_time.error().to_string();
  EXPECT_EQ(earliest->at({name, 0}).offset, 0);
  EXPECT_EQ(latest->at({name, 0}).offset, 5);
  EXPECT_EQ(earliest->at({name, 1}).offset, 0);
  EXPECT_EQ(latest->at({name, 1}).offset, 0);
  EXPECT_EQ(by_time->at({name, 0}).offset, 3);  // the first record at or after t0+2500
  EXPECT_EQ(by_time->at({name, 0}).timestamp, t0 + 3000);

  // A partition that does not exist fails the call once the time is up, naming it.
  auto missing = a->list_offsets({{{name, 7}, OffsetSpec::latest()}}, 1500ms);
  ASSERT_FALSE(missing);
  EXPECT_EQ(kafka_code(missing.error()), k(KafkaErrc::unknown_topic_or_partition));
  EXPECT_NE(missing.error().context().find(name + "-7"), std::string::npos)
      << missing.error().to_string();
}

TEST_F(AdminCluster, DescribeClusterShowsThreeBrokersAndAController) {
  auto a = admin();
  ASSERT_TRUE(a);
  auto c = a->describe_cluster();
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->brokers.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c->brokers[static_cast<std::size_t>(i)].id, i + 1);
    EXPECT_EQ(c->brokers[static_cast<std::size_t>(i)].host, "127.0.0.1");
    EXPECT_GT(c->brokers[static_cast<std::size_t>(i)].port, 0);
  }
  EXPECT_GE(c->controller_id, 1);
  EXPECT_LE(c->controller_id, 3);
  EXPECT_FALSE(c->cluster_id.empty());
  // The async form, with a future.
  std::future<Result<ClusterDescription>> f =
      a->async_describe_cluster(std::nullopt, boost::asio::use_future);
  auto c2 = f.get();
  ASSERT_TRUE(c2) << c2.error().to_string();
  EXPECT_EQ(c2->cluster_id, c->cluster_id);
}

TEST_F(AdminCluster, GroupOffsetsListDescribeAndDelete) {
  auto a = admin();
  ASSERT_TRUE(a);
  const std::string topic = test::ThreeBrokerCluster::unique_name("adm-gt");
  const std::string group = test::ThreeBrokerCluster::unique_name("adm-group");
  create(*a, topic, 3, 1);

  // An admin commit creates the (empty) group.
  auto st = a->alter_consumer_group_offsets(group, {{{topic, 0}, 7}, {{topic, 2}, 11}});
  ASSERT_TRUE(st) << st.error().to_string();
  auto offsets = a->list_consumer_group_offsets(group);
  ASSERT_TRUE(offsets) << offsets.error().to_string();
  ASSERT_EQ(offsets->size(), 2u);
  EXPECT_EQ(offsets->at({topic, 0}).offset, 7);
  EXPECT_EQ(offsets->at({topic, 2}).offset, 11);
  auto some =
      a->list_consumer_group_offsets(group, std::vector<TopicPartition>{{topic, 2}, {topic, 1}});
  ASSERT_TRUE(some) << some.error().to_string();
  ASSERT_EQ(some->size(), 1u);  // partition 1 has no commit
  EXPECT_EQ(some->at({topic, 2}).offset, 11);

  // Reset: a second commit moves the offsets.
  ASSERT_TRUE(a->alter_consumer_group_offsets(group, {{{topic, 0}, 3}}));
  auto moved = a->list_consumer_group_offsets(group);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->at({topic, 0}).offset, 3);
  EXPECT_EQ(moved->at({topic, 2}).offset, 11);

  auto groups = a->list_groups();
  ASSERT_TRUE(groups) << groups.error().to_string();
  auto it = std::find_if(groups->begin(), groups->end(),
                         [&](const GroupListing& g) { return g.group_id == group; });
  ASSERT_NE(it, groups->end()) << "group " << group << " not listed";
  EXPECT_GE(it->coordinator, 1);

  auto d = a->describe_groups({group});
  ASSERT_TRUE(d) << d.error().to_string();
  ASSERT_EQ(d->size(), 1u);
  ASSERT_TRUE((*d)[0].status) << (*d)[0].status.error().to_string();
  EXPECT_EQ((*d)[0].state, "Empty");
  EXPECT_TRUE((*d)[0].members.empty());
  EXPECT_GE((*d)[0].coordinator, 1);

  auto del = a->delete_groups({group});
  ASSERT_TRUE(del) << del.error().to_string();
  ASSERT_TRUE((*del)[0].status) << (*del)[0].status.error().to_string();
  auto after = a->list_consumer_group_offsets(group);
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_TRUE(after->empty());
  auto dead = a->describe_groups({group});
  ASSERT_TRUE(dead) << dead.error().to_string();
  EXPECT_EQ((*dead)[0].state, "Dead");
  auto del_again = a->delete_groups({group});
  ASSERT_TRUE(del_again) << del_again.error().to_string();
  EXPECT_EQ(code((*del_again)[0].status), k(KafkaErrc::group_id_not_found));
}

TEST_F(AdminCluster, UnreachableBrokersFailWithinTheTimeout) {
  AdminConfig c;
  c.bootstrap_servers = {"127.0.0.1:1"};
  c.request_timeout = 1500ms;
  auto a = Admin::create(c);
  ASSERT_TRUE(a) << a.error().to_string();
  auto start = std::chrono::steady_clock::now();
  auto r = (*a)->list_topics();
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(kafka_code(r.error()), 0) << r.error().to_string();
  EXPECT_LT(took, 10s);
}

}  // namespace
}  // namespace sluice::client
