// ZkSession over the zookeeper_mt C client. The C client calls back on its completion
// thread; every callback here only moves its result into a heap object and posts it to the
// session's executor (or to the awaiting coroutine's executor). Nothing throws across the C
// boundary: callbacks do no work that can throw except allocation, and catch everything.
#include "coordination/zk_session.h"

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "common/log.h"
#include "common/mutex.h"

namespace sluice::coordination {
namespace asio = boost::asio;

const char* to_string(WatchEventType t) {
  switch (t) {
    case WatchEventType::created:
      return "created";
    case WatchEventType::deleted:
      return "deleted";
    case WatchEventType::data_changed:
      return "data_changed";
    case WatchEventType::children_changed:
      return "children_changed";
    case WatchEventType::session_expired:
      return "session_expired";
  }
  return "?";
}

const char* to_string(SessionEvent e) {
  switch (e) {
    case SessionEvent::connected:
      return "connected";
    case SessionEvent::disconnected:
      return "disconnected";
    case SessionEvent::expired:
      return "expired";
    case SessionEvent::reestablished:
      return "reestablished";
  }
  return "?";
}

ZkOp ZkOp::create(std::string path, std::string data, CreateMode mode) {
  return ZkOp{Kind::create, std::move(path), std::move(data), -1, mode};
}
ZkOp ZkOp::remove(std::string path, int32_t version) {
  return ZkOp{Kind::remove, std::move(path), {}, version, CreateMode::persistent};
}
ZkOp ZkOp::set(std::string path, std::string data, int32_t version) {
  return ZkOp{Kind::set, std::move(path), std::move(data), version, CreateMode::persistent};
}
ZkOp ZkOp::check(std::string path, int32_t version) {
  return ZkOp{Kind::check, std::move(path), {}, version, CreateMode::persistent};
}

std::pair<std::string, std::string> split_chroot(std::string_view connect) {
  auto slash = connect.find('/');
  if (slash == std::string_view::npos) return {std::string(connect), {}};
  std::string chroot(connect.substr(slash));
  while (chroot.size() > 1 && chroot.back() == '/') chroot.pop_back();
  if (chroot == "/") chroot.clear();
  return {std::string(connect.substr(0, slash)), chroot};
}

namespace {

// The C client's own log lines. Its errors are mostly connection retries, which the session
// reports itself (once per state change) at warning level, so they are kept below that.
void zk_log_line(const char* message) {
  std::string_view m(message);
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.remove_suffix(1);
  if (m.find("ZOO_ERROR") != std::string_view::npos) {
    SLUICE_LOG(info) << "zookeeper client: " << m;
  } else {
    SLUICE_LOG(debug) << "zookeeper client: " << m;
  }
}

NodeStat to_node_stat(const Stat* s) {
  NodeStat out;
  if (s == nullptr) return out;
  out.czxid = s->czxid;
  out.mzxid = s->mzxid;
  out.ctime_ms = s->ctime;
  out.mtime_ms = s->mtime;
  out.version = s->version;
  out.cversion = s->cversion;
  out.aversion = s->aversion;
  out.ephemeral_owner = s->ephemeralOwner;
  out.data_length = s->dataLength;
  out.num_children = s->numChildren;
  out.pzxid = s->pzxid;
  return out;
}

int create_flags(CreateMode mode) {
  switch (mode) {
    case CreateMode::persistent:
      return 0;
    case CreateMode::ephemeral:
      return ZOO_EPHEMERAL;
    case CreateMode::persistent_sequential:
      return ZOO_SEQUENCE;
    case CreateMode::ephemeral_sequential:
      return ZOO_EPHEMERAL | ZOO_SEQUENCE;
  }
  return 0;
}

const char* state_name(int state) {
  if (state == ZOO_CONNECTED_STATE) return "connected";
  if (state == ZOO_CONNECTING_STATE) return "connecting";
  if (state == ZOO_ASSOCIATING_STATE) return "associating";
  if (state == ZOO_EXPIRED_SESSION_STATE) return "expired";
  if (state == ZOO_AUTH_FAILED_STATE) return "auth-failed";
  if (state == ZOO_READONLY_STATE) return "read-only";
  if (state == ZOO_NOTCONNECTED_STATE) return "not-connected";
  return "unknown";
}

std::error_code err(int rc) { return zk_error(rc); }

// Everything a multi needs to outlive the call: the C client writes results, created paths
// and stats into these buffers on completion.
struct MultiCall {
  static constexpr int kPathBuffer = 4096;
  std::vector<ZkOp> ops;
  std::vector<zoo_op_t> zops;
  std::vector<zoo_op_result_t> results;
  std::vector<std::array<char, kPathBuffer>> paths;
  std::vector<Stat> stats;
};

}  // namespace

struct Handle;

// A request the C client holds for us. It has two references: the submitting call's and the
// C client's. The C client's is dropped by the completion callback or, for a completion the
// C client never delivers, by close_handle: zookeeper_close queues fake ZCLOSING replies that
// its exiting completion thread may never run, and completions queued just before an expiry
// can be dropped the same way. The result reaches the waiter exactly once, from whichever
// side gets there first (a failed submit may still be called back: seen with zoo_amulti).
struct InFlight {
  virtual ~InFlight() = default;
  // Delivers the C client's error `rc` unless a result was delivered already.
  virtual void fail(int rc, std::string context) = 0;
  Handle* handle = nullptr;
  std::atomic<int> refs{2};
  std::atomic<bool> delivered{false};
  std::unique_ptr<MultiCall> multi;  // the buffers of a multi
};

void unref(InFlight* f) {
  if (f->refs.fetch_sub(1) == 1) delete f;
}

// One C-client handle = one ZooKeeper session. Owned by Impl, replaced after expiry.
struct WatchCtx {
  Watcher fn;
  asio::any_io_executor executor;
};

struct Handle {
  zhandle_t* zh = nullptr;
  int64_t generation = 0;
  std::weak_ptr<ZkSession::Impl> owner;
  // One-shot watches registered on this handle and not fired yet, and the requests whose
  // completion the C client owes us. Touched from the completion thread (firing, completing)
  // and the executor (submit, close), hence the mutex.
  Mutex mu;
  std::unordered_map<WatchCtx*, std::unique_ptr<WatchCtx>> watches GUARDED_BY(mu);
  std::unordered_set<InFlight*> inflight GUARDED_BY(mu);

  // Takes ownership of a watch that is firing now; null if it fired already.
  std::unique_ptr<WatchCtx> take(WatchCtx* w) {
    MutexLock lock(mu);
    auto it = watches.find(w);
    if (it == watches.end()) return nullptr;
    auto owned = std::move(it->second);
    watches.erase(it);
    return owned;
  }

  void track(InFlight* f) {
    f->handle = this;
    MutexLock lock(mu);
    inflight.insert(f);
  }
  // Drops the C client's reference to `f` (its completion ran, or will never run).
  // Idempotent: only the call that removes `f` from the set drops the reference.
  void settle(InFlight* f) {
    bool held;
    {
      MutexLock lock(mu);
      held = inflight.erase(f) == 1;
    }
    if (held) unref(f);
  }
  // After zookeeper_close (the C client's threads are joined): fails every request whose
  // completion never ran, so no waiter hangs. Returns how many there were.
  std::size_t fail_inflight(int rc) {
    std::unordered_set<InFlight*> left;
    {
      MutexLock lock(mu);
      left.swap(inflight);
    }
    for (InFlight* f : left) {
      f->fail(rc, "the zookeeper session closed before the reply arrived");
      unref(f);
    }
    return left.size();
  }
};

namespace {

template <class T>
struct Pending : InFlight {
  // Posts the result to the waiter unless a result was delivered already.
  virtual void deliver(Result<T> result) = 0;
  void fail(int rc, std::string context) override { deliver(Error(err(rc), std::move(context))); }
};

template <class T, class Handler>
struct PendingOp final : Pending<T> {
  PendingOp(Handler h, asio::any_io_executor fallback)
      : handler(std::move(h)), fallback(std::move(fallback)) {}
  void deliver(Result<T> result) override {
    if (this->delivered.exchange(true)) return;
    auto ex = asio::get_associated_executor(handler, fallback);
    asio::post(ex, [h = std::move(handler), r = std::move(result)]() mutable {
      std::move(h)(std::move(r));
    });
  }
  Handler handler;
  asio::any_io_executor fallback;
};

// Suspends the coroutine until the request `submit(Pending<T>*)` hands to the C client
// completes. `submit` returns the C client's return code; on failure the waiter gets that
// error at once (and a late callback, if any, is ignored).
template <class T, class Submit>
auto zk_call(asio::any_io_executor ex, Handle* handle, Submit submit) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<T>)>(
      [ex = std::move(ex), handle, submit = std::move(submit)](auto handler) mutable {
        auto* op = new PendingOp<T, decltype(handler)>(std::move(handler), ex);
        handle->track(op);
        int rc = submit(static_cast<Pending<T>*>(op));
        if (rc != ZOK) {
          op->deliver(Error(err(rc), "submit"));
          // Rejected before the C client recorded a completion: nothing will call back.
          // Other failures keep the C client's reference until a callback or close.
          if (rc == ZBADARGUMENTS) handle->settle(op);
        }
        unref(op);
      },
      asio::use_awaitable);
}

// Completion callbacks (ZooKeeper's completion thread): deliver, then settle.
template <class T>
Pending<T>* pending(const void* data) {
  return static_cast<Pending<T>*>(const_cast<void*>(data));
}

void on_string(int rc, const char* value, const void* data) {
  auto* op = pending<std::string>(data);
  if (rc != ZOK) {
    op->deliver(err(rc));
  } else {
    op->deliver(std::string(value != nullptr ? value : ""));
  }
  op->handle->settle(op);
}

void on_data(int rc, const char* value, int len, const Stat* stat, const void* data) {
  auto* op = pending<NodeData>(data);
  if (rc != ZOK) {
    op->deliver(err(rc));
  } else {
    NodeData out;
    if (value != nullptr && len > 0) out.data.assign(value, static_cast<std::size_t>(len));
    out.stat = to_node_stat(stat);
    op->deliver(std::move(out));
  }
  op->handle->settle(op);
}

void on_stat(int rc, const Stat* stat, const void* data) {
  auto* op = pending<NodeStat>(data);
  if (rc != ZOK) {
    op->deliver(err(rc));
  } else {
    op->deliver(to_node_stat(stat));
  }
  op->handle->settle(op);
}

void on_exists(int rc, const Stat* stat, const void* data) {
  auto* op = pending<std::optional<NodeStat>>(data);
  if (rc == ZNONODE) {
    op->deliver(std::optional<NodeStat>());
  } else if (rc != ZOK) {
    op->deliver(err(rc));
  } else {
    op->deliver(std::optional<NodeStat>(to_node_stat(stat)));
  }
  op->handle->settle(op);
}

void on_void(int rc, const void* data) {
  auto* op = pending<bool>(data);
  if (rc != ZOK) {
    op->deliver(err(rc));
  } else {
    op->deliver(true);
  }
  op->handle->settle(op);
}

void on_children(int rc, const String_vector* strings, const Stat*, const void* data) {
  auto* op = pending<std::vector<std::string>>(data);
  if (rc != ZOK) {
    op->deliver(err(rc));
  } else {
    std::vector<std::string> names;
    if (strings != nullptr) {
      names.reserve(static_cast<std::size_t>(strings->count));
      for (int i = 0; i < strings->count; ++i) names.emplace_back(strings->data[i]);
    }
    op->deliver(std::move(names));
  }
  op->handle->settle(op);
}

const char* op_name(ZkOp::Kind k) {
  switch (k) {
    case ZkOp::Kind::create:
      return "create";
    case ZkOp::Kind::remove:
      return "remove";
    case ZkOp::Kind::set:
      return "set";
    case ZkOp::Kind::check:
      return "check";
  }
  return "?";
}

void on_multi(int rc, const void* data) {
  auto* op = pending<std::vector<ZkOpResult>>(data);
  const MultiCall& call = *op->multi;
  if (rc != ZOK) {
    // The failing op carries the multi's error; the others say "rolled back" or ok.
    std::string context = "multi";
    for (std::size_t i = 0; i < call.results.size(); ++i) {
      if (call.results[i].err == rc) {
        context =
            "op " + std::to_string(i) + ": " + op_name(call.ops[i].kind) + " " + call.ops[i].path;
        break;
      }
    }
    op->deliver(Error(err(rc), std::move(context)));
  } else {
    std::vector<ZkOpResult> out(call.ops.size());
    for (std::size_t i = 0; i < call.ops.size(); ++i) {
      if (call.ops[i].kind == ZkOp::Kind::create) out[i].created_path = call.paths[i].data();
      if (call.ops[i].kind == ZkOp::Kind::set) out[i].stat = to_node_stat(&call.stats[i]);
    }
    op->deliver(std::move(out));
  }
  op->handle->settle(op);
}

}  // namespace

struct ZkSession::Impl : std::enable_shared_from_this<ZkSession::Impl> {
  Impl(executor_type ex, ZkOptions opts)
      : executor(std::move(ex)), options(std::move(opts)), connect_wait(executor) {}

  executor_type executor;
  ZkOptions options;
  std::unique_ptr<Handle> handle;
  int64_t generation = 0;
  bool connected = false;
  bool closed = false;
  asio::steady_timer connect_wait;  // cancelled when the session connects
  asio::steady_timer reopen_timer{executor};
  std::vector<std::pair<int, SessionListener>> listeners;
  int next_listener_id = 1;

  static void on_session_event(zhandle_t*, int type, int state, const char*, void* ctx) {
    if (type != ZOO_SESSION_EVENT) return;
    auto* h = static_cast<Handle*>(ctx);
    try {
      auto owner = h->owner.lock();
      if (!owner) return;
      asio::post(owner->executor, [weak = h->owner, gen = h->generation, state] {
        if (auto self = weak.lock()) self->on_state(gen, state);
      });
    } catch (...) {
      // Only allocation can fail here; the next state change will be delivered.
    }
  }

  static void on_node_event(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
    WatchEventType t;
    if (type == ZOO_CREATED_EVENT) {
      t = WatchEventType::created;
    } else if (type == ZOO_DELETED_EVENT) {
      t = WatchEventType::deleted;
    } else if (type == ZOO_CHANGED_EVENT) {
      t = WatchEventType::data_changed;
    } else if (type == ZOO_CHILD_EVENT) {
      t = WatchEventType::children_changed;
    } else if (type == ZOO_SESSION_EVENT && state == ZOO_EXPIRED_SESSION_STATE) {
      t = WatchEventType::session_expired;
    } else {
      return;  // connection state changes do not consume a watch
    }
    auto* h = static_cast<Handle*>(const_cast<void*>(zoo_get_context(zh)));
    try {
      auto w = h->take(static_cast<WatchCtx*>(ctx));
      if (!w) return;
      auto ex = w->executor;
      WatchEvent ev{t, path != nullptr ? path : ""};
      asio::post(ex, [fn = std::move(w->fn), ev = std::move(ev)] { fn(ev); });
    } catch (...) {
    }
  }

  // Opens a new C-client handle (a new session unless `resume`).
  Status open(const std::optional<ZkClientId>& resume) {
    static std::once_flag once;
    std::call_once(once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
    auto h = std::make_unique<Handle>();
    h->generation = ++generation;
    h->owner = weak_from_this();
    clientid_t id{};
    const clientid_t* idp = nullptr;
    if (resume) {
      id.client_id = resume->session_id;
      std::memcpy(id.passwd, resume->password.data(),
                  std::min(resume->password.size(), sizeof(id.passwd)));
      idp = &id;
    }
    h->zh = zookeeper_init2(options.connect.c_str(), &Impl::on_session_event,
                            static_cast<int>(options.session_timeout.count()), idp, h.get(), 0,
                            &zk_log_line);
    if (h->zh == nullptr) {
      return Error(std::error_code(errno, std::generic_category()),
                   "zookeeper_init(" + options.connect + ")");
    }
    handle = std::move(h);
    connected = false;
    return {};
  }

  // Closes the current handle; returns the watches that never fired.
  // Requests still in flight fail with `reason`.
  std::vector<std::unique_ptr<WatchCtx>> close_handle(int reason) {
    std::vector<std::unique_ptr<WatchCtx>> orphans;
    if (!handle) return orphans;
    // Joins the C client's threads. Completions it queued but never ran are failed here.
    zookeeper_close(handle->zh);
    handle->zh = nullptr;
    if (auto n = handle->fail_inflight(reason); n > 0) {
      SLUICE_LOG(info) << n << " zookeeper request(s) left unanswered by session generation "
                       << handle->generation << " failed with: " << zerror(reason);
    }
    {
      MutexLock lock(handle->mu);
      for (auto& [ptr, w] : handle->watches) orphans.push_back(std::move(w));
      handle->watches.clear();
    }
    handle.reset();
    connected = false;
    return orphans;
  }

  void notify(SessionEvent e) {
    auto copy = listeners;  // listeners may add or remove listeners
    for (auto& [id, fn] : copy) fn(e);
  }

  void on_state(int64_t gen, int state) {
    if (closed || !handle || gen != handle->generation) return;  // an old handle's news
    if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE) {
      if (connected) return;
      connected = true;
      connect_wait.cancel();
      const clientid_t* id = zoo_client_id(handle->zh);
      SLUICE_LOG(info) << "zookeeper session 0x" << std::hex << (id ? id->client_id : 0) << std::dec
                       << " connected (" << options.connect << ")";
      bool fresh = !handle_ever_connected;
      handle_ever_connected = true;
      notify(fresh && generation > 1 ? SessionEvent::reestablished : SessionEvent::connected);
    } else if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE ||
               state == ZOO_NOTCONNECTED_STATE) {
      if (!connected) return;
      connected = false;
      SLUICE_LOG(warning) << "zookeeper connection lost (" << options.connect
                          << "); reconnecting within the session timeout";
      notify(SessionEvent::disconnected);
    } else if (state == ZOO_EXPIRED_SESSION_STATE) {
      SLUICE_LOG(warning) << "zookeeper session expired (" << options.connect
                          << "); opening a new session";
      connect_wait.cancel();
      replace_expired_handle();
    } else {
      SLUICE_LOG(error) << "zookeeper session state " << state_name(state) << " ("
                        << options.connect << ")";
    }
  }

  void replace_expired_handle() {
    auto orphans = close_handle(ZSESSIONEXPIRED);
    notify(SessionEvent::expired);
    // Watches of the dead session will never fire: say so, so nobody waits forever.
    for (auto& w : orphans) {
      asio::post(w->executor, [fn = std::move(w->fn)] {
        fn(WatchEvent{WatchEventType::session_expired, {}});
      });
    }
    reopen();
  }

  void reopen() {
    if (closed) return;
    handle_ever_connected = false;
    if (auto st = open(std::nullopt); !st) {
      SLUICE_LOG(error) << "cannot open a new zookeeper session: " << st.error().to_string()
                        << "; retrying in 1 s";
      reopen_timer.expires_after(std::chrono::seconds(1));
      reopen_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->reopen();
      });
    }
  }

  void close() {
    if (closed) return;
    closed = true;
    connect_wait.cancel();
    reopen_timer.cancel();
    listeners.clear();
    close_handle(ZCLOSING);  // orphaned watches are dropped: their owners are going away too
  }

  // Registers a one-shot watch on the current handle; null when no watcher is given.
  WatchCtx* add_watch(Watcher fn) {
    if (!fn || !handle) return nullptr;
    auto w = std::make_unique<WatchCtx>(WatchCtx{std::move(fn), executor});
    auto* raw = w.get();
    MutexLock lock(handle->mu);
    handle->watches.emplace(raw, std::move(w));
    return raw;
  }
  // Undoes add_watch when the request could not even be queued.
  void drop_watch(WatchCtx* w) {
    if (w != nullptr && handle) handle->take(w);
  }
  // Undoes add_watch for a get or get-children that failed: the C client arms those watches
  // only on ZOK (a get of a missing znode leaves none), so the context would never be freed.
  // Only while the handle of `generation` is still the current one: a closed handle has freed
  // its watches (and a new handle may sit at the old one's address).
  void drop_unarmed_watch(int64_t generation, WatchCtx* w) {
    if (w != nullptr && handle && handle->generation == generation) handle->take(w);
  }

  bool handle_ever_connected = false;
};

ZkSession::ZkSession(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ZkSession::~ZkSession() { impl_->close(); }

awaitable<Result<std::unique_ptr<ZkSession>>> ZkSession::connect(executor_type executor,
                                                                 ZkOptions options) {
  // No structured bindings in coroutines (docs/conventions.md, Coroutines).
  const auto split = split_chroot(options.connect);
  const std::string hosts = split.first;
  const std::string chroot = split.second;
  if (hosts.empty()) {
    co_return Error(ZkErrc::bad_arguments,
                    "zookeeper connect string '" + options.connect + "' names no server");
  }
  if (!chroot.empty() && !options.resume) {
    // The C client does not create its chroot; do it through a session at the root.
    ZkOptions root = options;
    root.connect = hosts;
    auto root_session = co_await connect(executor, root);
    if (!root_session) co_return std::move(root_session).error();
    auto st = co_await (*root_session)->create_recursive(chroot);
    if (!st) co_return Error(st.error().code(), "creating chroot " + chroot);
  }

  auto impl = std::make_shared<Impl>(executor, options);
  if (auto st = impl->open(options.resume); !st) co_return std::move(st).error();
  std::unique_ptr<ZkSession> session(new ZkSession(impl));

  impl->connect_wait.expires_after(options.connect_timeout);
  while (!impl->connected) {
    boost::system::error_code ec;
    co_await impl->connect_wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      co_return Error(ZkErrc::operation_timeout,
                      "no ZooKeeper server of '" + options.connect + "' answered within " +
                          std::to_string(options.connect_timeout.count()) + " ms");
    }
    // Cancelled: connected, or expired while connecting (a new handle is opening); loop.
  }
  co_return session;
}

awaitable<Result<std::string>> ZkSession::create(std::string path, std::string data,
                                                 CreateMode mode) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* h = impl->handle.get();
  auto r = co_await zk_call<std::string>(impl->executor, h, [&](Pending<std::string>* op) {
    return zoo_acreate(h->zh, path.c_str(), data.data(), static_cast<int>(data.size()),
                       &ZOO_OPEN_ACL_UNSAFE, create_flags(mode), &on_string, op);
  });
  if (!r) co_return Error(r.error().code(), "create " + path);
  co_return r;
}

awaitable<Status> ZkSession::create_recursive(std::string path, std::string data) {
  if (path.empty() || path[0] != '/') co_return Error(ZkErrc::bad_arguments, path);
  std::size_t pos = 1;
  while (true) {
    pos = path.find('/', pos);
    bool last = pos == std::string::npos;
    std::string prefix = last ? path : path.substr(0, pos);
    // Named arguments, no ?: temporary (docs/conventions.md, Coroutines).
    std::string payload = last ? data : std::string();
    auto r = co_await create(std::move(prefix), std::move(payload));
    // `closing`: this session is being destroyed; do not touch it again.
    if (!r && r.error() != ZkErrc::node_exists) co_return std::move(r).error();
    if (last) co_return Status{};
    ++pos;
  }
}

awaitable<Result<NodeData>> ZkSession::get(std::string path, Watcher watcher) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* w = impl->add_watch(std::move(watcher));
  auto* h = impl->handle.get();
  const int64_t generation = h->generation;
  auto r = co_await zk_call<NodeData>(impl->executor, h, [&](Pending<NodeData>* op) {
    int rc = zoo_awget(h->zh, path.c_str(), w ? &Impl::on_node_event : nullptr, w, &on_data, op);
    if (rc != ZOK) {
      impl->drop_watch(w);
      w = nullptr;  // freed: not to be dropped again below
    }
    return rc;
  });
  if (!r) {
    impl->drop_unarmed_watch(generation, w);
    co_return Error(r.error().code(), "get " + path);
  }
  co_return r;
}

awaitable<Result<NodeStat>> ZkSession::set(std::string path, std::string data, int32_t version) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* h = impl->handle.get();
  auto r = co_await zk_call<NodeStat>(impl->executor, h, [&](Pending<NodeStat>* op) {
    return zoo_aset(h->zh, path.c_str(), data.data(), static_cast<int>(data.size()), version,
                    &on_stat, op);
  });
  if (!r) co_return Error(r.error().code(), "set " + path);
  co_return r;
}

awaitable<Status> ZkSession::remove(std::string path, int32_t version) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* h = impl->handle.get();
  auto r = co_await zk_call<bool>(impl->executor, h, [&](Pending<bool>* op) {
    return zoo_adelete(h->zh, path.c_str(), version, &on_void, op);
  });
  if (!r) co_return Error(r.error().code(), "remove " + path);
  co_return Status{};
}

awaitable<Result<std::optional<NodeStat>>> ZkSession::exists(std::string path, Watcher watcher) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* w = impl->add_watch(std::move(watcher));
  using T = std::optional<NodeStat>;
  auto* h = impl->handle.get();
  auto r = co_await zk_call<T>(impl->executor, h, [&](Pending<T>* op) {
    int rc =
        zoo_awexists(h->zh, path.c_str(), w ? &Impl::on_node_event : nullptr, w, &on_exists, op);
    if (rc != ZOK) impl->drop_watch(w);
    return rc;
  });
  if (!r) co_return Error(r.error().code(), "exists " + path);
  co_return r;
}

awaitable<Result<std::vector<std::string>>> ZkSession::children(std::string path, Watcher watcher) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* w = impl->add_watch(std::move(watcher));
  using T = std::vector<std::string>;
  auto* h = impl->handle.get();
  const int64_t generation = h->generation;
  auto r = co_await zk_call<T>(impl->executor, h, [&](Pending<T>* op) {
    int rc = zoo_awget_children2(h->zh, path.c_str(), w ? &Impl::on_node_event : nullptr, w,
                                 &on_children, op);
    if (rc != ZOK) {
      impl->drop_watch(w);
      w = nullptr;  // freed: not to be dropped again below
    }
    return rc;
  });
  if (!r) {
    impl->drop_unarmed_watch(generation, w);
    co_return Error(r.error().code(), "children " + path);
  }
  co_return r;
}

awaitable<Result<std::vector<ZkOpResult>>> ZkSession::multi(std::vector<ZkOp> ops) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, "multi");
  if (ops.empty()) co_return std::vector<ZkOpResult>{};
  using T = std::vector<ZkOpResult>;
  // libzookeeper_mt 3.8.0's zoo_amulti frees its request buffer twice when the handle is
  // not connected (seen under ASan when a session expired): never submit in that state.
  const int state = zoo_state(impl->handle->zh);
  if (state != ZOO_CONNECTED_STATE && state != ZOO_READONLY_STATE) {
    co_return Error(err(state == ZOO_EXPIRED_SESSION_STATE ? ZSESSIONEXPIRED : ZCONNECTIONLOSS),
                    "multi");
  }
  auto* h = impl->handle.get();
  co_return co_await zk_call<T>(impl->executor, h, [&](Pending<T>* op) {
    op->multi = std::make_unique<MultiCall>();
    MultiCall& call = *op->multi;
    call.ops = std::move(ops);
    const std::size_t n = call.ops.size();
    call.zops.resize(n);
    call.results.resize(n);
    call.paths.resize(n);
    call.stats.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const ZkOp& o = call.ops[i];
      call.paths[i][0] = '\0';
      switch (o.kind) {
        case ZkOp::Kind::create:
          zoo_create_op_init(&call.zops[i], o.path.c_str(), o.data.data(),
                             static_cast<int>(o.data.size()), &ZOO_OPEN_ACL_UNSAFE,
                             create_flags(o.mode), call.paths[i].data(), MultiCall::kPathBuffer);
          break;
        case ZkOp::Kind::remove:
          zoo_delete_op_init(&call.zops[i], o.path.c_str(), o.version);
          break;
        case ZkOp::Kind::set:
          zoo_set_op_init(&call.zops[i], o.path.c_str(), o.data.data(),
                          static_cast<int>(o.data.size()), o.version, &call.stats[i]);
          break;
        case ZkOp::Kind::check:
          zoo_check_op_init(&call.zops[i], o.path.c_str(), o.version);
          break;
      }
    }
    return zoo_amulti(h->zh, static_cast<int>(n), call.zops.data(), call.results.data(), &on_multi,
                      op);
  });
}

int ZkSession::add_listener(SessionListener listener) {
  int id = impl_->next_listener_id++;
  impl_->listeners.emplace_back(id, std::move(listener));
  return id;
}

void ZkSession::remove_listener(int id) {
  auto& v = impl_->listeners;
  v.erase(std::remove_if(v.begin(), v.end(), [id](const auto& p) { return p.first == id; }),
          v.end());
}

bool ZkSession::connected() const { return impl_->connected; }

ZkClientId ZkSession::client_id() const {
  ZkClientId out;
  if (!impl_->handle) return out;
  const clientid_t* id = zoo_client_id(impl_->handle->zh);
  if (id == nullptr) return out;
  out.session_id = id->client_id;
  out.password.assign(id->passwd, sizeof(id->passwd));
  return out;
}

int64_t ZkSession::generation() const { return impl_->generation; }

ZkSession::executor_type ZkSession::get_executor() const { return impl_->executor; }

const ZkOptions& ZkSession::options() const { return impl_->options; }

}  // namespace sluice::coordination
