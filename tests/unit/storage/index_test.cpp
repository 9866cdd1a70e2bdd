// Offset and time index files: layout, lookups, truncation, trim/expand and sanity checks.
#include <gtest/gtest.h>

#include "broker/storage/offset_index.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/time_index.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using testing::read_text;
using testing::TempDir;

TEST(OffsetIndex, NewIndexIsPreallocatedToTheMaximumRoundedDownToWholeEntries) {
  TempDir dir;
  auto index = OffsetIndex::open(dir / "00000000000000000100.index", 100, 8 * 10 + 5);
  ASSERT_TRUE(index.ok()) << index.error().to_string();
  EXPECT_EQ((*index)->entries(), 0);
  EXPECT_EQ((*index)->max_entries(), 10);
  EXPECT_EQ(std::filesystem::file_size(dir / "00000000000000000100.index"), 80u);
}

TEST(OffsetIndex, EntriesAreBigEndianRelativeOffsetAndPosition) {
  TempDir dir;
  auto index = OffsetIndex::open(dir / "a.index", 1000, 64);
  ASSERT_TRUE(index.ok());
  (*index)->append(1002, 0x01020304);
  ASSERT_TRUE((*index)->trim().ok());
  std::string bytes = read_text(dir / "a.index");
  EXPECT_EQ(bytes, std::string("\x00\x00\x00\x02\x01\x02\x03\x04", 8));
}

TEST(OffsetIndex, LookupFindsTheLargestEntryAtOrBelowTheOffset) {
  TempDir dir;
  auto opened = OffsetIndex::open(dir / "a.index", 50, 800);
  ASSERT_TRUE(opened.ok());
  auto& index = **opened;
  for (int i = 1; i <= 10; ++i) index.append(50 + i * 10, i * 100);
  EXPECT_EQ(index.lookup(49), std::nullopt);
  EXPECT_EQ(index.lookup(59), std::nullopt);
  EXPECT_EQ(index.lookup(60), (OffsetPosition{60, 100}));
  EXPECT_EQ(index.lookup(69), (OffsetPosition{60, 100}));
  EXPECT_EQ(index.lookup(150), (OffsetPosition{150, 1000}));
  EXPECT_EQ(index.lookup(1 << 30), (OffsetPosition{150, 1000}));
  EXPECT_EQ(index.lookup_by_position(99), std::nullopt);
  EXPECT_EQ(index.lookup_by_position(100), (OffsetPosition{60, 100}));
  EXPECT_EQ(index.lookup_by_position(555), (OffsetPosition{100, 500}));
}

TEST(OffsetIndex, TruncateDropsEntriesAtAndAfterTheOffset) {
  TempDir dir;
  auto opened = OffsetIndex::open(dir / "a.index", 0, 800);
  ASSERT_TRUE(opened.ok());
  auto& index = **opened;
  for (int i = 1; i <= 5; ++i) index.append(i * 10, i * 100);
  index.truncate_to(30);
  EXPECT_EQ(index.entries(), 2);
  EXPECT_EQ(index.last_entry(), (OffsetPosition{20, 200}));
  index.truncate_to(0);
  EXPECT_EQ(index.entries(), 0);
}

TEST(OffsetIndex, TrimShrinksTheFileAndReopeningKeepsTheEntries) {
  TempDir dir;
  auto path = dir / "a.index";
  {
    auto opened = OffsetIndex::open(path, 0, 800);
    ASSERT_TRUE(opened.ok());
    (*opened)->append(5, 10);
    (*opened)->append(9, 20);
    ASSERT_TRUE((*opened)->trim().ok());
    EXPECT_TRUE((*opened)->full());
  }
  EXPECT_EQ(std::filesystem::file_size(path), 16u);
  auto reopened = OffsetIndex::open(path, 0, 0);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->entries(), 2);
  EXPECT_TRUE((*reopened)->sanity_check(100).ok());
  ASSERT_TRUE((*reopened)->expand(800).ok());
  EXPECT_EQ((*reopened)->entries(), 2);
  EXPECT_EQ((*reopened)->max_entries(), 100);
  (*reopened)->append(12, 30);
  EXPECT_EQ((*reopened)->lookup(12), (OffsetPosition{12, 30}));
}

TEST(OffsetIndex, SanityCheckRejectsAPreallocatedFileWithAZeroTail) {
  TempDir dir;
  auto path = dir / "a.index";
  {
    auto opened = OffsetIndex::open(path, 0, 80);
    ASSERT_TRUE(opened.ok());
    (*opened)->append(5, 10);
    // No trim: a crash leaves the file at its preallocated size.
  }
  auto reopened = OffsetIndex::open(path, 0, 0);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->entries(), 10);
  auto status = (*reopened)->sanity_check(100);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), StorageErrc::corrupt);
}

TEST(OffsetIndex, SanityCheckRejectsPositionsPastTheLog) {
  TempDir dir;
  auto opened = OffsetIndex::open(dir / "a.index", 0, 80);
  ASSERT_TRUE(opened.ok());
  (*opened)->append(5, 10);
  EXPECT_TRUE((*opened)->sanity_check(11).ok());
  EXPECT_FALSE((*opened)->sanity_check(10).ok());
}

TEST(TimeIndex, KeepsOnlyIncreasingTimestampsAndOneSlotForTheFinalEntry) {
  TempDir dir;
  auto opened = TimeIndex::open(dir / "a.timeindex", 100, 12 * 4);
  ASSERT_TRUE(opened.ok());
  auto& index = **opened;
  EXPECT_EQ(index.max_entries(), 4);
  index.maybe_append(1000, 101);
  index.maybe_append(1000, 102);  // same timestamp: skipped
  index.maybe_append(900, 103);   // older: skipped
  index.maybe_append(2000, 104);
  EXPECT_EQ(index.entries(), 2);
  index.maybe_append(3000, 105);
  EXPECT_TRUE(index.full());
  index.maybe_append(4000, 106);  // full: only a final entry may use the last slot
  EXPECT_EQ(index.entries(), 3);
  index.maybe_append(4000, 106, /*final_entry=*/true);
  EXPECT_EQ(index.entries(), 4);
  EXPECT_EQ(index.last_entry(), (TimestampOffset{4000, 106}));
}

TEST(TimeIndex, EntriesAreBigEndianTimestampAndRelativeOffset) {
  TempDir dir;
  auto opened = TimeIndex::open(dir / "a.timeindex", 10, 120);
  ASSERT_TRUE(opened.ok());
  (*opened)->maybe_append(0x0102030405060708, 13);
  ASSERT_TRUE((*opened)->trim().ok());
  EXPECT_EQ(read_text(dir / "a.timeindex"),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00\x00\x03", 12));
}

TEST(TimeIndex, LookupAndTruncate) {
  TempDir dir;
  auto opened = TimeIndex::open(dir / "a.timeindex", 0, 1200);
  ASSERT_TRUE(opened.ok());
  auto& index = **opened;
  for (int i = 1; i <= 5; ++i) index.maybe_append(i * 1000, i * 10);
  EXPECT_EQ(index.lookup(999), std::nullopt);
  EXPECT_EQ(index.lookup(1000), (TimestampOffset{1000, 10}));
  EXPECT_EQ(index.lookup(2500), (TimestampOffset{2000, 20}));
  EXPECT_EQ(index.lookup(99999), (TimestampOffset{5000, 50}));
  index.truncate_to(30);
  EXPECT_EQ(index.entries(), 2);
  EXPECT_TRUE(index.sanity_check(21).ok());
  EXPECT_FALSE(index.sanity_check(20).ok());
}

}  // namespace
}  // namespace sluice::broker::storage
