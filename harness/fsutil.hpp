// File helpers shared by the result writer and the QR image writer: every file drvbench
// produces is written atomically (temp file in the same directory, fsync, rename).
#pragma once

#include <string>
#include <string_view>

namespace drvbench {

// Writes bytes to path atomically. Throws RuntimeError on failure (the temp file is removed).
void write_file_atomic(const std::string &path, std::string_view bytes);

// Reads a whole file. Throws UsageError(path, "", "cannot read: <strerror>") on failure.
std::string read_file(const std::string &path);

// Makes sure the directory that will hold path exists and is writable; UsageError(option) if not.
void ensure_output_dir(const std::string &path, const std::string &option);

} // namespace drvbench
