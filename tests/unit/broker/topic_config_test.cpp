// Topic-level config keys: validation of overrides and effective values inherited from the
// broker configuration.
#include "broker/config/topic_config.h"

#include <gtest/gtest.h>

#include "broker/config/broker_config.h"

namespace sluice::broker::config {
namespace {

BrokerConfig broker(std::vector<std::string> overrides) {
  BrokerConfig::Inputs in;
  in.overrides = {"broker.id=1", "zookeeper.connect=127.0.0.1:2181"};
  for (auto& o : overrides) in.overrides.push_back(o);
  auto c = BrokerConfig::load(in);
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return std::move(c).value();
}

TEST(TopicConfig, ValidatesOverridesAndNamesTheKey) {
  EXPECT_TRUE(validate_topic_config("retention.ms", "-1").ok());
  EXPECT_TRUE(validate_topic_config("cleanup.policy", "compact,delete").ok());
  EXPECT_TRUE(validate_topic_config("message.timestamp.type", "LogAppendTime").ok());
  for (auto [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"retention.ms", "soon"},
                                                        {"retention.ms", "-2"},
                                                        {"cleanup.policy", "shred"},
                                                        {"segment.bytes", "10"},
                                                        {"preallocate", "yes"},
                                                        {"no.such.key", "1"},
                                                        {"min.cleanable.dirty.ratio", "1.5"},
                                                        {"compression.type", "brotli"}}) {
    auto st = validate_topic_config(k, v);
    ASSERT_FALSE(st.ok()) << k << "=" << v;
    EXPECT_NE(st.error().context().find(k), std::string::npos) << st.error().context();
  }
}

TEST(TopicConfig, EffectiveValuesComeFromOverrideThenBrokerThenDefault) {
  auto b = broker({"log.retention.hours=1", "log.segment.bytes=1048576"});
  auto entries = effective_topic_config(b, {{"segment.bytes", "2048"}});
  auto find = [&](const std::string& name) {
    for (auto& e : entries)
      if (e.name == name) return e;
    ADD_FAILURE() << name;
    return TopicConfigEntry{};
  };
  EXPECT_EQ(find("segment.bytes").value, "2048");
  EXPECT_EQ(find("segment.bytes").source, TopicConfigSource::topic_override);
  EXPECT_EQ(find("retention.ms").value, "3600000");
  EXPECT_EQ(find("retention.ms").source, TopicConfigSource::broker_config);
  EXPECT_EQ(find("cleanup.policy").value, "delete");
  EXPECT_EQ(find("cleanup.policy").source, TopicConfigSource::default_config);

  auto s = log_settings(b, {{"cleanup.policy", "compact"}, {"min.insync.replicas", "2"}});
  EXPECT_EQ(s.segment_bytes, 1048576);
  EXPECT_EQ(s.retention_ms, 3600000);
  EXPECT_TRUE(s.compact);
  EXPECT_FALSE(s.delete_);
  EXPECT_EQ(s.min_insync_replicas, 2);
}

}  // namespace
}  // namespace sluice::broker::config
