// ZkSession against real ZooKeeper servers (Debian's package, started per test): CRUD, CAS,
// multi, watches delivered on the executor thread, ephemerals, chroot, forced session expiry
// with ephemeral re-creation, a server restart, and an ensemble losing its leader.
#include "coordination/zk_session.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <thread>

#include "coordination/ephemeral_node.h"
#include "tests/support/run_awaitable.h"
#include "tests/support/zk_server.h"

namespace sluice::coordination {
namespace {

using namespace std::chrono_literals;
using test::run_awaitable;
using test::run_until;

class ZkSessionTest : public ::testing::Test {
 protected:
  std::unique_ptr<ZkSession> open(const std::string& connect,
                                  std::optional<ZkClientId> resume = std::nullopt) {
    ZkOptions o;
    o.connect = connect;
    o.session_timeout = 4000ms;
    o.connect_timeout = 20s;
    o.resume = std::move(resume);
    auto r = run_awaitable(io, ZkSession::connect(io.get_executor(), o));
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    return std::move(r).value();
  }
  template <class T>
  T run(awaitable<T> a) {
    return run_awaitable(io, std::move(a));
  }

  boost::asio::io_context io;
  test::ZkServer zk;
};

TEST_F(ZkSessionTest, CreatesReadsUpdatesAndRemovesNodes) {
  auto s = open(zk.connect_string());
  auto created = run(s->create("/a", "one"));
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_EQ(*created, "/a");

  auto got = run(s->get("/a"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->data, "one");
  EXPECT_EQ(got->stat.version, 0);
  EXPECT_EQ(got->stat.ephemeral_owner, 0);

  auto set = run(s->set("/a", "two", 0));
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_EQ(set->version, 1);
  EXPECT_EQ(run(s->get("/a"))->data, "two");

  ASSERT_TRUE(run(s->create("/a/child", "")).ok());
  auto kids = run(s->children("/a"));
  ASSERT_TRUE(kids.ok());
  EXPECT_EQ(*kids, std::vector<std::string>{"child"});

  auto not_empty = run(s->remove("/a"));
  ASSERT_FALSE(not_empty.ok());
  EXPECT_EQ(not_empty.error().code(), ZkErrc::not_empty);
  ASSERT_TRUE(run(s->remove("/a/child")).ok());
  ASSERT_TRUE(run(s->remove("/a", 1)).ok());
  auto gone = run(s->exists("/a"));
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());

  auto missing = run(s->get("/a"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ZkErrc::no_node);
  EXPECT_NE(missing.error().context().find("/a"), std::string::npos);
}

TEST_F(ZkSessionTest, CompareAndSetFailsOnStaleVersion) {
  auto s = open(zk.connect_string());
  ASSERT_TRUE(run(s->create("/state", "v0")).ok());
  ASSERT_TRUE(run(s->set("/state", "v1", 0)).ok());
  auto stale = run(s->set("/state", "v1-other", 0));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code(), ZkErrc::bad_version);
  EXPECT_EQ(run(s->get("/state"))->data, "v1");
  auto stale_remove = run(s->remove("/state", 0));
  ASSERT_FALSE(stale_remove.ok());
  EXPECT_EQ(stale_remove.error().code(), ZkErrc::bad_version);

  auto dup = run(s->create("/state", "again"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), ZkErrc::node_exists);
}

TEST_F(ZkSessionTest, SequentialNodesGetIncreasingSuffixes) {
  auto s = open(zk.connect_string());
  ASSERT_TRUE(run(s->create("/seq", "")).ok());
  auto first = run(s->create("/seq/n-", "", CreateMode::persistent_sequential));
  auto second = run(s->create("/seq/n-", "", CreateMode::ephemeral_sequential));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, "/seq/n-0000000000");
  EXPECT_EQ(*second, "/seq/n-0000000001");
}

TEST_F(ZkSessionTest, MultiAppliesAllOrNothing) {
  auto s = open(zk.connect_string());
  ASSERT_TRUE(run(s->create("/m", "x")).ok());
  auto ok = run(s->multi({ZkOp::check("/m", 0), ZkOp::create("/m/a", "1"), ZkOp::set("/m", "y", 0),
                          ZkOp::create("/m/s-", "", CreateMode::persistent_sequential)}));
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  ASSERT_EQ(ok->size(), 4u);
  EXPECT_EQ((*ok)[1].created_path, "/m/a");
  EXPECT_EQ((*ok)[2].stat.version, 1);
  EXPECT_EQ((*ok)[3].created_path, "/m/s-0000000001");

  // The check fails (version is 1 now): neither the create nor the delete may apply.
  auto failed =
      run(s->multi({ZkOp::create("/m/b", "2"), ZkOp::remove("/m/a"), ZkOp::check("/m", 0)}));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ZkErrc::bad_version);
  EXPECT_NE(failed.error().context().find("op 2"), std::string::npos) << failed.error().context();
  EXPECT_FALSE(run(s->exists("/m/b"))->has_value());
  EXPECT_TRUE(run(s->exists("/m/a"))->has_value());
}

TEST_F(ZkSessionTest, WatchesFireOnceOnTheExecutorThread) {
  auto s = open(zk.connect_string());
  auto other = open(zk.connect_string());
  const auto test_thread = std::this_thread::get_id();
  std::vector<WatchEvent> events;
  std::vector<std::thread::id> threads;
  auto record = [&](const WatchEvent& e) {
    events.push_back(e);
    threads.push_back(std::this_thread::get_id());
  };

  // exists() on a missing node fires on creation.
  ASSERT_FALSE(run(s->exists("/w", record))->has_value());
  ASSERT_TRUE(run(other->create("/w", "0")).ok());
  ASSERT_TRUE(run_until(io, [&] { return events.size() == 1; }));
  EXPECT_EQ(events[0].type, WatchEventType::created);
  EXPECT_EQ(events[0].path, "/w");

  // get() fires on data change — once, not for the second change.
  ASSERT_TRUE(run(s->get("/w", record)).ok());
  ASSERT_TRUE(run(other->set("/w", "1")).ok());
  ASSERT_TRUE(run(other->set("/w", "2")).ok());
  ASSERT_TRUE(run_until(io, [&] { return events.size() == 2; }));
  EXPECT_EQ(events[1].type, WatchEventType::data_changed);

  // children() fires on a new child; get() on deletion.
  ASSERT_TRUE(run(s->children("/w", record)).ok());
  ASSERT_TRUE(run(other->create("/w/c", "")).ok());
  ASSERT_TRUE(run_until(io, [&] { return events.size() == 3; }));
  EXPECT_EQ(events[2].type, WatchEventType::children_changed);
  ASSERT_TRUE(run(s->get("/w/c", record)).ok());
  ASSERT_TRUE(run(other->remove("/w/c")).ok());
  ASSERT_TRUE(run_until(io, [&] { return events.size() == 4; }));
  EXPECT_EQ(events[3].type, WatchEventType::deleted);

  // Nothing more arrives: every watch was one-shot.
  run_until(
      io, [] { return false; }, 500ms);
  EXPECT_EQ(events.size(), 4u);
  for (auto id : threads) EXPECT_EQ(id, test_thread);
}

TEST_F(ZkSessionTest, EphemeralVanishesWhenItsSessionCloses) {
  auto owner = open(zk.connect_string());
  auto observer = open(zk.connect_string());
  ASSERT_TRUE(run(owner->create("/e", "mine", CreateMode::ephemeral)).ok());
  auto stat = run(observer->exists("/e"));
  ASSERT_TRUE(stat.ok() && stat->has_value());
  EXPECT_EQ((*stat)->ephemeral_owner, owner->client_id().session_id);

  bool deleted = false;
  ASSERT_TRUE(run(observer->exists("/e", [&](const WatchEvent& e) {
                deleted = e.type == WatchEventType::deleted;
              })).ok());
  owner.reset();  // closes the session
  ASSERT_TRUE(run_until(io, [&] { return deleted; }));
  EXPECT_FALSE(run(observer->exists("/e"))->has_value());
}

TEST_F(ZkSessionTest, ChrootIsCreatedAndScopesPaths) {
  auto scoped = open(zk.connect_string() + "/sluice/test");
  ASSERT_TRUE(run(scoped->create("/x", "1")).ok());
  auto root = open(zk.connect_string());
  auto got = run(root->get("/sluice/test/x"));
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(got->data, "1");
  std::vector<WatchEvent> events;
  ASSERT_TRUE(run(scoped->get("/x", [&](const WatchEvent& e) { events.push_back(e); })).ok());
  ASSERT_TRUE(run(root->set("/sluice/test/x", "2")).ok());
  ASSERT_TRUE(run_until(io, [&] { return !events.empty(); }));
  EXPECT_EQ(events[0].path, "/x");  // relative to the chroot
}

TEST_F(ZkSessionTest, ExpiredSessionIsReplacedAndEphemeralsRecreated) {
  auto s = open(zk.connect_string());
  std::vector<SessionEvent> seen;
  s->add_listener([&](SessionEvent e) { seen.push_back(e); });
  auto node = run(EphemeralNode::create(*s, "/brokers-id-1", "broker 1"));
  ASSERT_TRUE(node.ok()) << node.error().to_string();
  std::optional<Status> recreated;
  (*node)->on_recreated([&](const Status& st) { recreated = st; });
  std::optional<WatchEvent> pending;
  ASSERT_TRUE(run(s->exists("/never", [&](const WatchEvent& e) { pending = e; })).ok());
  const ZkClientId before = s->client_id();

  // Force a real expiry: a second handle resumes the same session and closes it, which makes
  // the server end the session; the first handle learns it is expired when it reconnects.
  // If the first handle wins the session back before the close arrives (a race on a busy
  // machine: the close then fails with SESSION_MOVED), force it again.
  for (int attempt = 0; attempt < 5 && !recreated.has_value(); ++attempt) {
    if (s->client_id().session_id != before.session_id) break;  // expired meanwhile
    open(zk.connect_string(), before).reset();
    run_until(
        io, [&] { return recreated.has_value(); }, 15s);
  }
  ASSERT_TRUE(run_until(
      io, [&] { return recreated.has_value(); }, 30s));
  EXPECT_TRUE(recreated->ok()) << recreated->error().to_string();
  EXPECT_EQ(s->generation(), 2);
  EXPECT_NE(s->client_id().session_id, before.session_id);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_NE(std::find(seen.begin(), seen.end(), SessionEvent::expired), seen.end());
  EXPECT_EQ(seen.back(), SessionEvent::reestablished);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->type, WatchEventType::session_expired);

  auto again = run(s->get("/brokers-id-1"));
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->data, "broker 1");
  EXPECT_EQ(again->stat.ephemeral_owner, s->client_id().session_id);
  EXPECT_TRUE((*node)->held());
}

// One request of `kind` (get with a watch, create, children, multi) under /inflight;
// reports its outcome. A free coroutine, not a capturing lambda (docs/conventions.md,
// Coroutines).
awaitable<void> issue_request(ZkSession* s, int kind, int i,
                              std::function<void(std::error_code)>* report) {
  std::error_code ec;
  if (kind == 0) {
    auto r = co_await s->get("/inflight", [](const WatchEvent&) {});
    if (!r) ec = r.error().code();
  } else if (kind == 1) {
    auto r = co_await s->create("/inflight/c" + std::to_string(i), "");
    if (!r) ec = r.error().code();
  } else if (kind == 2) {
    auto r = co_await s->children("/inflight");
    if (!r) ec = r.error().code();
  } else {
    std::vector<ZkOp> ops;
    ops.push_back(ZkOp::set("/inflight", "y"));
    auto r = co_await s->multi(std::move(ops));
    if (!r) ec = r.error().code();
  }
  (*report)(ec);
}

TEST_F(ZkSessionTest, RequestsInFlightCompleteWhenTheSessionCloses) {
  // The server stops answering, so every request stays in flight; closing the session must
  // still complete each one exactly once (the C client may drop the replies it fakes).
  auto s = open(zk.connect_string());
  ASSERT_TRUE(run(s->create("/inflight", "x")).ok());
  zk.process().pause();
  constexpr int kPerKind = 8;
  std::vector<std::error_code> codes;
  int completed = 0;
  std::function<void(std::error_code)> record = [&](std::error_code ec) {
    codes.push_back(ec);
    ++completed;
  };
  for (int i = 0; i < kPerKind; ++i) {
    for (int kind = 0; kind < 4; ++kind) {
      boost::asio::co_spawn(io, issue_request(s.get(), kind, i, &record), boost::asio::detached);
    }
  }
  run_until(
      io, [] { return false; }, 300ms);  // every request is submitted, none answered
  EXPECT_EQ(completed, 0);
  s.reset();
  const bool all = run_until(
      io, [&] { return completed == 4 * kPerKind; }, 15s);
  zk.process().resume();
  ASSERT_TRUE(all) << completed << " of " << 4 * kPerKind << " requests completed";
  for (const auto& ec : codes) EXPECT_EQ(ec, ZkErrc::closing) << ec.message();
}

TEST_F(ZkSessionTest, EphemeralHeldByAnotherSessionIsRefused) {
  auto a = open(zk.connect_string());
  auto b = open(zk.connect_string());
  auto first = run(EphemeralNode::create(*a, "/controller", "a"));
  ASSERT_TRUE(first.ok());
  auto second = run(EphemeralNode::create(*b, "/controller", "b"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ZkErrc::node_exists);
  // The owner retrying its own create takes its node over instead of failing.
  auto retry = run(EphemeralNode::create(*a, "/controller", "a2"));
  ASSERT_TRUE(retry.ok()) << retry.error().to_string();
  EXPECT_EQ(run(b->get("/controller"))->data, "a2");
  ASSERT_TRUE(run((*retry)->remove()).ok());
  EXPECT_FALSE(run(b->exists("/controller"))->has_value());
}

TEST_F(ZkSessionTest, SurvivesServerRestartWithinSessionTimeout) {
  auto s = open(zk.connect_string());
  std::vector<SessionEvent> seen;
  s->add_listener([&](SessionEvent e) { seen.push_back(e); });
  ASSERT_TRUE(run(s->create("/eph", "", CreateMode::ephemeral)).ok());
  const auto id = s->client_id().session_id;

  zk.process().stop();
  ASSERT_TRUE(run_until(io, [&] { return !s->connected(); }));
  auto during = run(s->get("/eph"));
  ASSERT_FALSE(during.ok());
  EXPECT_TRUE(is_transient(during.error().code())) << during.error().to_string();
  zk.process().start();
  zk.process().wait_serving();

  ASSERT_TRUE(run_until(
      io, [&] { return s->connected(); }, 60s));
  EXPECT_EQ(s->client_id().session_id, id);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0], SessionEvent::disconnected);
  EXPECT_EQ(seen.back(), SessionEvent::connected);
  EXPECT_TRUE(run(s->exists("/eph"))->has_value());  // same session: ephemeral kept
}

TEST(ZkSessionConnect, FailsClearlyWhenNoServerAnswers) {
  boost::asio::io_context io;
  ZkOptions o;
  o.connect = "127.0.0.1:" + std::to_string(test::free_loopback_port());
  o.connect_timeout = 1500ms;
  auto r = run_awaitable(io, ZkSession::connect(io.get_executor(), o));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ZkErrc::operation_timeout);
  EXPECT_NE(r.error().context().find(o.connect), std::string::npos);

  o.connect = "/only-a-chroot";
  auto bad = run_awaitable(io, ZkSession::connect(io.get_executor(), o));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ZkErrc::bad_arguments);
}

TEST(ZkEnsembleTest, KeepsServingWhenTheLeaderStops) {
  test::ZkEnsemble ensemble(3);
  boost::asio::io_context io;
  ZkOptions o;
  o.connect = ensemble.connect_string() + "/sluice";
  o.session_timeout = 6000ms;
  o.connect_timeout = 30s;
  auto r = run_awaitable(io, ZkSession::connect(io.get_executor(), o));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto& s = *r;
  ASSERT_TRUE(run_awaitable(io, s->create("/before", "1")).ok());
  ASSERT_TRUE(run_awaitable(io, s->create("/eph", "", CreateMode::ephemeral)).ok());

  int leader = ensemble.leader();
  ASSERT_GE(leader, 0);
  ensemble.stop(leader);
  ensemble.wait_quorum();

  // Operations may fail with connection loss while the client moves to another server;
  // they succeed again without a new session.
  Result<std::string> created = Error(ZkErrc::connection_loss);
  for (int i = 0; i < 100 && !created.ok(); ++i) {
    created = run_awaitable(io, s->create("/after", "2"));
    if (!created.ok()) {
      ASSERT_TRUE(is_transient(created.error().code())) << created.error().to_string();
      run_until(
          io, [] { return false; }, 200ms);
    }
  }
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_EQ(run_awaitable(io, s->get("/before"))->data, "1");
  EXPECT_TRUE(run_awaitable(io, s->exists("/eph"))->has_value());
  EXPECT_EQ(s->generation(), 1);

  ensemble.start(leader);
  ensemble.wait_quorum();
  EXPECT_TRUE(run_awaitable(io, s->exists("/after"))->has_value());
}

}  // namespace
}  // namespace sluice::coordination
