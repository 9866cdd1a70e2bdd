// libFuzzer target: record batches as they arrive in a produce request (or a fetch response):
// iteration, validation and record decoding must reject garbage without crashing and
// without allocating more than the decompression bound.
#include <cstddef>
#include <cstdint>

#include "protocol/record_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  BatchIterator it(std::span<const uint8_t>(data, size));
  ValidateOptions options;
  options.max_decompressed_bytes = 1 << 20;
  while (auto batch = it.next()) {
    if (validate_batch(*batch, options).ok()) (void)decode_records(*batch, 1 << 20);
    (void)parse_batch_header(*batch);
  }
  return 0;
}
