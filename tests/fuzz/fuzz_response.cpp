// libFuzzer target: a response body as a client receives it. The first four bytes choose the
// API key and version (what the client would know from its own request).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/decode_any.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  if (size < 4) return 0;
  int16_t key = static_cast<int16_t>((data[0] << 8) | data[1]) % 64;
  int16_t version = static_cast<int16_t>(((data[2] << 8) | data[3]) % 16);
  ByteReader in(std::span<const uint8_t>(data + 4, size - 4));
  (void)fuzz::decode_response_body(key, version, in);
  return 0;
}
