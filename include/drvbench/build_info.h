/* SPDX-License-Identifier: MIT */
/*
 * Compiler identity as the compiler itself reports it, for plugin metadata.
 * DRVBENCH_IMPL, DRVBENCH_VARIANT and DRVBENCH_FLAGS come from the build
 * (cmake/DrvbenchPlugins.cmake), so the recorded flags are the ones used.
 */
#ifndef DRVBENCH_BUILD_INFO_H
#define DRVBENCH_BUILD_INFO_H

#define DRVBENCH_STR_(x) #x
#define DRVBENCH_STR(x) DRVBENCH_STR_(x)

#if defined(__clang__)
#define DRVBENCH_COMPILER "clang"
#define DRVBENCH_COMPILER_VERSION                                              \
	DRVBENCH_STR(__clang_major__) "." DRVBENCH_STR(__clang_minor__) "."    \
		DRVBENCH_STR(__clang_patchlevel__)
#elif defined(__GNUC__)
#define DRVBENCH_COMPILER "gcc"
#define DRVBENCH_COMPILER_VERSION                                              \
	DRVBENCH_STR(__GNUC__) "." DRVBENCH_STR(__GNUC_MINOR__) "."            \
		DRVBENCH_STR(__GNUC_PATCHLEVEL__)
#else
#define DRVBENCH_COMPILER "unknown"
#define DRVBENCH_COMPILER_VERSION "0"
#endif

#ifndef DRVBENCH_IMPL
#error "DRVBENCH_IMPL must be defined by the build"
#endif
#ifndef DRVBENCH_VARIANT
#error "DRVBENCH_VARIANT must be defined by the build"
#endif
#ifndef DRVBENCH_FLAGS
#error "DRVBENCH_FLAGS must be defined by the build"
#endif

#endif /* DRVBENCH_BUILD_INFO_H */
