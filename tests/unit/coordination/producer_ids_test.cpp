// /latest_producer_id_block payloads: Kafka's layout byte for byte, what Kafka writes decodes,
// and what does not make sense is refused.
#include "coordination/producer_ids.h"

#include <gtest/gtest.h>

#include "coordination/zk_error.h"
#include "coordination/znodes.h"

namespace sluice::coordination {
namespace {

TEST(ProducerIdBlock, EncodesAsKafkasZnode) {
  EXPECT_EQ(znodes::latest_producer_id_block(), "/latest_producer_id_block");
  ProducerIdBlock block{2, 3000, 3999};
  EXPECT_EQ(encode(block), R"({"version":1,"broker":2,"block_start":"3000","block_end":"3999"})");
  auto back = decode_producer_id_block(encode(block));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, block);
}

TEST(ProducerIdBlock, DecodesKafkasPayloadAndTheEmptyNode) {
  auto kafka =
      decode_producer_id_block(R"({"version":1,"broker":0,"block_start":"0","block_end":"999"})");
  ASSERT_TRUE(kafka.ok());
  EXPECT_EQ(**kafka, (ProducerIdBlock{0, 0, 999}));
  auto numbers = decode_producer_id_block(R"({"block_end":1999,"broker":1,"block_start":1000})");
  ASSERT_TRUE(numbers.ok());
  EXPECT_EQ(**numbers, (ProducerIdBlock{1, 1000, 1999}));
  auto empty = decode_producer_id_block("");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
}

TEST(ProducerIdBlock, RefusesPayloadsThatDoNotMakeSense) {
  for (const char* bad : {"{", "[]", R"({"broker":1,"block_start":"5"})",
                          R"({"broker":1,"block_start":"x","block_end":"9"})",
                          R"({"broker":1,"block_start":"10","block_end":"9"})",
                          R"({"block_start":"0","block_end":"9"})"}) {
    auto decoded = decode_producer_id_block(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code(), ZkErrc::data_inconsistency) << bad;
    EXPECT_NE(decoded.error().context().find("/latest_producer_id_block"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::coordination
