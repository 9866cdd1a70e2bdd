// CRC-32C (Castagnoli), the checksum of Kafka RecordBatch v2. Uses the SSE4.2 crc32
// instruction when the CPU has it (checked once at run time) and slicing-by-8 tables otherwise.
#pragma once

#include <cstdint>
#include <span>

namespace sluice::protocol {

// Returns the CRC-32C of `data`. `crc` is the CRC of the bytes before `data`, so a checksum
// can be computed piecewise: crc32c(b, crc32c(a)) == crc32c(a followed by b).
uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc = 0);

// The table-driven path, whatever the CPU supports. Same contract as crc32c(); exported so
// tests can compare the two paths.
uint32_t crc32c_software(std::span<const uint8_t> data, uint32_t crc = 0);

// True when crc32c() uses the SSE4.2 instruction.
bool crc32c_hardware_available();

}  // namespace sluice::protocol
