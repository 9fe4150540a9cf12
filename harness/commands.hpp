// The subcommands of the drvbench CLI, separated from argument parsing (main.cpp) so each
// reads as a plain function of its options.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace drvbench {

struct GlobalOptions {
	std::string plugins_dir;   // empty: default_plugin_dir()
	std::string workloads_dir; // empty: resolve_workloads_dir("")
	std::vector<std::string> argv;
};

int cmd_list(const GlobalOptions &g);

struct RunOptions {
	std::vector<std::string> files;
	std::vector<std::string> suites;
	std::string driver;
	std::vector<std::string> sets;
	std::vector<std::string> impls, variants;
	std::optional<std::string> reps, warmup, seed, cpu;
	std::string out;
	bool quiet = false;
	// compiler matrix (tools/build-matrix): "all", or a list of tags (gcc12, clang-19, ...);
	// empty: the plugins built by the harness's own compiler
	std::vector<std::string> compilers;
	bool record = false;    // --record: add the result file to the history store
	std::string history_db; // --history-db (default results/history.sqlite)
	// measurement rigor (docs/measurement.md)
	bool no_counters = false;                             // --no-counters
	std::optional<std::string> noise_threshold;           // --noise-threshold PCT (default 5)
	bool instructions = false;                            // --instructions: exact counts under callgrind
	std::optional<std::string> instructions_iters, instructions_reps;
	std::string instructions_child;                       // hidden: set in the callgrind child
	// --profile SECONDS: run one plugin on one workload for that long, for perf record (no
	// layout copies, no result file; docs/measurement.md "Profiling")
	std::optional<std::string> profile;
};

int cmd_run(const GlobalOptions &g, const RunOptions &o);

// drvbench compare|analyze ARGS: execs /usr/bin/python3 -m report.<command> ARGS (PYTHONPATH =
// the source tree) and returns its exit status.
int cmd_report(const std::string &command, const std::vector<std::string> &args);

// Why `drvbench <command>` cannot run here (python3, numpy/scipy or report/ missing), "" when
// it can. cmd_report() throws this as a UsageError.
std::string report_unavailable(const std::string &command);

// The standard output of `python3 -m report.<command> ARGS` (stderr passes through); nullopt
// when it cannot run or exits non-zero.
std::optional<std::string> report_output(const std::string &command, const std::vector<std::string> &args);

struct QrEncodeOptions {
	std::string impl, variant = "base";
	std::optional<std::string> text, data_file, url;
	std::string format;
	unsigned scale = 4, margin = 4;
	std::string out;
};

int cmd_qr_encode(const GlobalOptions &g, const QrEncodeOptions &o);

} // namespace drvbench
