// perf_event_open counter groups; see counters.hpp.
#include "counters.hpp"

#include <cerrno>
#include <cstring>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace drvbench {

std::vector<CounterEvent> counter_events()
{
	return {
		{"cycles", "cycles/op", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, true, ""},
		{"hw_instructions", "instructions/op", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, true, ""},
		{"branches", "branches/op", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, true, ""},
		{"branch_misses", "branch-misses/op", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, true, ""},
		{"cache_references", "cache-references/op", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, true, ""},
		{"cache_misses", "cache-misses/op", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, true, ""},
		{"task_clock_ns", "ns/op", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, false, ""},
		{"context_switches", "context-switches/op", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, false, ""},
	};
}

std::string errno_text(int err)
{
	const char *name = nullptr;
	switch (err) {
	case ENOENT: name = "ENOENT"; break;
	case EOPNOTSUPP: name = "EOPNOTSUPP"; break;
	case EACCES: name = "EACCES"; break;
	case EPERM: name = "EPERM"; break;
	case EINVAL: name = "EINVAL"; break;
	case ENODEV: name = "ENODEV"; break;
	case ENOSYS: name = "ENOSYS"; break;
	case EBUSY: name = "EBUSY"; break;
	case EMFILE: name = "EMFILE"; break;
	default: break;
	}
	std::string s = name ? name : "errno " + std::to_string(err);
	return s + " (" + strerror(err) + ")";
}

int counter_open(uint32_t type, uint64_t config, int group_fd, bool leader)
{
	perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = type;
	a.config = config;
	a.disabled = leader ? 1 : 0; // members follow their leader
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	long fd = syscall(SYS_perf_event_open, &a, 0 /* this thread */, -1 /* any CPU */, group_fd,
			  PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : static_cast<int>(fd);
}

Counters::Counters() : events_(counter_events())
{
	for (auto &e : events_) {
		int fd = counter_open(e.type, e.config, -1, true);
		if (fd < 0) {
			e.status = "unavailable: perf_event_open: " + errno_text(-fd);
		} else {
			e.status = "available";
			close(fd);
		}
	}
	open_group(true);
	open_group(false);
}

void Counters::open_group(bool hardware)
{
	Group g;
	for (size_t i = 0; i < events_.size(); i++) {
		CounterEvent &e = events_[i];
		if (e.hardware != hardware || e.status != "available")
			continue;
		int fd = counter_open(e.type, e.config, g.leader, g.leader < 0);
		if (fd < 0) {
			// Alone it opened; in the group it does not (too many events for the PMU).
			e.status = "unavailable: cannot join its group: " + errno_text(-fd);
			continue;
		}
		if (g.leader < 0)
			g.leader = fd;
		g.fds.push_back(fd);
		g.events.push_back(i);
	}
	if (g.leader >= 0) {
		ioctl(g.leader, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
		groups_.push_back(std::move(g));
	}
}

Counters::~Counters()
{
	for (auto &g : groups_)
		for (int fd : g.fds)
			close(fd);
}

nlohmann::json Counters::availability() const
{
	nlohmann::json j = nlohmann::json::object();
	for (const auto &e : events_)
		j[e.name] = e.status;
	return j;
}

bool Counters::any_available() const
{
	return !groups_.empty();
}

std::string Counters::unavailable_line() const
{
	// Events with the same reason are named together: "cycles, branches: EOPNOTSUPP (...)".
	std::vector<std::pair<std::string, std::vector<std::string>>> by_reason;
	std::vector<std::string> ok;
	for (const auto &e : events_) {
		if (e.status == "available") {
			ok.push_back(e.name);
			continue;
		}
		std::string reason = e.status.substr(std::string("unavailable: ").size());
		auto it = by_reason.begin();
		while (it != by_reason.end() && it->first != reason)
			++it;
		if (it == by_reason.end())
			by_reason.push_back({reason, {e.name}});
		else
			it->second.push_back(e.name);
	}
	if (by_reason.empty())
		return "";
	std::string s = "perf counters unavailable (recorded as such, not as zero):";
	for (size_t i = 0; i < by_reason.size(); i++) {
		s += i ? ";" : "";
		for (size_t k = 0; k < by_reason[i].second.size(); k++)
			s += (k ? ", " : " ") + by_reason[i].second[k];
		s += ": " + by_reason[i].first;
	}
	s += ok.empty() ? "; no counters recorded" : "; recording";
	for (size_t k = 0; k < ok.size(); k++)
		s += (k ? ", " : " ") + ok[k];
	return s;
}

void Counters::begin()
{
	for (const auto &g : groups_)
		ioctl(g.leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void Counters::end(const Plugin &, int, uint64_t iters, std::map<std::string, Metric> &out)
{
	for (const auto &g : groups_)
		ioctl(g.leader, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	for (const auto &g : groups_) {
		// PERF_FORMAT_GROUP | TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING:
		// { nr, time_enabled, time_running, value[nr] }
		uint64_t buf[3 + 16] = {};
		ssize_t n = read(g.leader, buf, sizeof buf);
		ioctl(g.leader, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
		if (n < static_cast<ssize_t>(3 * sizeof(uint64_t)) || buf[0] != g.fds.size() || iters == 0)
			continue;
		const uint64_t enabled = buf[1], running = buf[2];
		if (running == 0)
			continue; // never scheduled in this sample: no value rather than a made-up one
		const double scale = static_cast<double>(enabled) / static_cast<double>(running);
		for (size_t k = 0; k < g.events.size(); k++) {
			const CounterEvent &e = events_[g.events[k]];
			// Events per operation (cycles, instructions, misses): fewer is better.
			out.insert_or_assign(e.name, Metric{e.unit, static_cast<double>(buf[3 + k]) * scale /
									   static_cast<double>(iters),
							    Better::Lower});
		}
	}
}

} // namespace drvbench
