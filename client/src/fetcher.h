// Fetcher: keeps the consumer's buffers full. It looks up positions of newly assigned
// partitions (the group's committed offset, else ListOffsets per auto.offset.reset), and
// fetches pipelined: one Fetch in flight per leader broker at all times, covering every
// partition whose buffer has room, so the next records are on their way while the
// application works through the previous ones. Record batches are CRC-checked (check.crcs),
// decompressed (any codec), stripped of control records and, with read_committed, of aborted
// transactions; records before the fetch offset (inside a batch that starts earlier) are
// skipped.
//
// Errors: OFFSET_OUT_OF_RANGE resets the position per auto.offset.reset (or is reported by
// poll() with "none"); NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH,
// UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE and connection failures refresh the
// topic's metadata and retry after retry.backoff.ms; anything else is reported by poll().
//
// Threading: all members run on the consumer's runtime executor (serial).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "client/src/cluster.h"
#include "client/src/subscription_state.h"
#include "common/awaitable.h"
#include "sluice/config.h"
#include "sluice/error.h"
#include "sluice/record.h"

namespace sluice::protocol {
struct FetchRequest;
struct FetchPartitionData;
}  // namespace sluice::protocol

namespace sluice::client::detail {

using OffsetMap = std::map<TopicPartition, int64_t>;

// Looks up committed offsets (the group coordinator's OffsetFetch); partitions without a
// committed offset are absent from the result.
using CommittedLookup = std::function<awaitable<Result<OffsetMap>>(std::vector<TopicPartition>)>;

class Fetcher : public std::enable_shared_from_this<Fetcher> {
 public:
  // `committed`: empty when the consumer has no group.id (positions come from ListOffsets).
  Fetcher(std::shared_ptr<Cluster> cluster, std::shared_ptr<SubscriptionState> state,
          ConsumerConfig config, CommittedLookup committed);

  // Starts the background loop; stop() ends it (fetches in flight are left to finish and are
  // discarded).
  void start();
  void stop();

  // ListOffsets for `partitions` at `timestamp` (kEarliestTimestamp, kLatestTimestamp or a
  // time), from their leaders. Partitions that failed are absent; the first failure is
  // returned only if none succeeded.
  awaitable<Result<OffsetMap>> list_offsets(std::vector<TopicPartition> partitions,
                                            int64_t timestamp);

 private:
  struct InFlight {
    TopicPartition tp;
    uint64_t seq = 0;
    int64_t fetch_offset = 0;
  };

  static awaitable<void> run(std::shared_ptr<Fetcher> self);
  static awaitable<void> lookup_positions(std::shared_ptr<Fetcher> self,
                                          std::vector<TopicPartition> partitions);
  static awaitable<void> fetch_from(std::shared_ptr<Fetcher> self, int32_t node,
                                    std::shared_ptr<protocol::FetchRequest> request,
                                    std::vector<InFlight> parts);
  // Starts position lookups and fetches for whatever is ready; returns when the loop should
  // look again even without a wake-up (a back-off ending).
  awaitable<std::chrono::steady_clock::time_point> step(std::shared_ptr<Fetcher> self);
  // Applies one partition's fetch result to its state.
  void handle_partition(const InFlight& req, const protocol::FetchPartitionData& data,
                        int32_t leader_epoch);
  void backoff(AssignedPartition& ps, const std::string& topic);
  std::size_t buffer_limit() const;

  std::shared_ptr<Cluster> cluster_;
  std::shared_ptr<SubscriptionState> state_;
  ConsumerConfig config_;
  CommittedLookup committed_;
  bool running_ = false;
  std::set<int32_t> nodes_in_flight_;
};

}  // namespace sluice::client::detail
