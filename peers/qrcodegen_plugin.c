/* SPDX-License-Identifier: MIT */
/*
 * Peer plugin "qrcodegen": Project Nayuki's QR Code generator, C version, as Debian ships
 * it (libqrcodegen1), wrapped in the drvbench plugin ABI so `drvbench run --impl
 * qrcodegen` measures it interleaved with our encoders (docs/design-notes.md, "Peers").
 *
 * Same code as drm_panic's: the same segments (text: one Byte segment; url: the URL as Byte
 * and the payload as drm_panic's Numeric digits), ECC level L, mask 0 forced, no ECC boost,
 * the smallest version 1..40 that fits. Its images are bit-identical to c-base's, and the
 * harness checks that like for any plugin. max_data_size() is drm_panic's sizing
 * (qrp_max_data_size from c_drivers/qrpanic/qrpanic.c), so workloads size payloads alike.
 *
 * Departures from the ABI's contract, inherent to the library: the code matrix goes to a
 * static buffer (qrcodegen needs two version-40 buffers: data serves as the other), so the
 * plugin is not reentrant; the URL mode's digit string and segment buffers are static too.
 */
#include <drvbench/build_info.h>
#include <drvbench/plugin.h>

#include <qrcodegen/qrcodegen.h>

#include "peer_common.h"
#include "qrpanic/qrpanic.h"

static uint8_t qrcode[qrcodegen_BUFFER_LEN_MAX];
static uint8_t url_buf[qrcodegen_BUFFER_LEN_MAX];
static uint8_t num_buf[qrcodegen_BUFFER_LEN_MAX];
static char digits[PEER_MAX_DIGITS];

_Static_assert(DRVBENCH_QR_MIN_DATA_SIZE >= qrcodegen_BUFFER_LEN_MAX, "data must hold qrcodegen's temp buffer");

static bool qrcg_dark(const void *ctx, unsigned int x, unsigned int y)
{
	return qrcodegen_getModule((const uint8_t *)ctx, (int)x, (int)y);
}

static uint8_t qrcg_generate(const char *url, uint8_t *data, size_t data_len, size_t data_size, uint8_t *tmp,
			     size_t tmp_size)
{
	bool ok;

	(void)tmp;
	if (data_size < DRVBENCH_QR_MIN_DATA_SIZE || tmp_size < DRVBENCH_QR_MIN_TMP_SIZE || data_len > data_size)
		return 0;
	if (!url) {
		/* data is the payload and qrcodegen's temporary buffer at once, as the API intends */
		ok = qrcodegen_encodeBinary(data, data_len, qrcode, qrcodegen_Ecc_LOW, qrcodegen_VERSION_MIN,
					    qrcodegen_VERSION_MAX, qrcodegen_Mask_0, false);
	} else {
		size_t url_len = strlen(url);
		struct qrcodegen_Segment segs[2];

		if (url_len > sizeof url_buf || data_len > DRVBENCH_QR_MIN_DATA_SIZE)
			return 0;
		peer_numeric_digits(data, data_len, digits);
		memcpy(url_buf, url, url_len);
		segs[0] = qrcodegen_makeBytes(url_buf, url_len, url_buf);
		segs[1] = qrcodegen_makeNumeric(digits, num_buf);
		ok = qrcodegen_encodeSegmentsAdvanced(segs, 2, qrcodegen_Ecc_LOW, qrcodegen_VERSION_MIN,
						      qrcodegen_VERSION_MAX, qrcodegen_Mask_0, false, data, qrcode);
	}
	if (!ok)
		return 0;
	int width = qrcodegen_getSize(qrcode);
	peer_draw(data, data_size, (unsigned int)width, qrcode, qrcg_dark);
	return (uint8_t)width;
}

static const struct drvbench_qrpanic_ops qrcg_ops = {
	.generate = qrcg_generate,
	.max_data_size = qrp_max_data_size,
};

static const struct drvbench_plugin qrcg_plugin = {
	.abi_version = DRVBENCH_ABI_VERSION,
	.impl = DRVBENCH_IMPL,
	.variant = DRVBENCH_VARIANT,
	.compiler = DRVBENCH_COMPILER,
	.compiler_version = DRVBENCH_COMPILER_VERSION,
	.flags = DRVBENCH_FLAGS,
	.qrpanic = &qrcg_ops,
	.nullblk = NULL,
	.ringbuf = NULL,
};

static const struct drvbench_peer qrcg_peer = {
	.library = "qrcodegen C (" DRVBENCH_PEER_PACKAGE ")",
	.version = DRVBENCH_PEER_VERSION,
	.unmatched = NULL,
};

DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void)
{
	return &qrcg_plugin;
}

DRVBENCH_EXPORT const struct drvbench_peer *drvbench_peer(void)
{
	return &qrcg_peer;
}
