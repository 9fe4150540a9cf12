// File helpers shared by the result writer, the QR image writer and every reader of user files:
// every file drvbench produces is written atomically (temp file in the same directory, fsync,
// rename) when it is a regular file, and written through when it is a character device or a
// FIFO; every file it reads must be a regular file of bounded size (a FIFO, /dev/zero or a
// directory is refused with a usage error, never read or waited on).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace drvbench {

// The default cap of read_file: no input drvbench reads (workloads, suites, payloads) comes near.
constexpr uint64_t kMaxInputBytes = 16u << 20;

// Writes bytes to path. A regular file (or no file) is replaced atomically; a character device
// is written through (opened without O_TRUNC or O_CREAT); a FIFO is opened O_NONBLOCK, so one
// without a reader fails at once, and written through. A directory, socket or block device is
// refused. Throws UsageError(path, "", ...) for what the path is, RuntimeError on an I/O
// failure (the temp file is removed).
void write_file_atomic(const std::string &path, std::string_view bytes);

// Opens path for reading and makes sure it is a regular file of at most max_bytes: opened with
// O_NONBLOCK (a FIFO never blocks the open), fstat, S_ISREG. Returns the fd (O_CLOEXEC, blocking
// again); *size gets the file's size. Throws UsageError(path, "", ...) naming the file otherwise.
int open_regular_file(const std::string &path, uint64_t max_bytes, uint64_t *size = nullptr);

// Reads a whole regular file (open_regular_file's checks, then every byte).
// Throws UsageError(path, "", "cannot read: ...") or the checks' UsageError on failure.
std::string read_file(const std::string &path, uint64_t max_bytes = kMaxInputBytes);

// Makes sure the directory that will hold path exists and is writable, and that path is empty,
// absent, a regular file, a character device or a FIFO; UsageError(option) if not.
void ensure_output_dir(const std::string &path, const std::string &option);

} // namespace drvbench
