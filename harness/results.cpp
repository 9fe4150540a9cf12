// Result file construction; see results.hpp.
#include "results.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace drvbench {

static std::string utc_now(const char *fmt)
{
	time_t t = time(nullptr);
	tm tm{};
	gmtime_r(&t, &tm);
	char buf[64];
	strftime(buf, sizeof buf, fmt, &tm);
	return buf;
}

static std::string trim(std::string s)
{
	while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
		s.pop_back();
	return s;
}

// Runs a command and returns its stdout, or nullopt if it failed.
static std::optional<std::string> capture(const std::string &cmd)
{
	FILE *f = popen(cmd.c_str(), "r");
	if (!f)
		return std::nullopt;
	std::string out;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		out.append(buf, n);
	if (pclose(f) != 0)
		return std::nullopt;
	return out;
}

static std::string cpu_model()
{
	std::ifstream in("/proc/cpuinfo");
	std::string line;
	while (std::getline(in, line)) {
		if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
			auto c = line.find(':');
			if (c != std::string::npos)
				return trim(line.substr(line.find_first_not_of(" \t", c + 1)));
		}
	}
	return "unknown";
}

static std::string harness_compiler()
{
#if defined(__clang__)
	return "clang " __clang_version__;
#elif defined(__GNUC__)
	return "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
	       std::to_string(__GNUC_PATCHLEVEL__);
#else
	return "unknown";
#endif
}

nlohmann::json collect_context(const std::vector<std::string> &argv, const Pinning &pin, uint64_t seed)
{
	nlohmann::json c;
	c["date"] = utc_now("%Y-%m-%dT%H:%M:%SZ");
	char host[256] = "unknown";
	gethostname(host, sizeof host - 1);
	c["host"] = host;
	c["cpu_model"] = cpu_model();
	c["cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
	utsname u{};
	if (uname(&u) == 0)
		c["kernel"] = std::string(u.release) + " " + u.version;
	else
		c["kernel"] = "unknown";
	const std::string git = "git -C '" DRVBENCH_SOURCE_DIR "' ";
	auto head = capture(git + "rev-parse HEAD 2>/dev/null");
	c["git_commit"] = head ? trim(*head) : "unknown";
	if (head) {
		auto st = capture(git + "status --porcelain --untracked-files=no 2>/dev/null");
		c["git_dirty"] = st ? nlohmann::json(!trim(*st).empty()) : nlohmann::json(nullptr);
	} else {
		c["git_dirty"] = nullptr;
	}
	c["drvbench_version"] = DRVBENCH_VERSION;
	c["harness_compiler"] = harness_compiler();
	c["command_line"] = argv;
	c["pinned_cpu"] = pin.cpu >= 0 ? nlohmann::json(pin.cpu) : nlohmann::json(nullptr);
	c["pin_error"] = pin.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(pin.error);
	c["seed"] = seed;
	c["clock"] = "CLOCK_MONOTONIC";
	return c;
}

nlohmann::json plugin_json(const Plugin &p)
{
	nlohmann::json j = {{"id", p.id},
			    {"file", p.file},
			    {"impl", p.impl},
			    {"variant", p.variant},
			    {"compiler", p.compiler},
			    {"compiler_version", p.compiler_version},
			    {"flags", p.flags},
			    {"components", p.components}};
	if (p.peer)
		j["peer"] = {{"library", p.peer_library},
			     {"version", p.peer_version},
			     {"unmatched", p.unmatched.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.unmatched)}};
	return j;
}

std::optional<double> paired_ratio(const std::vector<double> &samples, const std::vector<double> &base)
{
	if (samples.empty() || samples.size() != base.size())
		return std::nullopt;
	std::vector<double> q;
	for (size_t i = 0; i < samples.size(); i++) {
		if (!(base[i] > 0))
			return std::nullopt;
		q.push_back(samples[i] / base[i]);
	}
	return compute_stats(q).median;
}

nlohmann::json workload_json(const Workload &w, const nlohmann::json &derived, const Measurement &m,
			     const Plugin *baseline, const std::vector<const Plugin *> &baselines)
{
	nlohmann::json j;
	j["name"] = w.name;
	j["driver"] = w.driver;
	j["description"] = w.description;
	j["file"] = w.file ? nlohmann::json(*w.file) : nlohmann::json(nullptr);
	nlohmann::json params = nlohmann::json::object();
	for (const auto &[k, v] : w.params)
		params[k] = to_json(v);
	j["params"] = params;
	j["run"] = {{"warmup", w.run.warmup},
		    {"reps", w.run.reps},
		    {"iters", m.iters},
		    {"min_sample_ms", w.run.min_sample_ms},
		    {"layouts", m.iters > 0 ? w.run.layouts : int64_t{1}}};
	j["derived"] = derived;
	j["baseline"] = baseline ? nlohmann::json(baseline->id) : nlohmann::json(nullptr);

	std::vector<Stats> stats;
	for (const auto &r : m.results)
		stats.push_back(compute_stats(r.samples));
	nlohmann::json res = nlohmann::json::array();
	for (size_t i = 0; i < m.results.size(); i++) {
		const auto &r = m.results[i];
		const Stats &s = stats[i];
		nlohmann::json e = {{"plugin", r.plugin->id}, {"unit", m.unit}, {"better", better_name(m.better)},
				    {"samples", r.samples},
				    {"median", s.median},     {"mean", s.mean},   {"min", s.min},
				    {"max", s.max},           {"stddev", s.stddev}, {"cv", s.cv}};
		if (!r.metrics.empty()) {
			nlohmann::json metrics = nlohmann::json::object();
			for (const auto &[name, ms] : r.metrics) {
				Stats ss = compute_stats(ms.samples);
				metrics[name] = {{"unit", ms.unit},     {"better", better_name(ms.better)},
						 {"samples", ms.samples}, {"median", ss.median},
						 {"mean", ss.mean},     {"min", ss.min},         {"max", ss.max},
						 {"stddev", ss.stddev}, {"cv", ss.cv}};
			}
			e["metrics"] = metrics;
		}
		// The paired point estimate against this plugin's own baseline (c-base of its
		// compiler): the median of the per-round ratios (docs/measurement.md).
		const Plugin *b = baselines[i];
		e["baseline"] = b ? nlohmann::json(b->id) : nlohmann::json(nullptr);
		e["ratio"] = nullptr;
		for (size_t k = 0; b && k < m.results.size(); k++)
			if (m.results[k].plugin == b)
				if (auto q = paired_ratio(r.samples, m.results[k].samples))
					e["ratio"] = *q;
		res.push_back(e);
	}
	j["results"] = res;
	return j;
}

nlohmann::json result_document(const nlohmann::json &context, const std::vector<const Plugin *> &plugins,
			       const nlohmann::json &workloads, bool complete)
{
	nlohmann::json d;
	d["schema"] = "drvbench-result";
	d["schema_version"] = kResultSchemaVersion;
	d["complete"] = complete;
	d["context"] = context;
	d["plugins"] = nlohmann::json::array();
	for (const Plugin *p : plugins)
		d["plugins"].push_back(plugin_json(*p));
	d["workloads"] = workloads;
	return d;
}

std::string default_result_path()
{
	return "results/drvbench-" + utc_now("%Y%m%d-%H%M%S") + ".json";
}

std::string human_ns(double ns)
{
	char buf[64];
	if (ns < 1e3)
		snprintf(buf, sizeof buf, "%.1f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, sizeof buf, "%.2f µs", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, sizeof buf, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, sizeof buf, "%.3f s", ns / 1e9);
	return buf;
}

} // namespace drvbench
