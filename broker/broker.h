// The sluice-broker process: wires configuration, ZooKeeper (session, registration,
// controller, metadata sync), the network server and the handlers together, and runs the
// start-up and clean-shutdown sequences.
//
// Threads: `network` io_context run by num.network.threads threads (connections and
// handlers); `control` io_context run by one thread (ZooKeeper session, controller, metadata
// sync). Handlers that must touch ZooKeeper hop to the control executor.
#pragma once

#include <memory>
#include <vector>

#include "broker/config/broker_config.h"
#include "common/result.h"

namespace sluice::broker {

class Broker {
 public:
  explicit Broker(config::BrokerConfig config);
  ~Broker();

  // Start-up: ZooKeeper, cluster id, listeners, registration, controller. On failure the
  // error says which step failed; everything started so far is stopped again.
  Status start();
  // Blocks until SIGTERM/SIGINT (or request_stop()), then shuts down cleanly.
  void wait_for_shutdown();
  void request_stop();
  // Bound port of each listener (useful with port 0), in config order.
  std::vector<uint16_t> bound_ports() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::broker
