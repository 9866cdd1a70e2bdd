// SubscriptionState: what a consumer reads — its subscription or manual assignment, and per
// assigned partition the position, the fetched-but-not-returned records, pause and errors.
// Shared by the Consumer (poll, seek, commit), the Fetcher (fills the buffers) and the
// GroupMember (changes the assignment on rebalances).
//
// Threading: touched only on the consumer's runtime executor (serial), so no locks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/src/event.h"
#include "sluice/config.h"
#include "sluice/error.h"
#include "sluice/record.h"

namespace sluice::client::detail {

struct AssignedPartition {
  // The next offset poll() returns (the offset to commit); unset until looked up (committed
  // offset, else auto.offset.reset) or set by seek().
  std::optional<int64_t> position;
  int32_t position_epoch = -1;  // leader epoch of the last record returned
  // A pending seek_to_beginning/end (or reset after OFFSET_OUT_OF_RANGE): the position is
  // looked up with ListOffsets instead of the committed offset.
  std::optional<OffsetReset> reset;
  // The next offset to fetch: position plus what is buffered. Fetches run ahead of the
  // application by up to one partition's worth of records (the pipelining).
  int64_t fetch_offset = -1;
  std::deque<ConsumerRecord> buffer;
  std::size_t buffered_bytes = 0;
  // Bumped by seek/reset/revocation: a fetch or lookup started under an older value is void.
  uint64_t seq = next_seq();
  bool fetch_in_flight = false;
  bool lookup_in_flight = false;
  bool paused = false;
  bool revoking = false;       // being revoked (cooperative): neither fetched nor returned
  bool awaiting_seek = false;  // no position and auto.offset.reset=none: stuck until seek
  std::optional<Error> error;  // reported once by the next poll()
  int64_t high_watermark = -1;
  std::chrono::steady_clock::time_point retry_at{};  // back-off after a failed fetch or lookup

  void clear_buffer() {
    buffer.clear();
    buffered_bytes = 0;
    fetch_offset = position.value_or(-1);
    seq = next_seq();
    fetch_in_flight = false;  // a reply to a fetch in flight is void now (older seq)
  }
  // Unique across all partitions and consumers: a partition removed and assigned again
  // never sees a reply meant for its previous incarnation.
  static uint64_t next_seq() {
    static std::atomic<uint64_t> counter{1};
    return counter.fetch_add(1);
  }
  void seek(int64_t offset) {
    position = offset;
    position_epoch = -1;
    reset.reset();
    awaiting_seek = false;
    error.reset();
    clear_buffer();
  }
};

enum class SubscriptionMode { none, manual, subscribed };

struct SubscriptionState {
  explicit SubscriptionState(boost::asio::any_io_executor ex) : data_ready(ex), fetch_wake(ex) {}

  SubscriptionMode mode = SubscriptionMode::none;
  std::vector<std::string> topics;  // subscribe(): the subscription
  std::map<TopicPartition, AssignedPartition> assigned;
  // Set when poll() may have something to do: records arrived, an error, a rebalance step.
  Event data_ready;
  // Set when the fetcher may have something to do: a new position, room in a buffer, a seek.
  Event fetch_wake;

  std::vector<TopicPartition> assignment() const {
    std::vector<TopicPartition> out;
    for (const auto& entry : assigned) out.push_back(entry.first);
    return out;
  }
  void add(const std::vector<TopicPartition>& partitions) {
    for (const auto& tp : partitions) assigned.try_emplace(tp);
    fetch_wake.set();
  }
  void remove(const std::vector<TopicPartition>& partitions) {
    for (const auto& tp : partitions) assigned.erase(tp);
  }
  void wake_all() {
    data_ready.set();
    fetch_wake.set();
  }
};

}  // namespace sluice::client::detail
