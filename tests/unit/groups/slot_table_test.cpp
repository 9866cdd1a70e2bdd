// SlotTable: one read of the slot znodes turns into slots taken (loading) and given up, a slot
// rewritten while ours is given up and taken again, and a slot read as absent keeps no watch.
#include "broker/groups/slot_table.h"

#include <gtest/gtest.h>

namespace sluice::broker::groups {
namespace {

controller::SlotView owned_by(int32_t broker, int32_t version) {
  controller::SlotView v;
  v.slot = controller::CoordinatorSlot{};
  v.slot->broker = broker;
  v.zk_version = version;
  return v;
}

TEST(SlotTable, TakesTheSlotsNamingThisBroker) {
  SlotTable t;
  t.reset(3);
  auto changes = t.apply({owned_by(1, 0), owned_by(2, 0), owned_by(1, 4)}, {true, true, true}, 1);
  EXPECT_EQ(changes.acquired, (std::vector<int32_t>{0, 2}));
  EXPECT_TRUE(changes.released.empty());
  EXPECT_EQ(t.at(0).status, SlotStatus::loading);
  EXPECT_EQ(t.at(1).status, SlotStatus::not_owned);
  EXPECT_EQ(t.at(1).owner, 2);
  EXPECT_EQ(t.fence(2).version, 4);
  EXPECT_TRUE(t.any_loading());
  EXPECT_TRUE(t.still_loading(0, t.at(0).load_id));
  EXPECT_NE(t.at(0).load_id, t.at(2).load_id);
}

TEST(SlotTable, GivesUpMovedSlotsAndRetakesRewrittenOnes) {
  SlotTable t;
  t.reset(2);
  t.apply({owned_by(1, 0), owned_by(1, 0)}, {false, false}, 1);
  t.at(0).status = SlotStatus::active;
  t.at(1).status = SlotStatus::active;
  const uint64_t first_load = t.at(1).load_id;
  // Slot 0 moved to broker 2; slot 1 moved away and back (a new znode version).
  auto changes = t.apply({owned_by(2, 1), owned_by(1, 2)}, {false, false}, 1);
  EXPECT_EQ(changes.released, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(changes.acquired, (std::vector<int32_t>{1}));
  EXPECT_EQ(t.at(0).status, SlotStatus::not_owned);
  EXPECT_EQ(t.at(0).owned_version, -1);
  EXPECT_EQ(t.at(1).status, SlotStatus::loading);
  EXPECT_FALSE(t.still_loading(1, first_load));
  // Unchanged: nothing to do.
  t.at(1).status = SlotStatus::active;
  changes = t.apply({owned_by(2, 1), owned_by(1, 2)}, {false, false}, 1);
  EXPECT_TRUE(changes.acquired.empty());
  EXPECT_TRUE(changes.released.empty());
}

TEST(SlotTable, AnAbsentSlotKeepsNoWatch) {
  SlotTable t;
  t.reset(2);
  t.at(0).armed = true;
  t.at(1).armed = true;
  controller::SlotView absent;
  t.apply({absent, owned_by(3, 0)}, {true, true}, 1);
  EXPECT_FALSE(t.at(0).armed);
  EXPECT_TRUE(t.at(1).armed);
  EXPECT_EQ(t.at(0).owner, -1);
  t.children_armed = true;
  t.disarm_all();
  EXPECT_FALSE(t.at(1).armed);
  EXPECT_FALSE(t.children_armed);
}

TEST(SlotTable, ReleaseOnlyReleasesOwnedSlots) {
  SlotTable t;
  t.reset(1);
  EXPECT_FALSE(t.release(0));
  t.apply({owned_by(1, 0)}, {false}, 1);
  EXPECT_TRUE(t.release(0));
  EXPECT_FALSE(t.release(0));
}

}  // namespace
}  // namespace sluice::broker::groups
