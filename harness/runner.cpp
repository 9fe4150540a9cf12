// Generic measurement loop; see runner.hpp.
#include "runner.hpp"

#include "errors.hpp"

#include <algorithm>
#include <csignal>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <sched.h>
#include <time.h>

namespace drvbench {

Pinning pin_thread(int requested)
{
	Pinning pin;
	cpu_set_t allowed;
	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
		pin.error = std::string("sched_getaffinity: ") + strerror(errno);
		return pin;
	}
	int cpu = requested;
	if (cpu < 0)
		for (int c = CPU_SETSIZE - 1; c >= 0; c--)
			if (CPU_ISSET(c, &allowed)) {
				cpu = c;
				break;
			}
	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		pin.error = "no CPU available";
		return pin;
	}
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) != 0) {
		pin.error = "sched_setaffinity(cpu " + std::to_string(cpu) + "): " + strerror(errno);
		return pin;
	}
	pin.cpu = cpu;
	return pin;
}

Stats compute_stats(const std::vector<double> &s)
{
	Stats st;
	if (s.empty())
		return st;
	std::vector<double> v = s;
	std::sort(v.begin(), v.end());
	size_t n = v.size();
	st.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	st.min = v.front();
	st.max = v.back();
	double sum = 0;
	for (double x : v)
		sum += x;
	st.mean = sum / static_cast<double>(n);
	double sq = 0;
	for (double x : v)
		sq += (x - st.mean) * (x - st.mean);
	st.stddev = n > 1 ? std::sqrt(sq / static_cast<double>(n - 1)) : 0.0; // sample stddev
	st.cv = st.mean > 0 ? st.stddev / st.mean : 0.0;
	return st;
}

static volatile sig_atomic_t g_interrupt = 0;

static void on_interrupt(int sig)
{
	(void)sig;
	g_interrupt = 1;
}

void install_interrupt_handler()
{
	struct sigaction sa {};
	sa.sa_handler = on_interrupt;
	sa.sa_flags = SA_RESETHAND; // the second signal takes the default action
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
}

bool interrupt_requested()
{
	return g_interrupt != 0;
}

static double now_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Elapsed ns of iters operations.
static double time_iters(PreparedWorkload &w, const Plugin &p, uint64_t iters)
{
	double t0 = now_ns();
	w.run(p, iters);
	return now_ns() - t0;
}

static uint64_t calibrate(PreparedWorkload &w, const Plugin &p, double min_ns, double &ns_op)
{
	uint64_t iters = 1;
	for (;;) {
		double t = time_iters(w, p, iters);
		if (t >= min_ns || iters >= (1ull << 40)) {
			ns_op = t / static_cast<double>(iters);
			return iters;
		}
		// Aim 20% past the target; grow at most 100x per step in case t was noise.
		double want = t > 0 ? static_cast<double>(iters) * (min_ns * 1.2 / t) : static_cast<double>(iters) * 100;
		want = std::min(want, static_cast<double>(iters) * 100);
		iters = std::max<uint64_t>(iters + 1, static_cast<uint64_t>(std::ceil(want)));
	}
}

// The copies of each plugin's .so that RunSettings::layouts asks for, loaded on first use
// and kept for the rest of the process (index 0 is the plugin as loaded).
static const std::vector<Plugin> &layout_pool(const Plugin &p, size_t n)
{
	static std::map<std::string, std::vector<Plugin>> pool;
	auto &v = pool[p.file];
	if (v.empty())
		v.push_back(p);
	while (v.size() < n)
		v.push_back(load_layout_copy(p));
	return v;
}

Measurement measure(PreparedWorkload &w, const Plugin &calibrate_on, const std::vector<const Plugin *> &plugins,
		    const RunSettings &run, std::mt19937_64 &rng, const Progress &progress, const MeasureOptions &opt)
{
	Measurement m;
	m.unit = w.unit();
	m.better = w.better();
	const bool job = w.is_job() && !opt.job_as_operations;
	if (!job)
		m.iters = opt.fixed_iters ? opt.fixed_iters
					  : calibrate(w, calibrate_on, run.min_sample_ms * 1e6, m.calib_ns_op);
	for (const Plugin *p : plugins)
		m.results.push_back({p, {}, {}});

	std::vector<size_t> order(plugins.size());
	const int rounds = static_cast<int>(run.warmup + run.reps);
	for (int r = 0; r < rounds; r++) {
		// Only whole rounds are kept, so every plugin has the same samples (paired by round).
		if (interrupt_requested()) {
			m.interrupted = true;
			break;
		}
		if (progress)
			progress(r + 1, rounds);
		for (size_t i = 0; i < order.size(); i++)
			order[i] = i;
		std::shuffle(order.begin(), order.end(), rng);
		for (size_t i : order) {
			if (job) {
				JobSample js = w.measure_job(*plugins[i]);
				if (r < run.warmup)
					continue;
				m.results[i].samples.push_back(js.value);
				for (const auto &[name, metric] : js.metrics) {
					MetricSamples &ms = m.results[i].metrics[name];
					ms.unit = metric.unit;
					ms.better = metric.better;
					ms.samples.push_back(metric.value);
				}
				continue;
			}
			const Plugin *subject = plugins[i];
			if (run.layouts > 1 && subject->meta && !subject->pseudo) {
				const auto &pool = layout_pool(*subject, static_cast<size_t>(run.layouts));
				subject = &pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)];
			}
			SampleProbe *probe = r >= run.warmup ? opt.probe : nullptr;
			w.before_sample(*subject);
			if (probe)
				probe->begin();
			double ns = time_iters(w, *subject, m.iters);
			std::map<std::string, Metric> got;
			if (probe)
				probe->end(*plugins[i], r - static_cast<int>(run.warmup), m.iters, got);
			if (r >= run.warmup)
				m.results[i].samples.push_back(ns / static_cast<double>(m.iters));
			for (const auto &[name, metric] : got) {
				MetricSamples &ms = m.results[i].metrics[name];
				ms.unit = metric.unit;
				ms.better = metric.better;
				ms.samples.push_back(metric.value);
			}
		}
	}
	return m;
}

} // namespace drvbench
