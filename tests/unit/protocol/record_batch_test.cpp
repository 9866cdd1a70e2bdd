// RecordBatch v2: a batch written out by hand (fields named, CRC computed independently),
// builder/decoder round trips per codec, validation failures, in-place rewrites, iteration.
#include "protocol/record_batch.h"

#include <fstream>
#include <iterator>

#include "protocol/crc32c.h"
#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::hex;
using testing::to_hex;

// One record: key "k", value "v", header h=x, timestamp 1000, offset 0.
const char* kOneRecordBatch =
    "00 00 00 00 00 00 00 00 "  // base_offset 0
    "00 00 00 3e "              // batch_length 62 (49 header bytes after this field + 13)
    "ff ff ff ff "              // partition_leader_epoch -1
    "02 "                       // magic
    "85 d4 93 6f "              // crc: CRC-32C of everything below
    "00 00 "                    // attributes: no compression, CreateTime
    "00 00 00 00 "              // last_offset_delta
    "00 00 00 00 00 00 03 e8 "  // base_timestamp 1000
    "00 00 00 00 00 00 03 e8 "  // max_timestamp 1000
    "ff ff ff ff ff ff ff ff "  // producer_id -1
    "ff ff "                    // producer_epoch -1
    "ff ff ff ff "              // base_sequence -1
    "00 00 00 01 "              // records_count 1
    "18 "                       // record length 12 (zig-zag varint)
    "00 | 00 | 00 "             // attributes, timestamp delta 0, offset delta 0
    "02 6b | 02 76 "            // key "k", value "v"
    "02 | 02 68 | 02 78";       // 1 header: "h" = "x"

RecordBatchBuilder one_record_builder(Compression c = Compression::none) {
  RecordBatchBuilder b(c);
  b.add(Bytes{'k'}, Bytes{'v'}, 1000, {{"h", Bytes{'x'}}});
  return b;
}

TEST(RecordBatch, BuilderMatchesHandWrittenBatch) {
  auto built = one_record_builder().build();
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(to_hex(*built), to_hex(hex(kOneRecordBatch)));
  EXPECT_EQ(crc32c(std::span<const uint8_t>(*built).subspan(21)), 0x85d4936fu);
  EXPECT_TRUE(validate_batch(*built).ok());
  auto records = decode_records(*built);
  ASSERT_TRUE(records.ok()) << records.error().to_string();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0], (Record{0, 1000, Bytes{'k'}, Bytes{'v'}, {{"h", Bytes{'x'}}}}));
}

TEST(RecordBatch, RoundTripsEveryCodec) {
  for (auto c : {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                 Compression::zstd}) {
    RecordBatchBuilder b(c, 100);
    for (int i = 0; i < 50; ++i) {
      std::optional<Bytes> key;
      if (i % 3) key = Bytes(static_cast<std::size_t>(i), 'a');
      b.add(key, i == 7 ? std::nullopt : std::optional<Bytes>(Bytes(200, static_cast<uint8_t>(i))),
            5000 + i,
            i % 5 ? std::vector<RecordHeader>{} : std::vector<RecordHeader>{{"n", std::nullopt}});
    }
    auto batch = b.build();
    ASSERT_TRUE(batch.ok());
    auto h = parse_batch_header(*batch);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->compression(), c);
    EXPECT_EQ(h->last_offset(), 149);
    EXPECT_EQ(h->max_timestamp, 5049);
    ASSERT_TRUE(validate_batch(*batch).ok()) << static_cast<int>(c);
    auto records = decode_records(*batch);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 50u);
    EXPECT_EQ((*records)[7].value, std::nullopt);
    EXPECT_EQ((*records)[49].offset, 149);
    EXPECT_EQ((*records)[5].headers.size(), 1u);
  }
}

TEST(RecordBatch, RejectsCrcMismatchInEveryCoveredByte) {
  Bytes batch = hex(kOneRecordBatch);
  for (std::size_t i = 21; i < batch.size(); ++i) {
    Bytes bad = batch;
    bad[i] ^= 0x01;
    auto st = validate_batch(bad);
    ASSERT_FALSE(st.ok()) << i;
    EXPECT_EQ(st.error().code(), RecordBatchErrc::crc_mismatch) << i;
  }
}

TEST(RecordBatch, RejectsBadMagicLengthCountAndDeltas) {
  Bytes batch = hex(kOneRecordBatch);
  Bytes bad_magic = batch;
  bad_magic[16] = 1;
  EXPECT_EQ(validate_batch(bad_magic).error().code(), RecordBatchErrc::bad_magic);
  Bytes bad_length = batch;
  bad_length[11] = 0x3f;
  EXPECT_EQ(validate_batch(bad_length).error().code(), RecordBatchErrc::bad_length);
  // Two records claimed, one present (CRC fixed up so the count check is what fails).
  Bytes two = batch;
  two[60] = 2;
  set_log_append_time(two, 1000);  // recomputes the CRC
  EXPECT_FALSE(validate_batch(two).ok());
  // Offset deltas must be 0..n-1 for produced batches.
  RecordBatchBuilder gap;
  gap.add(std::nullopt, Bytes{1}, 1, {}, 0).add(std::nullopt, Bytes{2}, 1, {}, 2);
  auto g = gap.build();
  EXPECT_EQ(validate_batch(*g).error().code(), RecordBatchErrc::bad_offset_delta);
  ValidateOptions compacted;
  compacted.require_sequential_offsets = false;
  EXPECT_TRUE(validate_batch(*g, compacted).ok());
}

// kOneRecordBatch's header (records_count 1) followed by `records`, batch_length fixed up
// (the CRC is not: decoding does not check it).
Bytes with_records(std::string_view records_hex) {
  Bytes batch = hex(kOneRecordBatch);
  batch.resize(kRecordBatchHeaderSize);
  const Bytes records = hex(records_hex);
  batch.insert(batch.end(), records.begin(), records.end());
  const auto length = static_cast<uint32_t>(batch.size() - kRecordBatchLogOverhead);
  for (int i = 0; i < 4; ++i)
    batch[static_cast<std::size_t>(8 + i)] = static_cast<uint8_t>(length >> (24 - 8 * i));
  return batch;
}

TEST(RecordBatch, RecordVarintsFollowKafkasLimits) {
  // A key length written in 5 bytes without spare bits (2 = length 1, not minimal) is fine.
  auto long_form = decode_records(with_records("18 00 00 00 82 80 80 80 00 6b 02 76 00"));
  ASSERT_TRUE(long_form.ok()) << long_form.error().to_string();
  ASSERT_EQ(long_form->size(), 1u);
  EXPECT_EQ((*long_form)[0].key, Bytes{'k'});
  EXPECT_EQ((*long_form)[0].value, Bytes{'v'});
  // A 5-byte varint whose last byte carries bits beyond 32, or a 10-byte varlong beyond 64,
  // is corrupt, as is a record length past the end of the records.
  for (const char* records : {"10 00 00 00 ff ff ff ff 7f",                 // key length
                              "1a 00 ff ff ff ff ff ff ff ff ff 7f 00 00",  // timestamp delta
                              "7e 00 00 00 02 6b 02 76 00"}) {              // record length
    auto bad = decode_records(with_records(records));
    ASSERT_FALSE(bad.ok()) << records;
    EXPECT_EQ(bad.error(), RecordBatchErrc::corrupt_message)
        << records << ": " << bad.error().to_string();
  }
}

TEST(RecordBatch, EveryTruncationFailsCleanly) {
  for (auto c : {Compression::none, Compression::lz4}) {
    auto batch = one_record_builder(c).build();
    for (std::size_t cut = 0; cut < batch->size(); ++cut) {
      EXPECT_FALSE(validate_batch(std::span(batch->data(), cut)).ok()) << cut;
      EXPECT_FALSE(decode_records(std::span(batch->data(), cut)).ok()) << cut;
    }
  }
}

TEST(RecordBatch, RewritesKeepTheCrcValid) {
  Bytes batch = hex(kOneRecordBatch);
  set_base_offset(batch, 4242);
  set_partition_leader_epoch(batch, 7);
  ASSERT_TRUE(validate_batch(batch).ok());
  EXPECT_EQ(parse_batch_header(batch)->base_offset, 4242);
  EXPECT_EQ(parse_batch_header(batch)->partition_leader_epoch, 7);
  set_log_append_time(batch, 99999);
  ASSERT_TRUE(validate_batch(batch).ok());
  auto h = parse_batch_header(batch);
  EXPECT_EQ(h->timestamp_type(), TimestampType::log_append_time);
  EXPECT_EQ((*decode_records(batch))[0].timestamp, 99999);
}

TEST(RecordBatch, IteratorSplitsBatchesAndReportsATruncatedTail) {
  Bytes all;
  for (int i = 0; i < 3; ++i) {
    auto b = RecordBatchBuilder(Compression::none, i * 10).add(std::nullopt, Bytes{1}, 1).build();
    all.insert(all.end(), b->begin(), b->end());
  }
  Bytes last = all;
  all.insert(all.end(), last.begin(), last.begin() + 30);  // a partial fourth batch
  BatchIterator it(all);
  int n = 0;
  while (auto b = it.next()) {
    EXPECT_TRUE(validate_batch(*b).ok());
    ++n;
  }
  EXPECT_EQ(n, 3);
  EXPECT_TRUE(it.truncated_tail());
  EXPECT_FALSE(it.error().has_value());
}

TEST(RecordBatch, DecompressionBombIsRefused) {
  RecordBatchBuilder b(Compression::zstd);
  b.add(std::nullopt, Bytes(4 << 20, 0), 1);
  auto batch = b.build();
  ValidateOptions small;
  small.max_decompressed_bytes = 1 << 20;
  auto st = validate_batch(*batch, small);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), RecordBatchErrc::too_large);
}

}  // namespace
}  // namespace sluice::protocol

namespace sluice::protocol {
namespace {

// The fuzz seeds are built by scripts/gen-fuzz-corpus.py independently of this code; the
// record-batch seeds must be valid batches here (a cross-check of both).
TEST(RecordBatch, SeedCorpusBatchesAreValid) {
  for (const char* name : {"plain", "gzip"}) {
    std::ifstream in(
        std::string(SLUICE_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_record_batch/" + name,
        std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty()) << name;
    auto st = validate_batch(bytes);
    EXPECT_TRUE(st.ok()) << name << ": " << st.error().to_string();
    auto records = decode_records(bytes);
    ASSERT_TRUE(records.ok()) << name;
    EXPECT_FALSE(records->empty());
  }
}

}  // namespace
}  // namespace sluice::protocol
