// Formatting of Error for logs and CLI output.
#include "common/result.h"

namespace sluice {

std::string Error::to_string() const {
  std::string out = code_.category().name();
  out += ": ";
  out += code_.message();
  if (!context_.empty()) {
    out += ": ";
    out += context_;
  }
  return out;
}

}  // namespace sluice
