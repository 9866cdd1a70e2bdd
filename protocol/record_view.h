// Zero-copy reading of a RecordBatch v2's records (protocol/record_batch.h has the layout):
// each record is handed to a visitor as spans into the batch, so a reader that builds its
// own record type (the client's fetcher) copies each key and value once, not twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "common/result.h"

namespace sluice::protocol {

// A record seen in place: the spans point into the batch (or into its decompressed
// records) and are valid only during the visit. nullopt key/value: null.
struct RecordHeaderView {
  std::span<const uint8_t> key;
  std::optional<std::span<const uint8_t>> value;
};
struct RecordView {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  std::span<const RecordHeaderView> headers;
};
using RecordVisitor = std::function<void(const RecordView&)>;
// decode_records (protocol/record_batch.h) without the copies: calls `visit` for each record
// of one whole batch, in order, with the same checks. A record is visited once it checked out, so
// on failure the records before the bad one have been visited already: a caller that wants all or
// nothing (as decode_records gives) drops what it collected from this batch.
Status for_each_record(std::span<const uint8_t> batch, const RecordVisitor& visit,
                       std::size_t max_decompressed = 64 * 1024 * 1024);

}  // namespace sluice::protocol
