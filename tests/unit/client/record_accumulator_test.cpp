// ProducerBatch: records encoded as they are appended must form a RecordBatch v2 that the
// protocol module (what the broker runs) validates and decodes back to the same records,
// in every codec, with the producer id / epoch / sequence in the header.
#include "client/src/record_accumulator.h"

#include <gtest/gtest.h>

#include "protocol/record_batch.h"

namespace sluice::client::detail {
namespace {

protocol::Bytes bytes(const std::string& s) { return protocol::Bytes(s.begin(), s.end()); }

class ProducerBatchCodec : public ::testing::TestWithParam<protocol::Compression> {};

TEST_P(ProducerBatchCodec, EncodesRecordsTheBrokerDecodes) {
  const auto now = Clock::now();
  ProducerBatch batch(7, "t", 2, 1024, now, now + std::chrono::seconds(1));
  int reports = 0;
  std::vector<RecordMetadata> metadata;
  auto on_delivery = [&](Result<RecordMetadata> r) {
    ++reports;
    ASSERT_TRUE(r.ok());
    metadata.push_back(*r);
  };
  ProducerRecord a{.topic = "t", .key = "k1", .value = "v1"};
  ProducerRecord b{.topic = "t",
                   .key = std::nullopt,
                   .value = std::nullopt,
                   .headers = {{"h1", "x"}, {"h2", std::nullopt}}};
  ProducerRecord c{.topic = "t", .key = "", .value = std::string(300, 'z')};
  batch.append(a, 1000, on_delivery, 10);
  batch.append(b, 990, on_delivery, 10);  // timestamps may go backwards: negative delta
  batch.append(c, 1500, on_delivery, 10);
  EXPECT_EQ(batch.record_count(), 3);
  EXPECT_EQ(batch.reserved_bytes(), 30);
  ASSERT_TRUE(batch.seal(GetParam(), 4242, 3, 17).ok());

  auto wire = batch.wire();
  ASSERT_TRUE(protocol::validate_batch(wire).ok());
  auto header = protocol::parse_batch_header(wire);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->producer_id, 4242);
  EXPECT_EQ(header->producer_epoch, 3);
  EXPECT_EQ(header->base_sequence, 17);
  EXPECT_EQ(header->records_count, 3);
  EXPECT_EQ(header->last_offset_delta, 2);
  EXPECT_EQ(header->base_timestamp, 1000);
  EXPECT_EQ(header->max_timestamp, 1500);
  EXPECT_EQ(header->compression(), GetParam());

  auto records = protocol::decode_records(wire);
  ASSERT_TRUE(records.ok()) << records.error().to_string();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].key, bytes("k1"));
  EXPECT_EQ((*records)[0].value, bytes("v1"));
  EXPECT_EQ((*records)[0].timestamp, 1000);
  EXPECT_FALSE((*records)[1].key.has_value());
  EXPECT_FALSE((*records)[1].value.has_value());
  EXPECT_EQ((*records)[1].timestamp, 990);
  ASSERT_EQ((*records)[1].headers.size(), 2u);
  EXPECT_EQ((*records)[1].headers[0].key, "h1");
  EXPECT_EQ((*records)[1].headers[0].value, bytes("x"));
  EXPECT_FALSE((*records)[1].headers[1].value.has_value());
  EXPECT_EQ((*records)[2].key, protocol::Bytes());
  EXPECT_EQ((*records)[2].value, bytes(std::string(300, 'z')));

  // A retry under a new producer id rewrites only the header (and its CRC).
  ASSERT_TRUE(batch.seal(GetParam(), 5000, 0, 0).ok());
  ASSERT_TRUE(protocol::validate_batch(batch.wire()).ok());
  EXPECT_EQ(protocol::parse_batch_header(batch.wire())->producer_id, 5000);

  batch.complete(100, -1);
  batch.complete(200, -1);  // a second report is ignored
  batch.fail(Error(make_error_code(ClientErrc::closed)));
  EXPECT_EQ(reports, 3);
  ASSERT_EQ(metadata.size(), 3u);
  EXPECT_EQ(metadata[0].offset, 100);
  EXPECT_EQ(metadata[1].offset, 101);
  EXPECT_EQ(metadata[2].offset, 102);
  EXPECT_EQ(metadata[1].timestamp_ms, 990);
  EXPECT_EQ(metadata[2].partition, 2);
  EXPECT_EQ(metadata[2].topic, "t");
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, ProducerBatchCodec,
                         ::testing::Values(protocol::Compression::none, protocol::Compression::gzip,
                                           protocol::Compression::snappy,
                                           protocol::Compression::lz4,
                                           protocol::Compression::zstd));

TEST(ProducerBatch, EncodedSizeMatchesTheEncoding) {
  const auto now = Clock::now();
  ProducerBatch batch(1, "t", 0, 64, now, now);
  ProducerRecord r{
      .topic = "t", .key = std::string(200, 'k'), .value = "v", .headers = {{"a", "b"}}};
  const std::size_t before = batch.size();
  const std::size_t predicted = batch.size_of(r, 5);
  batch.append(r, 5, nullptr, 0);
  EXPECT_EQ(batch.size() - before, predicted);
}

TEST(ProducerBatch, FailureReportsEveryRecordOnce) {
  const auto now = Clock::now();
  ProducerBatch batch(1, "t", 0, 64, now, now);
  int failures = 0;
  for (int i = 0; i < 5; ++i) {
    batch.append(
        ProducerRecord{.topic = "t", .value = "x"}, 1,
        [&](Result<RecordMetadata> r) {
          EXPECT_EQ(r.error(), ClientErrc::timed_out);
          ++failures;
        },
        0);
  }
  batch.fail(Error(make_error_code(ClientErrc::timed_out)));
  batch.complete(0, -1);
  EXPECT_EQ(failures, 5);
}

TEST(BufferPool, RecycledBuffersMakeBatchesAsGoodAsFreshOnes) {
  constexpr std::size_t kCapacity = 256;
  auto pool = std::make_shared<BufferPool>(protocol::kRecordBatchHeaderSize + kCapacity, 2);
  const auto now = Clock::now();
  const uint8_t* first_buffer = nullptr;
  for (int round = 0; round < 3; ++round) {
    // Different contents each round: what a reused buffer held before must not show through.
    ProducerBatch batch(static_cast<uint64_t>(round), "t", 0, kCapacity, now, now, pool);
    const std::string value(static_cast<std::size_t>(40 + round * 50),
                            static_cast<char>('a' + round));
    batch.append(ProducerRecord{.topic = "t", .key = "k", .value = value}, 100 + round, nullptr, 0);
    ASSERT_TRUE(batch.seal(protocol::Compression::none, -1, -1, -1).ok());
    auto wire = batch.wire();
    if (round == 0) {
      first_buffer = wire.data();
    } else {
      EXPECT_EQ(wire.data(), first_buffer) << "round " << round << " did not reuse the buffer";
    }
    ASSERT_TRUE(protocol::validate_batch(wire).ok()) << "round " << round;
    auto records = protocol::decode_records(wire);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ((*records)[0].value, bytes(value));
  }
  EXPECT_EQ(pool->idle(), 1u);

  // A record larger than the pool's size grows its batch; the oversized buffer is not kept.
  {
    ProducerBatch big(9, "t", 0, kCapacity, now, now, pool);
    EXPECT_EQ(pool->idle(), 0u);
    big.append(ProducerRecord{.topic = "t", .value = std::string(3 * kCapacity, 'x')}, 1, nullptr,
               0);
    ASSERT_TRUE(big.seal(protocol::Compression::none, -1, -1, -1).ok());
    EXPECT_TRUE(protocol::validate_batch(big.wire()).ok());
  }
  EXPECT_EQ(pool->idle(), 1u);  // the original buffer went back when the batch grew
  // At most max_free idle buffers are kept.
  {
    ProducerBatch a(10, "t", 0, kCapacity, now, now, pool);
    ProducerBatch b(11, "t", 0, kCapacity, now, now, pool);
    ProducerBatch c(12, "t", 0, kCapacity, now, now, pool);
  }
  EXPECT_EQ(pool->idle(), 2u);
}

}  // namespace
}  // namespace sluice::client::detail
