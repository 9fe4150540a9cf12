// SPDX-License-Identifier: MIT
/*
 * qrpanic: the panic-screen QR encoder, kernel-style C.
 *
 * The contract is the kernel's drm_panic_qr_generate() (drivers/gpu/drm/
 * drm_panic_qr.rs, Linux 6.15+): caller-provided buffers, no allocation, Byte
 * and Numeric segments, ECC level L, mask 0, the smallest version 1..40 that
 * holds the segments. The algorithm (shared with cpp_drivers/qrpanic, see
 * docs/qrpanic.md) is:
 *   1. check the buffer sizes;
 *   2. pick the version from the segments' bit lengths;
 *   3. write the segments, terminator and padding into tmp, then each
 *      block's ECC after the data codewords;
 *   4. clear data, draw the function patterns as light modules, then walk
 *      the zig-zag placing codewords (interleaved on the fly) with mask 0
 *      applied, skipping reserved modules found through per-column row masks.
 *
 * A set bit in the image is a light module.
 */
#include <string.h>

#include "qrpanic.h"

#define QR_MAX_VERSION 40
#define QR_MAX_ALIGN 7
#define QR_MAX_EC 30
#define QR_MAX_WIDTH 177

#define QR_MODE_NUMERIC 0x1
#define QR_MODE_BYTE 0x4
#define QR_FORMAT_L_MASK0 0x77c4	/* format word for ECC L, mask 0 */

struct qr_version_params {
	uint8_t ec_size;	/* ECC codewords per block */
	uint8_t g1_blocks;	/* blocks of g1_blk_size data codewords */
	uint8_t g2_blocks;	/* blocks of g1_blk_size + 1 data codewords */
	uint8_t g1_blk_size;
};

/* Generated from the QR specification's ECC-L block table (ISO/IEC 18004 table 9). */
static const struct qr_version_params qr_versions[QR_MAX_VERSION + 1] = {
	[0] = { 0, 0, 0, 0 },
	[1] = { 7, 1, 0, 19 },
	[2] = { 10, 1, 0, 34 },
	[3] = { 15, 1, 0, 55 },
	[4] = { 20, 1, 0, 80 },
	[5] = { 26, 1, 0, 108 },
	[6] = { 18, 2, 0, 68 },
	[7] = { 20, 2, 0, 78 },
	[8] = { 24, 2, 0, 97 },
	[9] = { 30, 2, 0, 116 },
	[10] = { 18, 2, 2, 68 },
	[11] = { 20, 4, 0, 81 },
	[12] = { 24, 2, 2, 92 },
	[13] = { 26, 4, 0, 107 },
	[14] = { 30, 3, 1, 115 },
	[15] = { 22, 5, 1, 87 },
	[16] = { 24, 5, 1, 98 },
	[17] = { 28, 1, 5, 107 },
	[18] = { 30, 5, 1, 120 },
	[19] = { 28, 3, 4, 113 },
	[20] = { 28, 3, 5, 107 },
	[21] = { 28, 4, 4, 116 },
	[22] = { 28, 2, 7, 111 },
	[23] = { 30, 4, 5, 121 },
	[24] = { 30, 6, 4, 117 },
	[25] = { 26, 8, 4, 106 },
	[26] = { 28, 10, 2, 114 },
	[27] = { 30, 8, 4, 122 },
	[28] = { 30, 3, 10, 117 },
	[29] = { 30, 7, 7, 116 },
	[30] = { 30, 5, 10, 115 },
	[31] = { 30, 13, 3, 115 },
	[32] = { 30, 17, 0, 115 },
	[33] = { 30, 17, 1, 115 },
	[34] = { 30, 13, 6, 115 },
	[35] = { 30, 12, 7, 121 },
	[36] = { 30, 6, 14, 121 },
	[37] = { 30, 17, 4, 122 },
	[38] = { 30, 4, 18, 122 },
	[39] = { 30, 20, 4, 117 },
	[40] = { 30, 19, 6, 118 },
};

/* Alignment pattern centres per version; count first. */
static const uint8_t qr_align_pos[QR_MAX_VERSION + 1][QR_MAX_ALIGN + 1] = {
	[1] = { 0 },
	[2] = { 2, 6, 18 },
	[3] = { 2, 6, 22 },
	[4] = { 2, 6, 26 },
	[5] = { 2, 6, 30 },
	[6] = { 2, 6, 34 },
	[7] = { 3, 6, 22, 38 },
	[8] = { 3, 6, 24, 42 },
	[9] = { 3, 6, 26, 46 },
	[10] = { 3, 6, 28, 50 },
	[11] = { 3, 6, 30, 54 },
	[12] = { 3, 6, 32, 58 },
	[13] = { 3, 6, 34, 62 },
	[14] = { 4, 6, 26, 46, 66 },
	[15] = { 4, 6, 26, 48, 70 },
	[16] = { 4, 6, 26, 50, 74 },
	[17] = { 4, 6, 30, 54, 78 },
	[18] = { 4, 6, 30, 56, 82 },
	[19] = { 4, 6, 30, 58, 86 },
	[20] = { 4, 6, 34, 62, 90 },
	[21] = { 5, 6, 28, 50, 72, 94 },
	[22] = { 5, 6, 26, 50, 74, 98 },
	[23] = { 5, 6, 30, 54, 78, 102 },
	[24] = { 5, 6, 28, 54, 80, 106 },
	[25] = { 5, 6, 32, 58, 84, 110 },
	[26] = { 5, 6, 30, 58, 86, 114 },
	[27] = { 5, 6, 34, 62, 90, 118 },
	[28] = { 6, 6, 26, 50, 74, 98, 122 },
	[29] = { 6, 6, 30, 54, 78, 102, 126 },
	[30] = { 6, 6, 26, 52, 78, 104, 130 },
	[31] = { 6, 6, 30, 56, 82, 108, 134 },
	[32] = { 6, 6, 34, 60, 86, 112, 138 },
	[33] = { 6, 6, 30, 58, 86, 114, 142 },
	[34] = { 6, 6, 34, 62, 90, 118, 146 },
	[35] = { 7, 6, 30, 54, 78, 102, 126, 150 },
	[36] = { 7, 6, 24, 50, 76, 102, 128, 154 },
	[37] = { 7, 6, 28, 54, 80, 106, 132, 158 },
	[38] = { 7, 6, 32, 58, 84, 110, 136, 162 },
	[39] = { 7, 6, 26, 54, 82, 110, 138, 166 },
	[40] = { 7, 6, 30, 58, 86, 114, 142, 170 },
};

/* Generator polynomials as exponents of alpha, highest degree (implicit 1) dropped,
 * indexed by the number of ECC codewords per block. */
static const uint8_t qr_gen_log[QR_MAX_EC + 1][QR_MAX_EC] = {
	[7] = { 87, 229, 146, 149, 238, 102, 21 },
	[10] = { 251, 67, 46, 61, 118, 70, 64, 94, 32, 45 },
	[15] = { 8, 183, 61, 91, 202, 37, 51, 58, 58, 237, 140, 124, 5, 99, 105 },
	[18] = { 215, 234, 158, 94, 184, 97, 118, 170, 79, 187, 152, 148, 252, 179, 5, 98, 96, 153 },
	[20] = { 17, 60, 79, 50, 61, 163, 26, 187, 202, 180, 221, 225, 83, 239, 156, 164, 212, 212, 188, 190 },
	[22] = { 210, 171, 247, 242, 93, 230, 14, 109, 221, 53, 200, 74, 8, 172, 98, 80, 219, 134, 160, 105, 165, 231 },
	[24] = { 229, 121, 135, 48, 211, 117, 251, 126, 159, 180, 169, 152, 192, 226, 228, 218, 111, 0, 117, 232, 87, 96, 227, 21 },
	[26] = { 173, 125, 158, 2, 103, 182, 118, 17, 145, 201, 111, 28, 165, 53, 161, 21, 245, 142, 13, 102, 48, 227, 153, 145, 218, 70 },
	[28] = { 168, 223, 200, 104, 224, 234, 108, 180, 110, 190, 195, 147, 205, 27, 232, 201, 21, 43, 245, 87, 42, 195, 212, 119, 242, 37, 9, 123 },
	[30] = { 41, 173, 145, 152, 216, 31, 179, 182, 50, 48, 110, 86, 239, 96, 222, 125, 42, 173, 226, 193, 224, 130, 156, 37, 251, 216, 238, 40, 192, 180 },
};

/* Version information (18-bit BCH code) for versions 7..40. */
static const uint32_t qr_version_info[QR_MAX_VERSION + 1] = {
	[7] = 0x07c94,
	[8] = 0x085bc,
	[9] = 0x09a99,
	[10] = 0x0a4d3,
	[11] = 0x0bbf6,
	[12] = 0x0c762,
	[13] = 0x0d847,
	[14] = 0x0e60d,
	[15] = 0x0f928,
	[16] = 0x10b78,
	[17] = 0x1145d,
	[18] = 0x12a17,
	[19] = 0x13532,
	[20] = 0x149a6,
	[21] = 0x15683,
	[22] = 0x168c9,
	[23] = 0x177ec,
	[24] = 0x18ec4,
	[25] = 0x191e1,
	[26] = 0x1afab,
	[27] = 0x1b08e,
	[28] = 0x1cc1a,
	[29] = 0x1d33f,
	[30] = 0x1ed75,
	[31] = 0x1f250,
	[32] = 0x209d5,
	[33] = 0x216f0,
	[34] = 0x228ba,
	[35] = 0x2379f,
	[36] = 0x24b0b,
	[37] = 0x2542e,
	[38] = 0x26a64,
	[39] = 0x27541,
	[40] = 0x28c69,
};

/* GF(256), polynomial 0x11d: exp doubled to 512 entries so exp[a + b] needs no modulo. */
static const uint8_t qr_gf_exp[512] = {
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

static const uint8_t qr_gf_log[256] = {
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

/* Digits used by the last chunk of n bytes in a Numeric segment. */
static const uint8_t qr_bytes_to_digits[8] = { 0, 3, 5, 8, 10, 13, 15, 17 };
/* Bits used by a final group of n digits. */
static const uint8_t qr_digit_group_bits[4] = { 0, 4, 7, 10 };

enum qr_seg_kind { QR_SEG_BYTE, QR_SEG_NUMERIC };

struct qr_segment {
	enum qr_seg_kind kind;
	const uint8_t *bytes;
	size_t len;
};

static unsigned int qr_width(unsigned int version)
{
	return version * 4 + 17;
}

static size_t qr_max_data(unsigned int version)
{
	const struct qr_version_params *p = &qr_versions[version];

	return (size_t)p->g1_blk_size * p->g1_blocks +
	       (size_t)(p->g1_blk_size + 1) * p->g2_blocks;
}

static unsigned int qr_length_bits(const struct qr_segment *seg,
				   unsigned int version)
{
	if (seg->kind == QR_SEG_BYTE)
		return version <= 9 ? 8 : 16;
	if (version <= 9)
		return 10;
	return version <= 26 ? 12 : 14;
}

static size_t qr_numeric_digits(size_t len)
{
	return 17 * (len / 7) + qr_bytes_to_digits[len % 7];
}

static size_t qr_char_count(const struct qr_segment *seg)
{
	if (seg->kind == QR_SEG_BYTE)
		return seg->len;
	return qr_numeric_digits(seg->len);
}

static size_t qr_segment_bits(const struct qr_segment *seg, unsigned int version)
{
	size_t payload;

	if (seg->kind == QR_SEG_BYTE) {
		payload = seg->len * 8;
	} else {
		size_t digits = qr_numeric_digits(seg->len);

		payload = 10 * (digits / 3) + qr_digit_group_bits[digits % 3];
	}
	return 4 + qr_length_bits(seg, version) + payload;
}

/* Smallest version whose data capacity holds the segments, or 0. */
static unsigned int qr_pick_version(const struct qr_segment *segs,
				    unsigned int nsegs)
{
	unsigned int v, i;

	for (v = 1; v <= QR_MAX_VERSION; v++) {
		size_t bits = 0;

		for (i = 0; i < nsegs; i++)
			bits += qr_segment_bits(&segs[i], v);
		if (bits <= qr_max_data(v) * 8)
			return v;
	}
	return 0;
}

/* Appends bits MSB first into a zero-filled buffer. */
struct qr_bitwriter {
	uint8_t *buf;
	size_t bit;
};

static void qr_put_bits(struct qr_bitwriter *bw, uint32_t value,
			unsigned int nbits)
{
	while (nbits) {
		size_t byte = bw->bit / 8;
		unsigned int room = 8 - bw->bit % 8;
		unsigned int take = nbits < room ? nbits : room;
		uint32_t chunk = (value >> (nbits - take)) & ((1u << take) - 1);

		bw->buf[byte] |= (uint8_t)(chunk << (room - take));
		bw->bit += take;
		nbits -= take;
	}
}

static void qr_put_numeric(struct qr_bitwriter *bw, const uint8_t *bytes,
			   size_t len)
{
	uint32_t group = 0;
	unsigned int group_len = 0;
	size_t off;

	for (off = 0; off < len; off += 7) {
		size_t n = len - off < 7 ? len - off : 7;
		unsigned int ndigits = qr_bytes_to_digits[n];
		uint8_t digits[17];
		uint64_t chunk = 0;
		unsigned int i;

		/* The chunk is a little-endian u64 of up to 7 bytes. */
		for (i = 0; i < n; i++)
			chunk |= (uint64_t)bytes[off + i] << (8 * i);
		for (i = ndigits; i > 0; i--) {
			digits[i - 1] = (uint8_t)(chunk % 10);
			chunk /= 10;
		}
		for (i = 0; i < ndigits; i++) {
			group = group * 10 + digits[i];
			if (++group_len == 3) {
				qr_put_bits(bw, group, 10);
				group = 0;
				group_len = 0;
			}
		}
	}
	if (group_len)
		qr_put_bits(bw, group, qr_digit_group_bits[group_len]);
}

/* Writes segments, terminator and padding: the data codewords of tmp. */
static void qr_encode_segments(const struct qr_segment *segs,
			       unsigned int nsegs, unsigned int version,
			       uint8_t *tmp)
{
	struct qr_bitwriter bw = { .buf = tmp, .bit = 0 };
	size_t capacity = qr_max_data(version);
	size_t pad, i;
	unsigned int s;

	for (s = 0; s < nsegs; s++) {
		const struct qr_segment *seg = &segs[s];

		qr_put_bits(&bw, seg->kind == QR_SEG_BYTE ? QR_MODE_BYTE :
							     QR_MODE_NUMERIC, 4);
		qr_put_bits(&bw, (uint32_t)qr_char_count(seg),
			    qr_length_bits(seg, version));
		if (seg->kind == QR_SEG_BYTE) {
			for (i = 0; i < seg->len; i++)
				qr_put_bits(&bw, seg->bytes[i], 8);
		} else {
			qr_put_numeric(&bw, seg->bytes, seg->len);
		}
	}
	/* Terminator: up to four zero bits, cut at capacity. tmp is zeroed. */
	bw.bit += 4;
	if (bw.bit > capacity * 8)
		bw.bit = capacity * 8;
	pad = (bw.bit + 7) / 8;
	for (i = pad; i < capacity; i++)
		tmp[i] = ((i - pad) & 1) ? 0x11 : 0xec;
}

/* Reed-Solomon remainder of each block, stored after all data codewords. */
static void qr_compute_ecc(unsigned int version, uint8_t *tmp)
{
	const struct qr_version_params *p = &qr_versions[version];
	const uint8_t *gen = qr_gen_log[p->ec_size];
	unsigned int nblocks = p->g1_blocks + p->g2_blocks;
	size_t data_off = 0;
	size_t ec_off = qr_max_data(version);
	unsigned int b, i, j;

	for (b = 0; b < nblocks; b++) {
		unsigned int blk_size = p->g1_blk_size + (b >= p->g1_blocks);
		uint8_t rem[QR_MAX_EC] = { 0 };

		for (i = 0; i < blk_size; i++) {
			uint8_t factor = tmp[data_off + i] ^ rem[0];

			memmove(rem, rem + 1, p->ec_size - 1);
			rem[p->ec_size - 1] = 0;
			if (factor) {
				unsigned int lf = qr_gf_log[factor];

				for (j = 0; j < p->ec_size; j++)
					rem[j] ^= qr_gf_exp[lf + gen[j]];
			}
		}
		memcpy(tmp + ec_off, rem, p->ec_size);
		data_off += blk_size;
		ec_off += p->ec_size;
	}
}

/*
 * Yields codewords in the interleaved order of the symbol: the i-th data
 * codeword of every block, then the i-th ECC codeword of every block.
 */
struct qr_cw_iter {
	const struct qr_version_params *p;
	const uint8_t *tmp;
	size_t ec_base;		/* index of the first ECC codeword in tmp */
	unsigned int nblocks;
	unsigned int blk;	/* block of the next codeword */
	unsigned int idx;	/* index within the block */
	bool in_ecc;
};

static void qr_cw_iter_init(struct qr_cw_iter *it, unsigned int version,
			    const uint8_t *tmp)
{
	it->p = &qr_versions[version];
	it->tmp = tmp;
	it->ec_base = qr_max_data(version);
	it->nblocks = it->p->g1_blocks + it->p->g2_blocks;
	it->blk = 0;
	it->idx = 0;
	it->in_ecc = false;
}

static uint8_t qr_cw_next(struct qr_cw_iter *it)
{
	const struct qr_version_params *p = it->p;
	size_t off;

	if (!it->in_ecc) {
		/* Group 2 blocks are one codeword longer: only they have the last index. */
		if (it->idx == p->g1_blk_size && it->blk < p->g1_blocks)
			it->blk = p->g1_blocks;
		if (it->blk < p->g1_blocks)
			off = (size_t)it->blk * p->g1_blk_size + it->idx;
		else
			off = (size_t)p->g1_blocks * p->g1_blk_size +
			      (size_t)(it->blk - p->g1_blocks) *
				      (p->g1_blk_size + 1) + it->idx;
		if (++it->blk == it->nblocks) {
			it->blk = 0;
			if (++it->idx > p->g1_blk_size ||
			    (it->idx == p->g1_blk_size && !p->g2_blocks)) {
				it->idx = 0;
				it->in_ecc = true;
			}
		}
		return it->tmp[off];
	}
	off = it->ec_base + (size_t)it->blk * p->ec_size + it->idx;
	if (++it->blk == it->nblocks) {
		it->blk = 0;
		it->idx++;
	}
	return it->tmp[off];
}

struct qr_image {
	uint8_t *data;
	unsigned int width;
	unsigned int stride;
	unsigned int version;
};

static void qr_set_light(struct qr_image *img, unsigned int x, unsigned int y)
{
	img->data[y * img->stride + x / 8] |= (uint8_t)(0x80 >> (x % 8));
}

static unsigned int qr_cheb(int dx, int dy)
{
	dx = dx < 0 ? -dx : dx;
	dy = dy < 0 ? -dy : dy;
	return (unsigned int)(dx > dy ? dx : dy);
}

/* Finder at centre (cx, cy): ring 2 and the separator (ring 4) are light. */
static void qr_draw_finder(struct qr_image *img, int cx, int cy)
{
	int dx, dy;

	for (dy = -4; dy <= 4; dy++) {
		for (dx = -4; dx <= 4; dx++) {
			int x = cx + dx, y = cy + dy;
			unsigned int d = qr_cheb(dx, dy);

			if (x < 0 || y < 0 || x >= (int)img->width ||
			    y >= (int)img->width)
				continue;
			if (d == 2 || d == 4)
				qr_set_light(img, (unsigned int)x, (unsigned int)y);
		}
	}
}

/* An alignment centre that would overlap a finder is not drawn. */
static bool qr_align_skipped(unsigned int i, unsigned int j, unsigned int n)
{
	return (i == 0 && j == 0) || (i == 0 && j == n - 1) ||
	       (i == n - 1 && j == 0);
}

static void qr_draw_function_patterns(struct qr_image *img)
{
	const uint8_t *align = qr_align_pos[img->version];
	unsigned int n = align[0];
	unsigned int w = img->width;
	unsigned int i, j, k;
	int dx, dy;

	qr_draw_finder(img, 3, 3);
	qr_draw_finder(img, (int)w - 4, 3);
	qr_draw_finder(img, 3, (int)w - 4);

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			if (qr_align_skipped(i, j, n))
				continue;
			for (dy = -1; dy <= 1; dy++)
				for (dx = -1; dx <= 1; dx++)
					if (dx || dy)
						qr_set_light(img, align[1 + i] + dx,
							     align[1 + j] + dy);
		}
	}

	/* Timing patterns: odd positions are light. */
	for (k = 9; k < w - 8; k += 2) {
		qr_set_light(img, k, 6);
		qr_set_light(img, 6, k);
	}

	/* Format information, both copies; (8, w - 8) stays dark. */
	for (k = 0; k < 15; k++) {
		if (QR_FORMAT_L_MASK0 & (1u << k))
			continue;
		if (k < 6)
			qr_set_light(img, 8, k);
		else if (k < 8)
			qr_set_light(img, 8, k + 1);
		else if (k == 8)
			qr_set_light(img, 7, 8);
		else
			qr_set_light(img, 14 - k, 8);
		if (k < 8)
			qr_set_light(img, w - 1 - k, 8);
		else
			qr_set_light(img, 8, w - 15 + k);
	}

	/* Version information, both copies. */
	if (img->version >= 7) {
		uint32_t info = qr_version_info[img->version];

		for (k = 0; k < 18; k++) {
			if (info & (1u << k))
				continue;
			qr_set_light(img, w - 11 + k % 3, k / 3);
			qr_set_light(img, k / 3, w - 11 + k % 3);
		}
	}
}

/* Rows of column x that hold function patterns, as a 192-bit mask. */
static void qr_reserved_rows(const struct qr_image *img, unsigned int x,
			     uint64_t rows[3])
{
	const uint8_t *align = qr_align_pos[img->version];
	unsigned int n = align[0];
	unsigned int w = img->width;
	unsigned int i, j, y;

#define QR_RESERVE(lo, hi)                                                     \
	do {                                                                   \
		for (y = (lo); y <= (hi); y++)                                 \
			rows[y / 64] |= 1ull << (y % 64);                      \
	} while (0)

	rows[0] = rows[1] = rows[2] = 0;
	QR_RESERVE(6, 6);				/* timing row */
	if (x <= 8) {
		QR_RESERVE(0, 8);			/* finder, separator, format */
		QR_RESERVE(w - 8, w - 1);
	} else if (x >= w - 8) {
		QR_RESERVE(0, 8);
	}
	if (img->version >= 7) {
		if (x >= w - 11 && x <= w - 9)
			QR_RESERVE(0, 5);
		if (x <= 5)
			QR_RESERVE(w - 11, w - 9);
	}
	for (i = 0; i < n; i++) {
		if (x + 2 < align[1 + i] || x > align[1 + i] + 2u)
			continue;
		for (j = 0; j < n; j++)
			if (!qr_align_skipped(i, j, n))
				QR_RESERVE(align[1 + j] - 2u, align[1 + j] + 2u);
	}
#undef QR_RESERVE
}

/* Places all codewords (then remainder bits) in zig-zag order with mask 0. */
static void qr_draw_data(struct qr_image *img, struct qr_cw_iter *it,
			 size_t ncodewords)
{
	unsigned int w = img->width;
	size_t total_bits = ncodewords * 8;
	size_t bit = 0;
	uint8_t cw = 0;
	int right;

	for (right = (int)w - 1; right >= 1; right -= 2) {
		uint64_t rows[2][3];
		unsigned int vert, c;
		bool upward;

		if (right == 6)
			right = 5;	/* column 6 is the vertical timing pattern */
		upward = ((right + 1) & 2) == 0;
		qr_reserved_rows(img, (unsigned int)right, rows[0]);
		qr_reserved_rows(img, (unsigned int)right - 1, rows[1]);
		for (vert = 0; vert < w; vert++) {
			unsigned int y = upward ? w - 1 - vert : vert;

			for (c = 0; c < 2; c++) {
				unsigned int x = (unsigned int)right - c;
				unsigned int dark = 0, light;

				if (rows[c][y / 64] & (1ull << (y % 64)))
					continue;
				if (bit < total_bits) {
					if (bit % 8 == 0)
						cw = qr_cw_next(it);
					dark = (cw >> (7 - bit % 8)) & 1;
					bit++;
				}
				/*
				 * Mask 0 inverts where (x + y) is even. Branch-free:
				 * data bits are random, a branch would mispredict.
				 */
				light = dark ^ 1 ^ (((x + y) & 1) ^ 1);
				img->data[y * img->stride + x / 8] |=
					(uint8_t)(light << (7 - x % 8));
			}
		}
	}
}

uint8_t qrp_generate(const char *url, uint8_t *data, size_t data_len,
		     size_t data_size, uint8_t *tmp, size_t tmp_size)
{
	struct qr_segment segs[2];
	unsigned int nsegs = 0;
	unsigned int version;
	struct qr_cw_iter it;
	struct qr_image img;
	const struct qr_version_params *p;

	if (data_size < QRP_MIN_DATA_SIZE || tmp_size < QRP_MIN_TMP_SIZE ||
	    data_len > data_size)
		return 0;

	if (url) {
		segs[nsegs++] = (struct qr_segment){ QR_SEG_BYTE,
						     (const uint8_t *)url,
						     strlen(url) };
		segs[nsegs++] = (struct qr_segment){ QR_SEG_NUMERIC, data,
						     data_len };
	} else {
		segs[nsegs++] = (struct qr_segment){ QR_SEG_BYTE, data,
						     data_len };
	}

	version = qr_pick_version(segs, nsegs);
	if (!version)
		return 0;

	memset(tmp, 0, tmp_size);
	qr_encode_segments(segs, nsegs, version, tmp);
	qr_compute_ecc(version, tmp);

	/* The payload has been consumed: data becomes the image. */
	memset(data, 0, data_size);
	img.data = data;
	img.version = version;
	img.width = qr_width(version);
	img.stride = (img.width + 7) / 8;
	qr_draw_function_patterns(&img);

	p = &qr_versions[version];
	qr_cw_iter_init(&it, version, tmp);
	qr_draw_data(&img, &it,
		     qr_max_data(version) +
			     (size_t)p->ec_size * (p->g1_blocks + p->g2_blocks));
	return (uint8_t)img.width;
}

size_t qrp_max_data_size(uint8_t version, size_t url_len)
{
	size_t max_data;

	if (version < 1 || version > QR_MAX_VERSION)
		return 0;
	max_data = qr_max_data(version);
	if (url_len > 0) {
		/* Byte (URL) header + length, Numeric header + length: 5 bytes.
		 * 39/40 is the kernel's allowance for the numeric expansion.
		 * url_len + 5 >= max_data, without the wrap of url_len + 5. */
		if (url_len >= max_data - 5)
			return 0;
		return (max_data - url_len - 5) * 39 / 40;
	}
	/* One Byte segment: 4-bit header, 16-bit length, 4-bit terminator. */
	return max_data - 3;
}
