// drvbench run: resolves workloads (files, suites, --driver defaults, overrides) and
// plugins, validates everything before measuring, prepares and verifies every workload,
// then measures and writes one result file.
#include <cctype>
#include <map>
#include "commands.hpp"
#include "rigor.hpp"
#include "driver.hpp"
#include "errors.hpp"
#include "fsutil.hpp"
#include "plugins.hpp"
#include "results.hpp"
#include "runner.hpp"
#include "workload.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <set>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace drvbench {

namespace {

// Workloads to run, with where each came from (for messages).
std::vector<Workload> collect_workloads(const GlobalOptions &g, const RunOptions &o, std::vector<ParamMap> &suite_runs)
{
	std::vector<Workload> ws;
	for (const auto &f : o.files) {
		std::string path = f;
		std::error_code ec;
		// Convenience: a path relative to the workloads directory works from anywhere.
		if (!fs::exists(path, ec) && fs::path(f).is_relative()) {
			fs::path alt = fs::path(resolve_workloads_dir(g.workloads_dir)) / f;
			if (fs::exists(alt, ec))
				path = alt.string();
		}
		ws.push_back(load_workload(path));
		suite_runs.emplace_back();
	}
	for (const auto &s : o.suites) {
		std::string wdir = resolve_workloads_dir(g.workloads_dir);
		std::string path = s;
		if (fs::path(s).extension() != ".toml")
			path = (fs::path(wdir) / "suites" / (s + ".toml")).string();
		std::error_code ec;
		if (!fs::exists(path, ec)) {
			std::vector<std::string> have;
			for (const auto &e : fs::directory_iterator(fs::path(wdir) / "suites", ec))
				if (e.path().extension() == ".toml")
					have.push_back(e.path().stem().string());
			std::sort(have.begin(), have.end());
			throw UsageError("--suite", "", "no suite '" + s + "' (have: " + join(have) + ")");
		}
		Suite suite = load_suite(path);
		for (size_t i = 0; i < suite.members.size(); i++) {
			std::string mp = (fs::path(wdir) / suite.members[i]).string();
			if (!fs::is_regular_file(mp, ec))
				throw UsageError(path, "workloads[" + std::to_string(i) + "]",
						 "no such workload file: " + mp);
			ws.push_back(load_workload(mp));
			suite_runs.push_back(suite.run);
		}
	}
	return ws;
}

std::vector<std::string> split_values(const std::vector<std::string> &v)
{
	std::vector<std::string> out;
	for (const auto &s : v)
		if (!s.empty())
			out.push_back(s);
	return out;
}

// Seconds a plugin may take to produce its first verified output (DRVBENCH_PLUGIN_TIMEOUT).
unsigned plugin_timeout_s()
{
	const char *v = getenv("DRVBENCH_PLUGIN_TIMEOUT");
	unsigned long t = v ? strtoul(v, nullptr, 10) : 0;
	return t ? static_cast<unsigned>(t) : 120;
}

// Runs w.verify({p}) in a child process. "" when it passed; "mismatch:<message>" when the
// output differs from the reference; otherwise why it failed (crashed with a signal, hung).
std::string isolated_verify(PreparedWorkload &w, const Plugin &p, unsigned timeout_s)
{
	int fds[2];
	if (pipe(fds) != 0)
		throw RuntimeError(std::string("pipe: ") + strerror(errno));
	std::fflush(stdout);
	std::fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		throw RuntimeError(std::string("fork: ") + strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		int rc = 0;
		std::string msg;
		try {
			w.verify({&p});
		} catch (const std::exception &e) {
			msg = std::string("mismatch:") + e.what();
			rc = 3;
		}
		if (!msg.empty() && write(fds[1], msg.data(), msg.size()) < 0)
			rc = 4;
		_exit(rc);
	}
	close(fds[1]);
	int status = 0;
	bool done = false;
	for (unsigned waited_ms = 0; waited_ms < timeout_s * 1000u; waited_ms += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			done = true;
			break;
		}
		if (r < 0 && errno != EINTR)
			break;
		usleep(10000);
	}
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		return "hung (no output after " + std::to_string(timeout_s) + " s; killed)";
	}
	std::string msg;
	char buf[4096];
	for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
		msg.append(buf, static_cast<size_t>(n));
	close(fds[0]);
	if (WIFSIGNALED(status))
		return std::string("crashed (") + strsignal(WTERMSIG(status)) + ")";
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return "";
	if (!msg.empty())
		return msg;
	return "failed (exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
}

// "gcc-12", "GCC12" -> "gcc12": the tag in plugin ids.
std::string compiler_tag_of(std::string s)
{
	std::string t;
	for (char c : s)
		if (c != '-' && c != '_')
			t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	return t;
}

// --compilers: "all", a list of tags, or (empty) the compiler that built this harness.
// Pseudo plugins (kernel targets) have no compiler and are always kept.
void select_compilers(std::vector<const Plugin *> &ps, const std::vector<std::string> &wanted)
{
	std::set<std::string> want;
	bool all = false;
	for (const auto &v : wanted) {
		all = all || v == "all";
		if (!v.empty() && v != "all")
			want.insert(compiler_tag_of(v));
	}
	if (all)
		return;
	std::set<std::string> have;
	for (const Plugin *p : ps)
		if (!p->pseudo)
			have.insert(p->compiler_tag);
	if (want.empty()) {
		// Default: the harness's own compiler (and the rustc of this build's Rust plugins)
		// if its plugins are here, else everything (a plugin directory built by another
		// compiler alone).
		if (!have.count(DRVBENCH_DEFAULT_COMPILER_TAG))
			return;
		want.insert(DRVBENCH_DEFAULT_COMPILER_TAG);
		if (have.count(DRVBENCH_DEFAULT_RUST_TAG))
			want.insert(DRVBENCH_DEFAULT_RUST_TAG);
	}
	for (const auto &w : want)
		if (!have.count(w))
			throw UsageError("--compilers", "",
					 "no plugins built by '" + w + "' (have: " +
						 join(std::vector<std::string>(have.begin(), have.end())) +
						 "; tools/build-matrix builds more)");
	std::vector<const Plugin *> kept;
	for (const Plugin *p : ps)
		if (p->pseudo || want.count(p->compiler_tag))
			kept.push_back(p);
	ps = kept;
}

// Keeps plugins whose field is in `wanted`; every wanted value must match some plugin.
void filter_plugins(std::vector<const Plugin *> &ps, const std::vector<std::string> &wanted, const char *option,
		    const char *field, std::string Plugin::*member)
{
	if (wanted.empty())
		return;
	std::set<std::string> have;
	for (const Plugin *p : ps)
		have.insert(p->*member);
	for (const auto &w : wanted)
		if (!have.count(w))
			throw UsageError(option, "",
					 std::string("no plugin with ") + field + " '" + w + "' (have: " +
						 join(std::vector<std::string>(have.begin(), have.end())) + ")");
	std::vector<const Plugin *> kept;
	for (const Plugin *p : ps)
		if (std::find(wanted.begin(), wanted.end(), p->*member) != wanted.end())
			kept.push_back(p);
	ps = kept;
}

uint64_t parse_u64(const std::string &s, const char *option)
{
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size())
		throw UsageError(option, "", "expected a non-negative integer, got \"" + s + "\"");
	return v;
}

// Pads to a display width, counting UTF-8 code points ("µs" is two columns, three bytes).
std::string pad(const std::string &s, size_t width, bool right = false)
{
	size_t cols = 0;
	for (unsigned char c : s)
		cols += (c & 0xc0) != 0x80;
	std::string fill(cols < width ? width - cols : 0, ' ');
	return right ? fill + s : s + fill;
}

// A primary-metric value in its unit: times per operation in human units, others as numbers.
std::string human_value(double v, const std::string &unit)
{
	if (unit.rfind("ns/", 0) == 0)
		return human_ns(v);
	char buf[64];
	std::snprintf(buf, sizeof buf, "%.4g", v);
	return buf;
}

// With plugins from several compilers: one line per compiler with its four builds and the
// C++/C ratio of the base builds, all from this run.
void print_compiler_matrix(const nlohmann::json &j, const std::string &unit)
{
	std::map<std::string, std::map<std::string, double>> by_tag; // tag -> "c-base" -> median
	for (const auto &r : j["results"]) {
		std::string id = r["plugin"].get<std::string>();
		size_t a = id.find('-'), b = a == std::string::npos ? a : id.find('-', a + 1);
		if (b == std::string::npos || id.find('@') != std::string::npos)
			continue;
		by_tag[id.substr(b + 1)][id.substr(0, b)] = r["median"].get<double>();
	}
	if (by_tag.size() < 2)
		return;
	std::printf("  %s %s %s %s %s %s\n", pad("compiler", 12).c_str(), pad("c-base", 11, true).c_str(),
		    pad("c-hardened", 11, true).c_str(), pad("cpp-base", 11, true).c_str(),
		    pad("cpp-hardened", 12, true).c_str(), pad("C++/C", 7, true).c_str());
	for (const auto &[tag, m] : by_tag) {
		auto cell = [&](const char *k, size_t width) {
			auto it = m.find(k);
			return pad(it == m.end() ? "-" : human_value(it->second, unit), width, true);
		};
		char ratio[32] = "-";
		if (m.count("c-base") && m.count("cpp-base") && m.at("c-base") > 0)
			std::snprintf(ratio, sizeof ratio, "%.3f", m.at("cpp-base") / m.at("c-base"));
		std::printf("  %s %s %s %s %s %s\n", pad(tag, 12).c_str(), cell("c-base", 11).c_str(),
			    cell("c-hardened", 11).c_str(), cell("cpp-base", 11).c_str(), cell("cpp-hardened", 12).c_str(),
			    pad(ratio, 7, true).c_str());
	}
}

void print_table(const Workload &w, const nlohmann::json &j)
{
	const std::string unit = j["results"].empty() ? "ns/op" : j["results"][0]["unit"].get<std::string>();
	if (j["run"]["iters"].get<unsigned long long>() > 0)
		std::printf("\n%s (%s, %lld reps x %llu iters, %s)\n", w.name.c_str(), w.driver.c_str(),
			    static_cast<long long>(w.run.reps), j["run"]["iters"].get<unsigned long long>(),
			    unit.c_str());
	else
		std::printf("\n%s (%s, %lld reps, %s)\n", w.name.c_str(), w.driver.c_str(),
			    static_cast<long long>(w.run.reps), unit.c_str());
	std::printf("  %s %s %s %s %s\n", pad("plugin", 24).c_str(), pad("median", 11, true).c_str(),
		    pad("min", 11, true).c_str(), pad("cv", 7, true).c_str(), pad("ratio", 7, true).c_str());
	for (const auto &r : j["results"]) {
		char cv[32], ratio[32];
		std::snprintf(cv, sizeof cv, "%.2f%%", r["cv"].get<double>() * 100);
		if (r["ratio"].is_null())
			std::snprintf(ratio, sizeof ratio, "-");
		else
			std::snprintf(ratio, sizeof ratio, "%.3f", r["ratio"].get<double>());
		std::printf("  %s %s %s %s %s\n", pad(r["plugin"].get<std::string>(), 24).c_str(),
			    pad(human_value(r["median"].get<double>(), unit), 11, true).c_str(),
			    pad(human_value(r["min"].get<double>(), unit), 11, true).c_str(), pad(cv, 7, true).c_str(),
			    pad(ratio, 7, true).c_str());
	}
	print_compiler_matrix(j, unit);
	std::fflush(stdout);
}

} // namespace

int cmd_run(const GlobalOptions &g, const RunOptions &o)
{
	// ---- everything that can be bad input is checked before anything is measured or written
	std::vector<Plugin> loaded = load_plugins(g.plugins_dir.empty() ? default_plugin_dir() : g.plugins_dir);

	const Driver *only = nullptr;
	if (!o.driver.empty()) {
		only = find_driver(o.driver);
		if (!only)
			throw UsageError("--driver", "", "unknown driver '" + o.driver + "' (have: " + join(driver_names()) + ")");
	}

	std::vector<ParamMap> suite_runs;
	std::vector<Workload> ws = collect_workloads(g, o, suite_runs);
	if (only) {
		if (o.files.empty() && o.suites.empty()) {
			ws.push_back(default_workload(*only));
			suite_runs.emplace_back();
		} else {
			std::vector<Workload> kept;
			std::vector<ParamMap> kept_runs;
			for (size_t i = 0; i < ws.size(); i++)
				if (ws[i].driver == only->name()) {
					kept.push_back(ws[i]);
					kept_runs.push_back(suite_runs[i]);
				}
			if (kept.empty())
				throw UsageError("--driver", "", "none of the given workloads uses driver '" + o.driver + "'");
			ws = kept;
			suite_runs = kept_runs;
		}
	}
	if (ws.empty())
		throw UsageError("run", "", "nothing to run: give workload files, --suite NAME or --driver NAME");
	{
		std::map<std::string, std::string> seen;
		for (const auto &w : ws) {
			std::string from = w.file ? *w.file : "--driver";
			auto [it, fresh] = seen.emplace(w.name, from);
			if (!fresh)
				throw UsageError(from, "name", "workload '" + w.name + "' given twice (also from " + it->second + ")");
		}
	}

	std::vector<const Driver *> used;
	for (const auto &w : ws)
		if (std::find(used.begin(), used.end(), find_driver(w.driver)) == used.end())
			used.push_back(find_driver(w.driver));
	std::vector<Override> ovs;
	for (const auto &s : o.sets)
		ovs.push_back(parse_set(s, used));
	if (o.warmup)
		ovs.push_back(parse_set("run.warmup=" + *o.warmup, used, "--warmup"));
	if (o.reps)
		ovs.push_back(parse_set("run.reps=" + *o.reps, used, "--reps"));
	for (size_t i = 0; i < ws.size(); i++) {
		apply_run_map(ws[i], suite_runs[i]);
		apply_overrides(ws[i], ovs);
	}

	uint64_t seed = o.seed ? parse_u64(*o.seed, "--seed") : 1;
	Rigor rigor(o); // counters, --instructions, noise threshold (rigor.hpp)
	int cpu = -1;
	if (o.cpu) {
		uint64_t c = parse_u64(*o.cpu, "--cpu");
		if (c >= CPU_SETSIZE)
			throw UsageError("--cpu", "", "no such CPU " + *o.cpu);
		cpu = static_cast<int>(c);
	}

	// Subjects the workloads bring themselves (nullblk kernel targets), selected by --impl and
	// --variant like plugins; each is measured only by the workloads that named it.
	std::deque<Plugin> pseudo;
	std::vector<std::set<std::string>> pseudo_of(ws.size());
	for (size_t i = 0; i < ws.size(); i++)
		for (Plugin &p : find_driver(ws[i].driver)->pseudo_plugins(ws[i])) {
			pseudo_of[i].insert(p.id);
			bool seen = false;
			for (const auto &q : pseudo)
				seen = seen || q.id == p.id;
			if (!seen)
				pseudo.push_back(std::move(p));
		}

	std::vector<const Plugin *> selected;
	for (const auto &p : loaded)
		selected.push_back(&p);
	for (const auto &p : pseudo)
		selected.push_back(&p);
	select_compilers(selected, o.compilers);
	filter_plugins(selected, split_values(o.impls), "--impl", "impl", &Plugin::impl);
	filter_plugins(selected, split_values(o.variants), "--variant", "variant", &Plugin::variant);

	// Per workload: the plugins that implement its component, and the reference (the
	// baseline c-base; taken from all loaded plugins if the selection excludes it, so
	// sizes and outputs are still checked against C).
	struct Plan {
		std::vector<const Plugin *> plugins, baselines;
		const Plugin *reference = nullptr;
		const Plugin *baseline = nullptr; // reference if it is measured, else nullptr
		std::unique_ptr<PreparedWorkload> prepared;
	};
	std::vector<Plan> plans(ws.size());
	std::vector<nlohmann::json> skipped(ws.size(), nlohmann::json::array());
	for (size_t i = 0; i < ws.size(); i++) {
		Plan &pl = plans[i];
		for (const Plugin *p : selected) {
			if (!p->has(ws[i].driver) || (p->pseudo && !pseudo_of[i].count(p->id)))
				continue;
			if (std::string why = find_driver(ws[i].driver)->skip_reason(ws[i], *p); !why.empty()) {
				skipped[i].push_back({{"plugin", p->id}, {"reason", why}}); // said once input is valid
				continue;
			}
			pl.plugins.push_back(p);
		}
		if (pl.plugins.empty())
			throw UsageError(ws[i].file ? *ws[i].file : "--driver", "driver",
					 "no selected plugin implements '" + ws[i].driver + "'");
		for (const Plugin *p : pl.plugins)
			pl.baselines.push_back(baseline_for(*p, pl.plugins));
		pl.baseline = baseline_for(*pl.plugins.front(), pl.plugins);
		pl.reference = pl.baseline;
		if (!pl.reference) {
			std::vector<const Plugin *> all;
			for (const auto &p : loaded)
				if (p.has(ws[i].driver))
					all.push_back(&p);
			pl.reference = baseline_for(*pl.plugins.front(), all);
		}
		if (!pl.reference)
			pl.reference = pl.plugins.front();
	}

	std::string out = rigor.child() ? rigor.child_out() : o.out.empty() ? default_result_path() : o.out;

	// Preparation can still find bad parameter combinations (a URL too long for a version).
	for (size_t i = 0; i < ws.size(); i++)
		plans[i].prepared = find_driver(ws[i].driver)->prepare(ws[i], *plans[i].reference, plans[i].plugins);
	ensure_output_dir(out, "--out");

	// ---- runtime from here on: failures exit 1
	// Each plugin is first tried in a child process: one that crashes or hangs is dropped from
	// that workload with a clear error (recorded in the result file) instead of taking the
	// run down. Output mismatches still stop the run: unmatched implementations make every
	// ratio meaningless.
	std::vector<nlohmann::json> failures(ws.size(), nlohmann::json::array());
	bool any_failure = false;
	for (size_t i = 0; i < ws.size(); i++) {
		Plan &pl = plans[i];
		for (const auto &sk : skipped[i])
			std::fprintf(stderr, "drvbench: %s: plugin %s skipped: %s\n", ws[i].name.c_str(),
				     sk["plugin"].get<std::string>().c_str(), sk["reason"].get<std::string>().c_str());
		std::vector<const Plugin *> kept;
		for (const Plugin *p : pl.plugins) {
			std::string why = isolated_verify(*pl.prepared, *p, plugin_timeout_s());
			if (why.empty()) {
				kept.push_back(p);
				continue;
			}
			if (why.rfind("mismatch:", 0) == 0)
				throw RuntimeError(ws[i].name + ": " + why.substr(9));
			std::fprintf(stderr, "drvbench: %s: plugin %s %s; measuring the others\n", ws[i].name.c_str(),
				     p->id.c_str(), why.c_str());
			failures[i].push_back({{"plugin", p->id}, {"error", why}});
			any_failure = true;
		}
		if (kept.size() != pl.plugins.size()) {
			std::vector<const Plugin *> baselines;
			for (const Plugin *p : kept)
				baselines.push_back(baseline_for(*p, kept));
			pl.plugins = kept;
			pl.baselines = baselines;
			if (pl.baseline && std::find(kept.begin(), kept.end(), pl.baseline) == kept.end())
				pl.baseline = nullptr;
		}
		if (pl.plugins.empty())
			continue;
		try {
			pl.prepared->verify(pl.plugins);
		} catch (const RuntimeError &e) {
			throw RuntimeError(ws[i].name + ": " + e.what());
		}
	}

	install_interrupt_handler();
	Pinning pin = pin_thread(cpu);
	if (!pin.error.empty() && o.cpu)
		throw RuntimeError("cannot pin to CPU " + *o.cpu + ": " + pin.error);
	std::mt19937_64 rng(seed);
	nlohmann::json context = collect_context(g.argv, pin, seed);
	rigor.start(context, g.argv);

	std::vector<const Plugin *> used_plugins;
	for (const auto &pl : plans)
		for (const Plugin *p : pl.plugins)
			if (std::find(used_plugins.begin(), used_plugins.end(), p) == used_plugins.end())
				used_plugins.push_back(p);
	std::sort(used_plugins.begin(), used_plugins.end(), [](auto *a, auto *b) { return a->id < b->id; });

	const bool tty = isatty(STDERR_FILENO);
	nlohmann::json results = nlohmann::json::array();
	for (size_t i = 0; i < ws.size(); i++) {
		const Workload &w = ws[i];
		Plan &pl = plans[i];
		Progress progress;
		if (tty)
			progress = [&](int r, int) {
				std::fprintf(stderr, "\r\033[K[%zu/%zu] %s: %s %d/%d", i + 1, ws.size(), w.name.c_str(),
					     r <= w.run.warmup ? "warm-up" : "round",
					     r <= w.run.warmup ? r : r - static_cast<int>(w.run.warmup),
					     r <= w.run.warmup ? static_cast<int>(w.run.warmup) : static_cast<int>(w.run.reps));
			};
		if (tty)
			std::fprintf(stderr, "\r\033[K[%zu/%zu] %s: calibrating", i + 1, ws.size(), w.name.c_str());
		if (rigor.skip(*pl.prepared))
			continue;
		if (pl.plugins.empty()) // every plugin failed its isolated check: said above
			continue;
		RunSettings run = w.run;
		MeasureOptions mo = rigor.options_for(w.name, *pl.prepared, run);
		Measurement m = measure(*pl.prepared, *pl.reference, pl.plugins, run, rng, progress, mo);
		if (tty)
			std::fprintf(stderr, "\r\033[K");
		nlohmann::json j = workload_json(w, pl.prepared->derived(), m, pl.baseline, pl.baselines);
		j["reference"] = pl.reference->id;
		rigor.finish(j);
		if (!o.quiet)
			print_table(w, j);
		if (m.interrupted)
			j["interrupted"] = true;
		if (!failures[i].empty())
			j["failed_plugins"] = failures[i];
		if (!skipped[i].empty())
			j["skipped_plugins"] = skipped[i];
		// A workload interrupted before its first measured round has nothing to keep.
		bool measured = !m.results.empty() && !m.results.front().samples.empty();
		if (measured || !m.interrupted)
			results.push_back(std::move(j));
		// Written after every workload (complete = false until the last), so an
		// interrupted suite still leaves its measurements behind.
		bool last = i + 1 == ws.size() && !m.interrupted;
		write_file_atomic(out, result_document(context, used_plugins, results, last).dump(1) + "\n");
		if (m.interrupted || interrupt_requested()) {
			std::fprintf(stderr, "drvbench: interrupted: %s keeps %zu workload(s) measured so far, marked "
					     "incomplete\n", out.c_str(), results.size());
			return 130;
		}
	}
	std::printf("%swrote %s\n", o.quiet ? "" : "\n", out.c_str());
	if (o.record && !rigor.child()) {
		std::vector<std::string> args = {"record"};
		if (!o.history_db.empty())
			args.insert(args.end(), {"--db", o.history_db});
		args.push_back(out);
		if (int rc = cmd_report("history", args); rc != 0)
			throw RuntimeError("recording " + out + " in the history failed (exit " + std::to_string(rc) + ")");
	}
	if (any_failure) {
		std::fprintf(stderr, "drvbench: some plugins failed (see failed_plugins in %s)\n", out.c_str());
		return 1;
	}
	return 0;
}

} // namespace drvbench
