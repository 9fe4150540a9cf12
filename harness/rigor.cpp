// See rigor.hpp.
#include "rigor.hpp"

#include "errors.hpp"
#include "machine.hpp"

#include <charconv>
#include <cstdio>

namespace drvbench {

namespace {

uint64_t positive(const std::string &s, const char *option, uint64_t max)
{
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v == 0 || v > max)
		throw UsageError(option, "", "expected an integer in 1.." + std::to_string(max) + ", got \"" + s + "\"");
	return v;
}

} // namespace

Rigor::Rigor(const RunOptions &o)
{
	no_counters_ = o.no_counters;
	instructions_ = o.instructions;
	child_dir_ = o.instructions_child;
	child_ = !child_dir_.empty();
	if (o.noise_threshold) {
		const std::string &s = *o.noise_threshold;
		double v = -1;
		auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
		if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !(v >= 0 && v <= 1000))
			throw UsageError("--noise-threshold", "", "expected a percentage in 0..1000, got \"" + s + "\"");
		noise_threshold_ = v / 100;
	}
	if (o.instructions_iters)
		cg_iters_ = positive(*o.instructions_iters, "--instructions-iters", 1000000);
	if (o.instructions_reps)
		cg_reps_ = static_cast<int>(positive(*o.instructions_reps, "--instructions-reps", 1000));
	if ((o.instructions_iters || o.instructions_reps) && !o.instructions)
		throw UsageError(o.instructions_iters ? "--instructions-iters" : "--instructions-reps", "",
				 "only means something with --instructions");
	if (child_ && !running_under_valgrind())
		throw UsageError("--instructions-child", "", "internal option of --instructions; use --instructions");
	if (instructions_ && !child_)
		find_valgrind(); // exit 2 now, before anything is measured
}

void Rigor::start(nlohmann::json &context, const std::vector<std::string> &argv)
{
	const nlohmann::json facts = machine_facts();
	for (const auto &[k, v] : facts.items())
		context[k] = v;
	context_ = facts;
	if (child_) {
		context["counters"] = "not read (callgrind child)";
		return;
	}
	if (no_counters_) {
		context["counters"] = "disabled (--no-counters)";
	} else {
		counters_ = std::make_unique<Counters>();
		context["counters"] = counters_->availability();
		std::string line = counters_->unavailable_line();
		if (!line.empty())
			std::fprintf(stderr, "drvbench: %s\n", line.c_str());
		if (!counters_->any_available())
			counters_.reset();
	}
	if (instructions_) {
		if (isatty(STDERR_FILENO))
			std::fprintf(stderr, "\r\033[Kcounting instructions under callgrind (%llu iters x %d reps per plugin)",
				     static_cast<unsigned long long>(cg_iters_), cg_reps_);
		counts_ = count_instructions(argv, cg_iters_, cg_reps_);
		if (isatty(STDERR_FILENO))
			std::fprintf(stderr, "\r\033[K");
		context["instructions"] = instructions_context(*counts_);
	}
}

MeasureOptions Rigor::options_for(const std::string &workload, const PreparedWorkload &w, RunSettings &run)
{
	MeasureOptions mo;
	if (child_) {
		// One uninstrumented round first: lazy symbol binding (clock_gettime's PLT slot) and
		// other first-call work would otherwise land in the first counted sample.
		run.warmup = 1;
		run.reps = cg_reps_;
		run.layouts = 1; // exact counts: one copy of each plugin is enough
		mo.fixed_iters = cg_iters_;
		if (w.is_job()) { // its own count: enough operations to include its periodic work
			mo.fixed_iters = w.counted_iters();
			mo.job_as_operations = true;
		}
		cg_probe_.workload = workload;
		mo.probe = &cg_probe_;
	} else {
		mo.probe = counters_.get();
	}
	return mo;
}

void Rigor::finish(nlohmann::json &workload)
{
	if (child_)
		return;
	if (counts_)
		attach_instructions(workload, *counts_);
	std::string warn = noise_warning(workload["name"].get<std::string>(), workload["results"], noise_threshold_);
	if (!warn.empty()) {
		const std::string cause = noise_cause(context_, workload);
		if (!cause.empty())
			warn += "; or: " + cause;
		std::fprintf(stderr, "drvbench: warning: %s\n", warn.c_str());
	}
}

} // namespace drvbench
