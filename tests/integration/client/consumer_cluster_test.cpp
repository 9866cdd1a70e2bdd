// The Consumer against a real three-broker cluster: manual assignment in every compression,
// seek/position/pause, commits, and consumer groups rebalancing (eager and cooperative).
// Records are produced with raw Produce requests (protocol::RecordBatchBuilder), so these tests
// depend on nothing but the broker and the consumer.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/use_future.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "client/src/cluster.h"
#include "client/src/runtime.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"
#include "sluice/consumer.h"
#include "tests/integration/client/cluster_fixture.h"

namespace sluice::client {
namespace {

using namespace std::chrono_literals;
using detail::Cluster;
using detail::Runtime;
using protocol::Compression;

awaitable<Result<int64_t>> produce_batch(std::shared_ptr<Cluster> c, std::string topic,
                                         int32_t partition, protocol::Bytes batch) {
  Error last(make_error_code(ClientErrc::timed_out), "produce");
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (attempt > 0) co_await detail::sleep_for(200ms);
    auto info = co_await c->topic(topic, true);
    if (!info || (*info)->error_code != 0 ||
        static_cast<int32_t>((*info)->partitions.size()) <= partition ||
        (*info)->partitions[static_cast<std::size_t>(partition)].leader < 0) {
      c->invalidate(topic);
      continue;
    }
    auto conn = co_await c->broker((*info)->partitions[static_cast<std::size_t>(partition)].leader);
    if (!conn) {
      last = std::move(conn).error();
      c->invalidate(topic);
      continue;
    }
    protocol::ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 10000;
    protocol::ProduceTopicData t;
    t.name = topic;
    protocol::ProducePartitionData p;
    p.index = partition;
    p.records = protocol::Records::owned(batch);
    t.partition_data.push_back(std::move(p));
    req.topic_data.push_back(std::move(t));
    auto resp =
        co_await c->call<protocol::ProduceResponse>(*conn, protocol::kProduceApi, req, 3, 9);
    if (!resp) {
      last = std::move(resp).error();
      c->invalidate(topic);
      continue;
    }
    const auto& pr = resp->body.responses.at(0).partition_responses.at(0);
    if (pr.error_code != 0) {
      last = Error(make_error_code(static_cast<protocol::KafkaErrc>(pr.error_code)), "produce");
      c->invalidate(topic);
      continue;
    }
    co_return pr.base_offset;
  }
  co_return last;
}

awaitable<Result<int>> close_cluster(std::shared_ptr<Cluster> c) {
  c->close();
  co_return 0;
}

// Produces record batches with raw Produce requests.
class RawProducer {
 public:
  explicit RawProducer(std::vector<std::string> bootstrap) {
    ClientConfig config;
    config.bootstrap_servers = std::move(bootstrap);
    cluster_ = std::make_shared<Cluster>(rt_.executor(), config);
  }
  ~RawProducer() {
    (void)rt_.block_on<int>([c = cluster_] { return close_cluster(c); });
  }

  // Appends records "<prefix>-<i>" (key "k<i>", header "h"="<i>") for i in [from, to) as one
  // batch; returns the batch's base offset.
  int64_t produce(const std::string& topic, int32_t partition, int from, int to,
                  const std::string& prefix, Compression compression = Compression::none) {
    protocol::RecordBatchBuilder b(compression);
    for (int i = from; i < to; ++i) {
      auto bytes = [](const std::string& s) { return protocol::Bytes(s.begin(), s.end()); };
      std::vector<protocol::RecordHeader> headers{{"h", bytes(std::to_string(i))}};
      b.add(bytes("k" + std::to_string(i)), bytes(prefix + "-" + std::to_string(i)),
            1700000000000 + i, headers);
    }
    auto batch = b.build();
    EXPECT_TRUE(batch) << batch.error().to_string();
    auto c = cluster_;
    auto offset = rt_.block_on<int64_t>(
        [c, topic, partition, data = *batch] { return produce_batch(c, topic, partition, data); });
    EXPECT_TRUE(offset) << offset.error().to_string();
    return offset ? *offset : -1;
  }

 private:
  Runtime rt_;
  std::shared_ptr<Cluster> cluster_;
};

class ConsumerCluster : public test::ClusterTest {
 protected:
  ConsumerConfig config(const std::string& group = "") {
    ConsumerConfig c;
    c.bootstrap_servers = cluster().bootstrap_list();
    c.group_id = group;
    c.auto_offset_reset = OffsetReset::earliest;
    c.session_timeout = 10000ms;
    c.heartbeat_interval = 500ms;
    c.max_poll_interval = 30000ms;
    c.request_timeout = 40000ms;
    c.fetch_max_wait = 200ms;
    return c;
  }
  std::unique_ptr<Consumer> make(const ConsumerConfig& c) {
    auto consumer = Consumer::create(c);
    EXPECT_TRUE(consumer) << consumer.error().to_string();
    return consumer ? std::move(*consumer) : nullptr;
  }
  // Polls until `n` records arrived or `timeout` passed.
  static std::vector<ConsumerRecord> poll_n(Consumer& c, std::size_t n,
                                            std::chrono::milliseconds timeout = 30s) {
    std::vector<ConsumerRecord> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto r = c.poll(200ms);
      EXPECT_TRUE(r) << r.error().to_string();
      if (!r) break;
      for (auto& rec : *r) out.push_back(std::move(rec));
    }
    return out;
  }
};

TEST_F(ConsumerCluster, AssignedPartitionReadsEveryRecordInEveryCompression) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-codec");
  RawProducer producer(cluster().bootstrap_list());
  const std::vector<Compression> codecs{Compression::none, Compression::gzip, Compression::snappy,
                                        Compression::lz4, Compression::zstd};
  int next = 0;
  for (auto codec : codecs) {
    EXPECT_EQ(producer.produce(topic, 1, next, next + 10, "v", codec), next);
    next += 10;
  }
  auto consumer = make(config());
  ASSERT_TRUE(consumer);
  ASSERT_TRUE(consumer->assign({{topic, 1}}));
  EXPECT_EQ(consumer->assignment(), (std::vector<TopicPartition>{{topic, 1}}));
  auto records = poll_n(*consumer, 50);
  ASSERT_EQ(records.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const auto& r = records[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.topic, topic);
    EXPECT_EQ(r.partition, 1);
    EXPECT_EQ(r.offset, i);
    EXPECT_EQ(r.key, "k" + std::to_string(i));
    EXPECT_EQ(r.value, "v-" + std::to_string(i));
    EXPECT_EQ(r.timestamp_ms, 1700000000000 + i);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].key, "h");
    EXPECT_EQ(r.headers[0].value, std::to_string(i));
  }
  // Nothing more, and the position is after the last record.
  auto more = consumer->poll(300ms);
  ASSERT_TRUE(more);
  EXPECT_TRUE(more->empty());
  EXPECT_EQ(consumer->position({topic, 1}).value_or(-1), 50);
  EXPECT_TRUE(consumer->close());
  EXPECT_EQ(consumer->poll(10ms).error(), ClientErrc::closed);
}

TEST_F(ConsumerCluster, MaxPollRecordsBoundsEachPollAndLatestSkipsOldRecords) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-max");
  RawProducer producer(cluster().bootstrap_list());
  producer.produce(topic, 0, 0, 30, "v");
  auto c = config();
  c.max_poll_records = 7;
  auto consumer = make(c);
  ASSERT_TRUE(consumer);
  ASSERT_TRUE(consumer->assign({{topic, 0}}));
  std::size_t total = 0;
  while (total < 30) {
    auto r = consumer->poll(5s);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_FALSE(r->empty());
    EXPECT_LE(r->size(), 7u);
    EXPECT_EQ(r->front().offset, static_cast<int64_t>(total));
    total += r->size();
  }

  auto latest_config = config();
  latest_config.auto_offset_reset = OffsetReset::latest;
  auto latest = make(latest_config);
  ASSERT_TRUE(latest);
  ASSERT_TRUE(latest->assign({{topic, 0}}));
  EXPECT_EQ(latest->position({topic, 0}).value_or(-1), 30);
  producer.produce(topic, 0, 30, 35, "v");
  auto fresh = poll_n(*latest, 5);
  ASSERT_EQ(fresh.size(), 5u);
  EXPECT_EQ(fresh.front().offset, 30);
}

TEST_F(ConsumerCluster, SeekPositionPauseAndResume) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-seek");
  RawProducer producer(cluster().bootstrap_list());
  producer.produce(topic, 0, 0, 20, "a");
  producer.produce(topic, 1, 0, 20, "b");
  auto consumer = make(config());
  ASSERT_TRUE(consumer);
  const TopicPartition p0{topic, 0}, p1{topic, 1};
  ASSERT_TRUE(consumer->assign({p0, p1}));
  EXPECT_EQ(consumer->position(p0).value_or(-1), 0);  // looked up: earliest

  ASSERT_TRUE(consumer->seek(p0, 15));
  ASSERT_TRUE(consumer->pause({p1}));
  EXPECT_EQ(consumer->paused(), (std::vector<TopicPartition>{p1}));
  auto records = poll_n(*consumer, 5);
  ASSERT_EQ(records.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(records[static_cast<std::size_t>(i)].partition, 0);
    EXPECT_EQ(records[static_cast<std::size_t>(i)].offset, 15 + i);
  }
  // Paused: nothing from p1 however long we wait.
  auto none = poll_n(*consumer, 1, 1500ms);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(consumer->position(p0).value_or(-1), 20);

  ASSERT_TRUE(consumer->resume({p1}));
  EXPECT_TRUE(consumer->paused().empty());
  auto from_p1 = poll_n(*consumer, 20);
  ASSERT_EQ(from_p1.size(), 20u);
  for (const auto& r : from_p1) EXPECT_EQ(r.partition, 1);
  EXPECT_EQ(from_p1.front().value, "b-0");

  ASSERT_TRUE(consumer->seek_to_beginning({p0}));
  EXPECT_EQ(consumer->position(p0).value_or(-1), 0);
  auto again = poll_n(*consumer, 20);
  ASSERT_EQ(again.size(), 20u);
  EXPECT_EQ(again.front().value, "a-0");
  ASSERT_TRUE(consumer->seek_to_end());
  EXPECT_EQ(consumer->position(p0).value_or(-1), 20);
  EXPECT_EQ(consumer->position(p1).value_or(-1), 20);

  EXPECT_EQ(consumer->seek({topic, 2}, 0).error(), ClientErrc::not_assigned);
  EXPECT_EQ(consumer->pause({{topic, 2}}).error(), ClientErrc::not_assigned);
  EXPECT_EQ(consumer->position({topic, 2}).error(), ClientErrc::not_assigned);
}

TEST_F(ConsumerCluster, OutOfRangeWithResetNoneIsReportedUntilSeek) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-oor");
  RawProducer producer(cluster().bootstrap_list());
  producer.produce(topic, 0, 0, 5, "v");
  auto c = config();
  c.auto_offset_reset = OffsetReset::none;
  auto consumer = make(c);
  ASSERT_TRUE(consumer);
  ASSERT_TRUE(consumer->assign({{topic, 0}}));
  ASSERT_TRUE(consumer->seek({topic, 0}, 1000));
  Result<std::vector<ConsumerRecord>> r = std::vector<ConsumerRecord>{};
  for (int i = 0; i < 50 && r && r->empty(); ++i) r = consumer->poll(200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), protocol::KafkaErrc::offset_out_of_range);
  ASSERT_TRUE(consumer->seek({topic, 0}, 2));
  auto records = poll_n(*consumer, 3);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.front().offset, 2);
}

TEST_F(ConsumerCluster, CommitSyncAsyncAndCommitted) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-commit");
  const auto group = test::ThreeBrokerCluster::unique_name("g-commit");
  RawProducer producer(cluster().bootstrap_list());
  producer.produce(topic, 0, 0, 20, "v");
  auto c = config(group);
  c.enable_auto_commit = false;
  const TopicPartition p0{topic, 0}, p1{topic, 1};
  {
    auto consumer = make(c);
    ASSERT_TRUE(consumer);
    ASSERT_TRUE(consumer->assign({p0}));
    auto none = consumer->committed({p0, p1});
    ASSERT_TRUE(none) << none.error().to_string();
    EXPECT_TRUE(none->empty());
    auto records = poll_n(*consumer, 20);
    ASSERT_EQ(records.size(), 20u);
    ASSERT_TRUE(consumer->commit_sync());
    auto committed = consumer->committed({p0, p1});
    ASSERT_TRUE(committed) << committed.error().to_string();
    EXPECT_EQ(*committed, (OffsetMap{{p0, 20}}));

    // commit_async with explicit offsets, as a future and as a callback.
    auto fut = consumer->commit_async(OffsetMap{{p0, 5}}, boost::asio::use_future);
    auto st = fut.get();
    ASSERT_TRUE(st) << st.error().to_string();
    EXPECT_EQ(consumer->committed({p0}).value_or(OffsetMap{}), (OffsetMap{{p0, 5}}));
    std::promise<Status> done;
    consumer->commit_async(OffsetMap{{p0, 7}}, [&done](Status s) { done.set_value(std::move(s)); });
    EXPECT_TRUE(done.get_future().get());
    EXPECT_EQ(consumer->committed({p0}).value_or(OffsetMap{}), (OffsetMap{{p0, 7}}));
    ASSERT_TRUE(consumer->close());
  }
  // A new consumer of the group starts at the committed offset, not at auto.offset.reset.
  auto next = make(c);
  ASSERT_TRUE(next);
  ASSERT_TRUE(next->assign({p0}));
  EXPECT_EQ(next->position(p0).value_or(-1), 7);
  auto rest = poll_n(*next, 13);
  ASSERT_EQ(rest.size(), 13u);
  EXPECT_EQ(rest.front().offset, 7);

  auto no_group = make(config());
  ASSERT_TRUE(no_group);
  EXPECT_EQ(no_group->commit_sync().error(), ClientErrc::invalid_config);
  EXPECT_EQ(no_group->subscribe({topic}).error(), ClientErrc::invalid_config);
}

TEST_F(ConsumerCluster, AsyncPollDeliversRecords) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-async");
  RawProducer producer(cluster().bootstrap_list());
  producer.produce(topic, 2, 0, 3, "v");
  auto consumer = make(config());
  ASSERT_TRUE(consumer);
  ASSERT_TRUE(consumer->assign({{topic, 2}}));
  std::vector<ConsumerRecord> got;
  for (int i = 0; i < 50 && got.size() < 3; ++i) {
    auto r = consumer->async_poll(200ms, boost::asio::use_future).get();
    ASSERT_TRUE(r) << r.error().to_string();
    got.insert(got.end(), r->begin(), r->end());
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].value, "v-2");
}

// A consumer polling on its own thread, committing after every poll and in on_revoked.
struct GroupReader {
  std::unique_ptr<Consumer> consumer;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<ConsumerRecord> records;
  std::vector<std::vector<TopicPartition>> assigned_calls, revoked_calls, lost_calls;
  std::atomic<int> errors{0};

  void start(std::unique_ptr<Consumer> c, std::vector<std::string> topics) {
    consumer = std::move(c);
    RebalanceListener listener;
    listener.on_assigned = [this](const std::vector<TopicPartition>& tps) {
      std::lock_guard lock(mu);
      assigned_calls.push_back(tps);
    };
    listener.on_revoked = [this](const std::vector<TopicPartition>& tps) {
      {
        std::lock_guard lock(mu);
        revoked_calls.push_back(tps);
      }
      if (!consumer->commit_sync()) ++errors;  // from the listener, on the polling thread
    };
    listener.on_lost = [this](const std::vector<TopicPartition>& tps) {
      std::lock_guard lock(mu);
      lost_calls.push_back(tps);
    };
    EXPECT_TRUE(consumer->subscribe(std::move(topics), listener));
    thread = std::thread([this] {
      while (!stop) {
        auto r = consumer->poll(100ms);
        if (!r) {
          ++errors;
          continue;
        }
        if (r->empty()) continue;
        {
          std::lock_guard lock(mu);
          records.insert(records.end(), r->begin(), r->end());
        }
        if (!consumer->commit_sync()) ++errors;
      }
      EXPECT_TRUE(consumer->close());
    });
  }
  void finish() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
  ~GroupReader() { finish(); }
  std::set<TopicPartition> assignment() {
    auto a = consumer->assignment();
    return {a.begin(), a.end()};
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return records.size();
  }
};

template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return pred();
}

std::set<TopicPartition> all_partitions(const std::string& topic) {
  return {{topic, 0}, {topic, 1}, {topic, 2}};
}

// Every partition owned by exactly one of `readers`.
bool partitioned(const std::string& topic, std::vector<GroupReader*> readers) {
  std::multiset<TopicPartition> owned;
  for (auto* r : readers) {
    for (const auto& tp : r->assignment()) owned.insert(tp);
  }
  return std::set<TopicPartition>(owned.begin(), owned.end()) == all_partitions(topic) &&
         owned.size() == 3;
}

TEST_F(ConsumerCluster, GroupMembersSplitPartitionsAndLoseNoRecordsAcrossRebalances) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-group");
  const auto group = test::ThreeBrokerCluster::unique_name("g-range");
  RawProducer producer(cluster().bootstrap_list());
  for (int p = 0; p < 3; ++p) producer.produce(topic, p, 0, 50, "p" + std::to_string(p));
  auto c = config(group);
  c.enable_auto_commit = false;
  c.assignment_strategies = {"range"};

  GroupReader a, b;
  a.start(make(c), {topic});
  ASSERT_TRUE(wait_for([&] { return a.assignment() == all_partitions(topic); }))
      << "a never got every partition";
  EXPECT_EQ(a.consumer->subscription(), std::vector<std::string>{topic});
  EXPECT_FALSE(a.consumer->member_id().empty());
  const int32_t first_generation = a.consumer->generation();
  EXPECT_GE(first_generation, 1);

  b.start(make(c), {topic});
  ASSERT_TRUE(wait_for([&] {
    return partitioned(topic, {&a, &b}) && !b.assignment().empty();
  })) << "the group never split the partitions between a and b";
  EXPECT_GT(a.consumer->generation(), first_generation);
  // Range over sorted member ids: the first member gets 2 partitions, the second 1.
  EXPECT_EQ(a.assignment().size() + b.assignment().size(), 3u);
  for (int p = 0; p < 3; ++p) producer.produce(topic, p, 50, 100, "p" + std::to_string(p));
  ASSERT_TRUE(wait_for([&] { return a.count() + b.count() >= 300; }))
      << a.count() << " + " << b.count();

  // b leaves (close: LeaveGroup); a takes everything back and reads what is produced next.
  b.finish();
  ASSERT_TRUE(wait_for([&] { return a.assignment() == all_partitions(topic); }));
  for (int p = 0; p < 3; ++p) producer.produce(topic, p, 100, 120, "p" + std::to_string(p));
  ASSERT_TRUE(wait_for([&] { return a.count() + b.count() >= 360; }))
      << a.count() << " + " << b.count();
  a.finish();

  // No record lost: every (partition, offset) was read; the commits in on_revoked and after
  // each poll keep duplicates to none.
  std::map<TopicPartition, std::set<int64_t>> seen;
  std::size_t total = 0;
  for (auto* r : {&a, &b}) {
    for (const auto& rec : r->records) {
      seen[{rec.topic, rec.partition}].insert(rec.offset);
      EXPECT_EQ(rec.value, "p" + std::to_string(rec.partition) + "-" + std::to_string(rec.offset));
      ++total;
    }
  }
  for (int p = 0; p < 3; ++p) {
    const auto& offsets = seen[{topic, p}];
    EXPECT_EQ(offsets.size(), 120u) << "partition " << p;
    if (!offsets.empty()) {
      EXPECT_EQ(*offsets.begin(), 0);
      EXPECT_EQ(*offsets.rbegin(), 119);
    }
  }
  EXPECT_EQ(total, 360u) << "duplicates across the rebalances";
  EXPECT_EQ(a.errors.load(), 0);
  EXPECT_EQ(b.errors.load(), 0);
  // Eager: a revoked everything before the rebalance b's join caused.
  EXPECT_FALSE(a.revoked_calls.empty());
}

TEST_F(ConsumerCluster, CooperativeStickyKeepsPartitionsOfUnaffectedMembers) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-coop");
  const auto group = test::ThreeBrokerCluster::unique_name("g-coop");
  RawProducer producer(cluster().bootstrap_list());
  for (int p = 0; p < 3; ++p) producer.produce(topic, p, 0, 30, "p" + std::to_string(p));
  auto c = config(group);
  c.enable_auto_commit = false;
  c.assignment_strategies = {"cooperative-sticky"};

  GroupReader a, b, d;
  a.start(make(c), {topic});
  ASSERT_TRUE(wait_for([&] { return a.assignment() == all_partitions(topic); }));
  b.start(make(c), {topic});
  ASSERT_TRUE(wait_for([&] { return partitioned(topic, {&a, &b}) && !b.assignment().empty(); }));
  // Let the second (follow-up) rebalance settle.
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(partitioned(topic, {&a, &b}));
  const auto a_before = a.assignment();
  const auto b_before = b.assignment();
  {
    // a never gave up what it kept: its only revocation is of what b got.
    std::lock_guard lock(a.mu);
    for (const auto& call : a.revoked_calls) {
      for (const auto& tp : call)
        EXPECT_TRUE(b_before.contains(tp)) << tp.to_string() << " revoked from a needlessly";
    }
  }
  d.start(make(c), {topic});
  ASSERT_TRUE(wait_for([&] {
    return partitioned(topic, {&a, &b, &d}) && d.assignment().size() == 1;
  }));
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(partitioned(topic, {&a, &b, &d}));
  // Sticky: a and b kept what they had (minus the one partition d needed).
  for (const auto& tp : a.assignment()) EXPECT_TRUE(a_before.contains(tp)) << tp.to_string();
  for (const auto& tp : b.assignment()) EXPECT_TRUE(b_before.contains(tp)) << tp.to_string();
  EXPECT_EQ(a.assignment().size(), 1u);
  EXPECT_EQ(b.assignment().size(), 1u);
  {
    // b (1 partition before and after) was never asked to revoke anything.
    std::lock_guard lock(b.mu);
    EXPECT_TRUE(b.revoked_calls.empty());
    EXPECT_TRUE(b.lost_calls.empty());
  }
  ASSERT_TRUE(wait_for([&] { return a.count() + b.count() + d.count() >= 90; }));
  a.finish();
  b.finish();
  d.finish();
  std::set<std::pair<int32_t, int64_t>> seen;
  for (auto* r : {&a, &b, &d}) {
    for (const auto& rec : r->records) seen.insert({rec.partition, rec.offset});
  }
  EXPECT_EQ(seen.size(), 90u);
}

TEST_F(ConsumerCluster, AutoCommitOnCloseAndASecondConsumerResumesThere) {
  const auto topic = test::ThreeBrokerCluster::unique_name("cons-auto");
  const auto group = test::ThreeBrokerCluster::unique_name("g-auto");
  RawProducer producer(cluster().bootstrap_list());
  for (int p = 0; p < 3; ++p) producer.produce(topic, p, 0, 10, "p" + std::to_string(p));
  auto c = config(group);
  c.enable_auto_commit = true;
  c.auto_commit_interval = 60000ms;  // only the commit on close counts here
  {
    auto first = make(c);
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->subscribe({topic}));
    auto records = poll_n(*first, 30, 60s);
    ASSERT_EQ(records.size(), 30u);
    ASSERT_TRUE(first->close());
  }
  auto check = make(config(group));
  ASSERT_TRUE(check);
  auto committed = check->committed({{topic, 0}, {topic, 1}, {topic, 2}});
  ASSERT_TRUE(committed) << committed.error().to_string();
  EXPECT_EQ(*committed, (OffsetMap{{{topic, 0}, 10}, {{topic, 1}, 10}, {{topic, 2}, 10}}));

  for (int p = 0; p < 3; ++p) producer.produce(topic, p, 10, 12, "p" + std::to_string(p));
  auto second = make(c);
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->subscribe({topic}));
  auto rest = poll_n(*second, 6, 60s);
  ASSERT_EQ(rest.size(), 6u);
  for (const auto& r : rest) EXPECT_GE(r.offset, 10);
}

}  // namespace
}  // namespace sluice::client
