// nullblk component runner; see nullblk_driver.hpp and docs/nullblk-runner.md.
#include "nullblk_driver.hpp"

#include "../errors.hpp"
#include "../nullblk/job.hpp"
#include "../resources.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <linux/fs.h>
#include <map>
#include <mutex>
#include <sched.h>
#include <set>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace drvbench {

using namespace nullblk;

namespace {

// The CPUs the process may use, captured before cmd_run pins the main thread to one.
std::vector<int> initial_cpus()
{
	std::vector<int> v;
	cpu_set_t s;
	CPU_ZERO(&s);
	if (sched_getaffinity(0, sizeof s, &s) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &s))
				v.push_back(c);
	return v;
}
const std::vector<int> g_initial_cpus = initial_cpus();

// Job CPUs: the one the measuring thread is pinned to first (job 0 runs where a
// single-job run of any component runs), then the rest of the process's CPUs.
std::vector<int> job_cpus()
{
	std::vector<int> v;
	cpu_set_t s;
	CPU_ZERO(&s);
	if (sched_getaffinity(0, sizeof s, &s) == 0 && CPU_COUNT(&s) == 1)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &s))
				v.push_back(c);
	for (int c : g_initial_cpus)
		if (std::find(v.begin(), v.end(), c) == v.end())
			v.push_back(c);
	return v;
}

ParamSpec spec(const char *name, ParamType t, ParamValue def, const char *help)
{
	ParamSpec s;
	s.name = name;
	s.type = t;
	s.def = std::move(def);
	s.help = help;
	return s;
}

// A runtime shorter than this completes no I/O at all on some plugins (issue 17: 1e-9).
constexpr double kMinRuntime = 0.001;

std::string where_of(const Workload &w)
{
	return w.file ? *w.file : "--driver nullblk";
}

Rw parse_rw(const std::string &s)
{
	if (s == "read")
		return Rw::Read;
	if (s == "write")
		return Rw::Write;
	if (s == "randread")
		return Rw::RandRead;
	if (s == "randwrite")
		return Rw::RandWrite;
	return Rw::RandRw;
}

bool get_bool(const ParamMap &m, const std::string &k)
{
	return std::get<bool>(m.at(k));
}

double get_float(const ParamMap &m, const std::string &k)
{
	return std::get<double>(m.at(k));
}

std::string trim(std::string s)
{
	while (!s.empty() && isspace(static_cast<unsigned char>(s.back())))
		s.pop_back();
	size_t i = 0;
	while (i < s.size() && isspace(static_cast<unsigned char>(s[i])))
		i++;
	return s.substr(i);
}

std::string read_line(const std::string &path)
{
	std::ifstream in(path);
	std::string l;
	std::getline(in, l);
	return trim(l);
}

bool needs_writes(const ParamMap &m)
{
	const std::string rw = get_str(m, "rw");
	return rw == "write" || rw == "randwrite" || rw == "randrw" || get_bool(m, "prefill");
}

// ---- kernel targets -------------------------------------------------------------------

struct Probe {
	std::string path, kind;
	uint64_t size = 0; // bytes; 0 for character devices
	std::string facts; // driver facts for the result file
};

// What the kernel's null block drivers were loaded with, when their modules are present.
std::string module_params(const std::string &module)
{
	std::error_code ec;
	fs::path dir = fs::path("/sys/module") / module / "parameters";
	if (!fs::is_directory(dir, ec))
		return "";
	std::vector<std::string> kv;
	for (const auto &e : fs::directory_iterator(dir, ec))
		kv.push_back(e.path().filename().string() + "=" + read_line(e.path().string()));
	std::sort(kv.begin(), kv.end());
	return module + " " + join(kv, " ");
}

std::optional<Probe> probe_target(const std::string &path, std::string &why)
{
	struct stat st;
	if (stat(path.c_str(), &st) != 0) {
		why = strerror(errno);
		return std::nullopt;
	}
	Probe p;
	p.path = path;
	if (S_ISREG(st.st_mode)) {
		p.kind = "regular file";
		p.size = static_cast<uint64_t>(st.st_size);
	} else if (S_ISBLK(st.st_mode)) {
		p.kind = "block device";
		int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			why = std::string("cannot open: ") + strerror(errno);
			return std::nullopt;
		}
		uint64_t sz = 0;
		if (ioctl(fd, BLKGETSIZE64, &sz) == 0)
			p.size = sz;
		close(fd);
		std::string name = fs::path(path).filename().string();
		std::string q = "/sys/block/" + name + "/queue/";
		p.facts = "logical_block_size=" + read_line(q + "logical_block_size") +
			  " nr_requests=" + read_line(q + "nr_requests") + " scheduler=" + read_line(q + "scheduler");
		std::string mod = name.rfind("rnullb", 0) == 0 ? module_params("rnull_mod") + module_params("rnull")
			       : name.rfind("nullb", 0) == 0    ? module_params("null_blk")
								: "";
		if (!mod.empty())
			p.facts += "; " + mod;
	} else if (S_ISCHR(st.st_mode)) {
		p.kind = "character device";
	} else {
		why = "not a regular file, block device or character device";
		return std::nullopt;
	}
	return p;
}

std::string kernel_release()
{
	utsname u{};
	return uname(&u) == 0 ? u.release : "unknown";
}

void note_once(const std::string &msg)
{
	static std::mutex mu;
	static std::set<std::string> said;
	std::lock_guard<std::mutex> g(mu);
	if (said.insert(msg).second)
		std::fprintf(stderr, "drvbench: nullblk: %s\n", msg.c_str());
}

// targets = "auto": every /dev/nullb* and /dev/rnullb* present; the two the comparison
// is about are reported when absent.
std::vector<std::string> auto_targets(std::vector<std::string> &missing)
{
	std::vector<std::string> v;
	std::error_code ec;
	for (const auto &e : fs::directory_iterator("/dev", ec)) {
		std::string n = e.path().filename().string();
		if ((n.rfind("nullb", 0) == 0 || n.rfind("rnullb", 0) == 0) && n.size() > 5 &&
		    isdigit(static_cast<unsigned char>(n.back())))
			v.push_back(e.path().string());
	}
	std::sort(v.begin(), v.end());
	for (const char *want : {"/dev/nullb0", "/dev/rnullb0"})
		if (std::find(v.begin(), v.end(), want) == v.end())
			missing.push_back(want);
	return v;
}

std::string missing_hint(const std::string &path)
{
	if (path.find("rnullb") != std::string::npos)
		return "not present (the kernel's Rust null block driver: modprobe rnull_mod, CONFIG_BLK_DEV_RUST_NULL)";
	if (path.find("nullb") != std::string::npos)
		return "not present (null_blk: modprobe null_blk nr_devices=1 irqmode=0 ...)";
	return "not present";
}

std::vector<std::string> target_list(const std::string &text, std::vector<std::string> &missing)
{
	std::vector<std::string> out;
	size_t pos = 0;
	while (pos <= text.size()) {
		size_t c = text.find(',', pos);
		std::string item = trim(text.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
		pos = c == std::string::npos ? text.size() + 1 : c + 1;
		if (item.empty())
			continue;
		if (item.rfind("kernel:", 0) == 0)
			item = item.substr(7);
		if (item == "auto") {
			for (auto &t : auto_targets(missing))
				out.push_back(t);
		} else {
			out.push_back(item);
		}
	}
	return out;
}

std::string target_id(const std::string &path)
{
	std::string n = fs::path(path).filename().string();
	for (auto &c : n)
		if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'))
			c = '_';
	return "kernel-" + n;
}

// ---- the prepared workload ------------------------------------------------------------

class NullblkPrepared final : public PreparedWorkload {
public:
	JobSpec spec;
	DeviceAttrs attrs;
	bool prefill = false;
	std::string direct;
	std::vector<std::string> unavailable;
	nlohmann::json facts;
	std::map<const Plugin *, std::unique_ptr<Subject>> subjects;
	std::map<std::string, TargetInfo> targets; // by pseudo-plugin id
	std::map<std::string, double> prefill_s;   // by plugin id

	bool is_job() const override { return true; }
	std::string unit() const override { return "ns/io"; }

	nlohmann::json derived() const override
	{
		nlohmann::json f = facts;
		f["cpus"] = job_cpus();
		nlohmann::json kt = nlohmann::json::object();
		for (const auto &[id, t] : targets)
			kt[id] = {{"path", t.path},
				  {"kind", t.kind},
				  {"o_direct", t.o_direct},
				  {"registered_file", t.fixed_files},
				  {"fixed_buffers", t.fixed_bufs},
				  {"io_uring_setup_flags", t.setup_flags}};
		f["kernel_targets"] = kt;
		f["targets_unavailable"] = unavailable;
		if (!prefill_s.empty())
			f["prefill_seconds"] = prefill_s;
		return f;
	}

	Subject &subject(const Plugin &p)
	{
		auto it = subjects.find(&p);
		if (it != subjects.end())
			return *it->second;
		std::unique_ptr<Subject> s;
		try {
			if (p.pseudo) {
				TargetInfo &info = targets[p.id]; // stable: a map node
				const std::string kind = info.kind;
				s = make_uring_subject(p.file, direct, spec.verify || prefill || (spec.rw != Rw::Read && spec.rw != Rw::RandRead),
						       spec, info);
				info.kind = kind;
			} else {
				s = make_plugin_subject(p.meta->nullblk, attrs, spec);
			}
		} catch (const RuntimeError &e) {
			throw RuntimeError(p.id + ": " + e.what());
		}
		return *subjects.emplace(&p, std::move(s)).first->second;
	}

	void verify(const std::vector<const Plugin *> &plugins) override
	{
		// Every subject can be set up (device created, target opened, rings and buffers
		// registered); they are set up again, lazily, when measured.
		for (const Plugin *p : plugins)
			subject(*p);
		subjects.clear();
	}

	// Devices and targets stay set up between the samples of a workload (a memory-backed
	// device keeps its data, as the kernel's does between fio runs); the first sample of
	// another workload releases them, so one workload's devices are alive at a time.
	static NullblkPrepared *&active()
	{
		static NullblkPrepared *a = nullptr;
		return a;
	}
	~NullblkPrepared() override
	{
		if (active() == this)
			active() = nullptr;
	}

	static void fail_on(const Plugin &p, const SampleResult &r, const char *phase)
	{
		for (size_t j = 0; j < r.jobs.size(); j++)
			if (!r.jobs[j].failure.empty())
				throw RuntimeError(p.id + ": " + phase + "job " + std::to_string(j) + ": " + r.jobs[j].failure);
	}

	JobSample measure_job(const Plugin &p) override
	{
		if (active() != this) {
			if (active())
				active()->subjects.clear();
			active() = this;
		}
		Subject &sub = subject(p);
		const std::vector<int> cpus = job_cpus();
		if (prefill && !sub.state(0).prefilled) {
			SampleResult pr = run_sample(sub, spec, cpus, true);
			fail_on(p, pr, "prefill: ");
			uint64_t errs = 0;
			for (const auto &j : pr.jobs)
				errs += j.errors;
			if (errs && attrs.badblocks.empty())
				throw RuntimeError(p.id + ": prefill: " + std::to_string(errs) + " writes failed (first: " +
						   err_text(p, pr) + ")");
			prefill_s[p.id] = static_cast<double>(pr.wall_ns) / 1e9;
		}
		SampleResult r = run_sample(sub, spec, cpus, false);
		fail_on(p, r, "");
		LatencyHistogram lat;
		uint64_t ios = 0, bytes = 0, errors = 0, busy = 0, shorts = 0, cpu = 0, reads = 0, writes = 0;
		for (const auto &j : r.jobs) {
			lat.merge(*j.lat);
			ios += j.ios;
			bytes += j.bytes;
			errors += j.errors;
			busy += j.busy;
			shorts += j.short_ios;
			cpu += j.cpu_ns;
			reads += j.reads;
			writes += j.writes;
		}
		if (ios == 0)
			throw RuntimeError(p.id + ": the job completed no I/O in " + std::to_string(r.wall_ns / 1e9) + " s");
		if (p.pseudo && errors == ios)
			throw RuntimeError(p.id + ": every I/O to " + p.file + " failed (" + err_text(p, r) + ")");
		const double wall = static_cast<double>(r.wall_ns);
		JobSample s;
		s.value = wall / static_cast<double>(ios);
		// Counts are per sample of a fixed runtime: more I/O done is better, more errors,
		// busy returns and short I/Os are worse.
		constexpr Better hi = Better::Higher, lo = Better::Lower;
		auto put = [&](const char *name, const char *unit, double v, Better b) {
			s.metrics.insert_or_assign(name, Metric{unit, v, b});
		};
		put("iops", "IO/s", static_cast<double>(ios) * 1e9 / wall, hi);
		put("bw_bytes_s", "B/s", static_cast<double>(bytes) * 1e9 / wall, hi);
		put("lat_mean_ns", "ns", lat.mean(), lo);
		put("lat_p50_ns", "ns", lat.quantile(0.50), lo);
		put("lat_p99_ns", "ns", lat.quantile(0.99), lo);
		put("lat_p999_ns", "ns", lat.quantile(0.999), lo);
		put("lat_max_ns", "ns", static_cast<double>(lat.max()), lo);
		put("cpu_ns_per_io", "ns/io", static_cast<double>(cpu) / static_cast<double>(ios), lo);
		put("ios", "count", static_cast<double>(ios), hi);
		put("reads", "count", static_cast<double>(reads), hi);
		put("writes", "count", static_cast<double>(writes), hi);
		put("busy", "count", static_cast<double>(busy), lo);
		put("errors", "count", static_cast<double>(errors), lo);
		if (p.pseudo)
			put("short_ios", "count", static_cast<double>(shorts), lo);
		return s;
	}

	static std::string err_text(const Plugin &p, const SampleResult &r)
	{
		int e = 0;
		for (const auto &j : r.jobs)
			if (!e)
				e = j.first_error;
		if (p.pseudo)
			return strerror(e);
		switch (e) {
		case DRVBENCH_NB_STS_NOTSUPP:
			return "status NOTSUPP";
		case DRVBENCH_NB_STS_INVAL:
			return "status INVAL";
		case DRVBENCH_NB_STS_IOERR:
			return "status IOERR";
		default:
			return "status " + std::to_string(e);
		}
	}
};

} // namespace

namespace nullblk {

std::vector<std::pair<uint64_t, uint64_t>> parse_badblocks(const std::string &text, const std::string &where)
{
	std::vector<std::pair<uint64_t, uint64_t>> out;
	size_t pos = 0;
	auto bad = [&](const std::string &item) {
		return UsageError(where, "params.badblocks",
				  "expected inclusive sector ranges \"start-end\" or sectors, comma-separated (\"0-7,1024\"), got \"" +
					  item + "\"");
	};
	while (pos < text.size()) {
		size_t c = text.find(',', pos);
		std::string item = trim(text.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
		pos = c == std::string::npos ? text.size() : c + 1;
		if (item.empty())
			continue;
		if (item[0] == '+')
			item = item.substr(1);
		uint64_t a = 0, b = 0;
		size_t dash = item.find('-');
		std::string sa = item.substr(0, dash), sb = dash == std::string::npos ? sa : item.substr(dash + 1);
		auto r1 = std::from_chars(sa.data(), sa.data() + sa.size(), a);
		auto r2 = std::from_chars(sb.data(), sb.data() + sb.size(), b);
		if (sa.empty() || sb.empty() || r1.ec != std::errc() || r1.ptr != sa.data() + sa.size() ||
		    r2.ec != std::errc() || r2.ptr != sb.data() + sb.size() || b < a)
			throw bad(item);
		out.emplace_back(a, b - a + 1);
	}
	return out;
}

} // namespace nullblk

const std::vector<ParamSpec> &NullblkDriver::params() const
{
	static const std::vector<ParamSpec> s = [] {
		std::vector<ParamSpec> v;
		ParamSpec p;
		p = spec("rw", ParamType::Enum, std::string("randread"), "I/O pattern, as fio's rw");
		p.choices = {"read", "write", "randread", "randwrite", "randrw"};
		v.push_back(p);
		p = spec("rwmixread", ParamType::Int, int64_t{50}, "randrw: percentage of reads");
		p.min = 0;
		p.max = 100;
		v.push_back(p);
		p = spec("bs", ParamType::Size, int64_t{4096}, "I/O size (\"4k\", \"64k\", \"1m\" or bytes), a multiple of blocksize");
		p.min = 512;
		p.max = 16 << 20;
		v.push_back(p);
		p = spec("iodepth", ParamType::Int, int64_t{32}, "I/Os kept in flight per job");
		p.min = 1;
		p.max = DRVBENCH_NB_MAX_QUEUE_DEPTH;
		v.push_back(p);
		p = spec("iodepth_batch", ParamType::Int, int64_t{1}, "I/Os submitted per submit call (fio's iodepth_batch)");
		p.min = 1;
		p.max = DRVBENCH_NB_MAX_QUEUE_DEPTH;
		v.push_back(p);
		p = spec("numjobs", ParamType::Int, int64_t{1},
			 "submitting threads, one hardware queue each (submit_queues = numjobs), pinned to distinct CPUs");
		p.min = 1;
		p.max = DRVBENCH_NB_MAX_QUEUES;
		v.push_back(p);
		p = spec("runtime", ParamType::Float, 1.0, "seconds per sample (0: run number_ios instead)");
		p.fmin = 0;
		p.fmax = 86400;
		v.push_back(p);
		p = spec("number_ios", ParamType::Int, int64_t{0}, "I/Os per job per sample (0: no limit; runtime still applies)");
		p.min = 0;
		v.push_back(p);
		p = spec("seed", ParamType::Int, int64_t{1}, "seed of the offset generator and the verify pattern");
		p.min = 0;
		v.push_back(p);
		v.push_back(spec("verify", ParamType::Bool, false,
				 "memory-backed devices: write a checksummed per-block pattern, check every read (a mismatch fails the run)"));
		v.push_back(spec("prefill", ParamType::Bool, false, "write the device once (sequentially) before measuring"));
		p = spec("size", ParamType::Size, int64_t{1} << 30, "device size (\"1g\", bytes), a multiple of blocksize");
		p.min = 512;
		v.push_back(p);
		p = spec("blocksize", ParamType::Int, int64_t{512}, "device logical block size: a power of two in 512..4096");
		p.min = 512;
		p.max = 4096;
		v.push_back(p);
		p = spec("hw_queue_depth", ParamType::Int, int64_t{64}, "tags per hardware queue");
		p.min = 1;
		p.max = DRVBENCH_NB_MAX_QUEUE_DEPTH;
		v.push_back(p);
		p = spec("irqmode", ParamType::Enum, std::string("none"),
			 "none: complete in submit; softirq: in the completion step; timer: completion_nsec after submission");
		p.choices = {"none", "softirq", "timer"};
		v.push_back(p);
		p = spec("completion_nsec", ParamType::Int, int64_t{10000}, "timer mode: completion delay in ns");
		p.min = 0;
		p.max = 1000000000;
		v.push_back(p);
		v.push_back(spec("memory_backed", ParamType::Bool, false, "store data (4 KiB pages, allocated on first write)"));
		v.push_back(spec("discard", ParamType::Bool, false, "device accepts discard"));
		v.push_back(spec("badblocks", ParamType::String, std::string(""),
				 "bad sector ranges, inclusive, comma-separated: \"0-7,1024-1031\""));
		v.push_back(spec("targets", ParamType::String, std::string(""),
				 "kernel targets measured with the plugins through io_uring: comma-separated paths "
				 "(/dev/nullb0, /dev/rnullb0, a file) or \"auto\" (every /dev/nullb*, /dev/rnullb*)"));
		p = spec("direct", ParamType::Enum, std::string("auto"),
			 "kernel targets: O_DIRECT (auto: where the target takes it)");
		p.choices = {"auto", "on", "off"};
		v.push_back(p);
		return v;
	}();
	return s;
}

std::vector<Plugin> NullblkDriver::pseudo_plugins(const Workload &w) const
{
	const std::string where = where_of(w);
	std::vector<std::string> missing;
	std::vector<std::string> paths = target_list(get_str(w.params, "targets"), missing);
	for (const auto &m : missing)
		note_once("targets = auto: " + m + " " + missing_hint(m) + "; not measured");
	const uint64_t size = static_cast<uint64_t>(get_int(w.params, "size"));
	const bool writes = needs_writes(w.params);
	std::vector<Plugin> out;
	for (const auto &path : paths) {
		std::string why;
		auto pr = probe_target(path, why);
		if (!pr)
			throw UsageError(where, "params.targets",
					 path + ": " + (errno == ENOENT || why == strerror(ENOENT) ? missing_hint(path) : why));
		if (pr->kind != "character device" && pr->size < size)
			throw UsageError(where, "params.targets",
					 path + " is a " + pr->kind + " of " + std::to_string(pr->size) +
						 " bytes, smaller than size = " + std::to_string(size) +
						 (pr->kind == "regular file" ? " (size it first: truncate -s " + std::to_string(size) +
										       " " + path + ", or lower size)"
									     : " (lower size)"));
		if (writes && access(path.c_str(), W_OK) != 0)
			throw UsageError(where, "params.targets", path + ": not writable, and the job writes (" +
									  std::string(strerror(errno)) + ")");
		if (get_bool(w.params, "verify") && pr->kind == "character device")
			throw UsageError(where, "params.verify", path + " is a character device: nothing to verify");
		Plugin p;
		p.pseudo = true;
		p.id = target_id(path);
		p.file = path;
		p.impl = "kernel";
		p.variant = "base"; // the kernel as built; the id names the target
		p.compiler = "kernel";
		p.compiler_version = kernel_release();
		p.compiler_tag = "kernel";
		p.flags = "io_uring; " + pr->kind + (pr->facts.empty() ? "" : "; " + pr->facts);
		p.components = {"nullblk"};
		for (const auto &q : out)
			if (q.id == p.id)
				throw UsageError(where, "params.targets",
						 "two targets named " + p.id + " (" + q.file + ", " + path + ")");
		out.push_back(std::move(p));
	}
	return out;
}

std::unique_ptr<PreparedWorkload> NullblkDriver::prepare(const Workload &w, const Plugin &reference,
							 const std::vector<const Plugin *> &plugins) const
{
	(void)reference;
	const std::string where = where_of(w);
	const ParamMap &m = w.params;
	auto prep = std::make_unique<NullblkPrepared>();
	JobSpec &s = prep->spec;
	s.rw = parse_rw(get_str(m, "rw"));
	s.rwmixread = static_cast<uint32_t>(get_int(m, "rwmixread"));
	s.bs = static_cast<uint32_t>(get_int(m, "bs"));
	s.iodepth = static_cast<uint32_t>(get_int(m, "iodepth"));
	s.batch = static_cast<uint32_t>(get_int(m, "iodepth_batch"));
	s.numjobs = static_cast<uint32_t>(get_int(m, "numjobs"));
	s.runtime_s = get_float(m, "runtime");
	s.number_ios = static_cast<uint64_t>(get_int(m, "number_ios"));
	s.seed = static_cast<uint64_t>(get_int(m, "seed"));
	s.verify = get_bool(m, "verify");
	s.size = static_cast<uint64_t>(get_int(m, "size"));
	prep->prefill = get_bool(m, "prefill");
	prep->direct = get_str(m, "direct");
	if (const char *c = getenv("DRVBENCH_NULLBLK_CORRUPT_READ")) // test-only: see docs
		s.corrupt_read = strtoull(c, nullptr, 10);

	const uint32_t blocksize = static_cast<uint32_t>(get_int(m, "blocksize"));
	const std::string irq = get_str(m, "irqmode");

	// What the schema cannot say.
	if (blocksize & (blocksize - 1))
		throw UsageError(where, "params.blocksize",
				 "expected a power of two in 512..4096 (512, 1024, 2048, 4096), got " + std::to_string(blocksize));
	if (s.size % blocksize)
		throw UsageError(where, "params.size",
				 std::to_string(s.size) + " is not a multiple of blocksize " + std::to_string(blocksize));
	if (s.bs % blocksize)
		throw UsageError(where, "params.bs",
				 std::to_string(s.bs) + " is not a multiple of blocksize " + std::to_string(blocksize));
	if (s.bs > s.size)
		throw UsageError(where, "params.bs", std::to_string(s.bs) + " is larger than size " + std::to_string(s.size));
	if (s.nblocks() < s.numjobs)
		throw UsageError(where, "params.numjobs",
				 std::to_string(s.numjobs) + " jobs need at least as many blocks of bs; size / bs is " +
					 std::to_string(s.nblocks()));
	if (s.runtime_s == 0 && s.number_ios == 0)
		throw UsageError(where, "params.runtime", "0 needs number_ios > 0 (otherwise the job never ends)");
	if (s.runtime_s > 0 && s.runtime_s < kMinRuntime)
		throw UsageError(where, "params.runtime",
				 std::to_string(s.runtime_s) + " s is too short to complete an I/O; give at least " +
					 std::to_string(kMinRuntime) + " s (or 0 with number_ios)");
	// Memory the job takes before it starts: I/O buffers, the memory-backed store, verify's
	// per-block state (issue 17: iodepth = 4096, bs = 16m asked for 64 GiB).
	{
		uint64_t need = mul_sat(mul_sat(s.iodepth, s.bs), s.numjobs);
		std::string keys = "params.iodepth, params.bs, params.numjobs";
		std::string what = "I/O buffers: iodepth x bs x numjobs";
		if (get_bool(m, "memory_backed") && needs_writes(m)) {
			need = need > UINT64_MAX - s.size ? UINT64_MAX : need + s.size;
			keys += ", params.size";
			what += ", plus size for the memory-backed device";
		}
		if (s.verify) {
			need = need > UINT64_MAX - mul_sat(s.nblocks(), 5) ? UINT64_MAX : need + mul_sat(s.nblocks(), 5);
			what += ", plus verify's state per block";
		}
		check_memory(need, where, keys, what);
	}

	bool any_plugin = false;
	for (const Plugin *p : plugins)
		any_plugin = any_plugin || !p->pseudo;
	if (s.verify && any_plugin && !get_bool(m, "memory_backed"))
		throw UsageError(where, "params.verify",
				 "needs memory_backed = true (a device without memory backing keeps no data to check)");

	DeviceAttrs &a = prep->attrs;
	for (auto [start, n] : parse_badblocks(get_str(m, "badblocks"), where))
		a.badblocks.push_back({start, n});
	a.cfg.size = s.size;
	a.cfg.blocksize = blocksize;
	a.cfg.submit_queues = s.numjobs;
	a.cfg.hw_queue_depth = static_cast<uint32_t>(get_int(m, "hw_queue_depth"));
	a.cfg.irqmode = irq == "none" ? DRVBENCH_NB_IRQ_NONE : irq == "softirq" ? DRVBENCH_NB_IRQ_SOFTIRQ : DRVBENCH_NB_IRQ_TIMER;
	a.cfg.completion_nsec = static_cast<uint64_t>(get_int(m, "completion_nsec"));
	a.cfg.memory_backed = get_bool(m, "memory_backed");
	a.cfg.discard = get_bool(m, "discard");
	a.cfg.badblocks = a.badblocks.empty() ? nullptr : a.badblocks.data();
	a.cfg.nr_badblocks = static_cast<uint32_t>(a.badblocks.size());

	// The driver has the last word on its attributes: its refusal is a usage error too.
	for (const Plugin *p : plugins) {
		if (p->pseudo)
			continue;
		char err[DRVBENCH_NB_ERR_SIZE] = "";
		drvbench_nullblk_dev *dev = p->meta->nullblk->create(&a.cfg, err, sizeof err);
		if (!dev) {
			std::string text = err[0] ? err : "refused (no message)";
			std::string attr = text.substr(0, text.find(':'));
			if (attr == "submit_queues")
				attr = "numjobs";
			const bool known = std::any_of(params().begin(), params().end(), [&](const ParamSpec &ps) { return ps.name == attr; });
			throw UsageError(where, known ? "params." + attr : "params",
					 "plugin " + p->id + " refused the device: " + text);
		}
		p->meta->nullblk->destroy(dev);
	}

	nlohmann::json &f = prep->facts;
	f["primary"] = "wall-clock ns per I/O over all jobs (1e9 / IOPS); lower is better";
	f["nblocks"] = s.nblocks();
	f["submit_queues"] = s.numjobs;
	f["latency"] = "completion latency, submit to reap, CLOCK_MONOTONIC read once per loop turn; "
		       "log-linear histogram, 1/64 relative precision";
	f["cpu"] = "CLOCK_THREAD_CPUTIME_ID of the job threads (user + system)";
	if (s.corrupt_read)
		f["test_corrupt_read"] = s.corrupt_read;
	std::vector<std::string> missing;
	target_list(get_str(m, "targets"), missing);
	prep->unavailable = missing;
	for (const Plugin *p : plugins)
		if (p->pseudo) {
			std::string why;
			auto pr = probe_target(p->file, why);
			prep->targets[p->id].path = p->file;
			prep->targets[p->id].kind = pr ? pr->kind : "?";
		}
	return prep;
}

} // namespace drvbench
