// Exact instruction counts: `drvbench run --instructions` re-executes the same command under
// valgrind's callgrind with instrumentation off (--instr-atstart=no) and a hidden
// --instructions-child DIR option. The child measures each operation workload with a fixed
// iteration count, one uncounted warm-up round (lazy symbol binding) and a few rounds; around every measured region it zeroes the
// counters, switches instrumentation on, and afterwards switches it off and dumps the
// counts with the label "<workload>|<plugin id>|<round>" (CallgrindProbe). The parent parses
// the dump files and records metrics.instructions = {unit "instructions/op", samples,
// exact: true} in the result file of its own, native run.
//
// Counted: every user-space instruction executed between the two client requests, which is
// the plugin's operations, the harness's per-operation loop (payload copy included, as in
// the timed region) and a constant per-sample overhead (two clock reads and the client
// requests, a few hundred instructions, divided by the iteration count). Not counted: the
// kernel. The counts do not depend on the machine's load, and two runs of the same build on
// the same machine give identical numbers.
#pragma once

#include "runner.hpp"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace drvbench {

constexpr uint64_t kDefaultInstructionIters = 5;
constexpr int kDefaultInstructionReps = 3;

// True when this process runs under valgrind.
bool running_under_valgrind();

// Child side: the probe placed around every measured region.
class CallgrindProbe final : public SampleProbe {
public:
	std::string workload; // set before each workload is measured
	void begin() override;
	void end(const Plugin &p, int round, uint64_t iters, std::map<std::string, Metric> &out) override;
};

// Parent side.
struct InstructionCounts {
	uint64_t iters = 0;
	int reps = 0;
	std::string valgrind; // "valgrind-3.19.0"
	// workload -> plugin id -> instructions per operation, in round order
	std::map<std::string, std::map<std::string, std::vector<double>>> per_op;
};

// The valgrind executable on PATH; UsageError (exit 2) naming the fix when there is none.
std::string find_valgrind();

// Runs argv (this process's command line) again under callgrind with
// "--instructions-child DIR" appended and returns the counts. RuntimeError if the child fails.
InstructionCounts count_instructions(const std::vector<std::string> &argv, uint64_t iters, int reps);

// Adds metrics.instructions to every result of one workload entry of a result file (operation
// workloads; jobs are left alone). RuntimeError if a plugin has no counts.
void attach_instructions(nlohmann::json &workload, const InstructionCounts &ic);

// context.instructions: how the counts were taken.
nlohmann::json instructions_context(const InstructionCounts &ic);

// Reads every "<prefix>.N" dump in dir: label of the client request -> total Ir.
// Dumps from other triggers (program termination) are ignored.
std::map<std::string, uint64_t> parse_callgrind_dumps(const std::string &dir, const std::string &prefix);

} // namespace drvbench
