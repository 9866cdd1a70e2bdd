// CRC-32C: an SSE4.2 path chosen at run time, and a slicing-by-8 fallback. The library is
// built without -msse4.2, so only the function carrying the target attribute may use the
// instruction, and it is called only after the CPU has been checked.
#include "protocol/crc32c.h"

#include <array>
#include <cstddef>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define SLUICE_CRC32C_HAVE_SSE42 1
#endif

namespace sluice::protocol {

namespace {

// The Castagnoli polynomial 0x1EDC6F41, bit-reversed because the CRC is computed LSB-first.
constexpr uint32_t kPolynomial = 0x82F63B78;

// kTables[0] is the classic byte-at-a-time table. kTables[k][b] is the CRC contribution of
// byte b followed by k zero bytes, which lets the loop fold eight input bytes per step with
// eight independent lookups instead of a chain of eight dependent ones.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
}

constexpr Tables kTables = make_tables();

// Assembles little-endian words byte by byte so the table path is correct on any host;
// compilers turn this into a single load on little-endian machines.
inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// `state` is the running register (the complement of a finished CRC).
uint32_t update_software(uint32_t state, const uint8_t* p, std::size_t n) {
  const auto& t = kTables;
  while (n >= 8) {
    const uint32_t lo = load_le32(p) ^ state;
    const uint32_t hi = load_le32(p + 4);
    state = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
            t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) state = (state >> 8) ^ t[0][(state ^ *p++) & 0xff];
  return state;
}

#ifdef SLUICE_CRC32C_HAVE_SSE42
__attribute__((target("sse4.2"))) uint32_t update_sse42(uint32_t state, const uint8_t* p,
                                                        std::size_t n) {
  // Byte steps up to an 8-byte boundary so the wide loop reads aligned words.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    state = _mm_crc32_u8(state, *p++);
    --n;
  }
  uint64_t wide = state;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    wide = _mm_crc32_u64(wide, word);
    p += 8;
    n -= 8;
  }
  state = static_cast<uint32_t>(wide);
  while (n--) state = _mm_crc32_u8(state, *p++);
  return state;
}

bool cpu_has_sse42() {
  // Function-local static: checked once, and never before the CPU model is initialised.
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return has;
}
#endif

}  // namespace

uint32_t crc32c_software(std::span<const uint8_t> data, uint32_t crc) {
  return ~update_software(~crc, data.data(), data.size());
}

uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc) {
#ifdef SLUICE_CRC32C_HAVE_SSE42
  if (cpu_has_sse42()) return ~update_sse42(~crc, data.data(), data.size());
#endif
  return crc32c_software(data, crc);
}

bool crc32c_hardware_available() {
#ifdef SLUICE_CRC32C_HAVE_SSE42
  return cpu_has_sse42();
#else
  return false;
#endif
}

}  // namespace sluice::protocol
