// A deterministic synthetic kernel log (an oops with registers and a call trace, repeated
// with variations): realistic, compressible panic-screen input for qrpanic, reusable by
// other components that want kernel-like text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace drvbench {

// splitmix64: tiny, portable and fully specified, so payloads are identical everywhere.
struct SplitMix64 {
	unsigned long long s;
	explicit SplitMix64(unsigned long long seed) : s(seed) {}
	unsigned long long next()
	{
		uint64_t z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
	unsigned long long below(unsigned long long n) { return next() % n; }
};

// At least min_bytes of log text, whole lines, seeded.
std::string synthetic_kmsg(uint64_t seed, size_t min_bytes = 64 * 1024);

std::vector<uint8_t> random_bytes(uint64_t seed, size_t n);

} // namespace drvbench
