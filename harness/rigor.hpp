// The measurement-rigor side of `drvbench run` (docs/measurement.md), kept out of cmd_run.cpp:
// machine facts and counter availability in the context, perf counters around every measured
// operation sample, exact instruction counts through a callgrind child, and the noise
// warning of the summary.
#pragma once

#include "callgrind.hpp"
#include "commands.hpp"
#include "counters.hpp"
#include "runner.hpp"
#include "workload.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace drvbench {

class Rigor {
public:
	// Checks the options (UsageError, exit 2: bad numbers, valgrind missing for
	// --instructions, --instructions-child outside valgrind). Nothing is measured yet.
	explicit Rigor(const RunOptions &o);

	// True in the child that --instructions runs under callgrind.
	bool child() const { return child_; }
	// Where the child writes its (discarded) result file.
	std::string child_out() const { return child_dir_ + "/child-result.json"; }

	// Before the first workload: machine facts and counter availability into the context
	// (one stderr line when counters are missing), and, for --instructions, the whole
	// callgrind child run.
	void start(nlohmann::json &context, const std::vector<std::string> &argv);

	// The child counts operation workloads and the jobs that offer a counted path.
	bool skip(const PreparedWorkload &w) const { return child_ && w.is_job() && !w.counted_iters(); }

	// How to measure one workload; `run` may be changed (the child: no warm-up, its own reps).
	MeasureOptions options_for(const std::string &workload, const PreparedWorkload &w, RunSettings &run);

	// After a workload's entry is built: exact instructions attached, noise warned about.
	void finish(nlohmann::json &workload);

private:
	bool child_ = false, no_counters_ = false, instructions_ = false;
	nlohmann::json context_; // for noise_cause()
	std::string child_dir_;
	double noise_threshold_ = 0.05;
	uint64_t cg_iters_ = kDefaultInstructionIters;
	int cg_reps_ = kDefaultInstructionReps;
	std::unique_ptr<Counters> counters_;
	CallgrindProbe cg_probe_;
	std::optional<InstructionCounts> counts_;
};

} // namespace drvbench
