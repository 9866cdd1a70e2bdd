// Producer-id blocks claimed through /latest_producer_id_block (see producer_ids.h).
#include "coordination/producer_ids.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "common/log.h"
#include "coordination/zk_error.h"
#include "coordination/znodes.h"

namespace sluice::coordination {
namespace {

using Json = nlohmann::ordered_json;

// Every lost race means another broker got a block; a broker can lose many in a row when
// several claim at once, so it backs off a random few milliseconds before trying again (which
// spreads the contenders) and gives up only after this many.
constexpr int kClaimAttempts = 50;

Error bad(std::string_view why) {
  return Error(ZkErrc::data_inconsistency,
               znodes::latest_producer_id_block() + ": " + std::string(why));
}

// Kafka writes the block ends as strings; accept numbers too.
std::optional<int64_t> id_field(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return std::nullopt;
  const std::string text = it->get<std::string>();
  int64_t value = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The block that follows `previous` (or the first block).
Result<ProducerIdBlock> block_after(const std::optional<ProducerIdBlock>& previous,
                                    int32_t broker_id) {
  ProducerIdBlock block;
  block.broker = broker_id;
  block.first = 0;
  if (previous) {
    if (previous->last > std::numeric_limits<int64_t>::max() - kProducerIdBlockSize) {
      return bad("producer ids exhausted (last block ends at " + std::to_string(previous->last) +
                 ")");
    }
    block.first = previous->last + 1;
  }
  block.last = block.first + kProducerIdBlockSize - 1;
  return block;
}

}  // namespace

std::string encode(const ProducerIdBlock& block) {
  Json j;
  j["version"] = 1;
  j["broker"] = block.broker;
  j["block_start"] = std::to_string(block.first);
  j["block_end"] = std::to_string(block.last);
  return j.dump();
}

Result<std::optional<ProducerIdBlock>> decode_producer_id_block(std::string_view json) {
  if (json.empty()) return std::optional<ProducerIdBlock>();
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto broker = j.find("broker");
  if (broker == j.end() || !broker->is_number_integer()) return bad("no broker");
  auto first = id_field(j, "block_start");
  auto last = id_field(j, "block_end");
  if (!first || !last) return bad("no block_start or block_end");
  if (*first < 0 || *last < *first) return bad("block_end before block_start");
  return std::optional<ProducerIdBlock>(ProducerIdBlock{broker->get<int32_t>(), *first, *last});
}

awaitable<Result<ProducerIdBlock>> claim_producer_id_block(ZkSession& zk, int32_t broker_id) {
  const std::string path = znodes::latest_producer_id_block();
  for (int attempt = 0; attempt < kClaimAttempts; ++attempt) {
    auto current = co_await zk.get(path);
    if (!current && current.error() != ZkErrc::no_node) co_return std::move(current).error();
    std::optional<ProducerIdBlock> previous;
    if (current) {
      auto decoded = decode_producer_id_block(current->data);
      if (!decoded) co_return std::move(decoded).error();
      previous = *decoded;
    }
    auto block = block_after(previous, broker_id);
    if (!block) co_return std::move(block).error();
    std::string payload = encode(*block);
    if (current) {
      auto written = co_await zk.set(path, std::move(payload), current->stat.version);
      if (written) co_return std::move(block).value();
      if (written.error() != ZkErrc::bad_version) co_return std::move(written).error();
    } else {
      auto created = co_await zk.create(path, std::move(payload));
      if (created) co_return std::move(block).value();
      if (created.error() != ZkErrc::node_exists) co_return std::move(created).error();
    }
    // Another broker claimed a block meanwhile: read its block and try the next one.
    thread_local std::minstd_rand jitter(std::random_device{}());
    boost::asio::steady_timer pause(zk.get_executor(),
                                    std::chrono::milliseconds(1 + jitter() % 20));
    boost::system::error_code ignored;
    co_await pause.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
  co_return Error(ZkErrc::bad_version, "claiming a producer id block in " + path +
                                           ": gave up after " + std::to_string(kClaimAttempts) +
                                           " lost races");
}

awaitable<Result<int64_t>> ProducerIdAllocator::next(ZkSession& zk) {
  if (next_ > last_) {
    auto block = co_await claim_producer_id_block(zk, broker_id_);
    if (!block) co_return std::move(block).error();
    // Another call may have installed a block while this one waited; keep the one in use
    // (the other block's ids are lost, as when a broker stops).
    if (next_ > last_) {
      next_ = block->first;
      last_ = block->last;
      SLUICE_LOG(info) << "claimed producer ids " << block->first << ".." << block->last;
    }
  }
  co_return next_++;
}

}  // namespace sluice::coordination
