// Coordinator slots: groups map onto slots as Kafka maps them onto __consumer_offsets
// partitions, and the controller's placement moves only what it must.
#include <gtest/gtest.h>

#include "broker/controller/coordinators.h"

namespace sluice::broker::controller {
namespace {

TEST(CoordinatorSlots, GroupsHashLikeKafka) {
  // abs(String.hashCode()) % 50, values computed with Java's String.hashCode rules.
  EXPECT_EQ(group_slot("test-group", 50), 12);
  EXPECT_EQ(group_slot("g1", 50), 42);
  EXPECT_EQ(group_slot("console-consumer-12345", 50), 6);
  EXPECT_EQ(group_slot("grüße", 50), 23);  // non-ASCII: UTF-16 code units
  EXPECT_EQ(group_slot("😀x", 50), 39);     // a surrogate pair
}

TEST(CoordinatorSlots, UnownedSlotsSpreadOverLiveBrokers) {
  std::vector<int32_t> owners(6, -1);
  auto plan = plan_coordinator_slots(owners, {1, 2, 3});
  ASSERT_EQ(plan.size(), 6u);
  std::map<int32_t, int> load;
  for (const auto& entry : plan) ++load[entry.second];
  EXPECT_EQ(load, (std::map<int32_t, int>{{1, 2}, {2, 2}, {3, 2}}));
}

TEST(CoordinatorSlots, ADeadBrokersSlotsMoveAndNothingElse) {
  std::vector<int32_t> owners = {1, 2, 3, 1, 2, 3};
  auto plan = plan_coordinator_slots(owners, {1, 2});
  EXPECT_EQ(plan, (std::map<int32_t, int32_t>{{2, 1}, {5, 2}}));
  EXPECT_TRUE(plan_coordinator_slots(owners, {1, 2, 3}).empty());  // balanced: no change
}

TEST(CoordinatorSlots, ANewBrokerTakesItsShare) {
  std::vector<int32_t> owners = {1, 1, 1, 1, 1, 1};
  auto plan = plan_coordinator_slots(owners, {1, 2, 3});
  EXPECT_EQ(plan.size(), 4u);
  std::map<int32_t, int> load = {{1, 6}};
  for (const auto& entry : plan) {
    --load[owners[static_cast<std::size_t>(entry.first)]];
    ++load[entry.second];
  }
  EXPECT_EQ(load, (std::map<int32_t, int>{{1, 2}, {2, 2}, {3, 2}}));
}

TEST(CoordinatorSlots, NoLiveBrokerNoPlan) {
  EXPECT_TRUE(plan_coordinator_slots({1, 2}, {}).empty());
}

TEST(CoordinatorSlots, SlotJsonRoundTrips) {
  CoordinatorSlot s{2, 5, 3};
  EXPECT_EQ(encode(s), R"({"version":1,"broker":2,"coordinator_epoch":5,"controller_epoch":3})");
  auto back = decode_coordinator_slot(encode(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(decode_coordinator_slot(R"({"version":1})"));
  EXPECT_EQ(encode_slot_count(50), R"({"version":1,"slots":50})");
  EXPECT_EQ(decode_slot_count(R"({"version":1,"slots":50})").value_or(0), 50);
  EXPECT_FALSE(decode_slot_count(R"({"version":1,"slots":0})"));
}

}  // namespace
}  // namespace sluice::broker::controller
