// Measurement rigor pieces that need no particular machine: counter availability is always
// stated per event (never silently missing), probes report only available events, machine
// facts from a fake /proc + /sys tree, the noise warning, and callgrind dump parsing.
#include "callgrind.hpp"
#include "counters.hpp"
#include "machine.hpp"
#include "runner.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace drvbench;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string &name)
{
	fs::path d = fs::temp_directory_path() / ("drvbench-test-" + name + "-" + std::to_string(getpid()));
	fs::remove_all(d);
	fs::create_directories(d);
	return d;
}

void write(const fs::path &p, const std::string &text)
{
	fs::create_directories(p.parent_path());
	std::ofstream(p) << text;
}

struct Spin : PreparedWorkload {
	volatile uint64_t sink = 0;
	nlohmann::json derived() const override { return {}; }
	void verify(const std::vector<const Plugin *> &) override {}
	void run(const Plugin &, uint64_t iters) override
	{
		for (uint64_t i = 0; i < iters * 1000; i++)
			sink = sink + i;
	}
};

} // namespace

TEST(Counters, EveryEventHasAStatus)
{
	Counters c;
	nlohmann::json a = c.availability();
	ASSERT_EQ(a.size(), counter_events().size());
	for (const auto &e : counter_events()) {
		ASSERT_TRUE(a.contains(e.name)) << e.name;
		const std::string s = a[e.name].get<std::string>();
		EXPECT_TRUE(s == "available" || s.rfind("unavailable: ", 0) == 0) << e.name << ": " << s;
	}
	// The stderr line names exactly the unavailable events.
	const std::string line = c.unavailable_line();
	for (const auto &e : counter_events()) {
		bool ok = a[e.name] == "available";
		if (!ok)
			EXPECT_NE(line.find(e.name), std::string::npos) << line;
	}
	EXPECT_EQ(line.empty(), std::all_of(a.begin(), a.end(), [](const auto &v) { return v == "available"; }));
}

TEST(Counters, ProbeReportsOnlyAvailableEventsPerOperation)
{
	Counters c;
	nlohmann::json a = c.availability();
	Plugin p;
	Spin w;
	RunSettings run;
	run.warmup = 1;
	run.reps = 4;
	std::mt19937_64 rng(1);
	MeasureOptions mo;
	mo.fixed_iters = 50;
	mo.probe = c.any_available() ? &c : nullptr;
	Measurement m = measure(w, p, {&p}, run, rng, nullptr, mo);
	ASSERT_EQ(m.iters, 50u);
	const auto &metrics = m.results[0].metrics;
	for (const auto &[name, ms] : metrics) {
		EXPECT_EQ(a[name], "available") << name << " reported but not available";
		EXPECT_EQ(ms.samples.size(), 4u) << name; // measured rounds only, no warm-up
		EXPECT_NE(ms.unit.find("/op"), std::string::npos) << ms.unit;
	}
	if (a["task_clock_ns"] == "available") {
		ASSERT_TRUE(metrics.count("task_clock_ns"));
		// 1000 volatile adds per operation take well over 100 ns and well under 1 ms.
		for (double v : metrics.at("task_clock_ns").samples) {
			EXPECT_GT(v, 100.0);
			EXPECT_LT(v, 1e6);
		}
	}
	for (const auto &e : counter_events())
		if (a[e.name] != "available")
			EXPECT_FALSE(metrics.count(e.name)) << e.name << " is unavailable but was recorded";
}

TEST(Machine, FactsFromAFakeRoot)
{
	fs::path r = temp_dir("machine");
	write(r / "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
	write(r / "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "powersave\n");
	write(r / "sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
	write(r / "proc/sys/kernel/randomize_va_space", "2\n");
	write(r / "proc/loadavg", "0.50 1.25 2.00 1/100 42\n");
	write(r / "proc/sys/kernel/perf_event_paranoid", "2\n");
	write(r / "proc/cpuinfo", "processor : 0\nflags : fpu sse2 hypervisor avx\n");
	write(r / "proc/buddyinfo", "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      2\n");
	write(r / "sys/module/page_reporting/parameters/page_reporting_order", "9\n");
	nlohmann::json f = machine_facts(r.string());
	EXPECT_EQ(f["cpu_governor"], "performance, powersave (mixed)");
	EXPECT_EQ(f["cpu_boost"], "off");
	EXPECT_EQ(f["aslr"], "2 (full)");
	EXPECT_EQ(f["loadavg"], nlohmann::json({0.5, 1.25, 2.0}));
	EXPECT_EQ(f["perf_event_paranoid"], 2);
	EXPECT_EQ(f["virtualization"], "hypervisor (cpuinfo flag)");
	EXPECT_EQ(f["free_page_reporting"], "on (order 9)");
	write(r / "sys/module/page_reporting/parameters/page_reporting_order", "11\n");
	EXPECT_EQ(machine_facts(r.string())["free_page_reporting"], "off (order 11)");

	fs::path empty = temp_dir("machine-empty");
	nlohmann::json g = machine_facts(empty.string());
	for (const char *k : {"cpu_governor", "cpu_boost", "aslr", "loadavg", "perf_event_paranoid", "free_page_reporting"})
		EXPECT_EQ(g[k], "unavailable") << k;
	EXPECT_EQ(g["virtualization"], "none detected");
	fs::remove_all(r);
	fs::remove_all(empty);
}

TEST(Machine, NoiseWarningNamesNoisyPlugins)
{
	nlohmann::json results = nlohmann::json::array(
		{{{"plugin", "c-base-gcc12"}, {"cv", 0.02}}, {{"plugin", "cpp-base-gcc12"}, {"cv", 0.073}}});
	EXPECT_EQ(noise_warning("text-v40", results, 0.10), "");
	std::string w = noise_warning("text-v40", results, 0.05);
	EXPECT_EQ(w.rfind("text-v40: noisy: cpp-base-gcc12 cv 7.3%", 0), 0u) << w;
	EXPECT_EQ(w.find("c-base-gcc12 cv"), std::string::npos) << w;
	EXPECT_NE(w.find("(> 5%"), std::string::npos) << w;
}

TEST(Machine, NoiseCauseNamesPageReportingForNewPages)
{
	const nlohmann::json on = {{"free_page_reporting", "on (order 9)"}};
	const nlohmann::json off = {{"free_page_reporting", "off (order 11)"}};
	const nlohmann::json file = {{"driver", "ringbuf"}, {"params", {{"sink", "tmpfs"}}}};
	const nlohmann::json devnull = {{"driver", "ringbuf"}, {"params", {{"sink", "devnull"}}}};
	const nlohmann::json backed = {{"driver", "nullblk"}, {"params", {{"memory_backed", true}}}};
	const nlohmann::json qr = {{"driver", "qrpanic"}, {"params", {{"version", 40}}}};
	EXPECT_NE(noise_cause(on, file).find("free page reporting is on"), std::string::npos);
	EXPECT_NE(noise_cause(on, backed), "");
	EXPECT_EQ(noise_cause(on, devnull), "");
	EXPECT_EQ(noise_cause(on, qr), "");
	EXPECT_EQ(noise_cause(off, file), "");
	EXPECT_EQ(noise_cause(nlohmann::json::object(), file), "");
}

TEST(Callgrind, ParsesClientRequestDumps)
{
	fs::path d = temp_dir("callgrind");
	auto dump = [&](int n, const std::string &trigger, const std::string &events, uint64_t totals) {
		write(d / ("callgrind.out." + std::to_string(n)),
		      "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npart: " + std::to_string(n) +
			      "\ndesc: I1 cache: \ndesc: Trigger: " + trigger + "\n\npositions: line\nevents: " + events +
			      "\nsummary: 0\n\nfn=(1) main\n0 " + std::to_string(totals) + "\n\ntotals: " +
			      std::to_string(totals) + "\n");
	};
	dump(1, "Client Request: text-v40|c-base-gcc12|0", "Ir", 2503799);
	dump(2, "Client Request: text-v40|cpp-base-gcc12|0", "Ir", 2406474);
	dump(3, "Program termination", "Ir", 5);      // not a measured region
	write(d / "callgrind.out", "events: Ir\ntotals: 9\n"); // the final dump, no suffix
	write(d / "other.1", "desc: Trigger: Client Request: x|y|0\nevents: Ir\ntotals: 1\n");
	auto m = parse_callgrind_dumps(d.string(), "callgrind.out");
	ASSERT_EQ(m.size(), 2u);
	EXPECT_EQ(m.at("text-v40|c-base-gcc12|0"), 2503799u);
	EXPECT_EQ(m.at("text-v40|cpp-base-gcc12|0"), 2406474u);
	fs::remove_all(d);
}

TEST(Callgrind, AttachesExactInstructionsToOperationWorkloads)
{
	InstructionCounts ic;
	ic.iters = 5;
	ic.reps = 2;
	ic.per_op["text-v40"]["c-base-gcc12"] = {100.0, 100.0};
	nlohmann::json w = {{"name", "text-v40"}, {"run", {{"iters", 10}}},
			    {"results", nlohmann::json::array({{{"plugin", "c-base-gcc12"}}})}};
	attach_instructions(w, ic);
	const auto &m = w["results"][0]["metrics"]["instructions"];
	EXPECT_EQ(m["unit"], "instructions/op");
	EXPECT_EQ(m["exact"], true);
	EXPECT_EQ(m["samples"], nlohmann::json({100.0, 100.0}));
	EXPECT_EQ(m["cv"], 0.0);

	nlohmann::json job = {{"name", "job"}, {"run", {{"iters", 0}}},
			      {"results", nlohmann::json::array({{{"plugin", "c-base-gcc12"}}})}};
	attach_instructions(job, ic); // a job without a counted path: not counted, not an error
	EXPECT_FALSE(job["results"][0].contains("metrics"));

	ic.per_op["counted-job"]["c-base-gcc12"] = {80.5, 80.5}; // a job that offers one (ringbuf)
	nlohmann::json counted = {{"name", "counted-job"}, {"run", {{"iters", 0}}},
				  {"results", nlohmann::json::array({{{"plugin", "c-base-gcc12"}}})}};
	attach_instructions(counted, ic);
	EXPECT_EQ(counted["results"][0]["metrics"]["instructions"]["median"], 80.5);

	nlohmann::json missing = {{"name", "text-v1"}, {"run", {{"iters", 10}}},
				  {"results", nlohmann::json::array({{{"plugin", "c-base-gcc12"}}})}};
	EXPECT_THROW(attach_instructions(missing, ic), std::exception);
}
