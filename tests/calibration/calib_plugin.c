// SPDX-License-Identifier: MIT
/*
 * The calibration plugin (impl "calib"): the real C encoder (c_drivers/qrpanic/qrpanic.c,
 * compiled with the c-base flags) plus a known amount of extra work per generate() call, so
 * the statistics can be shown to detect a slowdown of that size (tests/cli/test_rigor.py).
 *
 * The extra work is a register-only loop of CALIB_LOOPS iterations, four instructions each
 * (add, add, cmp, jne: measured with callgrind), kept by an empty asm statement that the
 * compiler must assume reads and writes the accumulator. CALIB_LOOPS is sized so the loop is
 * 3.0 % of c-base-gcc12's callgrind count for the text-v40 workload (2,503,799
 * instructions per operation, harness loop and payload copy included): 0.03 * 2,503,799 / 4
 * = 18,778 iterations. The loop runs about one iteration per cycle, so in time it is also a
 * few percent of an encode (docs/measurement.md has the measured ratios). At other QR
 * versions the same absolute work is a larger share of a smaller encode.
 *
 * Built into <build>/test-plugins/calib/ only (tests/calibration/CMakeLists.txt), next to a
 * copy of the c-base plugin, so a normal run never loads it.
 */
#include <drvbench/build_info.h>
#include <drvbench/plugin.h>

#include "qrpanic/qrpanic.h"

#ifndef CALIB_LOOPS
#define CALIB_LOOPS 18778u
#endif

static void calib_extra_work(void)
{
	unsigned int acc = 0;

	for (unsigned int i = 0; i < CALIB_LOOPS; i++) {
		acc += i;
		__asm__ volatile("" : "+r"(acc));
	}
}

static uint8_t calib_generate(const char *url, uint8_t *data, size_t data_len, size_t data_size, uint8_t *tmp,
			      size_t tmp_size)
{
	uint8_t width = qrp_generate(url, data, data_len, data_size, tmp, tmp_size);

	calib_extra_work();
	return width;
}

static const struct drvbench_qrpanic_ops calib_qrpanic_ops = {
	.generate = calib_generate,
	.max_data_size = qrp_max_data_size,
};

static const struct drvbench_plugin calib_plugin = {
	.abi_version = DRVBENCH_ABI_VERSION,
	.impl = DRVBENCH_IMPL,
	.variant = DRVBENCH_VARIANT,
	.compiler = DRVBENCH_COMPILER,
	.compiler_version = DRVBENCH_COMPILER_VERSION,
	.flags = DRVBENCH_FLAGS,
	.qrpanic = &calib_qrpanic_ops,
	.nullblk = NULL,
	.ringbuf = NULL,
};

DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void)
{
	return &calib_plugin;
}
