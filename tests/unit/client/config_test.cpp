// Kafka-named properties onto the client's configuration, and validation.
#include "sluice/config.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

TEST(ClientConfig, KafkaPropertiesCarryOver) {
  auto c = from_properties<ProducerConfig>({{"bootstrap.servers", "a:9092, b:9093"},
                                            {"client.id", "orders"},
                                            {"acks", "1"},
                                            {"enable.idempotence", "false"},
                                            {"linger.ms", "20"},
                                            {"compression.type", "zstd"},
                                            {"request.timeout.ms", "1500"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->bootstrap_servers, (std::vector<std::string>{"a:9092", "b:9093"}));
  EXPECT_EQ(c->client_id, "orders");
  EXPECT_EQ(c->acks, Acks::leader);
  EXPECT_EQ(c->linger, Millis(20));
  EXPECT_EQ(c->compression, CompressionType::zstd);
  EXPECT_EQ(c->request_timeout, Millis(1500));
}

TEST(ClientConfig, UnknownKeysAndBadValuesAreErrors) {
  auto typo = from_properties<ProducerConfig>({{"bootstrap.servers", "a:1"}, {"lingr.ms", "5"}});
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error(), ClientErrc::invalid_config);
  EXPECT_NE(typo.error().to_string().find("lingr.ms"), std::string::npos);
  EXPECT_FALSE(from_properties<ProducerConfig>({{"bootstrap.servers", "a:1"}, {"acks", "2"}}));
  EXPECT_FALSE(
      from_properties<ProducerConfig>({{"bootstrap.servers", "a:1"}, {"linger.ms", "-1"}}));
  EXPECT_FALSE(from_properties<ConsumerConfig>(
      {{"bootstrap.servers", "a:1"}, {"auto.offset.reset", "middle"}}));
  EXPECT_FALSE(from_properties<ConsumerConfig>(
      {{"bootstrap.servers", "a:1"}, {"enable.auto.commit", "yes"}}));
}

TEST(ClientConfig, ValidationCatchesInconsistentSettings) {
  EXPECT_FALSE(from_properties<AdminConfig>({}));  // no bootstrap servers
  // Idempotence needs acks=all and at most 5 requests in flight.
  EXPECT_FALSE(from_properties<ProducerConfig>({{"bootstrap.servers", "a:1"}, {"acks", "1"}}));
  EXPECT_FALSE(from_properties<ProducerConfig>(
      {{"bootstrap.servers", "a:1"}, {"max.in.flight.requests.per.connection", "6"}}));
  EXPECT_TRUE(from_properties<ProducerConfig>({{"bootstrap.servers", "a:1"},
                                               {"enable.idempotence", "false"},
                                               {"max.in.flight.requests.per.connection", "6"}}));
  EXPECT_FALSE(from_properties<ConsumerConfig>({{"bootstrap.servers", "a:1"},
                                                {"session.timeout.ms", "3000"},
                                                {"heartbeat.interval.ms", "3000"}}));
  // Security protocols other than PLAINTEXT are refused, never silently downgraded.
  auto ssl =
      from_properties<AdminConfig>({{"bootstrap.servers", "a:1"}, {"security.protocol", "SSL"}});
  ASSERT_FALSE(ssl);
  EXPECT_EQ(ssl.error(), ClientErrc::invalid_config);
}

TEST(ConsumerConfig, JavaAssignorClassNamesMapToShortNames) {
  auto c = from_properties<ConsumerConfig>(
      {{"bootstrap.servers", "a:1"},
       {"partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor,roundrobin"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->assignment_strategies,
            (std::vector<std::string>{"cooperative-sticky", "roundrobin"}));
}

}  // namespace
}  // namespace sluice::client
