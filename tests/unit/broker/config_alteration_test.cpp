// AlterConfigs (replace) and IncrementalAlterConfigs (SET/DELETE/APPEND/SUBTRACT) on a topic's
// override set: the new set, and which requests are INVALID_CONFIG or INVALID_REQUEST.
#include "broker/config/config_alteration.h"

#include <gtest/gtest.h>

#include <vector>

#include "broker/config/broker_config.h"

namespace sluice::broker::config {
namespace {

using Kind = AlterError::Kind;

BrokerConfig broker(std::vector<std::string> overrides = {}) {
  BrokerConfig::Inputs in;
  in.overrides = {"broker.id=1", "zookeeper.connect=127.0.0.1:2181"};
  for (auto& o : overrides) in.overrides.push_back(o);
  auto c = BrokerConfig::load(in);
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return std::move(c).value();
}

ConfigOp op(std::string name, ConfigOpType type, std::optional<std::string> value = std::nullopt) {
  return ConfigOp{std::move(name), static_cast<int8_t>(type), std::move(value)};
}

TEST(ReplaceTopicOverrides, TheNewSetIsExactlyTheEntries) {
  std::vector<ConfigEntry> entries = {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}};
  auto out = replace_topic_overrides(entries);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.overrides,
            (TopicOverrides{{"retention.ms", "1000"}, {"cleanup.policy", "compact"}}));

  auto empty = replace_topic_overrides({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.overrides.empty());  // every key back to its default
}

TEST(ReplaceTopicOverrides, RefusesUnknownKeysAndBadValuesAsInvalidConfigNamingTheKey) {
  for (const auto& e : std::vector<ConfigEntry>{{"no.such.key", "1"},
                                                {"retention.ms", "soon"},
                                                {"min.insync.replicas", "0"},
                                                {"cleanup.policy", "shred"}}) {
    std::vector<ConfigEntry> entries = {{"segment.ms", "1000"}, e};
    auto out = replace_topic_overrides(entries);
    ASSERT_FALSE(out.ok()) << e.name << "=" << *e.value;
    EXPECT_EQ(out.error->kind, Kind::invalid_config);
    EXPECT_NE(out.error->message.find(e.name), std::string::npos) << out.error->message;
  }
}

TEST(ReplaceTopicOverrides, RefusesNullValuesAndDuplicateKeysAsInvalidRequest) {
  std::vector<ConfigEntry> null_value = {{"retention.ms", std::nullopt}};
  auto out = replace_topic_overrides(null_value);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->kind, Kind::invalid_request);

  std::vector<ConfigEntry> twice = {{"retention.ms", "1"}, {"retention.ms", "2"}};
  out = replace_topic_overrides(twice);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->kind, Kind::invalid_request);
}

TEST(IncrementalTopicConfig, SetAndDeleteTouchOnlyTheirKeys) {
  const TopicOverrides current = {{"retention.ms", "1000"}, {"segment.ms", "5000"}};
  std::vector<ConfigOp> ops = {op("min.insync.replicas", ConfigOpType::set, "2"),
                               op("retention.ms", ConfigOpType::remove),
                               op("flush.ms", ConfigOpType::remove)};  // no override: fine
  auto out = apply_topic_config_ops(broker(), current, ops);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.overrides, (TopicOverrides{{"min.insync.replicas", "2"}, {"segment.ms", "5000"}}));
}

TEST(IncrementalTopicConfig, AppendStartsFromTheEffectiveValueAndSkipsPresentItems) {
  // No override: the broker default (log.cleanup.policy) is the starting list.
  std::vector<ConfigOp> ops = {op("cleanup.policy", ConfigOpType::append, "compact")};
  auto out = apply_topic_config_ops(broker(), {}, ops);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.overrides.at("cleanup.policy"), "delete,compact");

  out = apply_topic_config_ops(broker({"log.cleanup.policy=compact"}), {}, ops);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.overrides.at("cleanup.policy"), "compact");  // already there

  out = apply_topic_config_ops(
      broker(), {{"cleanup.policy", "compact"}},
      std::vector<ConfigOp>{op("cleanup.policy", ConfigOpType::append, "delete, compact")});
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.overrides.at("cleanup.policy"), "compact,delete");
}

TEST(IncrementalTopicConfig, SubtractRemovesItemsAndAnEmptyListIsInvalid) {
  std::vector<ConfigOp> ops = {op("cleanup.policy", ConfigOpType::subtract, "delete")};
  auto out = apply_topic_config_ops(broker(), {{"cleanup.policy", "compact,delete"}}, ops);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.overrides.at("cleanup.policy"), "compact");

  out = apply_topic_config_ops(broker(), {}, ops);  // default "delete" minus "delete"
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->kind, Kind::invalid_config);
  EXPECT_NE(out.error->message.find("cleanup.policy"), std::string::npos) << out.error->message;
}

TEST(IncrementalTopicConfig, AppendAndSubtractNeedAListKey) {
  for (auto type : {ConfigOpType::append, ConfigOpType::subtract}) {
    std::vector<ConfigOp> ops = {op("retention.ms", type, "1000")};
    auto out = apply_topic_config_ops(broker(), {}, ops);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error->kind, Kind::invalid_config);
    EXPECT_NE(out.error->message.find("retention.ms"), std::string::npos) << out.error->message;
  }
  std::vector<ConfigOp> unknown = {op("no.such.key", ConfigOpType::append, "x")};
  auto out = apply_topic_config_ops(broker(), {}, unknown);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->kind, Kind::invalid_config);
}

TEST(IncrementalTopicConfig, SetValidatesKeyAndValue) {
  for (const auto& o : std::vector<ConfigOp>{
           op("no.such.key", ConfigOpType::set, "1"), op("retention.ms", ConfigOpType::set, "-5"),
           op("unclean.leader.election.enable", ConfigOpType::set, "maybe")}) {
    std::vector<ConfigOp> ops = {o};
    auto out = apply_topic_config_ops(broker(), {}, ops);
    ASSERT_FALSE(out.ok()) << o.name;
    EXPECT_EQ(out.error->kind, Kind::invalid_config);
    EXPECT_NE(out.error->message.find(o.name), std::string::npos) << out.error->message;
  }
}

TEST(IncrementalTopicConfig, RefusesMalformedOperationsAsInvalidRequest) {
  const std::vector<std::vector<ConfigOp>> cases = {
      {ConfigOp{"retention.ms", 7, std::string("1")}},   // unknown operation
      {ConfigOp{"retention.ms", -1, std::string("1")}},  // unknown operation
      {op("retention.ms", ConfigOpType::set)},           // null value
      {op("cleanup.policy", ConfigOpType::append)},      // null value
      {op("retention.ms", ConfigOpType::set, "1"),
       op("retention.ms", ConfigOpType::remove)},  // twice
  };
  for (const auto& ops : cases) {
    auto out = apply_topic_config_ops(broker(), {{"segment.ms", "5"}}, ops);
    ASSERT_FALSE(out.ok()) << ops.front().name;
    EXPECT_EQ(out.error->kind, Kind::invalid_request) << out.error->message;
  }
}

}  // namespace
}  // namespace sluice::broker::config
