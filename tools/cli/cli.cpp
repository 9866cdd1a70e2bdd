// The shared pieces of the `sluice` commands: options to client configuration, errors to
// messages and exit codes, tables.
#include "tools/cli/cli.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "protocol/error_codes.h"

namespace sluice::tools {

std::vector<std::string> Context::broker_list() const {
  std::vector<std::string> out;
  std::stringstream in(brokers);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

client::AdminConfig Context::admin_config() const {
  client::AdminConfig c;
  c.client_id = "sluice-cli";
  c.bootstrap_servers = broker_list();
  c.request_timeout = client::Millis(timeout_ms);
  c.connect_timeout = client::Millis(std::min<int64_t>(timeout_ms, 5000));
  return c;
}

std::unique_ptr<client::Admin> Context::admin() const {
  auto a = client::Admin::create(admin_config());
  if (!a) {
    std::cerr << "error: --brokers '" << brokers << "': " << a.error().to_string() << "\n";
    return nullptr;
  }
  return std::move(*a);
}

int exit_code_for(const client::Error& error) {
  if (client::kafka_code(error) != 0) return kExitKafkaError;
  const auto& code = error.code();
  if (code.category() == client::client_category()) {
    switch (static_cast<client::ClientErrc>(code.value())) {
      case client::ClientErrc::no_brokers:
      case client::ClientErrc::timed_out:
        return kExitUnreachable;
      case client::ClientErrc::invalid_argument:
      case client::ClientErrc::invalid_config:
        return kExitUsage;
      default:
        return kExitKafkaError;
    }
  }
  if (code.category() == protocol::kafka_category()) return kExitKafkaError;
  // System and socket errors: connection refused, host not found, ...
  return kExitUnreachable;
}

int report(const client::Error& error, const std::string& what, const Context& ctx) {
  int rc = exit_code_for(error);
  std::cerr << "error: " << what << ": " << error.to_string() << "\n";
  if (rc == kExitUnreachable) {
    std::cerr << "hint: could not reach the cluster at " << ctx.brokers
              << " (set --brokers or SLUICE_BROKERS to a running broker)\n";
  }
  return rc;
}

int usage_error(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kExitUsage;
}

std::optional<std::pair<std::string, std::string>> split_key_value(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

std::string join(const std::vector<int32_t>& ids, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += sep;
    out += std::to_string(ids[i]);
  }
  return out;
}

void Table::print(std::ostream& out, const std::string& indent) const {
  std::vector<std::size_t> width;
  for (const auto& row : rows_) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows_) {
    std::string line = indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

}  // namespace sluice::tools
