// A real broker facing hostile clients keeps serving everyone else: random bytes, a frame
// claiming 2 GiB, a truncated frame, an unknown API key, versions it cannot parse, and
// Produce/Fetch versions older than RecordBatch v2 (answered UNSUPPORTED_VERSION). And a
// broker killed with SIGKILL restarts and serves what was acknowledged before.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"
#include "tests/support/broker_process.h"
#include "tests/support/raw_client.h"
#include "tests/support/zk_server.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class BrokerRobustness : public ::testing::Test {
 protected:
  void SetUp() override {
    broker = std::make_unique<test::BrokerProcess>(1, zk.connect_string() + "/sluice",
                                                   dir.path() + "/b1");
    broker->start();
  }
  uint16_t port() const { return static_cast<uint16_t>(broker->port()); }

  // A fresh connection still gets a well-formed ApiVersions answer.
  void expect_serving() {
    testing::RawClient client(port());
    client.send(18, 0, 42);
    auto reply = client.receive();
    ASSERT_TRUE(reply.has_value()) << "broker stopped answering";
    protocol::ByteReader r(*reply);
    EXPECT_EQ(r.read_i32(), 42);
    protocol::ApiVersionsResponse resp;
    ASSERT_TRUE(protocol::decode(resp, r, 0).ok());
    EXPECT_EQ(resp.error_code, 0);
    ASSERT_TRUE(broker->running());
  }

  test::ZkServer zk;
  test::TempDir dir{"sluice-robustness"};
  std::unique_ptr<test::BrokerProcess> broker;
};

TEST_F(BrokerRobustness, RandomBytesCloseOnlyThatConnection) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 20; ++round) {
    testing::RawClient bad(port());
    std::vector<uint8_t> junk(1 + rng() % 4096);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    bad.send_bytes(junk);
    // Either the broker closes, or it waits for the rest of a "frame": both are fine.
  }
  expect_serving();
}

TEST_F(BrokerRobustness, HugeFrameIsRefusedWithoutAllocating) {
  testing::RawClient bad(port());
  std::vector<uint8_t> header = {0x7f, 0xff, 0xff, 0xff, 0x00, 0x03, 0x00, 0x01};
  bad.send_bytes(header);
  EXPECT_FALSE(bad.receive().has_value()) << "a 2 GiB frame must close the connection";
  expect_serving();
}

TEST_F(BrokerRobustness, UnknownApiAndUnparseableVersionCloseTheConnection) {
  {
    testing::RawClient bad(port());
    bad.send(999, 0, 1);
    EXPECT_FALSE(bad.receive().has_value());
  }
  {
    testing::RawClient bad(port());
    bad.send(3, 99, 2);  // Metadata v99: no layout to parse it with
    EXPECT_FALSE(bad.receive().has_value());
  }
  {
    testing::RawClient bad(port());
    // Truncated: the size says 100 bytes, 10 arrive, then the client goes away.
    std::vector<uint8_t> partial = {0, 0, 0, 100, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0};
    bad.send_bytes(partial);
  }
  expect_serving();
}

TEST_F(BrokerRobustness, OldProduceVersionsGetUnsupportedVersion) {
  protocol::ProduceRequest req;
  req.acks = 1;
  protocol::ProduceTopicData t;
  t.name = "old";
  protocol::ProducePartitionData p;
  p.records = protocol::Records::owned({1, 2, 3});
  t.partition_data.push_back(p);
  req.topic_data.push_back(t);
  protocol::ByteWriter body;
  protocol::encode(req, body, 2);
  testing::RawClient client(port());
  client.send(0, 2, 9, body.bytes());
  auto reply = client.receive();
  ASSERT_TRUE(reply.has_value());
  protocol::ByteReader r(*reply);
  EXPECT_EQ(r.read_i32(), 9);
  protocol::ProduceResponse resp;
  ASSERT_TRUE(protocol::decode(resp, r, 2).ok());
  ASSERT_EQ(resp.responses.size(), 1u);
  EXPECT_EQ(resp.responses[0].partition_responses[0].error_code, 35);
  expect_serving();
}

// Fetch responses go out with sendfile(2), which has no MSG_NOSIGNAL: a client that hangs up
// while a large response is being sent must cost only its connection, not the process
// (SIGPIPE). Followers that die mid-fetch hit exactly this.
TEST_F(BrokerRobustness, ClientHangingUpDuringALargeFetchResponse) {
  // Created once the broker sees itself registered (INVALID_REPLICATION_FACTOR before that).
  int16_t created = -1;
  for (int attempt = 0; attempt < 100 && created != 0 && created != 36; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(100ms);
    protocol::CreateTopicsRequest create;
    create.topics.emplace_back().name = "pipe";
    create.topics.back().num_partitions = 1;
    create.topics.back().replication_factor = 1;
    protocol::ByteWriter body;
    protocol::encode(create, body, 5);
    testing::RawClient client(port());
    client.send(19, 5, 1, body.bytes());
    auto reply = client.receive();
    ASSERT_TRUE(reply.has_value());
    protocol::ByteReader r(*reply);
    ASSERT_TRUE(protocol::decode_response_header(r, 19, 5).ok());  // flexible: header v1
    protocol::CreateTopicsResponse resp;
    ASSERT_TRUE(protocol::decode(resp, r, 5).ok());
    created = resp.topics.at(0).error_code;
  }
  ASSERT_TRUE(created == 0 || created == 36) << "CreateTopics error " << created;
  // 8 MiB of records, produced until the new partition has a leader.
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < 1000; ++i)
    builder.add(std::nullopt, protocol::Bytes(1000, 'x'), 1'700'000'000'000);
  auto batch = *builder.build();
  int produced = 0;
  for (int attempt = 0; attempt < 200 && produced < 8; ++attempt) {
    protocol::ProduceRequest req;
    req.acks = 1;
    auto& t = req.topic_data.emplace_back();
    t.name = "pipe";
    auto& part = t.partition_data.emplace_back();
    part.index = 0;
    part.records = protocol::Records::view(batch);
    protocol::ByteWriter body;
    protocol::encode(req, body, 7);
    testing::RawClient client(port());
    client.send(0, 7, 2, body.bytes());
    auto reply = client.receive();
    ASSERT_TRUE(reply.has_value());
    protocol::ByteReader r(*reply);
    r.read_i32();
    protocol::ProduceResponse resp;
    ASSERT_TRUE(protocol::decode(resp, r, 7).ok());
    if (resp.responses.at(0).partition_responses.at(0).error_code == 0) {
      ++produced;
    } else {
      std::this_thread::sleep_for(50ms);
    }
  }
  ASSERT_EQ(produced, 8);
  for (int round = 0; round < 20; ++round) {
    protocol::FetchRequest fetch;
    fetch.max_wait_ms = 0;
    fetch.min_bytes = 1;
    fetch.max_bytes = 64 << 20;
    auto& t = fetch.topics.emplace_back();
    t.topic = "pipe";
    auto& p = t.partitions.emplace_back();
    p.partition = 0;
    p.fetch_offset = 0;
    p.partition_max_bytes = 64 << 20;
    protocol::ByteWriter body;
    protocol::encode(fetch, body, 11);
    testing::RawClient client(port());
    client.send(1, 11, 3, body.bytes());
    // Gone without reading the answer.
  }
  std::this_thread::sleep_for(200ms);
  expect_serving();
}

}  // namespace
}  // namespace sluice
