/* SPDX-License-Identifier: MIT */
/*
 * What the qrpanic peer plugins share: the payload as drm_panic's Numeric digits (7 bytes,
 * a little-endian integer, -> 17 decimal digits; c_drivers/qrpanic/qrpanic.c), and drawing
 * a module matrix in the plugin ABI's image format (1 bit per module, MSB first, row stride
 * ceil(width / 8), a set bit is a light module).
 */
#ifndef DRVBENCH_PEER_COMMON_H
#define DRVBENCH_PEER_COMMON_H

#include <drvbench/plugin.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Digits of a len-byte payload: 17 per 7 bytes, fewer for the remainder. */
#define PEER_MAX_DIGITS (17 * (DRVBENCH_QR_MIN_DATA_SIZE / 7) + 17 + 1)

static inline size_t peer_numeric_digits(const uint8_t *bytes, size_t len, char *out)
{
	static const uint8_t to_digits[8] = { 0, 3, 5, 8, 10, 13, 15, 17 };
	size_t n = 0;

	for (size_t off = 0; off < len; off += 7) {
		size_t k = len - off < 7 ? len - off : 7;
		unsigned int nd = to_digits[k];
		uint64_t chunk = 0;

		for (size_t i = 0; i < k; i++)
			chunk |= (uint64_t)bytes[off + i] << (8 * i);
		for (unsigned int i = nd; i > 0; i--) {
			out[n + i - 1] = (char)('0' + chunk % 10);
			chunk /= 10;
		}
		n += nd;
	}
	out[n] = '\0';
	return n;
}

/* Draws a width x width matrix; dark(ctx, x, y) says whether a module is dark. */
static inline void peer_draw(uint8_t *data, size_t data_size, unsigned int width, const void *ctx,
			     bool (*dark)(const void *ctx, unsigned int x, unsigned int y))
{
	size_t stride = (width + 7) / 8;

	memset(data, 0, data_size);
	for (unsigned int y = 0; y < width; y++)
		for (unsigned int x = 0; x < width; x++)
			if (!dark(ctx, x, y))
				data[y * stride + x / 8] |= (uint8_t)(0x80u >> (x % 8));
}

#endif
