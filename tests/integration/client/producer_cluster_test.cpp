// Producer against a real three-broker cluster: round trips in every codec and acks level
// (read back with raw Fetch requests), Java-compatible key placement, delivery reports,
// flush, bounded memory, and idempotent retries across a leader kill (no duplicates, no
// reordering).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/use_future.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "client/src/cluster.h"
#include "client/src/partitioner.h"
#include "client/src/runtime.h"
#include "protocol/messages/fetch.h"
#include "protocol/record_batch.h"
#include "sluice/producer.h"
#include "tests/integration/client/cluster_fixture.h"

namespace sluice::client {
namespace {

using namespace std::chrono_literals;

struct ReadRecord {
  int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

std::optional<std::string> to_string(const std::optional<protocol::Bytes>& b) {
  if (!b) return std::nullopt;
  return std::string(b->begin(), b->end());
}

// Every record of topic-partition from offset 0 up to the high watermark, fetched from the
// current leader with raw Fetch requests (retrying while leadership moves).
awaitable<Result<std::vector<ReadRecord>>> fetch_all(std::shared_ptr<detail::Cluster> cluster,
                                                     std::string topic, int32_t partition) {
  std::vector<ReadRecord> out;
  int64_t offset = 0;
  for (int attempt = 0; attempt < 200; ++attempt) {
    cluster->invalidate(topic);
    auto info = co_await cluster->topic(topic, false);
    if (!info || (*info)->error_code != 0 ||
        static_cast<int32_t>((*info)->partitions.size()) <= partition ||
        (*info)->partitions[static_cast<std::size_t>(partition)].leader < 0) {
      co_await detail::sleep_for(100ms);
      continue;
    }
    auto conn =
        co_await cluster->broker((*info)->partitions[static_cast<std::size_t>(partition)].leader);
    if (!conn) {
      co_await detail::sleep_for(100ms);
      continue;
    }
    protocol::FetchRequest req;
    req.max_wait_ms = 100;
    req.min_bytes = 1;
    req.max_bytes = 32 << 20;
    protocol::FetchTopic ft;
    ft.topic = topic;
    protocol::FetchPartition fp;
    fp.partition = partition;
    fp.fetch_offset = offset;
    fp.partition_max_bytes = 16 << 20;
    ft.partitions.push_back(fp);
    req.topics.push_back(ft);
    auto resp =
        co_await cluster->call<protocol::FetchResponse>(*conn, protocol::kFetchApi, req, 4, 11);
    if (!resp || resp->body.responses.empty() || resp->body.responses[0].partitions.empty()) {
      co_await detail::sleep_for(100ms);
      continue;
    }
    const auto& pd = resp->body.responses[0].partitions[0];
    if (pd.error_code != 0) {
      co_await detail::sleep_for(100ms);
      continue;
    }
    protocol::BatchIterator it(pd.records.bytes());
    while (auto batch = it.next()) {
      auto records = protocol::decode_records(*batch);
      if (!records) co_return std::move(records).error();
      for (const auto& r : *records) {
        if (r.offset < offset) continue;
        ReadRecord rr;
        rr.offset = r.offset;
        rr.key = to_string(r.key);
        rr.value = to_string(r.value);
        for (const auto& h : r.headers) rr.headers.push_back(Header{h.key, to_string(h.value)});
        out.push_back(std::move(rr));
        offset = r.offset + 1;
      }
    }
    if (offset >= pd.high_watermark) co_return out;
  }
  co_return Error(make_error_code(ClientErrc::timed_out), "could not read " + topic);
}

awaitable<Result<int32_t>> leader_of(std::shared_ptr<detail::Cluster> cluster, std::string topic,
                                     int32_t partition) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    cluster->invalidate(topic);
    auto info = co_await cluster->topic(topic, false);
    if (info && (*info)->error_code == 0 &&
        static_cast<int32_t>((*info)->partitions.size()) > partition &&
        (*info)->partitions[static_cast<std::size_t>(partition)].leader >= 0) {
      co_return (*info)->partitions[static_cast<std::size_t>(partition)].leader;
    }
    co_await detail::sleep_for(100ms);
  }
  co_return Error(make_error_code(ClientErrc::timed_out), "no leader for " + topic);
}

awaitable<Result<int>> close_cluster(std::shared_ptr<detail::Cluster> c) {
  c->close();
  co_return 0;
}

class ProducerCluster : public test::ClusterTest {
 protected:
  void SetUp() override { reader_ = std::make_shared<detail::Cluster>(rt_.executor(), base()); }
  void TearDown() override {
    (void)rt_.block_on<int>([c = reader_] { return close_cluster(c); });
  }

  ClientConfig base() {
    ClientConfig c;
    c.bootstrap_servers = cluster().bootstrap_list();
    c.request_timeout = 10s;
    return c;
  }
  ProducerConfig config() {
    ProducerConfig c;
    static_cast<ClientConfig&>(c) = base();
    c.linger = 5ms;
    return c;
  }
  std::unique_ptr<Producer> make(const ProducerConfig& c) {
    auto p = Producer::create(c);
    EXPECT_TRUE(p.ok()) << p.error().to_string();
    return std::move(p).value();
  }
  std::vector<ReadRecord> read(const std::string& topic, int32_t partition) {
    auto r = rt_.block_on<std::vector<ReadRecord>>(
        [c = reader_, topic, partition] { return fetch_all(c, topic, partition); });
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(r).value() : std::vector<ReadRecord>{};
  }
  // read(), again until it has `count` records (acks=0 reports before the broker writes).
  std::vector<ReadRecord> read_at_least(const std::string& topic, int32_t partition,
                                        std::size_t count) {
    auto records = read(topic, partition);
    for (int i = 0; i < 100 && records.size() < count; ++i) {
      std::this_thread::sleep_for(100ms);
      records = read(topic, partition);
    }
    return records;
  }
  int32_t leader(const std::string& topic, int32_t partition) {
    auto r = rt_.block_on<int32_t>(
        [c = reader_, topic, partition] { return leader_of(c, topic, partition); });
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.value_or(-1);
  }

  detail::Runtime rt_;
  std::shared_ptr<detail::Cluster> reader_;
};

struct Delivered {
  std::mutex mu;
  std::vector<std::pair<int, Result<RecordMetadata>>> reports;
  void add(int i, const Result<RecordMetadata>& r) {
    std::lock_guard lock(mu);
    reports.emplace_back(i, r);
  }
};

// --- every codec and acks level ----------------------------------------------------------

struct RoundTripCase {
  CompressionType compression;
  Acks acks;
};

class ProducerRoundTrip : public ProducerCluster,
                          public ::testing::WithParamInterface<RoundTripCase> {};

std::string round_trip_name(const ::testing::TestParamInfo<RoundTripCase>& info) {
  static const char* codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  const char* acks = info.param.acks == Acks::all      ? "all"
                     : info.param.acks == Acks::leader ? "one"
                                                       : "zero";
  return std::string(codecs[static_cast<int>(info.param.compression)]) + "_acks_" + acks;
}

TEST_P(ProducerRoundTrip, RecordsComeBackIntactInSendOrder) {
  const auto param = GetParam();
  const std::string topic = test::ThreeBrokerCluster::unique_name("rt");
  auto c = config();
  c.compression = param.compression;
  c.acks = param.acks;
  c.enable_idempotence = param.acks == Acks::all;
  auto producer = make(c);
  // The other brokers may learn of the new topic a moment later; with max.block.ms 0 each
  // call answers at once, so ask until the metadata has it.
  int32_t partitions = -1;
  for (int i = 0; i < 100 && partitions != 3; ++i) {
    partitions = producer->partition_count(topic).value_or(-1);
    if (partitions != 3) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(partitions, 3);
  {
    // acks=0 has no answer to retry on: a leader that the metadata names before it has taken
    // over would drop the records silently. One acknowledged record per partition first.
    auto warm = make(config());
    for (int32_t p = 0; p < 3; ++p) {
      ASSERT_TRUE(
          warm->send(ProducerRecord{.topic = topic, .partition = p, .value = "warm-up"}).ok());
    }
  }

  constexpr int kRecords = 300;
  Delivered delivered;
  std::vector<ProducerRecord> sent;
  for (int i = 0; i < kRecords; ++i) {
    ProducerRecord r;
    r.topic = topic;
    r.key = "key-" + std::to_string(i % 17);
    if (i % 10 == 3) {
      r.value = std::nullopt;  // tombstone
    } else {
      r.value = "value-" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 50), 'x');
    }
    if (i % 7 == 0) r.headers = {{"h", "v" + std::to_string(i)}, {"null", std::nullopt}};
    sent.push_back(r);
    producer->send(std::move(r),
                   [&delivered, i](const Result<RecordMetadata>& md) { delivered.add(i, md); });
  }
  ASSERT_TRUE(producer->flush(30s).ok());
  ASSERT_EQ(delivered.reports.size(), static_cast<std::size_t>(kRecords));
  std::map<int32_t, std::vector<int>> expected;  // partition -> record indexes in send order
  std::vector<RecordMetadata> by_index(kRecords);
  for (auto& d : delivered.reports) {
    ASSERT_TRUE(d.second.ok()) << d.second.error().to_string();
    by_index[static_cast<std::size_t>(d.first)] = *d.second;
  }
  for (int i = 0; i < kRecords; ++i) {
    const auto& md = by_index[static_cast<std::size_t>(i)];
    EXPECT_EQ(md.topic, topic);
    EXPECT_EQ(md.partition, detail::partition_for_key(*sent[static_cast<std::size_t>(i)].key, 3));
    if (param.acks == Acks::none) {
      EXPECT_EQ(md.offset, -1);
    } else {
      EXPECT_GE(md.offset, 0);
    }
    expected[md.partition].push_back(i);
  }
  for (int32_t p = 0; p < 3; ++p) {
    const auto& want = expected[p];
    auto got = read_at_least(topic, p, want.size() + 1);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front().value, "warm-up");
    got.erase(got.begin());
    ASSERT_EQ(got.size(), want.size()) << "partition " << p;
    for (std::size_t j = 0; j < want.size(); ++j) {
      const auto& s = sent[static_cast<std::size_t>(want[j])];
      EXPECT_EQ(got[j].key, s.key);
      EXPECT_EQ(got[j].value, s.value);
      EXPECT_EQ(got[j].headers, s.headers);
      if (param.acks != Acks::none) {
        EXPECT_EQ(got[j].offset, by_index[static_cast<std::size_t>(want[j])].offset);
      }
    }
  }
  EXPECT_TRUE(producer->close(10s).ok());
}

INSTANTIATE_TEST_SUITE_P(CodecsAndAcks, ProducerRoundTrip,
                         ::testing::Values(RoundTripCase{CompressionType::none, Acks::all},
                                           RoundTripCase{CompressionType::gzip, Acks::all},
                                           RoundTripCase{CompressionType::snappy, Acks::all},
                                           RoundTripCase{CompressionType::lz4, Acks::all},
                                           RoundTripCase{CompressionType::zstd, Acks::all},
                                           RoundTripCase{CompressionType::none, Acks::leader},
                                           RoundTripCase{CompressionType::lz4, Acks::leader},
                                           RoundTripCase{CompressionType::none, Acks::none},
                                           RoundTripCase{CompressionType::zstd, Acks::none}),
                         round_trip_name);

// --- partitioning, reports, flush ----------------------------------------------------------

TEST_F(ProducerCluster, KeyedRecordsLandWhereTheJavaPartitionerPutsThem) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("keys");
  auto producer = make(config());
  // Kafka's UtilsTest vectors: the Java client puts these keys on (hash & 0x7fffffff) % 3.
  const std::vector<std::pair<std::string, int32_t>> keys = {
      {"21", (-973932308 & 0x7fffffff) % 3},
      {"foobar", (-790332482 & 0x7fffffff) % 3},
      {"a-little-bit-long-string", (-985981536 & 0x7fffffff) % 3},
      {"a-little-bit-longer-string", (-1486304829 & 0x7fffffff) % 3},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", (-58897971 & 0x7fffffff) % 3},
      {"abc", 479470107 % 3},
  };
  for (const auto& k : keys) {
    auto md =
        producer->send(ProducerRecord{.topic = topic, .key = k.first, .value = "v-" + k.first});
    ASSERT_TRUE(md.ok()) << md.error().to_string();
    EXPECT_EQ(md->partition, k.second) << k.first;
    auto records = read(topic, k.second);
    bool found = false;
    for (const auto& r : records) {
      if (r.offset == md->offset) {
        found = true;
        EXPECT_EQ(r.key, k.first);
        EXPECT_EQ(r.value, "v-" + k.first);
      }
    }
    EXPECT_TRUE(found) << k.first << " not at " << md->partition << "/" << md->offset;
  }
}

TEST_F(ProducerCluster, NullKeysStickToOnePartitionPerBatch) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("sticky");
  auto c = config();
  c.linger = 2000ms;  // one batch per partition at most until flush
  auto producer = make(c);
  // The other brokers may learn of the new topic a moment later; with max.block.ms 0 each
  // call answers at once, so ask until the metadata has it.
  int32_t partitions = -1;
  for (int i = 0; i < 100 && partitions != 3; ++i) {
    partitions = producer->partition_count(topic).value_or(-1);
    if (partitions != 3) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(partitions, 3);
  Delivered delivered;
  for (int i = 0; i < 50; ++i) {
    producer->send(ProducerRecord{.topic = topic, .value = "small"},
                   [&delivered, i](const Result<RecordMetadata>& md) { delivered.add(i, md); });
  }
  ASSERT_TRUE(producer->flush(20s).ok());
  std::set<int32_t> used;
  for (auto& d : delivered.reports) {
    ASSERT_TRUE(d.second.ok());
    used.insert(d.second->partition);
  }
  EXPECT_EQ(used.size(), 1u) << "50 small null-key records fit one batch: one partition";
}

TEST_F(ProducerCluster, EveryApiFormReportsPartitionAndOffset) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("forms");
  auto producer = make(config());
  auto blocking = producer->send(ProducerRecord{.topic = topic, .partition = 1, .value = "a"});
  ASSERT_TRUE(blocking.ok()) << blocking.error().to_string();
  EXPECT_EQ(blocking->partition, 1);
  EXPECT_EQ(blocking->offset, 0);
  EXPECT_GT(blocking->timestamp_ms, 0);

  std::future<Result<RecordMetadata>> fut = producer->async_send(
      ProducerRecord{.topic = topic, .partition = 1, .value = "b"}, boost::asio::use_future);
  auto second = fut.get();
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(second->offset, 1);

  std::promise<Result<RecordMetadata>> p;
  producer->send(
      ProducerRecord{.topic = topic, .partition = 1, .value = "c", .timestamp_ms = 1234567},
      [&p](const Result<RecordMetadata>& md) { p.set_value(md); });
  auto third = p.get_future().get();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->offset, 2);
  EXPECT_EQ(third->timestamp_ms, 1234567);

  // A partition the topic does not have is refused, not dropped.
  auto bad = producer->send(ProducerRecord{.topic = topic, .partition = 99, .value = "x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), ClientErrc::invalid_argument);
}

TEST_F(ProducerCluster, FlushDeliversEverythingDespiteALongLinger) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("flush");
  auto c = config();
  c.linger = 60s;
  auto producer = make(c);
  // The other brokers may learn of the new topic a moment later; with max.block.ms 0 each
  // call answers at once, so ask until the metadata has it.
  int32_t partitions = -1;
  for (int i = 0; i < 100 && partitions != 3; ++i) {
    partitions = producer->partition_count(topic).value_or(-1);
    if (partitions != 3) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(partitions, 3);
  std::atomic<int> ok{0};
  for (int i = 0; i < 200; ++i) {
    producer->send(ProducerRecord{.topic = topic, .key = std::to_string(i), .value = "v"},
                   [&ok](const Result<RecordMetadata>& md) {
                     if (md.ok()) ++ok;
                   });
  }
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(ok.load(), 0) << "linger.ms holds the batches";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(producer->flush(20s).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
  EXPECT_EQ(ok.load(), 200);
  std::size_t total = 0;
  for (int32_t p = 0; p < 3; ++p) total += read(topic, p).size();
  EXPECT_EQ(total, 200u);
}

// --- limits ------------------------------------------------------------------------------

TEST_F(ProducerCluster, FullBufferFailsAtOnceWithMaxBlockZero) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("full");
  auto c = config();
  c.linger = 60s;
  c.buffer_memory = 20000;
  c.batch_size = 16384;
  c.max_block = 0ms;
  // Create the topic first: with max.block.ms 0, partition_count() itself does not wait.
  ASSERT_EQ(make(config())->partition_count(topic).value_or(-1), 3);
  auto producer = make(c);
  // The other brokers may learn of the new topic a moment later; with max.block.ms 0 each
  // call answers at once, so ask until the metadata has it.
  int32_t partitions = -1;
  for (int i = 0; i < 100 && partitions != 3; ++i) {
    partitions = producer->partition_count(topic).value_or(-1);
    if (partitions != 3) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(partitions, 3);
  std::atomic<int> delivered{0};
  int accepted = 0;
  bool saw_full = false;
  for (int i = 0; i < 100 && !saw_full; ++i) {
    auto refused = std::make_shared<std::atomic<bool>>(false);
    producer->send(ProducerRecord{.topic = topic, .partition = 0, .value = std::string(1000, 'x')},
                   [&delivered, refused](const Result<RecordMetadata>& md) {
                     if (md.ok()) {
                       ++delivered;
                     } else if (md.error() == ClientErrc::buffer_full) {
                       *refused = true;
                     }
                   });
    // A full buffer is reported before send() returns.
    if (*refused) {
      saw_full = true;
    } else {
      ++accepted;
    }
  }
  EXPECT_TRUE(saw_full);
  EXPECT_GE(accepted, 15);
  EXPECT_LE(accepted, 20);
  // The accepted ones are still delivered, and then there is room again.
  ASSERT_TRUE(producer->flush(20s).ok());
  EXPECT_EQ(delivered.load(), accepted);
  std::promise<Result<RecordMetadata>> again;
  producer->send(ProducerRecord{.topic = topic, .partition = 0, .value = "fits"},
                 [&again](const Result<RecordMetadata>& md) { again.set_value(md); });
  ASSERT_TRUE(producer->flush(20s).ok());  // linger.ms is 60 s: flush sends it
  auto md = again.get_future().get();
  EXPECT_TRUE(md.ok()) << md.error().to_string();
}

TEST_F(ProducerCluster, RecordLargerThanMaxRequestSizeIsRefused) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("large");
  auto c = config();
  c.max_request_size = 20000;
  c.batch_size = 16384;
  auto producer = make(c);
  auto r = producer->send(ProducerRecord{.topic = topic, .value = std::string(30000, 'x')});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), ClientErrc::record_too_large);
  // Larger than batch.size but within max.request.size: a batch of its own.
  auto fits = producer->send(ProducerRecord{.topic = topic, .value = std::string(18000, 'y')});
  EXPECT_TRUE(fits.ok()) << fits.error().to_string();
}

TEST_F(ProducerCluster, AnInvalidTopicFailsAtOnceOtherMetadataErrorsAreWaitedOut) {
  // Only an invalid (or unauthorised) topic is final, as in the Java producer; answers such as
  // INVALID_REPLICATION_FACTOR from an auto-creation while brokers register may change, and
  // wait until delivery.timeout.ms.
  auto c = config();
  c.delivery_timeout = 60s;
  auto producer = make(c);
  const auto started = std::chrono::steady_clock::now();
  auto r = producer->send(ProducerRecord{.topic = "not a valid name!", .value = "v"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(kafka_code(r.error()),
            static_cast<int16_t>(protocol::KafkaErrc::invalid_topic_exception))
      << r.error().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s) << "waited for the delivery timeout";
}

TEST_F(ProducerCluster, CloseReportsEveryRecord) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("close");
  auto c = config();
  c.linger = 60s;
  auto producer = make(c);
  std::atomic<int> reports{0};
  for (int i = 0; i < 100; ++i) {
    producer->send(ProducerRecord{.topic = topic, .value = "v"},
                   [&reports](const Result<RecordMetadata>&) { ++reports; });
  }
  // close() flushes first: all delivered (or reported as failed), none dropped.
  EXPECT_TRUE(producer->close(20s).ok());
  EXPECT_EQ(reports.load(), 100);
  auto after = producer->send(ProducerRecord{.topic = topic, .value = "late"});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error(), ClientErrc::closed);
}

// --- failures ----------------------------------------------------------------------------

TEST_F(ProducerCluster, IdempotentRetriesAcrossALeaderKillKeepOrderWithoutDuplicates) {
  const std::string topic = test::ThreeBrokerCluster::unique_name("kill");
  auto c = config();
  c.acks = Acks::all;
  c.enable_idempotence = true;
  c.max_in_flight = 5;
  c.linger = 2ms;
  c.batch_size = 2048;  // many small batches: several in flight when the leader dies
  c.retry_backoff = 100ms;
  auto producer = make(c);
  // The other brokers may learn of the new topic a moment later; with max.block.ms 0 each
  // call answers at once, so ask until the metadata has it.
  int32_t partitions = -1;
  for (int i = 0; i < 100 && partitions != 3; ++i) {
    partitions = producer->partition_count(topic).value_or(-1);
    if (partitions != 3) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(partitions, 3);
  const int32_t victim = leader(topic, 0);
  ASSERT_GE(victim, 1);

  constexpr int kRecords = 4000;
  Delivered delivered;
  for (int i = 0; i < kRecords; ++i) {
    producer->send(ProducerRecord{.topic = topic, .partition = 0, .value = std::to_string(i)},
                   [&delivered, i](const Result<RecordMetadata>& md) { delivered.add(i, md); });
    if (i % 20 == 19) std::this_thread::sleep_for(2ms);
    if (i == kRecords / 4) cluster().broker(victim).kill9();
  }
  // Wait for a new leader before the old one comes back, then restart it.
  for (int i = 0; i < 200 && leader(topic, 0) == victim; ++i) std::this_thread::sleep_for(100ms);
  cluster().restart(victim);
  ASSERT_TRUE(producer->flush(120s).ok());

  ASSERT_EQ(delivered.reports.size(), static_cast<std::size_t>(kRecords));
  int failed = 0;
  for (auto& d : delivered.reports) {
    if (!d.second.ok()) {
      ++failed;
      ADD_FAILURE() << "record " << d.first << ": " << d.second.error().to_string();
      if (failed > 5) break;
    }
  }
  ASSERT_EQ(failed, 0);
  auto records = read(topic, 0);
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kRecords)) << "duplicates or losses";
  std::map<int, int64_t> offset_of;
  for (auto& d : delivered.reports) offset_of[d.first] = d.second->offset;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_EQ(records[static_cast<std::size_t>(i)].value, std::to_string(i)) << "at position " << i;
    EXPECT_EQ(records[static_cast<std::size_t>(i)].offset, offset_of[i])
        << "reported offset of record " << i;
  }
}

}  // namespace
}  // namespace sluice::client
