// SPDX-License-Identifier: MIT
// Constant tables of the QR encoder, checked at compile time: every table that
// can be derived from the specification's formulas is re-derived here with
// constexpr code and compared with static_assert, so a typo cannot compile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace drvbench::qrpanic {

inline constexpr unsigned kMaxVersion = 40;
inline constexpr unsigned kMaxAlign = 7;
inline constexpr unsigned kMaxEc = 30;
inline constexpr unsigned kMaxWidth = 177;
inline constexpr uint16_t kFormatLMask0 = 0x77c4; // format word for ECC L, mask 0

struct VersionParams {
	uint8_t ec_size;     // ECC codewords per block
	uint8_t g1_blocks;   // blocks of g1_blk_size data codewords
	uint8_t g2_blocks;   // blocks of g1_blk_size + 1 data codewords
	uint8_t g1_blk_size;
};

// Generated from the QR specification's ECC-L block table (ISO/IEC 18004 table 9).
inline constexpr std::array<VersionParams, kMaxVersion + 1> kVersions{{
	{0, 0, 0, 0},
	{7, 1, 0, 19}, // V1
	{10, 1, 0, 34}, // V2
	{15, 1, 0, 55}, // V3
	{20, 1, 0, 80}, // V4
	{26, 1, 0, 108}, // V5
	{18, 2, 0, 68}, // V6
	{20, 2, 0, 78}, // V7
	{24, 2, 0, 97}, // V8
	{30, 2, 0, 116}, // V9
	{18, 2, 2, 68}, // V10
	{20, 4, 0, 81}, // V11
	{24, 2, 2, 92}, // V12
	{26, 4, 0, 107}, // V13
	{30, 3, 1, 115}, // V14
	{22, 5, 1, 87}, // V15
	{24, 5, 1, 98}, // V16
	{28, 1, 5, 107}, // V17
	{30, 5, 1, 120}, // V18
	{28, 3, 4, 113}, // V19
	{28, 3, 5, 107}, // V20
	{28, 4, 4, 116}, // V21
	{28, 2, 7, 111}, // V22
	{30, 4, 5, 121}, // V23
	{30, 6, 4, 117}, // V24
	{26, 8, 4, 106}, // V25
	{28, 10, 2, 114}, // V26
	{30, 8, 4, 122}, // V27
	{30, 3, 10, 117}, // V28
	{30, 7, 7, 116}, // V29
	{30, 5, 10, 115}, // V30
	{30, 13, 3, 115}, // V31
	{30, 17, 0, 115}, // V32
	{30, 17, 1, 115}, // V33
	{30, 13, 6, 115}, // V34
	{30, 12, 7, 121}, // V35
	{30, 6, 14, 121}, // V36
	{30, 17, 4, 122}, // V37
	{30, 4, 18, 122}, // V38
	{30, 20, 4, 117}, // V39
	{30, 19, 6, 118}, // V40
}};

// Alignment pattern centres per version; count first.
inline constexpr std::array<std::array<uint8_t, kMaxAlign + 1>, kMaxVersion + 1> kAlignPos{{
	{0},
	{0},
	{2, 6, 18},
	{2, 6, 22},
	{2, 6, 26},
	{2, 6, 30},
	{2, 6, 34},
	{3, 6, 22, 38},
	{3, 6, 24, 42},
	{3, 6, 26, 46},
	{3, 6, 28, 50},
	{3, 6, 30, 54},
	{3, 6, 32, 58},
	{3, 6, 34, 62},
	{4, 6, 26, 46, 66},
	{4, 6, 26, 48, 70},
	{4, 6, 26, 50, 74},
	{4, 6, 30, 54, 78},
	{4, 6, 30, 56, 82},
	{4, 6, 30, 58, 86},
	{4, 6, 34, 62, 90},
	{5, 6, 28, 50, 72, 94},
	{5, 6, 26, 50, 74, 98},
	{5, 6, 30, 54, 78, 102},
	{5, 6, 28, 54, 80, 106},
	{5, 6, 32, 58, 84, 110},
	{5, 6, 30, 58, 86, 114},
	{5, 6, 34, 62, 90, 118},
	{6, 6, 26, 50, 74, 98, 122},
	{6, 6, 30, 54, 78, 102, 126},
	{6, 6, 26, 52, 78, 104, 130},
	{6, 6, 30, 56, 82, 108, 134},
	{6, 6, 34, 60, 86, 112, 138},
	{6, 6, 30, 58, 86, 114, 142},
	{6, 6, 34, 62, 90, 118, 146},
	{7, 6, 30, 54, 78, 102, 126, 150},
	{7, 6, 24, 50, 76, 102, 128, 154},
	{7, 6, 28, 54, 80, 106, 132, 158},
	{7, 6, 32, 58, 84, 110, 136, 162},
	{7, 6, 26, 54, 82, 110, 138, 166},
	{7, 6, 30, 58, 86, 114, 142, 170},
}};

// Generator polynomials as exponents of alpha (leading 1 dropped), indexed by ECC size.
inline constexpr std::array<std::array<uint8_t, kMaxEc>, kMaxEc + 1> kGenLog = [] {
	std::array<std::array<uint8_t, kMaxEc>, kMaxEc + 1> t{};
	t[7] = {87, 229, 146, 149, 238, 102, 21};
	t[10] = {251, 67, 46, 61, 118, 70, 64, 94, 32, 45};
	t[15] = {8, 183, 61, 91, 202, 37, 51, 58, 58, 237, 140, 124, 5, 99, 105};
	t[18] = {215, 234, 158, 94, 184, 97, 118, 170, 79, 187, 152, 148, 252, 179, 5, 98, 96, 153};
	t[20] = {17, 60, 79, 50, 61, 163, 26, 187, 202, 180, 221, 225, 83, 239, 156, 164, 212, 212, 188, 190};
	t[22] = {210, 171, 247, 242, 93, 230, 14, 109, 221, 53, 200, 74, 8, 172, 98, 80, 219, 134, 160, 105, 165, 231};
	t[24] = {229, 121, 135, 48, 211, 117, 251, 126, 159, 180, 169, 152, 192, 226, 228, 218, 111, 0, 117, 232, 87, 96, 227, 21};
	t[26] = {173, 125, 158, 2, 103, 182, 118, 17, 145, 201, 111, 28, 165, 53, 161, 21, 245, 142, 13, 102, 48, 227, 153, 145, 218, 70};
	t[28] = {168, 223, 200, 104, 224, 234, 108, 180, 110, 190, 195, 147, 205, 27, 232, 201, 21, 43, 245, 87, 42, 195, 212, 119, 242, 37, 9, 123};
	t[30] = {41, 173, 145, 152, 216, 31, 179, 182, 50, 48, 110, 86, 239, 96, 222, 125, 42, 173, 226, 193, 224, 130, 156, 37, 251, 216, 238, 40, 192, 180};
	return t;
}();

// Version information (18-bit BCH code) for versions 7..40.
inline constexpr std::array<uint32_t, kMaxVersion + 1> kVersionInfo{
	0, 0, 0, 0, 0, 0, 0, 0x07c94,
	0x085bc, 0x09a99, 0x0a4d3, 0x0bbf6, 0x0c762, 0x0d847, 0x0e60d, 0x0f928,
	0x10b78, 0x1145d, 0x12a17, 0x13532, 0x149a6, 0x15683, 0x168c9, 0x177ec,
	0x18ec4, 0x191e1, 0x1afab, 0x1b08e, 0x1cc1a, 0x1d33f, 0x1ed75, 0x1f250,
	0x209d5, 0x216f0, 0x228ba, 0x2379f, 0x24b0b, 0x2542e, 0x26a64, 0x27541,
	0x28c69,
};

// GF(256), polynomial 0x11d: exp doubled to 512 entries so exp[a + b] needs no modulo.
inline constexpr std::array<uint8_t, 512> kGfExp{
	1, 2, 4, 8, 16, 32, 64, 128, 29, 58, 116, 232, 205, 135, 19, 38,
	76, 152, 45, 90, 180, 117, 234, 201, 143, 3, 6, 12, 24, 48, 96, 192,
	157, 39, 78, 156, 37, 74, 148, 53, 106, 212, 181, 119, 238, 193, 159, 35,
	70, 140, 5, 10, 20, 40, 80, 160, 93, 186, 105, 210, 185, 111, 222, 161,
	95, 190, 97, 194, 153, 47, 94, 188, 101, 202, 137, 15, 30, 60, 120, 240,
	253, 231, 211, 187, 107, 214, 177, 127, 254, 225, 223, 163, 91, 182, 113, 226,
	217, 175, 67, 134, 17, 34, 68, 136, 13, 26, 52, 104, 208, 189, 103, 206,
	129, 31, 62, 124, 248, 237, 199, 147, 59, 118, 236, 197, 151, 51, 102, 204,
	133, 23, 46, 92, 184, 109, 218, 169, 79, 158, 33, 66, 132, 21, 42, 84,
	168, 77, 154, 41, 82, 164, 85, 170, 73, 146, 57, 114, 228, 213, 183, 115,
	230, 209, 191, 99, 198, 145, 63, 126, 252, 229, 215, 179, 123, 246, 241, 255,
	227, 219, 171, 75, 150, 49, 98, 196, 149, 55, 110, 220, 165, 87, 174, 65,
	130, 25, 50, 100, 200, 141, 7, 14, 28, 56, 112, 224, 221, 167, 83, 166,
	81, 162, 89, 178, 121, 242, 249, 239, 195, 155, 43, 86, 172, 69, 138, 9,
	18, 36, 72, 144, 61, 122, 244, 245, 247, 243, 251, 235, 203, 139, 11, 22,
	44, 88, 176, 125, 250, 233, 207, 131, 27, 54, 108, 216, 173, 71, 142, 1,
	2, 4, 8, 16, 32, 64, 128, 29, 58, 116, 232, 205, 135, 19, 38, 76,
	152, 45, 90, 180, 117, 234, 201, 143, 3, 6, 12, 24, 48, 96, 192, 157,
	39, 78, 156, 37, 74, 148, 53, 106, 212, 181, 119, 238, 193, 159, 35, 70,
	140, 5, 10, 20, 40, 80, 160, 93, 186, 105, 210, 185, 111, 222, 161, 95,
	190, 97, 194, 153, 47, 94, 188, 101, 202, 137, 15, 30, 60, 120, 240, 253,
	231, 211, 187, 107, 214, 177, 127, 254, 225, 223, 163, 91, 182, 113, 226, 217,
	175, 67, 134, 17, 34, 68, 136, 13, 26, 52, 104, 208, 189, 103, 206, 129,
	31, 62, 124, 248, 237, 199, 147, 59, 118, 236, 197, 151, 51, 102, 204, 133,
	23, 46, 92, 184, 109, 218, 169, 79, 158, 33, 66, 132, 21, 42, 84, 168,
	77, 154, 41, 82, 164, 85, 170, 73, 146, 57, 114, 228, 213, 183, 115, 230,
	209, 191, 99, 198, 145, 63, 126, 252, 229, 215, 179, 123, 246, 241, 255, 227,
	219, 171, 75, 150, 49, 98, 196, 149, 55, 110, 220, 165, 87, 174, 65, 130,
	25, 50, 100, 200, 141, 7, 14, 28, 56, 112, 224, 221, 167, 83, 166, 81,
	162, 89, 178, 121, 242, 249, 239, 195, 155, 43, 86, 172, 69, 138, 9, 18,
	36, 72, 144, 61, 122, 244, 245, 247, 243, 251, 235, 203, 139, 11, 22, 44,
	88, 176, 125, 250, 233, 207, 131, 27, 54, 108, 216, 173, 71, 142, 1, 2,
};

inline constexpr std::array<uint8_t, 256> kGfLog{
	0, 0, 1, 25, 2, 50, 26, 198, 3, 223, 51, 238, 27, 104, 199, 75,
	4, 100, 224, 14, 52, 141, 239, 129, 28, 193, 105, 248, 200, 8, 76, 113,
	5, 138, 101, 47, 225, 36, 15, 33, 53, 147, 142, 218, 240, 18, 130, 69,
	29, 181, 194, 125, 106, 39, 249, 185, 201, 154, 9, 120, 77, 228, 114, 166,
	6, 191, 139, 98, 102, 221, 48, 253, 226, 152, 37, 179, 16, 145, 34, 136,
	54, 208, 148, 206, 143, 150, 219, 189, 241, 210, 19, 92, 131, 56, 70, 64,
	30, 66, 182, 163, 195, 72, 126, 110, 107, 58, 40, 84, 250, 133, 186, 61,
	202, 94, 155, 159, 10, 21, 121, 43, 78, 212, 229, 172, 115, 243, 167, 87,
	7, 112, 192, 247, 140, 128, 99, 13, 103, 74, 222, 237, 49, 197, 254, 24,
	227, 165, 153, 119, 38, 184, 180, 124, 17, 68, 146, 217, 35, 32, 137, 46,
	55, 63, 209, 91, 149, 188, 207, 205, 144, 135, 151, 178, 220, 252, 190, 97,
	242, 86, 211, 171, 20, 42, 93, 158, 132, 60, 57, 83, 71, 109, 65, 162,
	31, 45, 67, 216, 183, 123, 164, 118, 196, 23, 73, 236, 127, 12, 111, 246,
	108, 161, 59, 82, 41, 157, 85, 170, 251, 96, 134, 177, 187, 204, 62, 90,
	203, 89, 95, 176, 156, 169, 160, 81, 11, 245, 22, 235, 122, 117, 44, 215,
	79, 174, 213, 233, 230, 231, 173, 232, 116, 214, 244, 234, 168, 80, 88, 175,
};

// Digits used by the last chunk of n bytes in a Numeric segment.
inline constexpr std::array<uint8_t, 8> kBytesToDigits{0, 3, 5, 8, 10, 13, 15, 17};
// Bits used by a final group of n digits.
inline constexpr std::array<uint8_t, 4> kDigitGroupBits{0, 4, 7, 10};

namespace checks {

// Modules available for codewords (ISO/IEC 18004 7.1), as in the spec's table 1.
constexpr unsigned raw_data_modules(unsigned v)
{
	unsigned r = (16 * v + 128) * v + 64;
	if (v >= 2) {
		unsigned n = v / 7 + 2;
		r -= (25 * n - 10) * n - 55;
		if (v >= 7)
			r -= 36;
	}
	return r;
}

constexpr bool versions_fill_the_symbol()
{
	for (unsigned v = 1; v <= kMaxVersion; v++) {
		const VersionParams &p = kVersions[v];
		unsigned blocks = p.g1_blocks + p.g2_blocks;
		unsigned total = p.g1_blk_size * p.g1_blocks + (p.g1_blk_size + 1) * p.g2_blocks +
				 p.ec_size * blocks;
		if (total != raw_data_modules(v) / 8 || p.ec_size > kMaxEc)
			return false;
	}
	return true;
}
static_assert(versions_fill_the_symbol(), "kVersions disagrees with the symbol's module count");
static_assert(kVersions[40].g1_blk_size * kVersions[40].g1_blocks +
			      (kVersions[40].g1_blk_size + 1) * kVersions[40].g2_blocks ==
		      2956,
	      "version 40-L holds 2956 data codewords");

constexpr bool gf_tables_consistent()
{
	unsigned x = 1;
	for (unsigned i = 0; i < 255; i++) {
		if (kGfExp[i] != x || kGfExp[i + 255] != x || kGfLog[x] != i)
			return false;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	return true;
}
static_assert(gf_tables_consistent(), "GF(256) tables are not alpha^i mod 0x11d");

// The generator of degree d is the product of (x - alpha^i), i < d.
constexpr bool generator_matches(unsigned degree)
{
	std::array<uint8_t, kMaxEc + 1> g{};
	g[0] = 1;
	for (unsigned i = 0; i < degree; i++) {
		for (unsigned j = i + 1; j > 0; j--) {
			uint8_t prod = g[j - 1] ? kGfExp[kGfLog[g[j - 1]] + i] : 0;
			g[j] = static_cast<uint8_t>(g[j] ^ prod);
		}
	}
	for (unsigned j = 1; j <= degree; j++)
		if (g[j] == 0 || kGfLog[g[j]] != kGenLog[degree][j - 1])
			return false;
	return true;
}

constexpr bool generators_match()
{
	for (unsigned v = 1; v <= kMaxVersion; v++)
		if (!generator_matches(kVersions[v].ec_size))
			return false;
	return true;
}
static_assert(generators_match(), "kGenLog is not the Reed-Solomon generator");

constexpr bool version_info_is_bch()
{
	for (unsigned v = 7; v <= kMaxVersion; v++) {
		uint32_t rem = v;
		for (int i = 0; i < 12; i++)
			rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
		if (kVersionInfo[v] != (v << 12 | rem))
			return false;
	}
	return true;
}
static_assert(version_info_is_bch(), "kVersionInfo is not the (18,6) BCH code");

constexpr bool alignment_positions_follow_formula()
{
	for (unsigned v = 2; v <= kMaxVersion; v++) {
		unsigned n = v / 7 + 2;
		unsigned step = (v * 8 + n * 3 + 5) / (n * 4 - 4) * 2;
		if (kAlignPos[v][0] != n || kAlignPos[v][1] != 6)
			return false;
		for (unsigned i = 1; i < n; i++)
			if (kAlignPos[v][n + 1 - i] != v * 4 + 17 - 7 - (i - 1) * step)
				return false;
	}
	return kAlignPos[1][0] == 0;
}
static_assert(alignment_positions_follow_formula(), "kAlignPos disagrees with the spec");

} // namespace checks
} // namespace drvbench::qrpanic
