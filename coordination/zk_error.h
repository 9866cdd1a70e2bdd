// ZooKeeper return codes as a std::error_category ("zookeeper"), so coordination results
// are ordinary sluice::Result values. The enum values are the C client's ZOO_ERRORS.
#pragma once

#include <system_error>

namespace sluice::coordination {

enum class ZkErrc {
  system_error = -1,
  runtime_inconsistency = -2,
  data_inconsistency = -3,
  connection_loss = -4,  // the connection dropped; the session may still be alive
  marshalling_error = -5,
  unimplemented = -6,
  operation_timeout = -7,  // also: no connection within the connect timeout
  bad_arguments = -8,
  invalid_state = -9,
  new_config_no_quorum = -13,
  reconfig_in_progress = -14,
  ssl_connection_error = -15,
  api_error = -100,
  no_node = -101,
  no_auth = -102,
  bad_version = -103,  // a compare-and-set lost: the znode changed since it was read
  no_children_for_ephemerals = -108,
  node_exists = -110,
  not_empty = -111,
  session_expired = -112,  // the server expired the session; its ephemerals are gone
  invalid_callback = -113,
  invalid_acl = -114,
  auth_failed = -115,
  closing = -116,  // the session object is being closed
  nothing = -117,
  session_moved = -118,
  not_readonly = -119,
  ephemeral_on_local_session = -120,
  no_watcher = -121,
  reconfig_disabled = -123,
  session_closed_require_sasl_auth = -124,
  throttled = -127,
};

const std::error_category& zk_category();
inline std::error_code make_error_code(ZkErrc e) { return {static_cast<int>(e), zk_category()}; }
// The error for a raw ZOO_ERRORS return code. REQUIRES: rc != ZOK.
inline std::error_code zk_error(int rc) { return {rc, zk_category()}; }

// Errors after which retrying the same operation later may succeed (connection trouble),
// as opposed to answers from the server about the data (no_node, bad_version, ...).
bool is_transient(std::error_code ec);

}  // namespace sluice::coordination

template <>
struct std::is_error_code_enum<sluice::coordination::ZkErrc> : std::true_type {};
