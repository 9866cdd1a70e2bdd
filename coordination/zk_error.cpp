// Messages for the "zookeeper" error category, taken from the C client's zerror().
#include "coordination/zk_error.h"

#include <zookeeper/zookeeper.h>

#include <string>

namespace sluice::coordination {
namespace {

class ZkCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "zookeeper"; }
  std::string message(int rc) const override {
    // zerror() knows every code of the C client and says "unknown error" otherwise.
    return std::string(zerror(rc)) + " (" + std::to_string(rc) + ")";
  }
};

}  // namespace

const std::error_category& zk_category() {
  static const ZkCategory category;
  return category;
}

bool is_transient(std::error_code ec) {
  if (ec.category() != zk_category()) return false;
  switch (static_cast<ZkErrc>(ec.value())) {
    case ZkErrc::connection_loss:
    case ZkErrc::operation_timeout:
    case ZkErrc::session_expired:
    case ZkErrc::session_moved:
    case ZkErrc::throttled:
    case ZkErrc::invalid_state:
      return true;
    default:
      return false;
  }
}

}  // namespace sluice::coordination
