// sluice-broker: a Kafka-compatible broker coordinated by ZooKeeper.
//   sluice-broker [server.properties] [--override key=value ...] [--check-config]
// --check-config validates the configuration, prints the effective values and exits.
// Every key can also come from the environment as SLUICE_<KEY> (dots as underscores).
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "broker/config/broker_config.h"
#include "common/log.h"
#include "common/lsan_suppressions.h"

extern char** environ;

namespace {

int usage(const char* argv0) {
  std::cerr << "usage: " << argv0
            << " [server.properties] [--override key=value]... [--check-config]\n"
            << "       every key may also be set as SLUICE_<KEY> in the environment\n"
            << "       (e.g. SLUICE_BROKER_ID=1); see docs/configuration.md\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using sluice::broker::config::BrokerConfig;
  BrokerConfig::Inputs inputs;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") return usage(argv[0]);
    if (arg == "--check-config") {
      check_only = true;
      continue;
    }
    if (arg == "--override" && i + 1 < argc) {
      inputs.overrides.emplace_back(argv[++i]);
    } else if (arg.rfind("--override=", 0) == 0) {
      inputs.overrides.push_back(arg.substr(11));
    } else if (!arg.empty() && arg[0] != '-' && !inputs.file) {
      inputs.file = arg;
    } else {
      std::cerr << "sluice-broker: unexpected argument '" << arg << "'\n";
      return usage(argv[0]);
    }
  }
  if (const char* cfg = std::getenv("SLUICE_CONFIG"); cfg != nullptr && !inputs.file)
    inputs.file = cfg;
  for (char** e = environ; *e != nullptr; ++e) inputs.environment.emplace_back(*e);

  sluice::log::Options log_options;
  if (const char* f = std::getenv("SLUICE_LOG_FILE")) log_options.file = f;
  sluice::log::init(log_options);

  auto config = BrokerConfig::load(inputs);
  if (!config) {
    std::cerr << "sluice-broker: invalid configuration: " << config.error().to_string() << "\n";
    return 1;
  }
  if (check_only) {
    for (const auto& [key, value] : config->values()) std::cout << key << "=" << value << "\n";
    std::cout << "configuration ok\n";
    return 0;
  }
  sluice::log::set_broker_id(config->broker_id);
  sluice::broker::Broker broker(std::move(*config));
  if (auto st = broker.start(); !st) {
    SLUICE_LOG(fatal) << "start-up failed: " << st.error().to_string();
    std::cerr << "sluice-broker: start-up failed: " << st.error().to_string() << "\n";
    return 1;
  }
  broker.wait_for_shutdown();
  return 0;
}
