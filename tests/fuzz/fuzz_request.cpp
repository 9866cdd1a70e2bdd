// libFuzzer target: a request frame body (header + body) as the broker receives it.
#include <cstddef>
#include <cstdint>

#include "protocol/header.h"
#include "tests/fuzz/decode_any.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  ByteReader in(std::span<const uint8_t>(data, size));
  auto header = decode_request_header(in);
  if (!header.ok()) return 0;
  (void)fuzz::decode_request_body(header->api_key, header->api_version, in);
  return 0;
}
