// SPDX-License-Identifier: MIT
// The safe C++ plugin: one ops table per component (from each component's
// bindings file), exported through drvbench_plugin().
#include <drvbench/build_info.h>
#include <drvbench/plugin.h>

extern "C" const drvbench_qrpanic_ops drvbench_cpp_qrpanic_ops;
extern "C" const drvbench_ringbuf_ops drvbench_cpp_ringbuf_ops;
extern "C" const drvbench_nullblk_ops drvbench_cpp_nullblk_ops;

namespace {

constexpr struct drvbench_plugin kPlugin = {
	.abi_version = DRVBENCH_ABI_VERSION,
	.impl = DRVBENCH_IMPL,
	.variant = DRVBENCH_VARIANT,
	.compiler = DRVBENCH_COMPILER,
	.compiler_version = DRVBENCH_COMPILER_VERSION,
	.flags = DRVBENCH_FLAGS,
	.qrpanic = &drvbench_cpp_qrpanic_ops,
	.nullblk = &drvbench_cpp_nullblk_ops,
	.ringbuf = &drvbench_cpp_ringbuf_ops,
};

} // namespace

extern "C" DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void)
{
	return &kPlugin;
}
