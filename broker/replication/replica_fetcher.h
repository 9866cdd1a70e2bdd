// Follower replication: for each leader this broker follows partitions of, one fetcher
// coroutine with one connection to it. A partition first truncates its log where it
// diverges from the leader's (OffsetForLeaderEpoch for its latest epoch, KIP-101/279), then
// fetches with Fetch v12 as replica (replica_id = our broker id, current leader epoch, last
// fetched epoch) and appends what comes as follower. The leader learns our log end offset
// from each fetch offset; we learn its high watermark from each response.
//
// Threading: all fetchers run on one executor (the broker's replication thread). update()
// and stop() may be called from any thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "broker/replication/replica_manager.h"

namespace sluice::broker::cluster {
class MetadataCache;
}

namespace sluice::broker::replication {

struct FetcherOptions {
  int32_t broker_id = -1;
  std::string listener_name;  // inter.broker.listener.name
  int32_t max_wait_ms = 500;
  int32_t min_bytes = 1;
  int32_t partition_max_bytes = 1 << 20;
  int32_t response_max_bytes = 10 << 20;
  int32_t socket_timeout_ms = 30000;
  int32_t backoff_ms = 1000;
};

class ReplicaFetchers {
 public:
  ReplicaFetchers(boost::asio::any_io_executor executor, ReplicaManager& replicas,
                  const cluster::MetadataCache& metadata, FetcherOptions options);
  ~ReplicaFetchers();

  // The partitions to follow now (ReplicaManager's followed listener).
  void update(std::vector<FollowedPartition> followed);
  void stop();

  struct Fetcher;
  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace sluice::broker::replication
