// The nullblk runner's reproducible offset generator: xorshift64* seeded through splitmix64
// (one stream per job: seed and job index), mapped onto [0, n) by a multiply-high (no
// division, no modulo bias worth the name for n < 2^40).
#pragma once

#include <cstdint>

namespace drvbench::nullblk {

constexpr uint64_t splitmix64(uint64_t &x)
{
	uint64_t z = (x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

class Xorshift64s {
public:
	explicit constexpr Xorshift64s(uint64_t seed, uint64_t stream = 0)
	{
		uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
		s_ = splitmix64(x);
		if (s_ == 0)
			s_ = 0x2545f4914f6cdd1dull;
	}
	constexpr uint64_t next()
	{
		s_ ^= s_ >> 12;
		s_ ^= s_ << 25;
		s_ ^= s_ >> 27;
		return s_ * 0x2545f4914f6cdd1dull;
	}
	// Uniform in [0, n).
	uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }

private:
	uint64_t s_ = 0;
};

} // namespace drvbench::nullblk
