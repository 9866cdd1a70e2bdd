// ZkSession over the zookeeper_mt C client. The C client calls back on its completion
// thread; every callback here only moves its result into a heap object and posts it to the
// session's executor (or to the awaiting coroutine's executor). Nothing throws across the C
// boundary: callbacks do no work that can throw except allocation, and catch everything.
#include "coordination/zk_session.h"

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"

namespace sluice::coordination {
namespace asio = boost::asio;

const char* to_string(WatchEventType t) {
  switch (t) {
    case WatchEventType::created: return "created";
    case WatchEventType::deleted: return "deleted";
    case WatchEventType::data_changed: return "data_changed";
    case WatchEventType::children_changed: return "children_changed";
    case WatchEventType::session_expired: return "session_expired";
  }
  return "?";
}

const char* to_string(SessionEvent e) {
  switch (e) {
    case SessionEvent::connected: return "connected";
    case SessionEvent::disconnected: return "disconnected";
    case SessionEvent::expired: return "expired";
    case SessionEvent::reestablished: return "reestablished";
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
    case CreateMode::persistent: return 0;
    case CreateMode::ephemeral: return ZOO_EPHEMERAL;
    case CreateMode::persistent_sequential: return ZOO_SEQUENCE;
    case CreateMode::ephemeral_sequential: return ZOO_EPHEMERAL | ZOO_SEQUENCE;
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

// An operation waiting for its completion callback. finish() posts the result to the
// waiter's executor and deletes the operation: it runs exactly once.
template <class T>
struct Pending {
  virtual ~Pending() = default;
  virtual void finish(Result<T> result) = 0;
};

template <class T, class Handler>
struct PendingOp final : Pending<T> {
  PendingOp(Handler h, asio::any_io_executor fallback)
      : handler(std::move(h)), fallback(std::move(fallback)) {}
  void finish(Result<T> result) override {
    auto ex = asio::get_associated_executor(handler, fallback);
    asio::post(ex, [h = std::move(handler), r = std::move(result)]() mutable {
      std::move(h)(std::move(r));
    });
    delete this;
  }
  Handler handler;
  asio::any_io_executor fallback;
};

// Runs `start(Pending<T>*)` and suspends the coroutine until the operation finishes.
template <class T, class Start>
auto zk_call(asio::any_io_executor ex, Start start) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<T>)>(
      [ex = std::move(ex), start = std::move(start)](auto handler) mutable {
        auto* op = new PendingOp<T, decltype(handler)>(std::move(handler), ex);
        start(static_cast<Pending<T>*>(op));
      },
      asio::use_awaitable);
}

std::error_code err(int rc) { return zk_error(rc); }

// Completion callbacks (ZooKeeper's completion thread).
void on_string(int rc, const char* value, const void* data) {
  auto* op = static_cast<Pending<std::string>*>(const_cast<void*>(data));
  if (rc != ZOK) return op->finish(err(rc));
  op->finish(std::string(value != nullptr ? value : ""));
}

void on_data(int rc, const char* value, int len, const Stat* stat, const void* data) {
  auto* op = static_cast<Pending<NodeData>*>(const_cast<void*>(data));
  if (rc != ZOK) return op->finish(err(rc));
  NodeData out;
  if (value != nullptr && len > 0) out.data.assign(value, static_cast<std::size_t>(len));
  out.stat = to_node_stat(stat);
  op->finish(std::move(out));
}

void on_stat(int rc, const Stat* stat, const void* data) {
  auto* op = static_cast<Pending<NodeStat>*>(const_cast<void*>(data));
  if (rc != ZOK) return op->finish(err(rc));
  op->finish(to_node_stat(stat));
}

void on_exists(int rc, const Stat* stat, const void* data) {
  auto* op = static_cast<Pending<std::optional<NodeStat>>*>(const_cast<void*>(data));
  if (rc == ZNONODE) return op->finish(std::optional<NodeStat>());
  if (rc != ZOK) return op->finish(err(rc));
  op->finish(std::optional<NodeStat>(to_node_stat(stat)));
}

void on_void(int rc, const void* data) {
  auto* op = static_cast<Pending<bool>*>(const_cast<void*>(data));
  if (rc != ZOK) return op->finish(err(rc));
  op->finish(true);
}

void on_children(int rc, const String_vector* strings, const Stat*, const void* data) {
  auto* op = static_cast<Pending<std::vector<std::string>>*>(const_cast<void*>(data));
  if (rc != ZOK) return op->finish(err(rc));
  std::vector<std::string> names;
  if (strings != nullptr) {
    names.reserve(static_cast<std::size_t>(strings->count));
    for (int i = 0; i < strings->count; ++i) names.emplace_back(strings->data[i]);
  }
  op->finish(std::move(names));
}

// Everything a multi needs to outlive the call: the C client writes results, created paths
// and stats into these buffers on completion.
struct MultiCall {
  static constexpr int kPathBuffer = 4096;
  std::vector<ZkOp> ops;
  std::vector<zoo_op_t> zops;
  std::vector<zoo_op_result_t> results;
  std::vector<std::array<char, kPathBuffer>> paths;
  std::vector<Stat> stats;
  Pending<std::vector<ZkOpResult>>* done = nullptr;
  // Two owners, the submitting call and on_multi; the operation completes once. An expired
  // session can make the C client run the completion inside zoo_amulti and still return an
  // error (seen as a double free under ASan), so neither side may assume it is alone.
  std::atomic<int> owners{2};
  std::atomic<bool> finished{false};
};

void release(MultiCall* call) {
  if (call->owners.fetch_sub(1) == 1) delete call;
}

const char* op_name(ZkOp::Kind k) {
  switch (k) {
    case ZkOp::Kind::create: return "create";
    case ZkOp::Kind::remove: return "remove";
    case ZkOp::Kind::set: return "set";
    case ZkOp::Kind::check: return "check";
  }
  return "?";
}

void on_multi(int rc, const void* data) {
  auto* raw = static_cast<MultiCall*>(const_cast<void*>(data));
  struct Release {
    MultiCall* call;
    ~Release() { release(call); }
  } releaser{raw};
  if (raw->finished.exchange(true)) return;
  MultiCall* call = raw;
  if (rc != ZOK) {
    // The failing op carries the multi's error; the others say "rolled back" or ok.
    std::string context = "multi";
    for (std::size_t i = 0; i < call->results.size(); ++i) {
      if (call->results[i].err == rc) {
        context = "op " + std::to_string(i) + ": " + op_name(call->ops[i].kind) + " " +
                  call->ops[i].path;
        break;
      }
    }
    return call->done->finish(Error(err(rc), std::move(context)));
  }
  std::vector<ZkOpResult> out(call->ops.size());
  for (std::size_t i = 0; i < call->ops.size(); ++i) {
    if (call->ops[i].kind == ZkOp::Kind::create) out[i].created_path = call->paths[i].data();
    if (call->ops[i].kind == ZkOp::Kind::set) out[i].stat = to_node_stat(&call->stats[i]);
  }
  call->done->finish(std::move(out));
}

}  // namespace

// One C-client handle = one ZooKeeper session. Owned by Impl, replaced after expiry.
struct Handle;

struct WatchCtx {
  Watcher fn;
  asio::any_io_executor executor;
};

struct Handle {
  zhandle_t* zh = nullptr;
  int64_t generation = 0;
  std::weak_ptr<ZkSession::Impl> owner;
  // One-shot watches registered on this handle and not fired yet. Touched from the
  // completion thread (firing) and the executor (register, close), hence the mutex.
  std::mutex mu;
  std::unordered_map<WatchCtx*, std::unique_ptr<WatchCtx>> watches;

  // Takes ownership of a watch that is firing now; null if it fired already.
  std::unique_ptr<WatchCtx> take(WatchCtx* w) {
    std::lock_guard lock(mu);
    auto it = watches.find(w);
    if (it == watches.end()) return nullptr;
    auto owned = std::move(it->second);
    watches.erase(it);
    return owned;
  }
};

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
  std::vector<std::unique_ptr<WatchCtx>> close_handle() {
    std::vector<std::unique_ptr<WatchCtx>> orphans;
    if (!handle) return orphans;
    // Joins the C client's threads; pending completions run with ZCLOSING first.
    zookeeper_close(handle->zh);
    handle->zh = nullptr;
    {
      std::lock_guard lock(handle->mu);
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
      SLUICE_LOG(info) << "zookeeper session 0x" << std::hex << (id ? id->client_id : 0)
                       << std::dec << " connected (" << options.connect << ")";
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
    auto orphans = close_handle();
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
    close_handle();  // orphaned watches are dropped: their owners are going away too
  }

  // Registers a one-shot watch on the current handle; null when no watcher is given.
  WatchCtx* add_watch(Watcher fn) {
    if (!fn || !handle) return nullptr;
    auto w = std::make_unique<WatchCtx>(WatchCtx{std::move(fn), executor});
    auto* raw = w.get();
    std::lock_guard lock(handle->mu);
    handle->watches.emplace(raw, std::move(w));
    return raw;
  }
  // Undoes add_watch when the request could not even be queued.
  void drop_watch(WatchCtx* w) {
    if (w != nullptr && handle) handle->take(w);
  }

  bool handle_ever_connected = false;
};

ZkSession::ZkSession(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ZkSession::~ZkSession() { impl_->close(); }

awaitable<Result<std::unique_ptr<ZkSession>>> ZkSession::connect(executor_type executor,
                                                                 ZkOptions options) {
  // No structured bindings here: GCC 12 mishandles them in coroutine frames.
  const auto split = split_chroot(options.connect);
  const std::string hosts = split.first;
  const std::string chroot = split.second;
  if (hosts.empty()) {
    co_return Error(ZkErrc::bad_arguments, "zookeeper connect string '" + options.connect +
                                               "' names no server");
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
  auto r = co_await zk_call<std::string>(impl->executor, [&](Pending<std::string>* op) {
    int rc = zoo_acreate(impl->handle->zh, path.c_str(), data.data(),
                         static_cast<int>(data.size()), &ZOO_OPEN_ACL_UNSAFE,
                         create_flags(mode), &on_string, op);
    if (rc != ZOK) op->finish(err(rc));
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
    // Named arguments: GCC 12 double-destroys a ?: temporary passed into a coroutine.
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
  auto r = co_await zk_call<NodeData>(impl->executor, [&](Pending<NodeData>* op) {
    int rc = zoo_awget(impl->handle->zh, path.c_str(), w ? &Impl::on_node_event : nullptr, w,
                       &on_data, op);
    if (rc != ZOK) {
      impl->drop_watch(w);
      op->finish(err(rc));
    }
  });
  if (!r) co_return Error(r.error().code(), "get " + path);
  co_return r;
}

awaitable<Result<NodeStat>> ZkSession::set(std::string path, std::string data, int32_t version) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto r = co_await zk_call<NodeStat>(impl->executor, [&](Pending<NodeStat>* op) {
    int rc = zoo_aset(impl->handle->zh, path.c_str(), data.data(), static_cast<int>(data.size()),
                      version, &on_stat, op);
    if (rc != ZOK) op->finish(err(rc));
  });
  if (!r) co_return Error(r.error().code(), "set " + path);
  co_return r;
}

awaitable<Status> ZkSession::remove(std::string path, int32_t version) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto r = co_await zk_call<bool>(impl->executor, [&](Pending<bool>* op) {
    int rc = zoo_adelete(impl->handle->zh, path.c_str(), version, &on_void, op);
    if (rc != ZOK) op->finish(err(rc));
  });
  if (!r) co_return Error(r.error().code(), "remove " + path);
  co_return Status{};
}

awaitable<Result<std::optional<NodeStat>>> ZkSession::exists(std::string path, Watcher watcher) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* w = impl->add_watch(std::move(watcher));
  using T = std::optional<NodeStat>;
  auto r = co_await zk_call<T>(impl->executor, [&](Pending<T>* op) {
    int rc = zoo_awexists(impl->handle->zh, path.c_str(), w ? &Impl::on_node_event : nullptr, w,
                          &on_exists, op);
    if (rc != ZOK) {
      impl->drop_watch(w);
      op->finish(err(rc));
    }
  });
  if (!r) co_return Error(r.error().code(), "exists " + path);
  co_return r;
}

awaitable<Result<std::vector<std::string>>> ZkSession::children(std::string path,
                                                                Watcher watcher) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, path);
  auto* w = impl->add_watch(std::move(watcher));
  using T = std::vector<std::string>;
  auto r = co_await zk_call<T>(impl->executor, [&](Pending<T>* op) {
    int rc = zoo_awget_children2(impl->handle->zh, path.c_str(),
                                 w ? &Impl::on_node_event : nullptr, w, &on_children, op);
    if (rc != ZOK) {
      impl->drop_watch(w);
      op->finish(err(rc));
    }
  });
  if (!r) co_return Error(r.error().code(), "children " + path);
  co_return r;
}

awaitable<Result<std::vector<ZkOpResult>>> ZkSession::multi(std::vector<ZkOp> ops) {
  auto impl = impl_;
  if (!impl->handle) co_return Error(ZkErrc::closing, "multi");
  if (ops.empty()) co_return std::vector<ZkOpResult>{};
  using T = std::vector<ZkOpResult>;
  co_return co_await zk_call<T>(impl->executor, [&](Pending<T>* op) {
    auto call = std::make_unique<MultiCall>();
    call->ops = std::move(ops);
    const std::size_t n = call->ops.size();
    call->zops.resize(n);
    call->results.resize(n);
    call->paths.resize(n);
    call->stats.resize(n);
    call->done = op;
    for (std::size_t i = 0; i < n; ++i) {
      const ZkOp& o = call->ops[i];
      call->paths[i][0] = '\0';
      switch (o.kind) {
        case ZkOp::Kind::create:
          zoo_create_op_init(&call->zops[i], o.path.c_str(), o.data.data(),
                             static_cast<int>(o.data.size()), &ZOO_OPEN_ACL_UNSAFE,
                             create_flags(o.mode), call->paths[i].data(), MultiCall::kPathBuffer);
          break;
        case ZkOp::Kind::remove:
          zoo_delete_op_init(&call->zops[i], o.path.c_str(), o.version);
          break;
        case ZkOp::Kind::set:
          zoo_set_op_init(&call->zops[i], o.path.c_str(), o.data.data(),
                          static_cast<int>(o.data.size()), o.version, &call->stats[i]);
          break;
        case ZkOp::Kind::check:
          zoo_check_op_init(&call->zops[i], o.path.c_str(), o.version);
          break;
      }
    }
    // libzookeeper_mt 3.8.0's zoo_amulti frees its request buffer twice when the handle is
    // not connected (seen under ASan when a session expired): never submit in that state.
    const int state = zoo_state(impl->handle->zh);
    if (state != ZOO_CONNECTED_STATE && state != ZOO_READONLY_STATE) {
      op->finish(Error(err(state == ZOO_EXPIRED_SESSION_STATE ? ZSESSIONEXPIRED : ZCONNECTIONLOSS), "multi"));
      return;  // `call` frees the buffers: the C client never saw them
    }
    MultiCall* raw = call.release();
    int rc = zoo_amulti(impl->handle->zh, static_cast<int>(n), raw->zops.data(),
                        raw->results.data(), &on_multi, raw);
    if (rc != ZOK && !raw->finished.exchange(true)) op->finish(Error(err(rc), "multi"));
    // If the C client never calls on_multi after a failed submit, `raw` leaks (rare; safe).
    release(raw);
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
