// Offset checkpoint files and the leader-epoch cache: Kafka's text formats, atomic
// replacement, and the OffsetForLeaderEpoch answers.
#include <gtest/gtest.h>

#include "broker/storage/leader_epoch_cache.h"
#include "broker/storage/offset_checkpoint.h"
#include "broker/storage/storage_error.h"
#include "storage_test_util.h"

namespace sluice::broker::storage {
namespace {

using testing::read_text;
using testing::TempDir;
using testing::write_text;

TEST(OffsetCheckpoint, WritesKafkasTextFormat) {
  TempDir dir;
  OffsetCheckpointFile file(dir / "replication-offset-checkpoint");
  ASSERT_TRUE(file.write({{{"orders", 0}, 1234}, {{"my-topic.v2", 11}, 7}}).ok());
  EXPECT_EQ(read_text(file.path()), "0\n2\nmy-topic.v2 11 7\norders 0 1234\n");
}

TEST(OffsetCheckpoint, RoundTrips) {
  TempDir dir;
  OffsetCheckpointFile file(dir / "recovery-point-offset-checkpoint");
  OffsetMap offsets{{{"a", 0}, 0}, {{"a", 1}, 1LL << 40}, {{"b-c", 7}, 42}};
  ASSERT_TRUE(file.write(offsets).ok());
  auto read = file.read();
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(*read, offsets);
}

TEST(OffsetCheckpoint, MissingFileReadsAsEmpty) {
  TempDir dir;
  auto read = OffsetCheckpointFile(dir / "log-start-offset-checkpoint").read();
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->empty());
}

TEST(OffsetCheckpoint, LeftoverTempFileFromACrashIsIgnored) {
  TempDir dir;
  OffsetCheckpointFile file(dir / "replication-offset-checkpoint");
  ASSERT_TRUE(file.write({{{"t", 0}, 10}}).ok());
  // A crash in the middle of the next write leaves a torn temp file behind.
  write_text(dir / "replication-offset-checkpoint.tmp", "0\n3\nt 0 2");
  auto read = file.read();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, (OffsetMap{{{"t", 0}, 10}}));
  // The next write replaces the stale temp file.
  ASSERT_TRUE(file.write({{{"t", 0}, 11}}).ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "replication-offset-checkpoint.tmp"));
  EXPECT_EQ(file.read()->at({"t", 0}), 11);
}

TEST(OffsetCheckpoint, RejectsMalformedFiles) {
  TempDir dir;
  auto path = dir / "cp";
  for (std::string text :
       {"", "1\n0\n", "0\n2\nt 0 1\n", "0\n1\nt x 1\n", "0\n1\nt 0\n", "0\n1\nt 0 1\nu 0 2\n"}) {
    write_text(path, text);
    auto read = OffsetCheckpointFile(path).read();
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_EQ(read.error().code(), StorageErrc::corrupt) << text;
  }
}

TEST(LeaderEpochCache, AssignPersistsKafkasFormat) {
  TempDir dir;
  auto cache = LeaderEpochCache::open(dir.path());
  ASSERT_TRUE(cache.ok());
  ASSERT_TRUE((*cache)->assign(0, 0).ok());
  ASSERT_TRUE((*cache)->assign(3, 1500).ok());
  EXPECT_EQ(read_text(dir / "leader-epoch-checkpoint"), "0\n2\n0 0\n3 1500\n");
  auto reopened = LeaderEpochCache::open(dir.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->entries(), (std::vector<EpochEntry>{{0, 0}, {3, 1500}}));
}

TEST(LeaderEpochCache, AssigningTheLatestEpochAgainIsANoOp) {
  TempDir dir;
  auto cache = std::move(*LeaderEpochCache::open(dir.path()));
  ASSERT_TRUE(cache->assign(2, 10).ok());
  ASSERT_TRUE(cache->assign(2, 20).ok());
  EXPECT_EQ(cache->entries(), (std::vector<EpochEntry>{{2, 10}}));
}

TEST(LeaderEpochCache, AssignDropsConflictingEntries) {
  TempDir dir;
  auto cache = std::move(*LeaderEpochCache::open(dir.path()));
  ASSERT_TRUE(cache->assign(1, 0).ok());
  ASSERT_TRUE(cache->assign(2, 10).ok());
  ASSERT_TRUE(cache->assign(3, 20).ok());
  // Epoch 4 starting at 15 conflicts with epoch 3's start offset.
  ASSERT_TRUE(cache->assign(4, 15).ok());
  EXPECT_EQ(cache->entries(), (std::vector<EpochEntry>{{1, 0}, {2, 10}, {4, 15}}));
  // A lower epoch replaces everything from it on.
  ASSERT_TRUE(cache->assign(2, 12).ok());
  EXPECT_EQ(cache->entries(), (std::vector<EpochEntry>{{1, 0}, {2, 12}}));
}

TEST(LeaderEpochCache, EndOffsetForAnswersOffsetForLeaderEpoch) {
  TempDir dir;
  auto cache = std::move(*LeaderEpochCache::open(dir.path()));
  EXPECT_EQ(cache->end_offset_for(0, 100), (EpochEndOffset{-1, -1}));
  ASSERT_TRUE(cache->assign(2, 10).ok());
  ASSERT_TRUE(cache->assign(4, 30).ok());
  ASSERT_TRUE(cache->assign(7, 50).ok());
  // The latest epoch ends at the log end offset.
  EXPECT_EQ(cache->end_offset_for(7, 80), (EpochEndOffset{7, 80}));
  // A known epoch ends where the next one starts.
  EXPECT_EQ(cache->end_offset_for(2, 80), (EpochEndOffset{2, 30}));
  EXPECT_EQ(cache->end_offset_for(4, 80), (EpochEndOffset{4, 50}));
  // An unknown epoch between known ones answers with the largest epoch below it.
  EXPECT_EQ(cache->end_offset_for(5, 80), (EpochEndOffset{4, 50}));
  EXPECT_EQ(cache->end_offset_for(3, 80), (EpochEndOffset{2, 30}));
  // Below every epoch: the requested epoch ends where the first one starts.
  EXPECT_EQ(cache->end_offset_for(1, 80), (EpochEndOffset{1, 10}));
  // Above every epoch, or undefined: unknown.
  EXPECT_EQ(cache->end_offset_for(8, 80), (EpochEndOffset{-1, -1}));
  EXPECT_EQ(cache->end_offset_for(-1, 80), (EpochEndOffset{-1, -1}));
}

TEST(LeaderEpochCache, TruncateFromEndDropsEpochsStartingAtOrAfterTheOffset) {
  TempDir dir;
  auto cache = std::move(*LeaderEpochCache::open(dir.path()));
  ASSERT_TRUE(cache->assign(1, 0).ok());
  ASSERT_TRUE(cache->assign(2, 10).ok());
  ASSERT_TRUE(cache->assign(3, 20).ok());
  ASSERT_TRUE(cache->truncate_from_end(21).ok());
  EXPECT_EQ(cache->entries().size(), 3u);
  ASSERT_TRUE(cache->truncate_from_end(10).ok());
  EXPECT_EQ(cache->entries(), (std::vector<EpochEntry>{{1, 0}}));
  EXPECT_EQ(read_text(dir / "leader-epoch-checkpoint"), "0\n1\n1 0\n");
}

TEST(LeaderEpochCache, TruncateFromStartMovesTheEpochContainingTheNewStart) {
  TempDir dir;
  auto cache = std::move(*LeaderEpochCache::open(dir.path()));
  ASSERT_TRUE(cache->assign(1, 0).ok());
  ASSERT_TRUE(cache->assign(2, 10).ok());
  ASSERT_TRUE(cache->assign(3, 20).ok());
  ASSERT_TRUE(cache->truncate_from_start(15).ok());
  EXPECT_EQ(cache->entries(), (std::vector<EpochEntry>{{2, 15}, {3, 20}}));
  ASSERT_TRUE(cache->truncate_from_start(20).ok());
  EXPECT_EQ(cache->entries(), (std::vector<EpochEntry>{{3, 20}}));
  ASSERT_TRUE(cache->truncate_from_start(5).ok());
  EXPECT_EQ(cache->entries(), (std::vector<EpochEntry>{{3, 20}}));
  auto reopened = std::move(*LeaderEpochCache::open(dir.path()));
  EXPECT_EQ(reopened->entries(), (std::vector<EpochEntry>{{3, 20}}));
}

TEST(LeaderEpochCache, CorruptCheckpointIsReported) {
  TempDir dir;
  write_text(dir / "leader-epoch-checkpoint", "0\n2\n1 0\n");
  auto cache = LeaderEpochCache::open(dir.path());
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.error().code(), StorageErrc::corrupt);
}

}  // namespace
}  // namespace sluice::broker::storage
