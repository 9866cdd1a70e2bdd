// The producer's partitioner: Kafka's murmur2 (checked against the vectors of Kafka's own
// UtilsTest.testMurmur2), the Java client's key -> partition mapping, and sticky
// partitioning for null keys (KIP-480).
#include "client/src/partitioner.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sluice::client::detail {
namespace {

TEST(Murmur2, MatchesKafkaUtilsTestVectors) {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2
  EXPECT_EQ(murmur2("21"), -973932308);
  EXPECT_EQ(murmur2("foobar"), -790332482);
  EXPECT_EQ(murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(murmur2("abc"), 479470107);
}

TEST(Murmur2, HashesEveryTailLength) {
  // Lengths 0..3 mod 4 take different tail paths; the hash must depend on every byte.
  std::set<int32_t> seen;
  std::string s;
  for (int i = 0; i < 9; ++i) {
    seen.insert(murmur2(s));
    s.push_back(static_cast<char>('a' + i));
  }
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_NE(murmur2(std::string("ab\0", 3)), murmur2("ab"));
}

TEST(Partitioner, KeyedPartitionIsPositiveHashModuloCount) {
  // toPositive clears the sign bit (it is not abs()): -973932308 & 0x7fffffff = 1173551340.
  EXPECT_EQ(to_positive(-973932308), 1173551340);
  EXPECT_EQ(partition_for_key("21", 3), 1173551340 % 3);
  EXPECT_EQ(partition_for_key("foobar", 7), (-790332482 & 0x7fffffff) % 7);
  EXPECT_EQ(partition_for_key("abc", 10), 479470107 % 10);
  Partitioner p(PartitionerKind::murmur2_random, 1);
  StickyState sticky;
  for (const char* key : {"21", "foobar", "a-little-bit-long-string", "abc"}) {
    for (int32_t n : {1, 2, 3, 6, 12, 100}) {
      EXPECT_EQ(p.partition(std::string(key), n, sticky), (murmur2(key) & 0x7fffffff) % n)
          << key << " " << n;
    }
  }
  EXPECT_EQ(sticky.partition, -1) << "keyed records do not touch the sticky partition";
}

TEST(Partitioner, NullKeysStickToOnePartitionUntilTheBatchIsDone) {
  Partitioner p(PartitionerKind::murmur2_random, 42);
  StickyState sticky;
  const int32_t first = p.partition(std::nullopt, 8, sticky);
  ASSERT_GE(first, 0);
  ASSERT_LT(first, 8);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(p.partition(std::nullopt, 8, sticky), first);
  // The batch was sent: the next null key moves to another partition, then sticks there.
  sticky.reset();
  const int32_t second = p.partition(std::nullopt, 8, sticky);
  EXPECT_NE(second, first);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(p.partition(std::nullopt, 8, sticky), second);
  // Over many batches every partition gets some.
  std::set<int32_t> used;
  for (int i = 0; i < 400; ++i) {
    sticky.reset();
    used.insert(p.partition(std::nullopt, 8, sticky));
  }
  EXPECT_EQ(used.size(), 8u);
}

TEST(Partitioner, SinglePartitionTopicAlwaysGetsPartitionZero) {
  Partitioner p(PartitionerKind::murmur2_random, 3);
  StickyState sticky;
  for (int i = 0; i < 10; ++i) {
    sticky.reset();
    EXPECT_EQ(p.partition(std::nullopt, 1, sticky), 0);
  }
}

TEST(Partitioner, Murmur2HashesNullKeysAsEmpty) {
  Partitioner p(PartitionerKind::murmur2, 5);
  StickyState sticky;
  const int32_t expected = (murmur2(std::string_view()) & 0x7fffffff) % 7;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(p.partition(std::nullopt, 7, sticky), expected);
  EXPECT_EQ(p.partition(std::string("foobar"), 7, sticky), partition_for_key("foobar", 7));
}

TEST(Partitioner, RandomSpreadsEvenKeyedRecords) {
  Partitioner p(PartitionerKind::random, 9);
  StickyState sticky;
  std::set<int32_t> used;
  for (int i = 0; i < 200; ++i) used.insert(p.partition(std::string("same-key"), 5, sticky));
  EXPECT_EQ(used.size(), 5u);
}

TEST(Partitioner, ParsesTheConfiguredName) {
  EXPECT_EQ(*parse_partitioner("murmur2_random"), PartitionerKind::murmur2_random);
  EXPECT_EQ(*parse_partitioner("murmur2"), PartitionerKind::murmur2);
  EXPECT_EQ(*parse_partitioner("random"), PartitionerKind::random);
  auto bad = parse_partitioner("consistent_random");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), ClientErrc::invalid_config);
}

}  // namespace
}  // namespace sluice::client::detail
