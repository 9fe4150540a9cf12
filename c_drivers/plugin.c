// SPDX-License-Identifier: MIT
/* The C plugin: one ops table per component, exported through drvbench_plugin(). */
#include <drvbench/build_info.h>
#include <drvbench/plugin.h>

#include "nullblk/nullblk.h"
#include "qrpanic/qrpanic.h"
#include "ringbuf/ringbuf.h"

static const struct drvbench_qrpanic_ops c_qrpanic_ops = {
	.generate = qrp_generate,
	.max_data_size = qrp_max_data_size,
};

static const struct drvbench_nullblk_ops c_nullblk_ops = {
	.create = nb_create,
	.destroy = nb_destroy,
	.submit = nb_submit,
	.complete = nb_complete,
	.stats = nb_stats,
};

static const struct drvbench_ringbuf_ops c_ringbuf_ops = {
	.create = rb_create,
	.destroy = rb_destroy,
	.reserve = rb_reserve,
	.commit = rb_commit,
	.write = rb_write,
	.finish = rb_finish,
	.drain = rb_drain,
	.stats = rb_stats,
};

static const struct drvbench_plugin c_plugin = {
	.abi_version = DRVBENCH_ABI_VERSION,
	.impl = DRVBENCH_IMPL,
	.variant = DRVBENCH_VARIANT,
	.compiler = DRVBENCH_COMPILER,
	.compiler_version = DRVBENCH_COMPILER_VERSION,
	.flags = DRVBENCH_FLAGS,
	.qrpanic = &c_qrpanic_ops,
	.nullblk = &c_nullblk_ops,
	.ringbuf = &c_ringbuf_ops,
};

DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void)
{
	return &c_plugin;
}
