// The znode schema against the JSON Kafka itself writes to ZooKeeper: payloads copied from
// real Kafka clusters decode, and ours encode to Kafka's layout byte for byte.
#include "coordination/znodes.h"

#include <gtest/gtest.h>

#include "coordination/zk_error.h"

namespace sluice::coordination::znodes {
namespace {

TEST(Znodes, PathsFollowKafkasLayout) {
  EXPECT_EQ(broker(3), "/brokers/ids/3");
  EXPECT_EQ(topic("orders"), "/brokers/topics/orders");
  EXPECT_EQ(partition_state("orders", 7), "/brokers/topics/orders/partitions/7/state");
  EXPECT_EQ(controller(), "/controller");
  EXPECT_EQ(controller_epoch(), "/controller_epoch");
  EXPECT_EQ(topic_config("orders"), "/config/topics/orders");
  EXPECT_EQ(delete_topic("orders"), "/admin/delete_topics/orders");
  EXPECT_EQ(cluster_id(), "/cluster/id");
  EXPECT_EQ(consumer_group("g1"), "/consumers/g1");
}

TEST(Znodes, BrokerRegistrationEncodesAsKafkaVersion5) {
  BrokerRegistration b;
  b.id = 1;
  b.endpoints = {{"PLAINTEXT", "PLAINTEXT", "localhost", 9092}};
  b.timestamp_ms = 1660000000000;
  EXPECT_EQ(encode(b),
            R"({"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},)"
            R"("endpoints":["PLAINTEXT://localhost:9092"],"jmx_port":-1,"port":9092,)"
            R"("host":"localhost","version":5,"timestamp":"1660000000000"})");
  auto back = decode_broker(1, encode(b));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, b);
}

TEST(Znodes, BrokerRegistrationWithoutPlaintextHasNullHost) {
  BrokerRegistration b;
  b.id = 2;
  b.endpoints = {{"INTERNAL", "SSL", "10.0.0.2", 9093}, {"EXTERNAL", "SASL_SSL", "::1", 9094}};
  b.rack = "rack-a";
  auto json = encode(b);
  EXPECT_NE(json.find(R"("port":-1,"host":null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("EXTERNAL://[::1]:9094")"), std::string::npos) << json;
  auto back = decode_broker(2, json);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, b);
}

TEST(Znodes, DecodesBrokerJsonWrittenByKafka) {
  // Kafka 2.4 (version 4) with a rack, keys in Kafka's hash order.
  auto b = decode_broker(
      5, R"({"listener_security_protocol_map":{"CLIENT":"PLAINTEXT","REPL":"SSL"},)"
         R"("endpoints":["CLIENT://k5:9092","REPL://k5:9093"],"rack":"r1","jmx_port":9999,)"
         R"("host":"k5","timestamp":"1580000000000","port":9092,"version":4})");
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(b->id, 5);
  ASSERT_EQ(b->endpoints.size(), 2u);
  EXPECT_EQ(b->endpoints[1], (BrokerEndpoint{"REPL", "SSL", "k5", 9093}));
  EXPECT_EQ(b->rack, std::optional<std::string>("r1"));
  EXPECT_EQ(b->timestamp_ms, 1580000000000);
  // Version 1: host and port only.
  auto v1 =
      decode_broker(0, R"({"jmx_port":-1,"timestamp":"1","host":"old","version":1,"port":9092})");
  ASSERT_TRUE(v1.ok()) << v1.error().to_string();
  EXPECT_EQ(v1->endpoints.at(0), (BrokerEndpoint{"PLAINTEXT", "PLAINTEXT", "old", 9092}));
}

TEST(Znodes, RejectsMalformedBrokerJson) {
  for (const char* bad :
       {"", "{", "[]", R"({"endpoints":["nonsense"]})", R"({"endpoints":["PLAINTEXT://h:99999"]})",
        R"({"timestamp":{}})", R"({"version":5})"}) {
    auto r = decode_broker(1, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ZkErrc::data_inconsistency) << bad;
    EXPECT_NE(r.error().context().find("/brokers/ids/1"), std::string::npos);
  }
}

TEST(Znodes, ControllerAndEpochMatchKafka) {
  EXPECT_EQ(encode(ControllerInfo{2, 1660000000123}),
            R"({"version":1,"brokerid":2,"timestamp":"1660000000123"})");
  auto c = decode_controller(R"({"version":1,"brokerid":7,"timestamp":"5"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (ControllerInfo{7, 5}));
  EXPECT_FALSE(decode_controller(R"({"version":1})").ok());
  EXPECT_EQ(encode_controller_epoch(12), "12");
  EXPECT_EQ(decode_controller_epoch("12").value_or(-1), 12);
  EXPECT_FALSE(decode_controller_epoch("12x").ok());
  EXPECT_FALSE(decode_controller_epoch("-1").ok());
}

TEST(Znodes, TopicAssignmentRoundTripsAndReadsKafkaVersions) {
  TopicAssignment t;
  t.topic_id = "8fXQ3rTdQZmK1s0qM3uB8w";
  t.partitions = {{0, {1, 2, 3}}, {1, {2, 3, 1}}};
  EXPECT_EQ(
      encode(t),
      R"({"version":3,"topic_id":"8fXQ3rTdQZmK1s0qM3uB8w","partitions":{"0":[1,2,3],"1":[2,3,1]},)"
      R"("adding_replicas":{},"removing_replicas":{}})");
  auto back = decode_topic(encode(t));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
  auto v1 = decode_topic(R"({"version":1,"partitions":{"1":[3],"0":[2]}})");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->partitions.at(1), std::vector<int32_t>{3});
  EXPECT_TRUE(v1->topic_id.empty());
  EXPECT_FALSE(decode_topic(R"({"version":2,"partitions":{"x":[1]}})").ok());
  EXPECT_FALSE(decode_topic(R"({"version":2,"partitions":{"0":["1"]}})").ok());
  EXPECT_FALSE(decode_topic(R"({"version":2})").ok());
}

TEST(Znodes, PartitionStateMatchesKafka) {
  PartitionState s{1, 4, {1, 2}, 3};
  EXPECT_EQ(encode(s),
            R"({"controller_epoch":3,"leader":1,"version":1,"leader_epoch":4,"isr":[1,2]})");
  auto back = decode_partition_state(
      R"({"isr":[1,2],"leader_epoch":4,"leader":1,"version":1,"controller_epoch":3})");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(decode_partition_state(R"({"leader":1,"isr":[1]})").ok());
  EXPECT_FALSE(
      decode_partition_state(R"({"controller_epoch":1,"leader":1,"leader_epoch":0,"isr":"1"})")
          .ok());
}

TEST(Znodes, TopicConfigAndClusterId) {
  TopicConfig c{{{"cleanup.policy", "compact"}, {"retention.ms", "1000"}}};
  EXPECT_EQ(encode(c),
            R"({"version":1,"config":{"cleanup.policy":"compact","retention.ms":"1000"}})");
  auto back = decode_topic_config(encode(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
  EXPECT_FALSE(decode_topic_config(R"({"version":1,"config":{"retention.ms":1000}})").ok());
  EXPECT_EQ(encode_cluster_id("abc"), R"({"version":"1","id":"abc"})");
  EXPECT_EQ(decode_cluster_id(R"({"version":"1","id":"abc"})").value_or(""), "abc");
  EXPECT_FALSE(decode_cluster_id(R"({"version":"1"})").ok());
}

TEST(Znodes, ValidatesTopicNamesLikeKafka) {
  EXPECT_TRUE(validate_topic_name("orders.v1_x-2").ok());
  EXPECT_TRUE(validate_topic_name(std::string(249, 'a')).ok());
  EXPECT_FALSE(validate_topic_name(std::string(250, 'a')).ok());
  EXPECT_FALSE(validate_topic_name("").ok());
  EXPECT_FALSE(validate_topic_name(".").ok());
  EXPECT_FALSE(validate_topic_name("..").ok());
  EXPECT_FALSE(validate_topic_name("a/b").ok());
  EXPECT_FALSE(validate_topic_name("a b").ok());
}

}  // namespace
}  // namespace sluice::coordination::znodes
