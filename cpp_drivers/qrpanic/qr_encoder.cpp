// SPDX-License-Identifier: MIT
// qrpanic, safe C++. Same algorithm and data layout as c_drivers/qrpanic/qrpanic.c
// (docs/qrpanic.md); only the expression differs: spans instead of pointers,
// a Version type instead of a bare integer, errors as values, constexpr tables.
#include "qr_encoder.hpp"

#include <algorithm>
#include <array>

#include "qr_tables.hpp"

namespace drvbench::qrpanic {
namespace {

constexpr uint32_t kModeNumeric = 0x1;
constexpr uint32_t kModeByte = 0x4;

// A QR version 1..40; only valid_version() makes one, so tables are indexed safely.
class Version {
public:
	static constexpr Version from_valid(unsigned v) { return Version(v); }
	[[nodiscard]] constexpr unsigned number() const { return v_; }
	[[nodiscard]] constexpr const VersionParams &params() const { return kVersions[v_]; }
	[[nodiscard]] constexpr unsigned width() const { return v_ * 4 + 17; }
	[[nodiscard]] constexpr std::size_t max_data() const
	{
		const VersionParams &p = params();
		return std::size_t{p.g1_blk_size} * p.g1_blocks +
		       std::size_t{p.g1_blk_size + 1u} * p.g2_blocks;
	}
	[[nodiscard]] constexpr unsigned blocks() const { return params().g1_blocks + params().g2_blocks; }
	[[nodiscard]] constexpr std::size_t codewords() const
	{
		return max_data() + std::size_t{params().ec_size} * blocks();
	}

private:
	constexpr explicit Version(unsigned v) : v_(v) {}
	unsigned v_;
};

enum class SegKind : uint8_t { Byte, Numeric };

struct Segment {
	SegKind kind;
	std::span<const uint8_t> bytes;

	[[nodiscard]] unsigned length_bits(Version version) const
	{
		unsigned v = version.number();
		if (kind == SegKind::Byte)
			return v <= 9 ? 8 : 16;
		if (v <= 9)
			return 10;
		return v <= 26 ? 12 : 14;
	}

	[[nodiscard]] static std::size_t numeric_digits(std::size_t len)
	{
		return 17 * (len / 7) + kBytesToDigits[len % 7];
	}

	[[nodiscard]] std::size_t char_count() const
	{
		return kind == SegKind::Byte ? bytes.size() : numeric_digits(bytes.size());
	}

	[[nodiscard]] std::size_t total_bits(Version version) const
	{
		std::size_t payload = 0;
		if (kind == SegKind::Byte) {
			payload = bytes.size() * 8;
		} else {
			std::size_t digits = numeric_digits(bytes.size());
			payload = 10 * (digits / 3) + kDigitGroupBits[digits % 3];
		}
		return 4 + length_bits(version) + payload;
	}
};

// Smallest version whose data capacity holds the segments.
std::optional<Version> pick_version(std::span<const Segment> segs)
{
	for (unsigned v = 1; v <= kMaxVersion; v++) {
		Version version = Version::from_valid(v);
		std::size_t bits = 0;
		for (const Segment &seg : segs)
			bits += seg.total_bits(version);
		if (bits <= version.max_data() * 8)
			return version;
	}
	return std::nullopt;
}

// Appends bits MSB first into a zero-filled buffer.
class BitWriter {
public:
	explicit BitWriter(std::span<uint8_t> buf) : buf_(buf) {}

	void put(uint32_t value, unsigned nbits)
	{
		while (nbits) {
			std::size_t byte = bit_ / 8;
			unsigned room = 8 - bit_ % 8;
			unsigned take = nbits < room ? nbits : room;
			uint32_t chunk = (value >> (nbits - take)) & ((1u << take) - 1);

			buf_[byte] = static_cast<uint8_t>(buf_[byte] | (chunk << (room - take)));
			bit_ += take;
			nbits -= take;
		}
	}

	void put_numeric(std::span<const uint8_t> bytes)
	{
		uint32_t group = 0;
		unsigned group_len = 0;

		for (std::size_t off = 0; off < bytes.size(); off += 7) {
			std::span<const uint8_t> piece = bytes.subspan(off, std::min<std::size_t>(7, bytes.size() - off));
			unsigned ndigits = kBytesToDigits[piece.size()];
			std::array<uint8_t, 17> digits{};
			uint64_t chunk = 0;

			// The chunk is a little-endian u64 of up to 7 bytes.
			for (std::size_t i = 0; i < piece.size(); i++)
				chunk |= uint64_t{piece[i]} << (8 * i);
			for (unsigned i = ndigits; i > 0; i--) {
				digits[i - 1] = static_cast<uint8_t>(chunk % 10);
				chunk /= 10;
			}
			for (unsigned i = 0; i < ndigits; i++) {
				group = group * 10 + digits[i];
				if (++group_len == 3) {
					put(group, 10);
					group = 0;
					group_len = 0;
				}
			}
		}
		if (group_len)
			put(group, kDigitGroupBits[group_len]);
	}

	[[nodiscard]] std::size_t bit() const { return bit_; }
	void set_bit(std::size_t bit) { bit_ = bit; }

private:
	std::span<uint8_t> buf_;
	std::size_t bit_ = 0;
};

// Writes segments, terminator and padding: the data codewords of tmp.
void encode_segments(std::span<const Segment> segs, Version version, std::span<uint8_t> tmp)
{
	BitWriter bw(tmp);
	std::size_t capacity = version.max_data();

	for (const Segment &seg : segs) {
		bw.put(seg.kind == SegKind::Byte ? kModeByte : kModeNumeric, 4);
		bw.put(static_cast<uint32_t>(seg.char_count()), seg.length_bits(version));
		if (seg.kind == SegKind::Byte) {
			for (uint8_t b : seg.bytes)
				bw.put(b, 8);
		} else {
			bw.put_numeric(seg.bytes);
		}
	}
	// Terminator: up to four zero bits, cut at capacity. tmp is zeroed.
	bw.set_bit(std::min(bw.bit() + 4, capacity * 8));
	std::size_t pad = (bw.bit() + 7) / 8;
	for (std::size_t i = pad; i < capacity; i++)
		tmp[i] = ((i - pad) & 1) ? 0x11 : 0xec;
}

// Reed-Solomon remainder of each block, stored after all data codewords.
void compute_ecc(Version version, std::span<uint8_t> tmp)
{
	const VersionParams &p = version.params();
	const std::array<uint8_t, kMaxEc> &gen = kGenLog[p.ec_size];
	std::size_t data_off = 0;
	std::size_t ec_off = version.max_data();

	for (unsigned b = 0; b < version.blocks(); b++) {
		unsigned blk_size = p.g1_blk_size + (b >= p.g1_blocks ? 1u : 0u);
		std::array<uint8_t, kMaxEc> rem{};

		for (unsigned i = 0; i < blk_size; i++) {
			uint8_t factor = tmp[data_off + i] ^ rem[0];

			std::copy(rem.begin() + 1, rem.begin() + p.ec_size, rem.begin());
			rem[p.ec_size - 1u] = 0;
			if (factor) {
				unsigned lf = kGfLog[factor];
				for (unsigned j = 0; j < p.ec_size; j++)
					rem[j] ^= kGfExp[lf + gen[j]];
			}
		}
		std::ranges::copy(std::span(rem).first(p.ec_size), tmp.subspan(ec_off, p.ec_size).begin());
		data_off += blk_size;
		ec_off += p.ec_size;
	}
}

// Yields codewords in the interleaved order of the symbol: the i-th data
// codeword of every block, then the i-th ECC codeword of every block.
class CodewordIter {
public:
	CodewordIter(Version version, std::span<const uint8_t> tmp)
		: p_(version.params()), tmp_(tmp), ec_base_(version.max_data()), nblocks_(version.blocks())
	{
	}

	uint8_t next()
	{
		std::size_t off = 0;

		if (!in_ecc_) {
			// Group 2 blocks are one codeword longer: only they have the last index.
			if (idx_ == p_.g1_blk_size && blk_ < p_.g1_blocks)
				blk_ = p_.g1_blocks;
			if (blk_ < p_.g1_blocks)
				off = std::size_t{blk_} * p_.g1_blk_size + idx_;
			else
				off = std::size_t{p_.g1_blocks} * p_.g1_blk_size +
				      std::size_t{blk_ - p_.g1_blocks} * (p_.g1_blk_size + 1u) + idx_;
			if (++blk_ == nblocks_) {
				blk_ = 0;
				if (++idx_ > p_.g1_blk_size || (idx_ == p_.g1_blk_size && !p_.g2_blocks)) {
					idx_ = 0;
					in_ecc_ = true;
				}
			}
			return tmp_[off];
		}
		off = ec_base_ + std::size_t{blk_} * p_.ec_size + idx_;
		if (++blk_ == nblocks_) {
			blk_ = 0;
			idx_++;
		}
		return tmp_[off];
	}

private:
	const VersionParams &p_;
	std::span<const uint8_t> tmp_;
	std::size_t ec_base_;
	unsigned nblocks_;
	unsigned blk_ = 0;
	unsigned idx_ = 0;
	bool in_ecc_ = false;
};

// Rows of one column that hold function patterns, as a 192-bit mask.
struct RowMask {
	std::array<uint64_t, 3> words{};

	void reserve(unsigned lo, unsigned hi)
	{
		for (unsigned y = lo; y <= hi; y++)
			words[y / 64] |= uint64_t{1} << (y % 64);
	}
	[[nodiscard]] bool test(unsigned y) const { return (words[y / 64] >> (y % 64)) & 1; }
};

// An alignment centre that would overlap a finder is not drawn.
constexpr bool align_skipped(unsigned i, unsigned j, unsigned n)
{
	return (i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0);
}

class QrImage {
public:
	QrImage(std::span<uint8_t> data, Version version)
		: data_(data), version_(version), width_(version.width()), stride_((width_ + 7) / 8),
		  align_(kAlignPos[version.number()])
	{
	}

	[[nodiscard]] unsigned width() const { return width_; }

	void draw_function_patterns()
	{
		const unsigned w = width_;
		const unsigned n = align_[0];

		draw_finder(3, 3);
		draw_finder(static_cast<int>(w) - 4, 3);
		draw_finder(3, static_cast<int>(w) - 4);

		for (unsigned i = 0; i < n; i++) {
			for (unsigned j = 0; j < n; j++) {
				if (align_skipped(i, j, n))
					continue;
				for (int dy = -1; dy <= 1; dy++)
					for (int dx = -1; dx <= 1; dx++)
						if (dx || dy)
							set_light(align_[1 + i] + dx, align_[1 + j] + dy);
			}
		}

		// Timing patterns: odd positions are light.
		for (unsigned k = 9; k < w - 8; k += 2) {
			set_light(k, 6);
			set_light(6, k);
		}

		// Format information, both copies; (8, w - 8) stays dark.
		for (unsigned k = 0; k < 15; k++) {
			if (kFormatLMask0 & (1u << k))
				continue;
			if (k < 6)
				set_light(8, k);
			else if (k < 8)
				set_light(8, k + 1);
			else if (k == 8)
				set_light(7, 8);
			else
				set_light(14 - k, 8);
			if (k < 8)
				set_light(w - 1 - k, 8);
			else
				set_light(8, w - 15 + k);
		}

		// Version information, both copies.
		if (version_.number() >= 7) {
			uint32_t info = kVersionInfo[version_.number()];
			for (unsigned k = 0; k < 18; k++) {
				if (info & (1u << k))
					continue;
				set_light(w - 11 + k % 3, k / 3);
				set_light(k / 3, w - 11 + k % 3);
			}
		}
	}

	// Places all codewords (then remainder bits) in zig-zag order with mask 0.
	void draw_data(CodewordIter &it, std::size_t ncodewords)
	{
		const unsigned w = width_;
		const std::size_t total_bits = ncodewords * 8;
		std::size_t bit = 0;
		uint8_t cw = 0;

		for (int right = static_cast<int>(w) - 1; right >= 1; right -= 2) {
			if (right == 6)
				right = 5; // column 6 is the vertical timing pattern
			const bool upward = ((right + 1) & 2) == 0;
			const std::array<RowMask, 2> rows{reserved_rows(static_cast<unsigned>(right)),
							  reserved_rows(static_cast<unsigned>(right) - 1)};

			for (unsigned vert = 0; vert < w; vert++) {
				unsigned y = upward ? w - 1 - vert : vert;

				for (unsigned c = 0; c < 2; c++) {
					unsigned x = static_cast<unsigned>(right) - c;
					unsigned dark = 0;

					if (rows[c].test(y))
						continue;
					if (bit < total_bits) {
						if (bit % 8 == 0)
							cw = it.next();
						dark = (cw >> (7 - bit % 8)) & 1u;
						bit++;
					}
					// Mask 0 inverts where (x + y) is even. Branch-free:
					// data bits are random, a branch would mispredict.
					unsigned light = dark ^ 1u ^ (((x + y) & 1u) ^ 1u);
					put_light_bit(x, y, light);
				}
			}
		}
	}

private:
	// ORs a 0/1 light bit into module (x, y).
	void put_light_bit(unsigned x, unsigned y, unsigned light)
	{
		uint8_t &cell = data_[std::size_t{y} * stride_ + x / 8];
		cell = static_cast<uint8_t>(cell | (light << (7 - x % 8)));
	}

	void set_light(unsigned x, unsigned y)
	{
		uint8_t &cell = data_[std::size_t{y} * stride_ + x / 8];
		cell = static_cast<uint8_t>(cell | (0x80 >> (x % 8)));
	}

	// Finder at centre (cx, cy): ring 2 and the separator (ring 4) are light.
	void draw_finder(int cx, int cy)
	{
		for (int dy = -4; dy <= 4; dy++) {
			for (int dx = -4; dx <= 4; dx++) {
				int x = cx + dx;
				int y = cy + dy;
				int d = std::max(dx < 0 ? -dx : dx, dy < 0 ? -dy : dy);

				if (x < 0 || y < 0 || x >= static_cast<int>(width_) || y >= static_cast<int>(width_))
					continue;
				if (d == 2 || d == 4)
					set_light(static_cast<unsigned>(x), static_cast<unsigned>(y));
			}
		}
	}

	[[nodiscard]] RowMask reserved_rows(unsigned x) const
	{
		const unsigned w = width_;
		const unsigned n = align_[0];
		RowMask rows;

		rows.reserve(6, 6); // timing row
		if (x <= 8) {
			rows.reserve(0, 8); // finder, separator, format
			rows.reserve(w - 8, w - 1);
		} else if (x >= w - 8) {
			rows.reserve(0, 8);
		}
		if (version_.number() >= 7) {
			if (x >= w - 11 && x <= w - 9)
				rows.reserve(0, 5);
			if (x <= 5)
				rows.reserve(w - 11, w - 9);
		}
		for (unsigned i = 0; i < n; i++) {
			if (x + 2 < align_[1 + i] || x > align_[1 + i] + 2u)
				continue;
			for (unsigned j = 0; j < n; j++)
				if (!align_skipped(i, j, n))
					rows.reserve(align_[1 + j] - 2u, align_[1 + j] + 2u);
		}
		return rows;
	}

	std::span<uint8_t> data_;
	Version version_;
	unsigned width_;
	unsigned stride_;
	const std::array<uint8_t, kMaxAlign + 1> &align_;
};

} // namespace

Result<Width, QrError> generate(std::optional<std::span<const uint8_t>> url, std::span<uint8_t> data,
				std::size_t data_len, std::span<uint8_t> tmp)
{
	if (data.size() < kMinDataSize)
		return fail(QrError::DataBufferTooSmall);
	if (tmp.size() < kMinTmpSize)
		return fail(QrError::TmpBufferTooSmall);
	if (data_len > data.size())
		return fail(QrError::DataLenExceedsBuffer);

	std::array<Segment, 2> seg_store{};
	std::span<const Segment> segs;
	if (url) {
		seg_store = {Segment{SegKind::Byte, *url}, Segment{SegKind::Numeric, data.first(data_len)}};
		segs = std::span(seg_store);
	} else {
		seg_store[0] = Segment{SegKind::Byte, data.first(data_len)};
		segs = std::span(seg_store).first(1);
	}

	std::optional<Version> version = pick_version(segs);
	if (!version)
		return fail(QrError::PayloadTooLarge);

	std::ranges::fill(tmp, uint8_t{0});
	encode_segments(segs, *version, tmp);
	compute_ecc(*version, tmp);

	// The payload has been consumed: data becomes the image.
	std::ranges::fill(data, uint8_t{0});
	QrImage img(data, *version);
	img.draw_function_patterns();
	CodewordIter it(*version, tmp);
	img.draw_data(it, version->codewords());
	return Width{static_cast<uint8_t>(img.width())};
}

std::size_t max_data_size(uint8_t version, std::size_t url_len)
{
	if (version < 1 || version > kMaxVersion)
		return 0;
	std::size_t max_data = Version::from_valid(version).max_data();
	if (url_len > 0) {
		// Byte (URL) header + length, Numeric header + length: 5 bytes.
		// 39/40 is the kernel's allowance for the numeric expansion.
		// url_len + 5 >= max_data, without the wrap of url_len + 5.
		if (url_len >= max_data - 5)
			return 0;
		return (max_data - url_len - 5) * 39 / 40;
	}
	// One Byte segment: 4-bit header, 16-bit length, 4-bit terminator.
	return max_data - 3;
}

} // namespace drvbench::qrpanic
