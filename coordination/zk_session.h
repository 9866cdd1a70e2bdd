// The ZooKeeper session every broker and tool uses: an RAII wrapper over the C client
// (zookeeper_mt) whose operations are C++20 awaitables and whose results and watch events are
// delivered on one Boost.Asio executor — never on ZooKeeper's own threads.
//
// Threading contract: a ZkSession is bound to one executor (an io_context run by one thread,
// or a strand). Call every member function from that executor. The C client's I/O and
// completion threads only package results and post them there.
//
// Connection loss vs. session expiry:
//   * connection loss: operations in flight fail with ZkErrc::connection_loss, the C client
//     reconnects by itself within the session timeout, listeners see `disconnected` and then
//     `connected`. Ephemerals and watches survive.
//   * expiry: the server dropped the session (and its ephemerals). The session object closes
//     the dead handle, opens a new ZooKeeper session on the same connect string, and tells
//     listeners `expired` and then `reestablished`: owners re-create their ephemerals (see
//     EphemeralNode) and re-arm watches. Pending one-shot watches fire with
//     WatchEventType::session_expired so nobody waits forever.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_error.h"

namespace sluice::coordination {

// A znode's metadata (ZooKeeper's Stat).
struct NodeStat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime_ms = 0;
  int64_t mtime_ms = 0;
  int32_t version = 0;   // data version, the CAS token for set/remove
  int32_t cversion = 0;  // children version
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;  // session id of the owner, 0 for persistent nodes
  int32_t data_length = 0;
  int32_t num_children = 0;
  int64_t pzxid = 0;
};

struct NodeData {
  std::string data;
  NodeStat stat;
};

enum class CreateMode { persistent, ephemeral, persistent_sequential, ephemeral_sequential };

enum class WatchEventType {
  created,
  deleted,
  data_changed,
  children_changed,
  session_expired,  // the watch will never fire: its session is gone; re-read and re-arm
};
const char* to_string(WatchEventType t);

struct WatchEvent {
  WatchEventType type;
  std::string path;
};
// A one-shot watch callback, invoked at most once on the session's executor.
using Watcher = std::function<void(const WatchEvent&)>;

enum class SessionEvent {
  connected,      // (re)connected to a server, same session as before
  disconnected,   // connection lost; the C client is reconnecting
  expired,        // the server expired the session; ephemerals and watches are gone
  reestablished,  // a new session replaced the expired one: re-create ephemerals now
};
const char* to_string(SessionEvent e);
using SessionListener = std::function<void(SessionEvent)>;

// One operation of a multi (transaction). All succeed or none does.
struct ZkOp {
  enum class Kind { create, remove, set, check } kind;
  std::string path;
  std::string data;                          // create, set
  int32_t version = -1;                      // remove, set, check; -1 = any
  CreateMode mode = CreateMode::persistent;  // create

  static ZkOp create(std::string path, std::string data, CreateMode mode = CreateMode::persistent);
  static ZkOp remove(std::string path, int32_t version = -1);
  static ZkOp set(std::string path, std::string data, int32_t version = -1);
  static ZkOp check(std::string path, int32_t version);
};

// Per-operation outcome of a successful multi.
struct ZkOpResult {
  std::string created_path;  // create
  NodeStat stat;             // set
};

// Identity of a ZooKeeper session (id + password), e.g. to resume it from a second handle.
struct ZkClientId {
  int64_t session_id = 0;
  std::string password;  // 16 bytes
};

struct ZkOptions {
  // "host:port[,host:port...][/chroot]". The chroot is created when missing.
  std::string connect;
  std::chrono::milliseconds session_timeout{18000};
  // How long connect() waits for the first connection before failing with operation_timeout.
  std::chrono::milliseconds connect_timeout{18000};
  // Resume an existing session instead of creating one (tests use this to force expiry).
  std::optional<ZkClientId> resume;
};

class ZkSession {
 public:
  using executor_type = boost::asio::any_io_executor;

  // Connects and waits until the first session is established (or connect_timeout passes).
  static awaitable<Result<std::unique_ptr<ZkSession>>> connect(executor_type executor,
                                                               ZkOptions options);
  // Closes the ZooKeeper session: its ephemerals vanish at once. Pending operations complete
  // with ZkErrc::closing; pending watches are dropped.
  ~ZkSession();
  ZkSession(const ZkSession&) = delete;
  ZkSession& operator=(const ZkSession&) = delete;

  // Returns the created path (differs from `path` for sequential modes).
  awaitable<Result<std::string>> create(std::string path, std::string data,
                                        CreateMode mode = CreateMode::persistent);
  // Creates `path` and its missing parents as persistent nodes with empty data. An existing
  // node is fine.
  awaitable<Status> create_recursive(std::string path, std::string data = {});
  awaitable<Result<NodeData>> get(std::string path, Watcher watcher = {});
  // version -1 skips the compare; a mismatch is ZkErrc::bad_version.
  awaitable<Result<NodeStat>> set(std::string path, std::string data, int32_t version = -1);
  awaitable<Status> remove(std::string path, int32_t version = -1);
  // nullopt when the node does not exist; the watcher then fires on its creation.
  awaitable<Result<std::optional<NodeStat>>> exists(std::string path, Watcher watcher = {});
  // Child names (not full paths), in the order ZooKeeper returns them.
  awaitable<Result<std::vector<std::string>>> children(std::string path, Watcher watcher = {});
  // Atomic transaction: all ops apply or none does. On failure the error is the failing op's
  // (e.g. bad_version) and the context names it ("op 2: set /a"); on success there is one
  // result per op.
  awaitable<Result<std::vector<ZkOpResult>>> multi(std::vector<ZkOp> ops);

  // Listeners are called on the executor, in registration order. Returns an id for
  // remove_listener.
  int add_listener(SessionListener listener);
  void remove_listener(int id);

  bool connected() const;
  // The current session's id and password (changes after expiry).
  ZkClientId client_id() const;
  // How many ZooKeeper sessions this object has had (1 + number of expiries recovered).
  int64_t generation() const;
  executor_type get_executor() const;
  const ZkOptions& options() const;

  struct Impl;

 private:
  explicit ZkSession(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// Splits "hosts/chroot" into ("hosts", "/chroot"); chroot is empty when absent.
std::pair<std::string, std::string> split_chroot(std::string_view connect);

}  // namespace sluice::coordination
