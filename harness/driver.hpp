// The interface a component runner implements (qrpanic today; nullblk and ringbuf later):
// its parameter schema, input preparation, output verification and the measured call.
// The generic runner (runner.hpp) does warm-up, repetitions, interleaving and timing.
#pragma once

#include "plugins.hpp"
#include "workload.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace drvbench {

// One named secondary figure of a job sample (IOPS, bandwidth, latency percentiles, ...).
struct Metric {
	std::string unit;
	double value = 0;
};

// A sample that the component measured itself: a job with threads and a runtime.
struct JobSample {
	double value = 0;                     // the primary metric, in unit(); lower is better
	std::map<std::string, Metric> metrics; // every other figure of this sample
};

// A workload with its inputs prepared, ready to be measured against plugins.
//
// Two ways to be measured:
//  - operations (default): the runner calibrates an iteration count on the baseline and
//    times run(p, iters) itself; the primary metric is ns/op.
//  - jobs (is_job() true): each sample is one call to measure_job(p), which runs the job
//    (its own threads, runtime, clocks) and returns the primary metric in unit() plus
//    secondary metrics. The runner still does warm-up, repetitions and shuffled order.
class PreparedWorkload {
public:
	virtual ~PreparedWorkload() = default;

	virtual bool is_job() const { return false; }
	// A job whose per-operation path can also run single-threaded and deterministically
	// through run() returns the operations per counted sample here (> 0); the callgrind
	// child of --instructions then counts run() as it does for operation workloads.
	// Other jobs are not counted.
	virtual uint64_t counted_iters() const { return 0; }
	virtual std::string unit() const { return "ns/op"; }
	virtual JobSample measure_job(const Plugin &p)
	{
		(void)p;
		return {};
	}

	// Component facts recorded in the result file ("derived").
	virtual nlohmann::json derived() const = 0;

	// Runs every plugin once and checks its output (against the baseline's where the
	// component has output). Throws RuntimeError on a mismatch.
	virtual void verify(const std::vector<const Plugin *> &plugins) = 0;

	// The measured region: iters operations with plugin p. The runner times the call.
	// Jobs need not implement it.
	virtual void run(const Plugin &p, uint64_t iters)
	{
		(void)p;
		(void)iters;
	}

	// Called before every measured or counted run() sample, outside the clock and the probe:
	// a workload whose run() keeps state can start each sample from the same state here.
	virtual void before_sample(const Plugin &p) { (void)p; }
};

class Driver {
public:
	virtual ~Driver() = default;
	virtual std::string name() const = 0;        // the component: "qrpanic"
	virtual std::string description() const = 0;
	virtual const std::vector<ParamSpec> &params() const = 0;

	// Builds the inputs once per workload. reference is the plugin whose ops define sizes
	// (the baseline); plugins are all that will be measured (all must agree with it).
	// Throws UsageError(file, "params.<key>", ...) for parameter combinations that cannot
	// work, RuntimeError when plugins disagree.
	virtual std::unique_ptr<PreparedWorkload> prepare(const Workload &w, const Plugin &reference,
							  const std::vector<const Plugin *> &plugins) const = 0;

	// Why plugin p cannot run workload w ("" when it can): such a plugin is left out of the
	// workload and listed with the reason under "skipped_plugins" in the result file.
	virtual std::string skip_reason(const Workload &w, const Plugin &p) const
	{
		(void)w;
		(void)p;
		return "";
	}

	// Measured subjects a workload brings itself besides the loaded plugins (nullblk's
	// kernel targets: a file or block device driven through io_uring). They have
	// Plugin::pseudo set and no meta; --impl/--variant select them like plugins. Throws
	// UsageError for a subject that cannot be used.
	virtual std::vector<Plugin> pseudo_plugins(const Workload &w) const
	{
		(void)w;
		return {};
	}
};

// Every component runner compiled into this harness.
const std::vector<const Driver *> &all_drivers();
const Driver *find_driver(const std::string &name);
std::vector<std::string> driver_names();

} // namespace drvbench
