/* SPDX-License-Identifier: MIT */
/*
 * Peer plugin "libqrencode": Kentaro Fukuchi's libqrencode as Debian ships it
 * (libqrencode4), wrapped in the drvbench plugin ABI so `drvbench run --impl libqrencode`
 * measures it interleaved with our encoders (docs/design-notes.md, "Peers").
 *
 * The same segments as drm_panic's (text: one 8-bit segment; url: the URL as 8-bit and the
 * payload as drm_panic's Numeric digits), ECC level L, the smallest version that fits.
 * libqrencode has no public way to force a mask: it evaluates all eight and keeps the best,
 * so it does more work than a mask-0 encoder and its images differ from c-base's. The
 * harness therefore compares only the width for this plugin (the reason is recorded in the
 * result file); tests/qrpanic/test_qr_zbar.py decodes its images with zbarimg.
 *
 * Departures from the ABI's contract, inherent to the library: it allocates (QRinput,
 * QRcode), and the URL mode's digit string is a static buffer (not reentrant).
 */
#include <drvbench/build_info.h>
#include <drvbench/plugin.h>

#include <qrencode.h>
#include <stdlib.h>

#include "peer_common.h"
#include "qrpanic/qrpanic.h"

static char digits[PEER_MAX_DIGITS];

static bool qre_dark(const void *ctx, unsigned int x, unsigned int y)
{
	const QRcode *qr = ctx;

	return qr->data[(size_t)y * (size_t)qr->width + x] & 1;
}

static uint8_t qre_generate(const char *url, uint8_t *data, size_t data_len, size_t data_size, uint8_t *tmp,
			    size_t tmp_size)
{
	QRcode *qr = NULL;

	(void)tmp;
	if (data_size < DRVBENCH_QR_MIN_DATA_SIZE || tmp_size < DRVBENCH_QR_MIN_TMP_SIZE || data_len > data_size)
		return 0;
	if (!url) {
		qr = QRcode_encodeData((int)data_len, data, 0, QR_ECLEVEL_L);
	} else {
		QRinput *in = QRinput_new2(0, QR_ECLEVEL_L);
		size_t n;

		if (!in || data_len > DRVBENCH_QR_MIN_DATA_SIZE) {
			QRinput_free(in);
			return 0;
		}
		n = peer_numeric_digits(data, data_len, digits);
		if (QRinput_append(in, QR_MODE_8, (int)strlen(url), (const unsigned char *)url) == 0 &&
		    QRinput_append(in, QR_MODE_NUM, (int)n, (const unsigned char *)digits) == 0)
			qr = QRcode_encodeInput(in);
		QRinput_free(in);
	}
	if (!qr)
		return 0;
	unsigned int width = (unsigned int)qr->width;
	peer_draw(data, data_size, width, qr, qre_dark);
	QRcode_free(qr);
	return (uint8_t)width;
}

static const struct drvbench_qrpanic_ops qre_ops = {
	.generate = qre_generate,
	.max_data_size = qrp_max_data_size,
};

static const struct drvbench_plugin qre_plugin = {
	.abi_version = DRVBENCH_ABI_VERSION,
	.impl = DRVBENCH_IMPL,
	.variant = DRVBENCH_VARIANT,
	.compiler = DRVBENCH_COMPILER,
	.compiler_version = DRVBENCH_COMPILER_VERSION,
	.flags = DRVBENCH_FLAGS,
	.qrpanic = &qre_ops,
	.nullblk = NULL,
	.ringbuf = NULL,
};

static const struct drvbench_peer qre_peer = {
	.library = "libqrencode (" DRVBENCH_PEER_PACKAGE ")",
	.version = DRVBENCH_PEER_VERSION,
	.unmatched = "libqrencode chooses its own mask (it evaluates all eight; there is no public way to "
		     "force mask 0), so its image differs from c-base's: only the width is compared here, "
		     "the payload is checked by decoding in tests/qrpanic/test_qr_zbar.py",
};

DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void)
{
	return &qre_plugin;
}

DRVBENCH_EXPORT const struct drvbench_peer *drvbench_peer(void)
{
	return &qre_peer;
}
