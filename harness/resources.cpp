// Resource checks; see resources.hpp.
#include "resources.hpp"

#include "errors.hpp"

#include <cstdio>
#include <fstream>
#include <linux/magic.h>
#include <sched.h>
#include <string>
#include <sys/statfs.h>
#include <sys/statvfs.h>

namespace drvbench {

uint64_t mem_available_bytes()
{
	std::ifstream in("/proc/meminfo");
	std::string key;
	uint64_t kb = 0;
	std::string unit;
	while (in >> key >> kb >> unit)
		if (key == "MemAvailable:")
			return kb * 1024;
	return 0;
}

uint64_t mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

std::string bytes_text(uint64_t n)
{
	char b[64];
	if (n == UINT64_MAX)
		return "more than 2^64 bytes";
	std::snprintf(b, sizeof b, "%llu bytes (%.1f GiB)", static_cast<unsigned long long>(n),
		      static_cast<double>(n) / static_cast<double>(1ull << 30));
	return b;
}

void check_memory(uint64_t need, const std::string &where, const std::string &keys, const std::string &what)
{
	const uint64_t avail = mem_available_bytes();
	if (avail && need > avail)
		throw UsageError(where, keys,
				 "needs " + bytes_text(need) + " of memory (" + what + "), more than the " +
					 bytes_text(avail) + " available (MemAvailable); lower them");
}

uint64_t sink_budget_bytes(const std::string &dir, bool *memory_backed)
{
	struct statvfs v {};
	if (statvfs(dir.c_str(), &v) != 0)
		return 0;
	uint64_t free_bytes = mul_sat(v.f_bavail, v.f_frsize);
	struct statfs f {};
	const bool mem = statfs(dir.c_str(), &f) == 0 &&
			 (f.f_type == TMPFS_MAGIC || f.f_type == RAMFS_MAGIC);
	if (memory_backed)
		*memory_backed = mem;
	if (mem) {
		const uint64_t avail = mem_available_bytes();
		if (avail && avail / 2 < free_bytes)
			free_bytes = avail / 2;
	}
	return free_bytes;
}

void check_cpu_allowed(uint64_t cpu, const std::string &option)
{
	cpu_set_t allowed;
	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		return; // the pinning itself reports it
	if (cpu < CPU_SETSIZE && CPU_ISSET(static_cast<int>(cpu), &allowed))
		return;
	std::string have;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			have += (have.empty() ? "" : ",") + std::to_string(c);
	throw UsageError(option, "", "CPU " + std::to_string(cpu) + " is not one this process may run on (allowed: " +
					     have + ")");
}

} // namespace drvbench
