// EphemeralNode: re-creation of an owner's ephemeral znode after session expiry.
#include "coordination/ephemeral_node.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"

namespace sluice::coordination {
namespace asio = boost::asio;

struct EphemeralNode::State {
  ZkSession* session = nullptr;
  std::string path;
  std::string data;
  bool alive = true;  // false once the owner is gone or removed the node
  bool held = false;
  int listener_id = 0;
  RecreateCallback on_recreated;
};

awaitable<Status> create_owned_ephemeral(ZkSession& session, const std::string& path,
                                         const std::string& data) {
  auto created = co_await session.create(path, data, CreateMode::ephemeral);
  if (created) co_return Status{};
  if (created.error() != ZkErrc::node_exists) co_return std::move(created).error();
  const int64_t me = session.client_id().session_id;
  auto existing = co_await session.get(path);
  if (!existing) co_return std::move(existing).error();
  if (existing->stat.ephemeral_owner != me) {
    co_return Error(
        ZkErrc::node_exists, path + " is held by session 0x" + [&] {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%llx",
                        static_cast<unsigned long long>(existing->stat.ephemeral_owner));
          return std::string(buf);
        }());
  }
  if (existing->data != data) {
    auto st = co_await session.set(path, data, existing->stat.version);
    if (!st) co_return std::move(st).error();
  }
  co_return Status{};
}

namespace {

// After an expiry the old session's node is already gone at the server, so node_exists
// here means another owner took the path; other errors are retried while the owner lives.
awaitable<void> recreate(std::shared_ptr<EphemeralNode::State> s) {
  asio::steady_timer backoff(s->session->get_executor());
  for (int attempt = 0; s->alive; ++attempt) {
    Status st = co_await create_owned_ephemeral(*s->session, s->path, s->data);
    if (!s->alive) co_return;
    bool retry = !st && is_transient(st.error().code());
    if (st) {
      s->held = true;
      SLUICE_LOG(info) << "re-created ephemeral " << s->path << " after session expiry";
    } else if (!retry) {
      SLUICE_LOG(error) << "cannot re-create ephemeral " << s->path << ": "
                        << st.error().to_string();
    }
    if (!retry || attempt >= 20) {
      if (s->on_recreated) s->on_recreated(st);
      co_return;
    }
    backoff.expires_after(std::chrono::milliseconds(200 * (attempt + 1)));
    co_await backoff.async_wait(asio::use_awaitable);
  }
}

}  // namespace

EphemeralNode::EphemeralNode(std::shared_ptr<State> state) : state_(std::move(state)) {}

awaitable<Result<std::unique_ptr<EphemeralNode>>> EphemeralNode::create(ZkSession& session,
                                                                        std::string path,
                                                                        std::string data) {
  auto state = std::make_shared<State>();
  state->session = &session;
  state->path = std::move(path);
  state->data = std::move(data);
  Status st = co_await create_owned_ephemeral(session, state->path, state->data);
  if (!st) co_return std::move(st).error();
  state->held = true;
  state->listener_id = session.add_listener([weak = std::weak_ptr<State>(state)](SessionEvent e) {
    auto s = weak.lock();
    if (!s || !s->alive) return;
    if (e == SessionEvent::expired) s->held = false;
    if (e == SessionEvent::reestablished) {
      asio::co_spawn(s->session->get_executor(), recreate(s), asio::detached);
    }
  });
  co_return std::unique_ptr<EphemeralNode>(new EphemeralNode(std::move(state)));
}

EphemeralNode::~EphemeralNode() {
  state_->alive = false;
  state_->session->remove_listener(state_->listener_id);
}

awaitable<Status> EphemeralNode::update(std::string data) {
  auto s = state_;
  s->data = std::move(data);
  if (!s->held) co_return Status{};  // re-creation will write the new data
  auto r = co_await s->session->set(s->path, s->data);
  if (!r) co_return std::move(r).error();
  co_return Status{};
}

awaitable<Status> EphemeralNode::remove() {
  auto s = state_;
  s->alive = false;
  s->held = false;
  s->session->remove_listener(s->listener_id);
  auto st = co_await s->session->remove(s->path);
  if (!st && st.error() != ZkErrc::no_node) co_return st;
  co_return Status{};
}

void EphemeralNode::on_recreated(RecreateCallback cb) { state_->on_recreated = std::move(cb); }

const std::string& EphemeralNode::path() const { return state_->path; }

bool EphemeralNode::held() const { return state_->held; }

}  // namespace sluice::coordination
