// Producer ids for idempotent producers (InitProducerId), unique across the cluster: each
// broker claims blocks of kProducerIdBlockSize ids through /latest_producer_id_block with a
// version CAS and hands them out from memory — Kafka's ZooKeeper-mode scheme
// (ZkProducerIdManager), with its znode payload, so either can take over a cluster's ids.
// See docs/znodes.md. Every function runs on the session's executor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_session.h"

namespace sluice::coordination {

inline constexpr int64_t kProducerIdBlockSize = 1000;

// /latest_producer_id_block: the last block claimed, by which broker.
// {"version":1,"broker":<id>,"block_start":"<first>","block_end":"<last>"} — both ends
// inclusive, written as strings (Kafka's layout).
struct ProducerIdBlock {
  int32_t broker = -1;
  int64_t first = 0;
  int64_t last = -1;
  friend bool operator==(const ProducerIdBlock&, const ProducerIdBlock&) = default;
};
std::string encode(const ProducerIdBlock& block);
// nullopt for an empty payload (the znode exists, no block was claimed yet — how Kafka
// creates it). Errors: data_inconsistency.
Result<std::optional<ProducerIdBlock>> decode_producer_id_block(std::string_view json);

// Claims the block after the one the znode names (ids from 0 when it is empty or missing)
// for `broker_id`: a set with the version read, or a create when the znode is missing;
// losing either race to another broker reads again (a few times). Errors: ZooKeeper errors
// (is_transient ones may be retried), data_inconsistency (a payload that does not decode,
// or no ids left below INT64_MAX).
awaitable<Result<ProducerIdBlock>> claim_producer_id_block(ZkSession& zk, int32_t broker_id);

// Hands out the ids of this broker's current block, claiming a new block when it is used up.
// Ids of a block are lost when the broker stops (as in Kafka). Not thread-safe: use it on
// the session's executor only.
class ProducerIdAllocator {
 public:
  explicit ProducerIdAllocator(int32_t broker_id) : broker_id_(broker_id) {}
  ProducerIdAllocator(const ProducerIdAllocator&) = delete;
  ProducerIdAllocator& operator=(const ProducerIdAllocator&) = delete;

  // The next unused producer id. Errors: those of claim_producer_id_block.
  awaitable<Result<int64_t>> next(ZkSession& zk);

 private:
  const int32_t broker_id_;
  int64_t next_ = 0;
  int64_t last_ = -1;  // next_ > last_: no block, or used up
};

}  // namespace sluice::coordination
