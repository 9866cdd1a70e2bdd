// Metadata: byte-exact classic (v1) and flexible (v9, v12) encodings worked out from the
// protocol guide, round trips at every version, truncations.
#include "protocol/messages/metadata.h"

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::hex;
using testing::to_hex;

TEST(Metadata, EncodesV1RequestWithOneTopic) {
  MetadataRequest req;
  req.topics = std::vector<MetadataRequestTopic>{{}};
  (*req.topics)[0].name = "t";
  auto expected = hex("00 00 00 01 | 00 01 74");  // int32 array count, int16-length name
  EXPECT_EQ(to_hex(encoded(req, 1)), to_hex(expected));
}

TEST(Metadata, NullTopicsMeansAllFromV1) {
  MetadataRequest req;
  req.topics.reset();
  EXPECT_EQ(to_hex(encoded(req, 1)), to_hex(hex("ff ff ff ff")));
  auto back = decoded<MetadataRequest>(hex("ff ff ff ff"), 1);
  EXPECT_FALSE(back.topics.has_value());
}

TEST(Metadata, EncodesV9RequestWithTaggedFields) {
  MetadataRequest req;
  req.topics = std::vector<MetadataRequestTopic>{{}};
  (*req.topics)[0].name = "t";
  req.allow_auto_topic_creation = false;
  auto expected =
      hex("02 | 02 74 00 "  // compact array of 1; compact string "t"; topic tag section
          "00 "             // allow_auto_topic_creation
          "00 "             // include_cluster_authorized_operations (v8-10)
          "00 "             // include_topic_authorized_operations
          "00");            // tag section
  EXPECT_EQ(to_hex(encoded(req, 9)), to_hex(expected));
}

TEST(Metadata, V12RequestCarriesTopicIdAndNullableName) {
  MetadataRequest req;
  MetadataRequestTopic t;
  t.topic_id.bytes[15] = 7;
  t.name.reset();
  req.topics = std::vector<MetadataRequestTopic>{t};
  auto expected =
      hex("02 | 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07 | 00 | 00 "  // id, null name, tags
          "01 | 00 | 00");  // allow auto, topic auth ops, tags (no cluster auth ops in v11+)
  EXPECT_EQ(to_hex(encoded(req, 12)), to_hex(expected));
  auto back = decoded<MetadataRequest>(expected, 12);
  EXPECT_FALSE((*back.topics)[0].name.has_value());
}

MetadataResponse sample_response() {
  MetadataResponse resp;
  resp.brokers.push_back({.node_id = 1, .host = "h", .port = 9092, .rack = std::nullopt});
  resp.cluster_id = "c";
  resp.controller_id = 1;
  MetadataResponseTopic topic;
  topic.name = "t";
  MetadataResponsePartition p;
  p.partition_index = 0;
  p.leader_id = 1;
  p.leader_epoch = 5;
  p.replica_nodes = {1};
  p.isr_nodes = {1};
  topic.partitions.push_back(p);
  resp.topics.push_back(topic);
  return resp;
}

TEST(Metadata, EncodesV1Response) {
  auto expected =
      hex("00 00 00 01 | 00 00 00 01 | 00 01 68 | 00 00 23 84 | ff ff "  // brokers: id, host, port,
                                                                         // null rack
          "00 00 00 01 "                                      // controller_id (no cluster id < v2)
          "00 00 00 01 | 00 00 | 00 01 74 | 00 "              // topics: error, name, is_internal
          "00 00 00 01 | 00 00 | 00 00 00 00 | 00 00 00 01 "  // partitions: error, index, leader
          "00 00 00 01 00 00 00 01 | 00 00 00 01 00 00 00 01");  // replicas, isr
  EXPECT_EQ(to_hex(encoded(sample_response(), 1)), to_hex(expected));
}

TEST(Metadata, EncodesV9ResponseCompact) {
  auto expected =
      hex("00 00 00 00 "                                       // throttle_time_ms
          "02 | 00 00 00 01 | 02 68 | 00 00 23 84 | 00 | 00 "  // brokers: id, host, port, null
                                                               // rack, tags
          "02 63 "                                             // cluster_id "c"
          "00 00 00 01 "                                       // controller_id
          "02 | 00 00 | 02 74 | 00 "                           // topics: error, name, is_internal
          "02 | 00 00 | 00 00 00 00 | 00 00 00 01 | 00 00 00 05 "  // partition: error, index,
                                                                   // leader, epoch
          "02 00 00 00 01 | 02 00 00 00 01 | 01 | 00 "  // replicas, isr, offline (empty), tags
          "80 00 00 00 | 00 "                           // topic_authorized_operations, tags
          "80 00 00 00 | 00");                          // cluster_authorized_operations, tags
  EXPECT_EQ(to_hex(encoded(sample_response(), 9)), to_hex(expected));
  auto back = decoded<MetadataResponse>(expected, 9);
  EXPECT_EQ(back.topics[0].partitions[0].leader_epoch, 5);
  EXPECT_EQ(back.cluster_id, std::optional<std::string>("c"));
}

TEST(Metadata, RoundTripsEveryVersion) {
  MetadataRequest req;
  req.topics = std::vector<MetadataRequestTopic>{{}, {}};
  (*req.topics)[0].name = "a";
  (*req.topics)[1].name = "bb";
  testing::expect_round_trip_all_versions(req, kMetadataApi);
  testing::expect_round_trip_all_versions(sample_response(), kMetadataApi);
}

TEST(Metadata, HugeArrayCountInShortFrameFailsWithoutAllocating) {
  MetadataRequest req;
  const Bytes frame = hex("7f ff ff ff 00");
  ByteReader r(frame);
  auto st = decode(req, r, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().to_string().find("topics"), std::string::npos) << st.error().to_string();
}

}  // namespace
}  // namespace sluice::protocol
