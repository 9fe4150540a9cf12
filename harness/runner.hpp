// The generic measurement loop shared by every component: CPU pinning, calibration of
// iterations per sample on the baseline, warm-up, and repetitions visiting the plugins in a
// freshly shuffled order each round. Components provide only PreparedWorkload::run().
#pragma once

#include "driver.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace drvbench {

struct Pinning {
	int cpu = -1;      // the CPU the measuring thread runs on, -1 if not pinned
	std::string error; // why pinning failed, empty if it worked
};

// Pins the calling thread to one CPU: `requested` if >= 0, else the last CPU it may run on
// (CPU 0 tends to take more interrupts).
Pinning pin_thread(int requested);

struct Stats {
	double median = 0, mean = 0, min = 0, max = 0, stddev = 0, cv = 0;
};
Stats compute_stats(const std::vector<double> &samples);

struct MetricSamples {
	std::string unit;
	Better better = Better::Lower;
	std::vector<double> samples; // one per measured round, in round order
};

struct PluginSamples {
	const Plugin *plugin = nullptr;
	std::vector<double> samples; // primary metric (Measurement::unit), one per measured round
	std::map<std::string, MetricSamples> metrics; // jobs' secondary metrics
};

// Ctrl-C: the first SIGINT/SIGTERM asks the run to stop after the round in progress (the
// result file then keeps every whole round, marked incomplete); a second one kills at once.
void install_interrupt_handler();
bool interrupt_requested();

struct Measurement {
	bool interrupted = false; // stopped early by interrupt_requested(): fewer rounds than asked
	std::string unit = "ns/op";
	Better better = Better::Lower; // of the primary metric
	uint64_t iters = 0;      // operations per sample (0 for jobs)
	double calib_ns_op = 0;  // ns/op of the final calibration sample
	std::vector<PluginSamples> results; // in the order of `plugins`
};

// Progress: (round, rounds) with warm-up rounds counted first.
using Progress = std::function<void(int round, int rounds)>;

// Something taken alongside every measured operation sample (perf counters, callgrind
// instrumentation): begin() right before the clock is first read, end() right after it is
// read again, in measured rounds only (never in calibration or warm-up) and never for jobs.
// end() adds per-operation values to `out` (metric name -> unit + value).
class SampleProbe {
public:
	virtual ~SampleProbe() = default;
	virtual void begin() = 0;
	virtual void end(const Plugin &p, int round, uint64_t iters, std::map<std::string, Metric> &out) = 0;
};

struct MeasureOptions {
	uint64_t fixed_iters = 0;     // operations per sample; 0: calibrate to run.min_sample_ms
	SampleProbe *probe = nullptr; // optional, see SampleProbe
	bool job_as_operations = false; // a countable job measured through run() (callgrind child)
};

Measurement measure(PreparedWorkload &w, const Plugin &calibrate_on, const std::vector<const Plugin *> &plugins,
		    const RunSettings &run, std::mt19937_64 &rng, const Progress &progress,
		    const MeasureOptions &opt = {});

} // namespace drvbench
