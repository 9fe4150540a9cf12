// Data verification of the nullblk runner (verify = true): every written block carries a
// header (magic, block index, generation, seed, CRC32C of the payload) and a payload drawn
// from a generator seeded by (block, generation, seed). A read checks the header, the
// checksum and then every byte against the regenerated block, so corruption, misdirected
// I/O and stale (lost) writes are told apart in the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace drvbench::nullblk {

constexpr uint64_t kVerifyMagic = 0x6b6c62766e726264ull; // "drbnvblk"
constexpr size_t kVerifyHeader = 40;                     // magic, block, generation, seed, crc+len

uint32_t crc32c(const uint8_t *p, size_t n, uint32_t crc = 0);

// Writes the content of `block` at `generation` (>= 1) into buf[0..len), len >= 64.
void fill_block(uint8_t *buf, uint32_t len, uint64_t block, uint64_t generation, uint64_t seed);

// Checks buf[0..len) read from `block` against what generation `generation` wrote (0: the
// block was never written and must read as zeros; UINT64_MAX: never written by this run and
// of unknown content, only a present header is checked). Returns "" when it matches, else
// what is wrong ("checksum mismatch ...", "stale data ...").
std::string check_block(const uint8_t *buf, uint32_t len, uint64_t block, uint64_t generation, uint64_t seed);

constexpr uint64_t kUnknownGeneration = ~0ull;

} // namespace drvbench::nullblk
