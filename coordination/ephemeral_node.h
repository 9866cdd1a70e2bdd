// An ephemeral znode that its owner keeps alive across ZooKeeper session expiry: created
// once, and created again (with its latest data) each time the session is re-established.
// Brokers use it for /brokers/ids/<id>; the controller for /controller.
//
// Threading: lives on the session's executor; every member is called from there. The
// session must outlive the EphemeralNode.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_session.h"

namespace sluice::coordination {

class EphemeralNode {
 public:
  // Called on the executor after each re-creation attempt that followed an expiry: ok, or
  // why the node could not be re-created (e.g. node_exists: someone else holds it now).
  using RecreateCallback = std::function<void(const Status&)>;

  // Creates `path` (ephemeral) with `data`. Fails with node_exists when another session
  // holds it; a node left by this very session (e.g. a retried create) is taken over.
  static awaitable<Result<std::unique_ptr<EphemeralNode>>> create(ZkSession& session,
                                                                  std::string path,
                                                                  std::string data);
  // Stops re-creating; does not delete the znode (closing the session does, or remove()).
  ~EphemeralNode();
  EphemeralNode(const EphemeralNode&) = delete;
  EphemeralNode& operator=(const EphemeralNode&) = delete;

  // Replaces the data (kept for later re-creations).
  awaitable<Status> update(std::string data);
  // Deletes the znode now and stops re-creating it.
  awaitable<Status> remove();
  void on_recreated(RecreateCallback cb);

  const std::string& path() const;
  // True while the znode is believed to exist for this session.
  bool held() const;

  struct State;

 private:
  explicit EphemeralNode(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

// Creates an ephemeral znode, treating node_exists as success when the existing node belongs
// to this session (the create succeeded but its reply was lost with the connection).
awaitable<Status> create_owned_ephemeral(ZkSession& session, const std::string& path,
                                         const std::string& data);

}  // namespace sluice::coordination
