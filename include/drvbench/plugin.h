/* SPDX-License-Identifier: MIT */
/*
 * drvbench plugin ABI: the contract between the harness and every implementation.
 *
 * A plugin is a shared object that exports exactly one symbol, drvbench_plugin().
 * It returns a static description of itself and one ops table per component it
 * implements (NULL where it does not). The harness refuses a plugin whose
 * abi_version differs from DRVBENCH_ABI_VERSION.
 *
 * Bump DRVBENCH_ABI_VERSION whenever a struct below changes layout or meaning.
 */
#ifndef DRVBENCH_PLUGIN_H
#define DRVBENCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "nullblk.h"
#include "ringbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DRVBENCH_ABI_VERSION 3u

/* Symbol the harness looks up with dlsym(). */
#define DRVBENCH_PLUGIN_SYMBOL "drvbench_plugin"

/* Buffer sizes the QR encoder requires (a version 40 code): the contract of
 * the kernel's drm_panic_qr_generate(). */
#define DRVBENCH_QR_MIN_DATA_SIZE 4071u
#define DRVBENCH_QR_MIN_TMP_SIZE 3706u

/*
 * qrpanic: the panic-screen QR encoder (drivers/gpu/drm/drm_panic_qr.rs).
 */
struct drvbench_qrpanic_ops {
	/*
	 * Encodes data[0..data_len) and draws the QR code over data.
	 *
	 * url:       NULL, or a NUL-terminated string. Without a URL the payload is
	 *            one Byte segment; with one, the URL is a Byte segment and the
	 *            payload follows as a Numeric segment (7 bytes -> 17 digits).
	 * data:      payload in, image out: 1 bit per module, MSB first, row stride
	 *            ceil(width / 8), a set bit is a light module.
	 * data_size: size of data; must be >= DRVBENCH_QR_MIN_DATA_SIZE.
	 * tmp:       scratch for codewords and ECC, tmp_size >= DRVBENCH_QR_MIN_TMP_SIZE.
	 *
	 * Returns the width in modules (21..177), or 0 when a buffer is too small,
	 * data_len > data_size, or the payload does not fit version 40; a 0 return
	 * leaves both buffers untouched. Never allocates, never touches a byte
	 * outside [data, data + data_size) and [tmp, tmp + tmp_size).
	 */
	uint8_t (*generate)(const char *url, uint8_t *data, size_t data_len,
			    size_t data_size, uint8_t *tmp, size_t tmp_size);

	/* Largest payload (bytes) that fits a code of this version (1..40) with a
	 * URL of url_len bytes (0: no URL); 0 for a version outside 1..40. */
	size_t (*max_data_size)(uint8_t version, size_t url_len);
};

/* nullblk: include/drvbench/nullblk.h. ringbuf: include/drvbench/ringbuf.h. */

struct drvbench_plugin {
	uint32_t abi_version;          /* DRVBENCH_ABI_VERSION */
	const char *impl;              /* "c", "cpp", or a peer's name */
	const char *variant;           /* "base", "hardened" */
	const char *compiler;          /* "gcc", "clang" */
	const char *compiler_version;  /* "12.2.0" */
	const char *flags;             /* exact compile flags of the driver code */
	const struct drvbench_qrpanic_ops *qrpanic;
	const struct drvbench_nullblk_ops *nullblk;
	const struct drvbench_ringbuf_ops *ringbuf;
};

typedef const struct drvbench_plugin *(*drvbench_plugin_fn)(void);

#if defined(__GNUC__)
#define DRVBENCH_EXPORT __attribute__((visibility("default")))
#else
#define DRVBENCH_EXPORT
#endif

DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void);

/*
 * Optional, for peers: a plugin wrapping a third-party library (not one of our
 * implementations) also exports drvbench_peer(). The harness records it in the result
 * file, leaves peers out of runs that do not name them (--impl), and compares a peer's
 * output with the reference only as far as `unmatched` allows. Not part of the
 * versioned ABI above: a plugin without the symbol is one of ours.
 */
#define DRVBENCH_PEER_SYMBOL "drvbench_peer"

struct drvbench_peer {
	const char *library;   /* what is wrapped: "qrcodegen C (Debian libqrcodegen1)" */
	const char *version;   /* the library's version: "1.8.0" */
	const char *unmatched; /* NULL: output identical to the reference's; else why it
				  cannot be (the harness then checks only its shape) */
};

typedef const struct drvbench_peer *(*drvbench_peer_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* DRVBENCH_PLUGIN_H */
