// Resource checks made before anything runs (issue 17): a workload whose parameters demand
// more memory than the machine has available, or more bytes than its sink's filesystem can
// hold, is bad input (UsageError, exit 2, naming the keys), not an OOM kill an hour later.
#pragma once

#include <cstdint>
#include <string>

namespace drvbench {

// MemAvailable from /proc/meminfo, bytes; 0 if unknown.
uint64_t mem_available_bytes();

// Throws UsageError(where, keys, ...) if need > MemAvailable (when known). what: what the
// memory is for ("I/O buffers: iodepth x bs x numjobs").
void check_memory(uint64_t need, const std::string &where, const std::string &keys, const std::string &what);

// Bytes a file written in dir may take: the filesystem's free space for unprivileged users
// (statvfs f_bavail), and for a memory-backed filesystem (tmpfs, ramfs) at most half of
// MemAvailable, since every byte written there is memory. 0 if statvfs fails.
uint64_t sink_budget_bytes(const std::string &dir, bool *memory_backed = nullptr);

// Throws UsageError(option, "", ...) unless cpu is one this process may run on.
void check_cpu_allowed(uint64_t cpu, const std::string &option);

// a * b, saturating at UINT64_MAX.
uint64_t mul_sat(uint64_t a, uint64_t b);

// A byte count for messages: "68719476736 bytes (64.0 GiB)".
std::string bytes_text(uint64_t n);

} // namespace drvbench
