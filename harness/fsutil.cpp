// Atomic writes and whole-file reads; see fsutil.hpp.
#include "fsutil.hpp"

#include "errors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <filesystem>
#include <algorithm>
#include <unistd.h>

namespace fs = std::filesystem;

namespace drvbench {

static std::string errno_str(int e)
{
	return std::strerror(e);
}

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

// A character device or a FIFO at path: write the bytes through, never replace the node.
static void write_through(const std::string &path, mode_t mode, std::string_view bytes)
{
	const bool fifo = S_ISFIFO(mode);
	int fd = open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
	if (fd < 0) {
		const int e = errno;
		if (fifo && e == ENXIO)
			throw UsageError(path, "", "is a FIFO with no reader (start the reader first)");
		throw RuntimeError("cannot open " + path + ": " + errno_str(e));
	}
	if (fifo) { // a reader is there: from now on wait for it like any writer
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	struct stat st {};
	if (fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != (mode & S_IFMT)) {
		close(fd);
		throw UsageError(path, "", "changed type while being opened; nothing written");
	}
	const char *b = bytes.data();
	size_t left = bytes.size();
	while (left > 0) {
		ssize_t n = write(fd, b, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			const int e = errno;
			close(fd);
			throw RuntimeError("cannot write " + path + ": " + errno_str(e));
		}
		b += n;
		left -= static_cast<size_t>(n);
	}
	if (close(fd) != 0 && errno != EINTR)
		throw RuntimeError("cannot close " + path + ": " + errno_str(errno));
}

void write_file_atomic(const std::string &path, std::string_view bytes)
{
	if (path.empty())
		throw UsageError("--out", "", "empty path");
	struct stat target {};
	if (stat(path.c_str(), &target) == 0) {
		if (S_ISCHR(target.st_mode) || S_ISFIFO(target.st_mode)) {
			write_through(path, target.st_mode, bytes);
			return;
		}
		if (!S_ISREG(target.st_mode))
			throw UsageError(path, "", std::string("is ") + kind_of(target.st_mode) +
							   "; only a regular file is replaced (nothing written)");
	}
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
	// The type check above and this rename are not one step: if something other than a
	// regular file appeared at path meanwhile, leave it alone.
	if (lstat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode) && !S_ISLNK(target.st_mode)) {
		unlink(tmpl.c_str());
		throw UsageError(path, "", std::string("became ") + kind_of(target.st_mode) + " during the run; nothing written");
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

int open_regular_file(const std::string &path, uint64_t max_bytes, uint64_t *size)
{
	if (path.empty())
		throw UsageError("(empty file name)", "", "cannot read: empty path");
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
	int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		throw UsageError(path, "", "cannot read: " + errno_str(errno));
	struct stat st {};
	if (fstat(fd, &st) != 0) {
		const int e = errno;
		close(fd);
		throw UsageError(path, "", "cannot read: " + errno_str(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		throw UsageError(path, "", std::string("cannot read: is ") + kind_of(st.st_mode) +
						   ", expected a regular file");
	}
	if (static_cast<uint64_t>(st.st_size) > max_bytes) {
		close(fd);
		throw UsageError(path, "", "cannot read: " + std::to_string(st.st_size) + " bytes, more than the " +
						   std::to_string(max_bytes) + " accepted");
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (size)
		*size = static_cast<uint64_t>(st.st_size);
	return fd;
}

std::string read_file(const std::string &path, uint64_t max_bytes)
{
	uint64_t size = 0;
	int fd = open_regular_file(path, max_bytes, &size);
	std::string out;
	out.resize(static_cast<size_t>(size));
	size_t got = 0;
	for (;;) {
		if (got == out.size()) {
			if (out.size() >= max_bytes + 1)
				break;
			// The file may have grown since fstat: read on, up to one byte past the cap.
			out.resize(std::min<uint64_t>(max_bytes + 1, out.size() + 65536));
		}
		ssize_t n = read(fd, out.data() + got, out.size() - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			const int e = errno;
			close(fd);
			throw UsageError(path, "", "cannot read: " + errno_str(e));
		}
		if (n == 0)
			break;
		got += static_cast<size_t>(n);
	}
	close(fd);
	if (got > max_bytes)
		throw UsageError(path, "", "cannot read: more than the " + std::to_string(max_bytes) + " bytes accepted");
	out.resize(got);
	return out;
}

void ensure_output_dir(const std::string &path, const std::string &option)
{
	if (path.empty())
		throw UsageError(option, "", "empty path");
	fs::path dir = fs::path(path).parent_path();
	if (dir.empty())
		dir = ".";
	struct stat st {};
	if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
		throw UsageError(option, "", path + " is " + kind_of(st.st_mode) +
						     " (expected a regular file, a character device or a FIFO)");
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) { // written through: no temp file in dir
		if (access(path.c_str(), W_OK) != 0)
			throw UsageError(option, "", path + " is not writable: " + errno_str(errno));
		return;
	}
	std::error_code ec;
	fs::create_directories(dir, ec);
	if (ec)
		throw UsageError(option, "", "cannot create directory " + dir.string() + ": " + ec.message());
	if (access(dir.c_str(), W_OK) != 0)
		throw UsageError(option, "", "directory " + dir.string() + " is not writable: " + errno_str(errno));
}

} // namespace drvbench
