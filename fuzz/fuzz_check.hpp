// Shared by the fuzz targets: a failed property prints what and where, then aborts, which
// libFuzzer reports as a crash and saves the input (crash-<sha1>).
#pragma once

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

[[noreturn]] [[gnu::format(printf, 3, 4)]] inline void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	std::fprintf(stderr, "\n%s:%d: property violated: ", file, line);
	std::vfprintf(stderr, fmt, ap);
	std::fprintf(stderr, "\n");
	va_end(ap);
	std::abort();
}

#define FUZZ_CHECK(cond, ...)                                      \
	do {                                                       \
		if (!(cond)) [[unlikely]]                          \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

// Known bugs (docs/fuzzing.md "Findings") are stepped around so that fuzzing goes on past
// them; DRVBENCH_FUZZ_KNOWN_BUGS=1 in the environment makes the targets hit them again.
inline bool fuzz_known_bugs_fatal()
{
	static const bool on = [] {
		const char *e = std::getenv("DRVBENCH_FUZZ_KNOWN_BUGS");
		return e && *e && *e != '0';
	}();
	return on;
}
