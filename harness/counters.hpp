// Hardware and software performance counters (perf_event_open) around the measured region
// of operation workloads: user space only (exclude_kernel, exclude_hv), this thread only.
//
//   hardware group: cycles, hw_instructions, branches, branch_misses, cache_references,
//                   cache_misses
//   software group: task_clock_ns, context_switches
//
// Every event is probed alone at startup; an event the machine refuses (virtual machines
// usually have no PMU: EOPNOTSUPP/ENOENT) is recorded as "unavailable: <reason>" and never
// reported as zero. Groups are opened once, before anything is timed; per sample only the
// enable/disable ioctls run (see SampleProbe in runner.hpp). Values are read with
// TOTAL_TIME_ENABLED/RUNNING and scaled when the kernel multiplexed the group.
#pragma once

#include "runner.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace drvbench {

struct CounterEvent {
	std::string name;     // metric name in the result file
	std::string unit;     // per operation, e.g. "cycles/op"
	uint32_t type = 0;    // PERF_TYPE_*
	uint64_t config = 0;  // PERF_COUNT_*
	bool hardware = true; // which group
	std::string status;   // "available" or "unavailable: <reason>"
};

// The fixed list of events drvbench asks for, in result-file order.
std::vector<CounterEvent> counter_events();

class Counters final : public SampleProbe {
public:
	// Probes every event and opens the groups of the available ones. Never throws: a
	// machine without counters yields an object whose availability() says why.
	Counters();
	~Counters() override;
	Counters(const Counters &) = delete;
	Counters &operator=(const Counters &) = delete;

	// {"cycles": "available" | "unavailable: <reason>", ...} for context.counters.
	nlohmann::json availability() const;
	// One line for stderr naming the unavailable events and why, "" when all are available.
	std::string unavailable_line() const;
	bool any_available() const;

	void begin() override;
	void end(const Plugin &p, int round, uint64_t iters, std::map<std::string, Metric> &out) override;

private:
	struct Group {
		int leader = -1;
		std::vector<int> fds;        // leader first
		std::vector<size_t> events;  // index into events_ per fd
	};
	void open_group(bool hardware);
	std::vector<CounterEvent> events_;
	std::vector<Group> groups_;
};

// perf_event_open(2) with the attributes drvbench uses; returns the fd or -errno.
int counter_open(uint32_t type, uint64_t config, int group_fd, bool leader);

// "EOPNOTSUPP (Operation not supported)" for an errno value.
std::string errno_text(int err);

} // namespace drvbench
