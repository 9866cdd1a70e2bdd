// Broker configuration: precedence, validation, Kafka's server.properties syntax.
#include "broker/config/broker_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace sluice::broker::config {
namespace {

BrokerConfig::Inputs minimal() {
  BrokerConfig::Inputs in;
  in.overrides = {"broker.id=1", "zookeeper.connect=127.0.0.1:2181/sluice"};
  return in;
}

std::string write_temp(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("sluice-config-test-" + std::to_string(::getpid()) + ".properties");
  std::ofstream(path) << text;
  return path.string();
}

TEST(BrokerConfig, DefaultsMatchKafka) {
  auto cfg = BrokerConfig::load(minimal());
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->broker_id, 1);
  EXPECT_EQ(cfg->num_partitions, 1);
  EXPECT_EQ(cfg->message_max_bytes, 1048588);
  EXPECT_EQ(cfg->socket_request_max_bytes, 104857600);
  EXPECT_EQ(cfg->log_retention_ms, 168LL * 3600 * 1000);
  ASSERT_EQ(cfg->listeners.size(), 1u);
  EXPECT_EQ(cfg->listeners[0].port, 9092);
  EXPECT_EQ(cfg->listeners[0].security_protocol, "PLAINTEXT");
  EXPECT_EQ(cfg->advertised_listeners, cfg->listeners);
  EXPECT_EQ(cfg->source("num.partitions"), ConfigSource::default_config);
  EXPECT_EQ(cfg->source("broker.id"), ConfigSource::command_line);
}

TEST(BrokerConfig, ReadsKafkaStylePropertiesFile) {
  auto path = write_temp(
      "# a comment\n"
      "! another\n"
      "broker.id = 3\n"
      "zookeeper.connect:127.0.0.1:2181\n"
      "log.dirs=/var/a,\\\n"
      "   /var/b\n"
      "listeners PLAINTEXT://127.0.0.1:19092\n"
      "log.retention.minutes=5\n");
  BrokerConfig::Inputs in;
  in.file = path;
  auto cfg = BrokerConfig::load(in);
  std::filesystem::remove(path);
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->broker_id, 3);
  EXPECT_EQ(cfg->zookeeper_connect, "127.0.0.1:2181");
  EXPECT_EQ(cfg->log_dirs, (std::vector<std::string>{"/var/a", "/var/b"}));
  EXPECT_EQ(cfg->listeners[0].host, "127.0.0.1");
  EXPECT_EQ(cfg->listeners[0].port, 19092);
  EXPECT_EQ(cfg->log_retention_ms, 5 * 60 * 1000);
  EXPECT_EQ(cfg->source("broker.id"), ConfigSource::file);
}

TEST(BrokerConfig, EnvironmentOverridesFileAndFlagsOverrideEnvironment) {
  auto path = write_temp("broker.id=1\nzookeeper.connect=zk:2181\nnum.partitions=2\n");
  BrokerConfig::Inputs in;
  in.file = path;
  in.environment = {"SLUICE_NUM_PARTITIONS=4", "SLUICE_BROKER_ID=7", "PATH=/bin",
                    "SLUICE_LOG_LEVEL=debug"};
  in.overrides = {"broker.id=9"};
  auto cfg = BrokerConfig::load(in);
  std::filesystem::remove(path);
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->num_partitions, 4);
  EXPECT_EQ(cfg->source("num.partitions"), ConfigSource::environment);
  EXPECT_EQ(cfg->broker_id, 9);
}

TEST(BrokerConfig, UnknownKeysAreErrorsNamingTheKey) {
  auto in = minimal();
  in.overrides.push_back("log.retention.hourz=3");
  auto cfg = BrokerConfig::load(in);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().context().find("log.retention.hourz"), std::string::npos);

  auto env = minimal();
  env.environment = {"SLUICE_NUM_PARTITION=3"};
  auto cfg2 = BrokerConfig::load(env);
  ASSERT_FALSE(cfg2.ok());
  EXPECT_NE(cfg2.error().context().find("SLUICE_NUM_PARTITION"), std::string::npos);
}

TEST(BrokerConfig, InvalidValuesAreErrorsNamingTheKey) {
  for (const char* bad :
       {"num.partitions=0", "num.partitions=many", "auto.create.topics.enable=yes",
        "listeners=PLAINTEXT://host", "listeners=FOO://:9092", "listeners=PLAINTEXT://:70000",
        "log.cleanup.policy=shred", "advertised.listeners=OTHER://h:1",
        "log.message.timestamp.type=Now"}) {
    auto in = minimal();
    in.overrides.push_back(bad);
    auto cfg = BrokerConfig::load(in);
    ASSERT_FALSE(cfg.ok()) << bad;
    std::string key(bad, std::string_view(bad).find('='));
    EXPECT_NE(cfg.error().context().find(key), std::string::npos) << cfg.error().context();
  }
}

TEST(BrokerConfig, RequiredKeysMustBeSet) {
  BrokerConfig::Inputs in;
  in.overrides = {"broker.id=1"};
  auto cfg = BrokerConfig::load(in);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().context().find("zookeeper.connect"), std::string::npos);
  EXPECT_NE(cfg.error().context().find("SLUICE_ZOOKEEPER_CONNECT"), std::string::npos);
}

TEST(BrokerConfig, AdvertisedListenersAndIpv6) {
  auto in = minimal();
  in.overrides.push_back("listeners=PLAINTEXT://[::1]:9092,INTERNAL://:9093");
  in.overrides.push_back("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT");
  in.overrides.push_back("advertised.listeners=PLAINTEXT://broker1:9092");
  in.overrides.push_back("inter.broker.listener.name=INTERNAL");
  auto cfg = BrokerConfig::load(in);
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->listeners[0].host, "::1");
  EXPECT_EQ(cfg->listeners[1].listener_name, "INTERNAL");
  EXPECT_EQ(cfg->advertised_listeners[0].host, "broker1");
  EXPECT_EQ(cfg->inter_broker_listener_name, "INTERNAL");
}

TEST(BrokerConfig, EnvNames) {
  EXPECT_EQ(env_name("broker.id"), "SLUICE_BROKER_ID");
  EXPECT_EQ(env_name("zookeeper.connect"), "SLUICE_ZOOKEEPER_CONNECT");
  // Every key maps to a distinct variable.
  std::set<std::string> seen;
  for (const auto& k : config_keys()) EXPECT_TRUE(seen.insert(env_name(k.name)).second) << k.name;
}

}  // namespace
}  // namespace sluice::broker::config

namespace sluice::broker::config {
namespace {

// docs/configuration.md is what users read: every key must be documented there with its
// environment variable.
TEST(BrokerConfig, EveryKeyIsDocumented) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  for (const auto& k : config_keys()) {
    EXPECT_NE(doc.find("| `" + std::string(k.name) + "` |"), std::string::npos) << k.name;
    EXPECT_NE(doc.find("`" + env_name(k.name) + "`"), std::string::npos) << k.name;
  }
}

}  // namespace
}  // namespace sluice::broker::config
