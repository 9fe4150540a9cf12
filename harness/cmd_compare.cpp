// drvbench compare / drvbench analyze: the statistics live in Python (report/); these
// commands exec `/usr/bin/python3 -m report.compare|report.analyze ARGS...` with PYTHONPATH
// set to the source tree, and return its exit status (compare: 0 no regression, 1 a
// regression, 2 bad input; analyze: 0 or 2).
#include "commands.hpp"
#include "errors.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace drvbench {

namespace {

constexpr const char *kPython = "/usr/bin/python3";

// Runs python with args; returns the exit status (-1 if it could not run or was killed).
int run_python(const std::vector<std::string> &args, bool quiet)
{
	std::fflush(stdout); // or the child's freopen would write what is buffered a second time
	std::fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		throw RuntimeError(std::string("fork: ") + strerror(errno));
	if (pid == 0) {
		if (quiet) {
			freopen("/dev/null", "w", stdout);
			freopen("/dev/null", "w", stderr);
		}
		std::vector<char *> argv;
		std::vector<std::string> copy = args;
		argv.push_back(const_cast<char *>(kPython));
		for (auto &a : copy)
			argv.push_back(a.data());
		argv.push_back(nullptr);
		execv(kPython, argv.data());
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

} // namespace

std::optional<std::string> report_output(const std::string &command, const std::vector<std::string> &args)
{
	if (!report_unavailable(command).empty())
		return std::nullopt;
	int fds[2];
	if (pipe(fds) != 0)
		return std::nullopt;
	std::fflush(stdout);
	std::fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return std::nullopt;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		std::vector<std::string> copy = {"-m", "report." + command};
		copy.insert(copy.end(), args.begin(), args.end());
		std::vector<char *> argv = {const_cast<char *>(kPython)};
		for (auto &a : copy)
			argv.push_back(a.data());
		argv.push_back(nullptr);
		execv(kPython, argv.data());
		_exit(127);
	}
	close(fds[1]);
	std::string out;
	char buf[4096];
	for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		out.append(buf, static_cast<size_t>(n));
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return std::nullopt;
	return out;
}

std::string report_unavailable(const std::string &command)
{
	if (access(kPython, X_OK) != 0)
		return std::string(kPython) + " not found; the statistics run on Debian's python3 with numpy "
					      "and scipy (apt-get install python3 python3-numpy python3-scipy)";
	std::string pp = DRVBENCH_SOURCE_DIR;
	const char *old = getenv("PYTHONPATH");
	if (old && *old && std::string(old).rfind(pp, 0) != 0)
		pp += std::string(":") + old;
	else if (old && *old)
		pp = old;
	setenv("PYTHONPATH", pp.c_str(), 1);
	std::string report_dir = std::string(DRVBENCH_SOURCE_DIR) + "/report/" + command + ".py";
	if (access(report_dir.c_str(), R_OK) != 0)
		return "cannot find " + report_dir + " (the source tree this drvbench was built from)";
	if (run_python({"-c", "import numpy, scipy"}, true) != 0)
		return std::string(kPython) + " cannot import numpy and scipy "
					      "(apt-get install python3-numpy python3-scipy)";
	return "";
}

int cmd_report(const std::string &command, const std::vector<std::string> &args)
{
	const std::string module = "report." + command;
	if (std::string why = report_unavailable(command); !why.empty())
		throw UsageError("drvbench " + command, "", why);
	std::fflush(stdout);
	std::vector<std::string> full = {"-m", module};
	full.insert(full.end(), args.begin(), args.end());
	int rc = run_python(full, false);
	if (rc < 0 || rc == 127)
		throw RuntimeError("python3 -m " + module + " did not finish");
	return rc;
}

} // namespace drvbench
