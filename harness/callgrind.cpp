// Exact instruction counts under callgrind; see callgrind.hpp.
#include "callgrind.hpp"

#include "errors.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

extern char **environ;

namespace fs = std::filesystem;

namespace drvbench {

bool running_under_valgrind()
{
	return RUNNING_ON_VALGRIND != 0;
}

void CallgrindProbe::begin()
{
	CALLGRIND_ZERO_STATS;
	CALLGRIND_START_INSTRUMENTATION;
}

void CallgrindProbe::end(const Plugin &p, int round, uint64_t iters, std::map<std::string, Metric> &)
{
	CALLGRIND_STOP_INSTRUMENTATION;
	// The label is built after instrumentation is off, so its cost is not counted. It carries
	// the operation count: a counted job chooses its own.
	std::string label = workload + "|" + p.id + "|" + std::to_string(round) + "|" + std::to_string(iters);
	CALLGRIND_DUMP_STATS_AT(label.c_str());
}

std::string find_valgrind()
{
	const char *path = getenv("PATH");
	std::string p = path ? path : "/usr/bin:/bin";
	size_t start = 0;
	while (start <= p.size()) {
		size_t end = p.find(':', start);
		if (end == std::string::npos)
			end = p.size();
		std::string dir = p.substr(start, end - start);
		if (!dir.empty()) {
			std::string f = dir + "/valgrind";
			if (access(f.c_str(), X_OK) == 0)
				return f;
		}
		start = end + 1;
	}
	throw UsageError("--instructions", "",
			 "valgrind not found on PATH; exact instruction counts need callgrind "
			 "(Debian: apt-get install valgrind), or run without --instructions");
}

static std::string read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::map<std::string, uint64_t> parse_callgrind_dumps(const std::string &dir, const std::string &prefix)
{
	std::map<std::string, uint64_t> out;
	std::error_code ec;
	for (const auto &e : fs::directory_iterator(dir, ec)) {
		const std::string name = e.path().filename().string();
		if (name.rfind(prefix + ".", 0) != 0)
			continue;
		std::ifstream in(e.path());
		std::string line, label;
		std::optional<uint64_t> totals, summary;
		bool ir_first = false;
		while (std::getline(in, line)) {
			if (line.rfind("desc: Trigger: Client Request: ", 0) == 0)
				label = line.substr(strlen("desc: Trigger: Client Request: "));
			else if (line.rfind("events:", 0) == 0)
				ir_first = line.find("Ir") == line.find_first_not_of(" ", 7);
			else if (line.rfind("totals:", 0) == 0)
				totals = std::strtoull(line.c_str() + 7, nullptr, 10);
			else if (line.rfind("summary:", 0) == 0)
				summary = std::strtoull(line.c_str() + 8, nullptr, 10);
		}
		if (label.empty() || !ir_first)
			continue;
		// "totals:" sums the cost lines of this dump (the events since the last zeroing);
		// "summary:" is 0 after CALLGRIND_ZERO_STATS in valgrind 3.19, so it is the fallback.
		uint64_t ir = totals ? *totals : summary ? *summary : 0;
		if (out.count(label))
			throw RuntimeError("callgrind: label '" + label + "' dumped twice");
		out[label] = ir;
	}
	return out;
}

InstructionCounts count_instructions(const std::vector<std::string> &argv, uint64_t iters, int reps)
{
	const std::string valgrind = find_valgrind();
	InstructionCounts ic;
	ic.iters = iters;
	ic.reps = reps;

	const char *tmp = getenv("TMPDIR");
	std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/drvbench-callgrind-XXXXXX";
	std::vector<char> tbuf(templ.begin(), templ.end());
	tbuf.push_back('\0');
	if (!mkdtemp(tbuf.data()))
		throw RuntimeError("--instructions: cannot create a directory for callgrind's dumps (" + templ +
				   "): " + strerror(errno));
	const std::string dir = tbuf.data();
	struct Cleanup {
		std::string dir;
		~Cleanup()
		{
			if (!getenv("DRVBENCH_KEEP_CALLGRIND")) {
				std::error_code ec;
				fs::remove_all(dir, ec);
			}
		}
	} cleanup{dir};

	std::error_code ec;
	std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
	if (ec)
		exe = argv.empty() ? "drvbench" : argv[0];
	std::vector<std::string> args = {valgrind, "-q", "--tool=callgrind", "--instr-atstart=no",
					 "--callgrind-out-file=" + dir + "/callgrind.out", exe};
	for (size_t i = 1; i < argv.size(); i++)
		args.push_back(argv[i]);
	args.push_back("--instructions-child");
	args.push_back(dir);
	std::vector<char *> cargs;
	for (auto &a : args)
		cargs.push_back(a.data());
	cargs.push_back(nullptr);

	const std::string log = dir + "/child.log";
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int rc = posix_spawn(&pid, valgrind.c_str(), &fa, nullptr, cargs.data(), environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		throw RuntimeError("--instructions: cannot start " + valgrind + ": " + strerror(rc));
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		std::string err = read_file(log);
		while (!err.empty() && err.back() == '\n')
			err.pop_back();
		size_t cut = err.size() > 2000 ? err.size() - 2000 : 0;
		throw RuntimeError("--instructions: the run under callgrind failed (" +
				   (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
						      : "killed by signal " + std::to_string(WTERMSIG(status))) +
				   "): " + err.substr(cut));
	}

	if (auto v = []() -> std::optional<std::string> {
		    FILE *f = popen("valgrind --version 2>/dev/null", "r");
		    if (!f)
			    return std::nullopt;
		    char buf[128] = {};
		    size_t n = fread(buf, 1, sizeof buf - 1, f);
		    pclose(f);
		    std::string s(buf, n);
		    while (!s.empty() && s.back() == '\n')
			    s.pop_back();
		    return s;
	    }())
		ic.valgrind = *v;

	for (const auto &[label, ir] : parse_callgrind_dumps(dir, "callgrind.out")) {
		// "<workload>|<plugin>|<round>|<operations>", split from the right (names may hold '|')
		size_t c = label.rfind('|');
		size_t b = c == std::string::npos || c == 0 ? std::string::npos : label.rfind('|', c - 1);
		size_t a = b == std::string::npos || b == 0 ? std::string::npos : label.rfind('|', b - 1);
		if (a == std::string::npos)
			continue;
		const std::string workload = label.substr(0, a), plugin = label.substr(a + 1, b - a - 1);
		const size_t round = std::strtoul(label.c_str() + b + 1, nullptr, 10);
		const uint64_t ops = std::strtoull(label.c_str() + c + 1, nullptr, 10);
		if (!ops)
			throw RuntimeError("--instructions: callgrind dump label without an operation count: " + label);
		auto &v = ic.per_op[workload][plugin];
		if (v.size() <= round)
			v.resize(round + 1, -1);
		v[round] = static_cast<double>(ir) / static_cast<double>(ops);
	}
	for (const auto &[w, plugins] : ic.per_op)
		for (const auto &[p, v] : plugins)
			for (double x : v)
				if (x < 0)
					throw RuntimeError("--instructions: callgrind dumps of " + w + " / " + p +
							   " are incomplete");
	return ic;
}

void attach_instructions(nlohmann::json &workload, const InstructionCounts &ic)
{
	const std::string name = workload["name"].get<std::string>();
	auto w = ic.per_op.find(name);
	if (workload["run"]["iters"].get<unsigned long long>() == 0 && w == ic.per_op.end())
		return; // a job without a counted path measures itself; not counted (docs/measurement.md)
	for (auto &r : workload["results"]) {
		const std::string plugin = r["plugin"].get<std::string>();
		if (w == ic.per_op.end() || !w->second.count(plugin))
			throw RuntimeError("--instructions: no callgrind counts for " + name + " / " + plugin);
		const std::vector<double> &s = w->second.at(plugin);
		Stats st = compute_stats(s);
		if (!r.contains("metrics"))
			r["metrics"] = nlohmann::json::object();
		r["metrics"]["instructions"] = {{"unit", "instructions/op"}, {"better", "lower"}, {"samples", s}, {"exact", true},
						{"median", st.median},       {"mean", st.mean},    {"min", st.min},
						{"max", st.max},             {"stddev", st.stddev}, {"cv", st.cv}};
	}
}

nlohmann::json instructions_context(const InstructionCounts &ic)
{
	return {{"tool", "callgrind"},
		{"valgrind", ic.valgrind.empty() ? nlohmann::json(nullptr) : nlohmann::json(ic.valgrind)},
		{"iters", ic.iters},
		{"reps", ic.reps},
		{"warmup", 1},
		{"scope", "user-space instructions between CALLGRIND_START_INSTRUMENTATION and "
			  "CALLGRIND_STOP_INSTRUMENTATION around each measured region, divided by iters"},
		{"jobs", "counted only where the component offers a single-threaded per-operation path "
			 "(ringbuf: per record; the operation count is the component's, see its docs)"}};
}

} // namespace drvbench
