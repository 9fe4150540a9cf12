// Atomic writes and whole-file reads; see fsutil.hpp.
#include "fsutil.hpp"

#include "errors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace drvbench {

static std::string errno_str(int e)
{
	return std::strerror(e);
}

void write_file_atomic(const std::string &path, std::string_view bytes)
{
	fs::path p(path);
	fs::path dir = p.parent_path();
	if (dir.empty())
		dir = ".";
	std::string base = p.filename().string();
	base.insert(0, 1, '.');
	base += ".tmp.XXXXXX";
	std::string tmpl = (dir / base).string();
	int fd = mkstemp(tmpl.data());
	if (fd < 0)
		throw RuntimeError("cannot create a temporary file in " + dir.string() + ": " +
				   errno_str(errno));
	auto fail = [&](const char *what) {
		int e = errno;
		close(fd);
		unlink(tmpl.c_str());
		throw RuntimeError(std::string(what) + " " + path + ": " + errno_str(e));
	};
	const char *b = bytes.data();
	size_t left = bytes.size();
	while (left > 0) {
		ssize_t n = write(fd, b, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("cannot write");
		}
		b += n;
		left -= static_cast<size_t>(n);
	}
	// mkstemp creates 0600; result files are ordinary files.
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0)
		fail("cannot chmod");
	if (fsync(fd) != 0)
		fail("cannot fsync");
	if (close(fd) != 0) {
		int e = errno;
		unlink(tmpl.c_str());
		throw RuntimeError("cannot close " + path + ": " + errno_str(e));
	}
	if (rename(tmpl.c_str(), path.c_str()) != 0) {
		int e = errno;
		unlink(tmpl.c_str());
		throw RuntimeError("cannot rename into " + path + ": " + errno_str(e));
	}
	int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

std::string read_file(const std::string &path)
{
	std::error_code ec;
	if (fs::is_directory(path, ec))
		throw UsageError(path, "", "cannot read: is a directory");
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw UsageError(path, "", "cannot read: " + errno_str(errno));
	std::ostringstream ss;
	ss << in.rdbuf();
	if (in.bad())
		throw UsageError(path, "", "cannot read: " + errno_str(errno));
	return ss.str();
}

void ensure_output_dir(const std::string &path, const std::string &option)
{
	fs::path dir = fs::path(path).parent_path();
	if (dir.empty())
		dir = ".";
	std::error_code ec;
	if (fs::is_directory(path, ec))
		throw UsageError(option, "", path + " is a directory");
	fs::create_directories(dir, ec);
	if (ec)
		throw UsageError(option, "", "cannot create directory " + dir.string() + ": " + ec.message());
	if (access(dir.c_str(), W_OK) != 0)
		throw UsageError(option, "", "directory " + dir.string() + " is not writable: " + errno_str(errno));
}

} // namespace drvbench
