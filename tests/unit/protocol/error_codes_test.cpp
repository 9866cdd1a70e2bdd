// Kafka error codes: numbers and names as on the wire, Kafka's retriable classification, and
// how other modules' errors map to a response code.
#include "protocol/error_codes.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "protocol/compression.h"
#include "protocol/wire.h"

namespace sluice::protocol {
namespace {

TEST(KafkaErrc, NumbersMatchTheProtocol) {
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::unknown_server_error), -1);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::none), 0);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::offset_out_of_range), 1);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::corrupt_message), 2);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition), 3);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::not_leader_or_follower), 6);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::not_coordinator), 16);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::unsupported_version), 35);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::invalid_request), 42);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::fenced_leader_epoch), 74);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::unknown_leader_epoch), 75);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::unsupported_compression_type), 76);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::member_id_required), 79);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::fenced_instance_id), 82);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::producer_fenced), 90);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::unknown_topic_id), 100);
  EXPECT_EQ(static_cast<int16_t>(KafkaErrc::invalid_regular_expression), kMaxKafkaErrc);
}

TEST(KafkaErrc, NamesAreKafkasUppercaseNames) {
  EXPECT_EQ(kafka_error_name(-1), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(kafka_error_name(0), "NONE");
  EXPECT_EQ(kafka_error_name(1), "OFFSET_OUT_OF_RANGE");
  EXPECT_EQ(kafka_error_name(2), "CORRUPT_MESSAGE");
  EXPECT_EQ(kafka_error_name(3), "UNKNOWN_TOPIC_OR_PARTITION");
  EXPECT_EQ(kafka_error_name(6), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(kafka_error_name(15), "COORDINATOR_NOT_AVAILABLE");
  EXPECT_EQ(kafka_error_name(17), "INVALID_TOPIC_EXCEPTION");
  EXPECT_EQ(kafka_error_name(25), "UNKNOWN_MEMBER_ID");
  EXPECT_EQ(kafka_error_name(27), "REBALANCE_IN_PROGRESS");
  EXPECT_EQ(kafka_error_name(35), "UNSUPPORTED_VERSION");
  EXPECT_EQ(kafka_error_name(36), "TOPIC_ALREADY_EXISTS");
  EXPECT_EQ(kafka_error_name(42), "INVALID_REQUEST");
  EXPECT_EQ(kafka_error_name(74), "FENCED_LEADER_EPOCH");
  EXPECT_EQ(kafka_error_name(79), "MEMBER_ID_REQUIRED");
  EXPECT_EQ(kafka_error_name(82), "FENCED_INSTANCE_ID");
  EXPECT_EQ(kafka_error_name(100), "UNKNOWN_TOPIC_ID");
}

TEST(KafkaErrc, UnknownCodesAreNamedLikeKafkaDoes) {
  EXPECT_EQ(kafka_error_name(-2), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(kafka_error_name(kMaxKafkaErrc + 1), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(kafka_error_name(INT16_MAX), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(kafka_category().message(5000), "unknown Kafka error code 5000");
}

TEST(KafkaErrc, EveryCodeHasANameAndMessage) {
  for (int code = -1; code <= kMaxKafkaErrc; ++code) {
    const auto name = kafka_error_name(static_cast<int16_t>(code));
    ASSERT_FALSE(name.empty()) << code;
    const std::string message = kafka_category().message(code);
    EXPECT_EQ(message.rfind(std::string(name) + ": ", 0), 0u) << message;
    EXPECT_GT(message.size(), name.size() + 2) << code;
  }
}

TEST(KafkaErrc, MessageIsNameAndKafkaDescription) {
  std::error_code ec = KafkaErrc::not_leader_or_follower;
  EXPECT_STREQ(ec.category().name(), "kafka");
  EXPECT_EQ(ec.value(), 6);
  EXPECT_EQ(ec.message(),
            "NOT_LEADER_OR_FOLLOWER: For requests intended only for the leader, this error "
            "indicates that the broker is not the current leader.");
  EXPECT_EQ(make_error_code(KafkaErrc::unsupported_version).message(),
            "UNSUPPORTED_VERSION: The version of API is not supported.");
}

TEST(KafkaErrc, NoneIsNotAnError) {
  EXPECT_FALSE(make_error_code(KafkaErrc::none));
  EXPECT_TRUE(make_error_code(KafkaErrc::unknown_server_error));
}

TEST(KafkaErrc, RetriableFollowsKafkasRetriableExceptions) {
  for (KafkaErrc e : {KafkaErrc::corrupt_message,
                      KafkaErrc::unknown_topic_or_partition,
                      KafkaErrc::leader_not_available,
                      KafkaErrc::not_leader_or_follower,
                      KafkaErrc::request_timed_out,
                      KafkaErrc::network_exception,
                      KafkaErrc::coordinator_load_in_progress,
                      KafkaErrc::coordinator_not_available,
                      KafkaErrc::not_coordinator,
                      KafkaErrc::not_enough_replicas,
                      KafkaErrc::not_enough_replicas_after_append,
                      KafkaErrc::not_controller,
                      KafkaErrc::concurrent_transactions,
                      KafkaErrc::kafka_storage_error,
                      KafkaErrc::fenced_leader_epoch,
                      KafkaErrc::unknown_leader_epoch,
                      KafkaErrc::offset_not_available,
                      KafkaErrc::unstable_offset_commit,
                      KafkaErrc::throttling_quota_exceeded,
                      KafkaErrc::unknown_topic_id})
    EXPECT_TRUE(is_retriable(e)) << kafka_error_name(static_cast<int16_t>(e));

  for (KafkaErrc e :
       {KafkaErrc::unknown_server_error, KafkaErrc::none, KafkaErrc::offset_out_of_range,
        KafkaErrc::broker_not_available, KafkaErrc::message_too_large,
        KafkaErrc::rebalance_in_progress, KafkaErrc::unknown_member_id,
        KafkaErrc::illegal_generation, KafkaErrc::topic_authorization_failed,
        KafkaErrc::unsupported_version, KafkaErrc::topic_already_exists, KafkaErrc::invalid_request,
        KafkaErrc::out_of_order_sequence_number, KafkaErrc::member_id_required,
        KafkaErrc::fenced_instance_id, KafkaErrc::producer_fenced, KafkaErrc::unknown_producer_id,
        KafkaErrc::invalid_record})
    EXPECT_FALSE(is_retriable(e)) << kafka_error_name(static_cast<int16_t>(e));

  EXPECT_FALSE(is_retriable(static_cast<KafkaErrc>(kMaxKafkaErrc + 1)));
}

TEST(KafkaErrc, ToKafkaCodeKeepsKafkaCodes) {
  EXPECT_EQ(to_kafka_code(KafkaErrc::not_leader_or_follower), 6);
  EXPECT_EQ(to_kafka_code(KafkaErrc::unknown_server_error), -1);
  EXPECT_EQ(to_kafka_code(KafkaErrc::invalid_regular_expression), 128);
  // A code from a newer broker that this table does not know still passes through.
  EXPECT_EQ(to_kafka_code(std::error_code(200, kafka_category())), 200);
}

TEST(KafkaErrc, ToKafkaCodeMapsDecodeErrorsToInvalidRequest) {
  for (DecodeErrc e :
       {DecodeErrc::truncated, DecodeErrc::negative_length, DecodeErrc::length_too_large,
        DecodeErrc::bad_varint, DecodeErrc::unsupported_version, DecodeErrc::invalid_value,
        DecodeErrc::trailing_bytes})
    EXPECT_EQ(to_kafka_code(e), 42) << make_error_code(e).message();
}

TEST(KafkaErrc, ToKafkaCodeMapsOtherErrorsToUnknownServerError) {
  EXPECT_EQ(to_kafka_code(std::make_error_code(std::errc::io_error)), -1);
  EXPECT_EQ(to_kafka_code(std::error_code(ENOSPC, std::system_category())), -1);
}

TEST(KafkaErrc, ToKafkaCodeMapsCompressionErrors) {
  EXPECT_EQ(to_kafka_code(CompressionErrc::corrupt), 2);  // CORRUPT_MESSAGE
  EXPECT_EQ(to_kafka_code(CompressionErrc::too_large), 2);
  EXPECT_EQ(to_kafka_code(CompressionErrc::unsupported_codec), 76);  // UNSUPPORTED_COMPRESSION_TYPE
}

TEST(KafkaErrc, ToKafkaCodeOfNoErrorIsNone) { EXPECT_EQ(to_kafka_code(std::error_code()), 0); }

}  // namespace
}  // namespace sluice::protocol
