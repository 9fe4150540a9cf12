// Verify patterns; see verify.hpp.
#include "verify.hpp"

#include "rng.hpp"

#include <array>
#include <cstdio>
#include <cstring>

namespace drvbench::nullblk {

namespace {

constexpr std::array<uint32_t, 256> make_crc_table()
{
	std::array<uint32_t, 256> t{};
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1; // Castagnoli, reflected
		t[i] = c;
	}
	return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

struct Header {
	uint64_t magic, block, generation, seed;
	uint32_t crc, len;
};
static_assert(sizeof(Header) == kVerifyHeader);

uint64_t payload_seed(uint64_t block, uint64_t generation, uint64_t seed)
{
	uint64_t x = block * 0x9e3779b97f4a7c15ull ^ (generation << 32 | generation >> 32) ^ seed * 0xd6e8feb86659fd93ull;
	return splitmix64(x);
}

void fill_payload(uint8_t *p, size_t n, uint64_t &s)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = splitmix64(s);
		memcpy(p + i, &v, 8);
	}
	if (i < n) {
		uint64_t v = splitmix64(s);
		memcpy(p + i, &v, n - i);
	}
}

std::string hex(uint64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
	return b;
}

} // namespace

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(const uint8_t *p, size_t n, uint32_t crc)
{
	uint64_t c = ~crc;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	uint32_t c32 = static_cast<uint32_t>(c);
	for (; i < n; i++)
		c32 = __builtin_ia32_crc32qi(c32, p[i]);
	return ~c32;
}
#endif

uint32_t crc32c(const uint8_t *p, size_t n, uint32_t crc)
{
#if defined(__x86_64__)
	static const bool hw = __builtin_cpu_supports("sse4.2");
	if (hw)
		return crc32c_hw(p, n, crc);
#endif
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = kCrcTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

void fill_block(uint8_t *buf, uint32_t len, uint64_t block, uint64_t generation, uint64_t seed)
{
	uint64_t s = payload_seed(block, generation, seed);
	fill_payload(buf + kVerifyHeader, len - kVerifyHeader, s);
	Header h{kVerifyMagic, block, generation, seed, crc32c(buf + kVerifyHeader, len - kVerifyHeader), len};
	memcpy(buf, &h, sizeof h);
}

std::string check_block(const uint8_t *buf, uint32_t len, uint64_t block, uint64_t generation, uint64_t seed)
{
	const std::string gen_s = generation == kUnknownGeneration ? "unknown" : std::to_string(generation);
	if (generation == 0) {
		for (uint32_t i = 0; i < len; i++)
			if (buf[i])
				return "never written, should read as zeros, but byte " + std::to_string(i) + " is " +
				       hex(buf[i]);
		return "";
	}
	Header h;
	memcpy(&h, buf, sizeof h);
	if (h.magic != kVerifyMagic) {
		if (generation == kUnknownGeneration)
			return "";
		bool zeros = true;
		for (uint32_t i = 0; i < len && zeros; i++)
			zeros = buf[i] == 0;
		if (zeros)
			return "reads as zeros, expected generation " + gen_s + " (lost write)";
		return "no verify header (magic " + hex(h.magic) + ", expected " + hex(kVerifyMagic) +
		       "): data corrupted or not written by this run";
	}
	if (h.block != block)
		return "header names block " + std::to_string(h.block) + " (misdirected I/O)";
	if (h.seed != seed)
		return "header names seed " + std::to_string(h.seed) + ", expected " + std::to_string(seed);
	if (h.len != len)
		return "header names length " + std::to_string(h.len) + ", expected " + std::to_string(len);
	if (generation != kUnknownGeneration && h.generation != generation)
		return "header names generation " + std::to_string(h.generation) + ", expected " + gen_s +
		       (h.generation < generation ? " (stale data: a write was lost)" : " (a write that failed changed data)");
	const uint32_t crc = crc32c(buf + kVerifyHeader, len - kVerifyHeader);
	if (crc != h.crc) {
		uint8_t want[64];
		uint64_t s = payload_seed(block, h.generation, seed);
		// Find the first corrupted byte for the message.
		for (uint32_t off = kVerifyHeader; off < len; off += 64) {
			uint32_t n = len - off < 64 ? len - off : 64;
			fill_payload(want, 64, s);
			for (uint32_t i = 0; i < n; i++)
				if (buf[off + i] != want[i])
					return "checksum mismatch (stored " + hex(h.crc) + ", computed " + hex(crc) +
					       "): data corrupted at byte " + std::to_string(off + i) + " (read " +
					       hex(buf[off + i]) + ", wrote " + hex(want[i]) + ")";
		}
		return "checksum mismatch (stored " + hex(h.crc) + ", computed " + hex(crc) + ")";
	}
	return "";
}

} // namespace drvbench::nullblk
