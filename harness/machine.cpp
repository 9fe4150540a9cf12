// Machine facts for the result context; see machine.hpp.
#include "machine.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace drvbench {

namespace {

std::optional<std::string> read_line(const std::string &path)
{
	std::ifstream in(path);
	std::string line;
	if (!in || !std::getline(in, line))
		return std::nullopt;
	while (!line.empty() && (line.back() == ' ' || line.back() == '\n' || line.back() == '\r'))
		line.pop_back();
	return line;
}

std::string governor(const std::string &root)
{
	std::set<std::string> seen;
	std::error_code ec;
	for (const auto &e : fs::directory_iterator(root + "/sys/devices/system/cpu", ec)) {
		std::string n = e.path().filename().string();
		if (n.rfind("cpu", 0) != 0 || n.size() < 4 || !std::all_of(n.begin() + 3, n.end(), ::isdigit))
			continue;
		if (auto g = read_line(e.path().string() + "/cpufreq/scaling_governor"))
			seen.insert(*g);
	}
	if (seen.empty())
		return "unavailable";
	std::string s;
	for (const auto &g : seen)
		s += (s.empty() ? "" : ", ") + g;
	return seen.size() > 1 ? s + " (mixed)" : s;
}

std::string boost(const std::string &root)
{
	if (auto b = read_line(root + "/sys/devices/system/cpu/cpufreq/boost"))
		return *b == "1" ? "on" : *b == "0" ? "off" : *b;
	if (auto nt = read_line(root + "/sys/devices/system/cpu/intel_pstate/no_turbo"))
		return *nt == "1" ? "off" : *nt == "0" ? "on" : *nt;
	return "unavailable";
}

std::string aslr(const std::string &root)
{
	auto v = read_line(root + "/proc/sys/kernel/randomize_va_space");
	if (!v)
		return "unavailable";
	if (*v == "0")
		return "0 (off)";
	if (*v == "1")
		return "1 (stack, mmap, vdso)";
	if (*v == "2")
		return "2 (full)";
	return *v;
}

nlohmann::json loadavg(const std::string &root)
{
	auto v = read_line(root + "/proc/loadavg");
	if (!v)
		return "unavailable";
	std::istringstream in(*v);
	double a, b, c;
	if (!(in >> a >> b >> c))
		return "unavailable";
	return nlohmann::json::array({a, b, c});
}

nlohmann::json paranoid(const std::string &root)
{
	auto v = read_line(root + "/proc/sys/kernel/perf_event_paranoid");
	if (!v)
		return "unavailable";
	try {
		return std::stoi(*v);
	} catch (...) {
		return *v;
	}
}

std::string virtualization(const std::string &root)
{
	if (auto t = read_line(root + "/sys/hypervisor/type"); t && !t->empty())
		return "hypervisor (" + *t + ")";
	std::ifstream in(root + "/proc/cpuinfo");
	std::string line;
	while (std::getline(in, line))
		if (line.rfind("flags", 0) == 0) {
			std::istringstream fl(line.substr(line.find(':') + 1));
			std::string f;
			while (fl >> f)
				if (f == "hypervisor")
					return "hypervisor (cpuinfo flag)";
			break;
		}
	return "none detected";
}

// Free page reporting (virtio-balloon): the guest hands freed memory back to the host, so a
// freshly allocated page (a new tmpfs file's) may cost the host a fault on first touch. File
// write figures swing with it (docs/measurement.md). Pages of at least this order are reported;
// an order above the buddy allocator's largest (the columns of /proc/buddyinfo) reports none.
std::string free_page_reporting(const std::string &root)
{
	auto v = read_line(root + "/sys/module/page_reporting/parameters/page_reporting_order");
	if (!v)
		return "unavailable";
	int order = -1, max_order = -1;
	try {
		order = std::stoi(*v);
	} catch (...) {
		return *v;
	}
	if (auto b = read_line(root + "/proc/buddyinfo")) {
		std::istringstream in(b->substr(b->find("zone") == std::string::npos ? 0 : b->find("zone") + 4));
		std::string zone;
		unsigned long n;
		in >> zone;
		while (in >> n)
			max_order++;
	}
	if (max_order < 0)
		return "order " + std::to_string(order);
	return (order <= max_order ? "on (order " : "off (order ") + std::to_string(order) + ")";
}

} // namespace

nlohmann::json machine_facts(const std::string &root)
{
	return {{"cpu_governor", governor(root)},
		{"cpu_boost", boost(root)},
		{"aslr", aslr(root)},
		{"loadavg", loadavg(root)},
		{"perf_event_paranoid", paranoid(root)},
		{"virtualization", virtualization(root)},
		{"free_page_reporting", free_page_reporting(root)}};
}

std::string noise_warning(const std::string &workload, const nlohmann::json &results, double threshold)
{
	std::string list;
	for (const auto &r : results) {
		if (!r.contains("cv") || !r["cv"].is_number() || r["cv"].get<double>() <= threshold)
			continue;
		char buf[64];
		std::snprintf(buf, sizeof buf, " cv %.1f%%", r["cv"].get<double>() * 100);
		list += (list.empty() ? "" : ", ") + r["plugin"].get<std::string>() + buf;
	}
	if (list.empty())
		return "";
	char thr[32];
	std::snprintf(thr, sizeof thr, "%g%%", threshold * 100);
	return workload + ": noisy: " + list + " (> " + thr +
	       "; the machine looked busy: take more reps or a quieter machine)";
}

std::string noise_cause(const nlohmann::json &context, const nlohmann::json &workload)
{
	const auto fpr = context.find("free_page_reporting");
	if (fpr == context.end() || !fpr->is_string() || fpr->get<std::string>().rfind("on", 0) != 0)
		return "";
	const nlohmann::json params = workload.value("params", nlohmann::json::object());
	const std::string driver = workload.value("driver", "");
	const bool new_pages = (driver == "ringbuf" && params.value("sink", "") != "devnull") ||
			       (driver == "nullblk" && params.value("memory_backed", false));
	if (!new_pages)
		return "";
	return "free page reporting is on and this workload writes new pages, which may cost host "
	       "faults at random (docs/measurement.md)";
}

} // namespace drvbench
