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
// One crc32 instruction has a latency of about three cycles but a throughput of one per
// cycle, so a single dependency chain runs at a third of the unit's speed. Long inputs are
// therefore cut into stripes of three blocks of kBlock bytes whose CRCs are computed
// side by side (three independent chains) and then joined: with r(s, M) the register after
// feeding M from state s, r(s, A|B) = shift(r(s, A), |B|) ^ r(0, B), where shift(x, n) —
// the register x followed by n zero bytes — is linear in x and is applied with four
// 256-entry tables built once from the instruction itself.
template <std::size_t kBlock>
struct Shift {
  std::array<std::array<uint32_t, 256>, 4> t{};
  __attribute__((target("sse4.2"))) Shift() {
    std::array<uint32_t, 32> basis{};  // shift(1 << i, kBlock)
    for (int i = 0; i < 32; ++i) {
      uint64_t x = uint32_t{1} << i;
      for (std::size_t k = 0; k < kBlock / 8; ++k) x = _mm_crc32_u64(x, 0);
      basis[static_cast<std::size_t>(i)] = static_cast<uint32_t>(x);
    }
    for (std::size_t byte = 0; byte < 4; ++byte) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t v = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if ((b >> bit) & 1) v ^= basis[byte * 8 + static_cast<std::size_t>(bit)];
        }
        t[byte][b] = v;
      }
    }
  }
  uint32_t operator()(uint32_t x) const {
    return t[0][x & 0xff] ^ t[1][(x >> 8) & 0xff] ^ t[2][(x >> 16) & 0xff] ^ t[3][x >> 24];
  }
};

template <std::size_t kBlock>
__attribute__((target("sse4.2"))) uint32_t stripes(uint32_t state, const uint8_t*& p,
                                                   std::size_t& n) {
  static const Shift<kBlock> shift;
  while (n >= 3 * kBlock) {
    uint64_t a = state;
    uint64_t b = 0;
    uint64_t c = 0;
    for (std::size_t i = 0; i < kBlock; i += 8) {
      uint64_t wa, wb, wc;
      std::memcpy(&wa, p + i, 8);
      std::memcpy(&wb, p + kBlock + i, 8);
      std::memcpy(&wc, p + 2 * kBlock + i, 8);
      a = _mm_crc32_u64(a, wa);
      b = _mm_crc32_u64(b, wb);
      c = _mm_crc32_u64(c, wc);
    }
    state = shift(shift(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^
            static_cast<uint32_t>(c);
    p += 3 * kBlock;
    n -= 3 * kBlock;
  }
  return state;
}

__attribute__((target("sse4.2"))) uint32_t update_sse42(uint32_t state, const uint8_t* p,
                                                        std::size_t n) {
  // Byte steps up to an 8-byte boundary so the wide loops read aligned words.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    state = _mm_crc32_u8(state, *p++);
    --n;
  }
  state = stripes<4096>(state, p, n);
  state = stripes<256>(state, p, n);
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
