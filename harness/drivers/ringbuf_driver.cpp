// ringbuf component runner; see ringbuf_driver.hpp.
#include "ringbuf_driver.hpp"

#include "../errors.hpp"
#include "../ringbuf/reader.hpp"
#include "kmsg.hpp"
#include "../resources.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <thread>
#include <time.h>
#include <unistd.h>

namespace drvbench {

namespace ringbuf {

uint32_t RecordSizes::max() const
{
	if (hi)
		return hi;
	return choices.empty() ? 0 : *std::max_element(choices.begin(), choices.end());
}

static inline uint64_t xorshift(uint64_t &s)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

uint32_t RecordSizes::pick(uint64_t &rng) const
{
	if (hi)
		return lo + static_cast<uint32_t>(xorshift(rng) % (hi - lo + 1));
	if (choices.size() == 1)
		return choices[0];
	return choices[xorshift(rng) % choices.size()];
}

static uint32_t parse_u32(const std::string &s, const std::string &where, const std::string &spec)
{
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > UINT32_MAX)
		throw UsageError(where, "params.record_size",
				 "expected a size (\"64\"), a range (\"16-256\") or a mix (\"64,512\"), got \"" + spec + "\"");
	return static_cast<uint32_t>(v);
}

RecordSizes parse_record_sizes(const std::string &spec, const std::string &where)
{
	RecordSizes r;
	if (auto dash = spec.find('-'); dash != std::string::npos) {
		r.lo = parse_u32(spec.substr(0, dash), where, spec);
		r.hi = parse_u32(spec.substr(dash + 1), where, spec);
		if (r.hi < r.lo || r.hi == 0)
			throw UsageError(where, "params.record_size", "range \"" + spec + "\" is empty");
		return r;
	}
	size_t start = 0;
	for (;;) {
		size_t comma = spec.find(',', start);
		r.choices.push_back(parse_u32(spec.substr(start, comma - start), where, spec));
		if (comma == std::string::npos)
			break;
		start = comma + 1;
	}
	return r;
}

// 64-byte aligned, so that memcpy takes the same path in every process (the exact
// instruction counts of --instructions depend on it).
static const uint8_t *pattern()
{
	alignas(64) static std::array<uint8_t, (1u << 16) + 4096> p;
	static const bool filled = [] {
		const std::vector<uint8_t> r = random_bytes(0x52424246, p.size());
		std::copy(r.begin(), r.end(), p.begin());
		return true;
	}();
	(void)filled;
	return p.data();
}

void fill_payload(uint8_t *dst, uint32_t len, uint32_t producer, uint64_t seq)
{
	if (len == 0) // dst may be null (an empty buffer)
		return;
	const uint8_t *src = pattern() + ((seq * 8 + producer * 520) & 4095);
	uint32_t done = 0;
	while (done < len) {
		uint32_t n = std::min<uint32_t>(len - done, 1u << 16);
		memcpy(dst + done, src, n);
		done += n;
	}
	uint64_t tag = seq ^ (static_cast<uint64_t>(producer) << 56);
	memcpy(dst, &tag, std::min<uint32_t>(len, 8));
}

// One record the way every producer loop here makes it: reserve, fill in place, commit; or,
// with a staging buffer (api = write), fill the buffer and write() it. Returns the op's result.
static inline int put_record(const drvbench_ringbuf_ops &ops, drvbench_ringbuf *rb, uint32_t producer,
			     uint32_t len, uint64_t seq, uint8_t *staging)
{
	if (staging) {
		fill_payload(staging, len, producer, seq);
		return ops.write(rb, producer, staging, len);
	}
	void *ptr = nullptr;
	const int rc = ops.reserve(rb, producer, len, &ptr);
	if (rc == 0) {
		fill_payload(static_cast<uint8_t *>(ptr), len, producer, seq);
		ops.commit(rb, producer);
	}
	return rc;
}

static std::vector<uint8_t> slurp(int fd)
{
	std::vector<uint8_t> v;
	struct stat st {};
	if (fstat(fd, &st) != 0)
		throw RuntimeError(std::string("ringbuf: fstat: ") + strerror(errno));
	v.resize(static_cast<size_t>(st.st_size));
	size_t got = 0;
	while (got < v.size()) {
		ssize_t n = pread(fd, v.data() + got, v.size() - got, static_cast<off_t>(got));
		if (n <= 0)
			throw RuntimeError(std::string("ringbuf: reading the sink back: ") + (n ? strerror(errno) : "short file"));
		got += static_cast<size_t>(n);
	}
	return v;
}

int open_sink(const std::string &path)
{
	std::string dir = path.substr(0, path.rfind('/') == std::string::npos ? 0 : path.rfind('/'));
	if (dir.empty())
		dir = path.rfind('/') == 0 ? "/" : ".";
	int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		throw RuntimeError("ringbuf: cannot create a sink file in " + dir + ": " + strerror(errno));
	// No O_TMPFILE on this filesystem: a named file, unlinked at once.
	fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		throw RuntimeError("ringbuf: cannot create " + path + ": " + strerror(errno));
	unlink(path.c_str());
	return fd;
}

std::vector<uint8_t> step_run(const drvbench_ringbuf_ops &ops, const StepRun &s, const std::string &path,
			      drvbench_ringbuf_stats *stats)
{
	int fd = open_sink(path);
	drvbench_ringbuf_config cfg{};
	cfg.producers = 1;
	cfg.ring_size = s.ring_size;
	cfg.policy = s.policy;
	cfg.batch = s.batch;
	cfg.max_chunk = s.max_chunk;
	cfg.fd = fd;
	char err[DRVBENCH_RB_ERR_SIZE] = "";
	drvbench_ringbuf *rb = ops.create(&cfg, err, sizeof err);
	if (!rb) {
		close(fd);
		throw RuntimeError(std::string("ringbuf: create: ") + err);
	}
	uint64_t rng = s.seed * 0x9e3779b97f4a7c15ull + 1;
	const uint64_t space = DRVBENCH_RB_REC_SPACE(s.sizes.max()) + DRVBENCH_RB_LOST_SIZE;
	const uint64_t kmax = std::max<uint64_t>(1, (s.ring_size / 2) / space);
	uint64_t n = 0;
	int rc = 0;
	while (n < s.records && rc == 0) {
		uint64_t k = 1 + xorshift(rng) % kmax;
		for (uint64_t i = 0; i < k && n < s.records; i++, n++) {
			(void)put_record(ops, rb, 0, s.sizes.pick(rng), n, nullptr);
		}
		rc = ops.drain(rb, DRVBENCH_RB_DRAIN_ALL);
	}
	ops.finish(rb, 0);
	rc = ops.drain(rb, DRVBENCH_RB_DRAIN_ALL);
	drvbench_ringbuf_stats st{};
	ops.stats(rb, &st);
	ops.destroy(rb);
	if (stats)
		*stats = st;
	std::vector<uint8_t> bytes = slurp(fd);
	close(fd);
	if (rc != 0)
		throw RuntimeError(std::string("ringbuf: deterministic run: the sink failed: ") + strerror(-rc));
	return bytes;
}

} // namespace ringbuf

namespace {

using namespace ringbuf;

// What a runtime-bounded job is expected to write per second, for the check against the sink's
// free space: the fastest drain to a tmpfs file measured here (README: 5.1 GB/s with the
// blocks preallocated), rounded. An estimate: a faster machine may write more.
constexpr double kSinkRateEstimate = 5e9;

double now_s()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint64_t now_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::vector<int> allowed_cpus()
{
	std::vector<int> v;
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				v.push_back(c);
	if (v.empty())
		v.push_back(0);
	return v;
}

void pin_self(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	pthread_setaffinity_np(pthread_self(), sizeof one, &one);
}

std::string errno_name(int e)
{
	switch (e) {
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EDQUOT: return "EDQUOT";
	case EPIPE: return "EPIPE";
	case EINVAL: return "EINVAL";
	default: return "errno " + std::to_string(e);
	}
}

double percentile(std::vector<double> &v, double q)
{
	if (v.empty())
		return 0;
	size_t i = static_cast<size_t>(std::min<double>(static_cast<double>(v.size() - 1),
							std::floor(q * static_cast<double>(v.size()))));
	std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
	return v[i];
}

struct JobConfig {
	uint32_t producers = 1, ring_size = 0, policy = 0, batch = 8, max_chunk = 0;
	RecordSizes sizes;
	std::string sink, path; // path empty: /dev/null
	double runtime = 0.5;
	uint64_t records = 0; // per producer; 0: runtime
	uint64_t seed = 1;
	uint64_t preallocate = 0; // bytes reserved in the sink file before the timed part
	bool use_write = false;
	std::vector<int> producer_cpus;
	int drain_cpu = 0;
};

// The component's configuration for a job's rings, writing to fd.
static drvbench_ringbuf_config ring_config(const JobConfig &c, int fd)
{
	drvbench_ringbuf_config cfg{};
	cfg.producers = c.producers;
	cfg.ring_size = c.ring_size;
	cfg.policy = c.policy;
	cfg.batch = c.batch;
	cfg.max_chunk = c.max_chunk;
	cfg.fd = fd;
	return cfg;
}

struct JobOutcome {
	drvbench_ringbuf_stats st{};
	double produce_s = 0, wall_s = 0;
	std::vector<double> lat_ns;
	int producer_error = 0;
	ringbuf::Report report;
	bool verified = false;
};

JobOutcome run_job(const Plugin &p, const JobConfig &c)
{
	const drvbench_ringbuf_ops &ops = *p.meta->ringbuf;
	JobOutcome out;
	const bool devnull = c.path.empty();
	const std::string path = devnull ? "/dev/null" : c.path;
	// A file sink has no name while it exists (O_TMPFILE): nothing is left behind, even
	// after kill -9 (issue 17).
	int fd = devnull ? open(path.c_str(), O_WRONLY | O_CLOEXEC) : open_sink(path);
	if (fd < 0)
		throw RuntimeError("ringbuf: cannot open the sink " + path + ": " + strerror(errno));
	// Like fio's default (fallocate=native): the file's blocks exist before the clock starts,
	// so the timed part writes into them. KEEP_SIZE leaves the size at what the drain wrote.
	if (c.preallocate && fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(c.preallocate)) != 0) {
		const int e = errno;
		close(fd);
		throw RuntimeError("ringbuf: preallocate: fallocate(" + path + ", " + std::to_string(c.preallocate) +
				   " bytes): " + strerror(e));
	}
	const drvbench_ringbuf_config cfg = ring_config(c, fd);
	char err[DRVBENCH_RB_ERR_SIZE] = "";
	drvbench_ringbuf *rb = ops.create(&cfg, err, sizeof err);
	if (!rb) {
		close(fd);
		throw RuntimeError("ringbuf: " + p.id + ": create: " + err);
	}

	std::atomic<uint32_t> ready{0};
	std::atomic<bool> go{false}, stop{false}, producers_done{false};
	std::vector<std::vector<double>> lat(c.producers);
	std::vector<double> t_end(c.producers);
	std::vector<int> perr(c.producers);
	std::atomic<int> drain_rc{0};
	double t_start = 0, t_drained = 0;

	std::thread drain([&] {
		pin_self(c.drain_cpu);
		ready.fetch_add(1);
		while (!go.load(std::memory_order_acquire))
			std::this_thread::yield();
		unsigned idle = 0;
		while (!producers_done.load(std::memory_order_acquire)) {
			int rc = ops.drain(rb, DRVBENCH_RB_DRAIN_WAIT);
			if (rc < 0)
				drain_rc.store(rc);
			if (rc <= 0) { // idle: spin a while on this CPU, then let others run
				if (++idle < 4096)
					__builtin_ia32_pause();
				else
					std::this_thread::yield();
			} else {
				idle = 0;
			}
		}
		int rc = ops.drain(rb, DRVBENCH_RB_DRAIN_ALL);
		if (rc < 0)
			drain_rc.store(rc);
		t_drained = now_s();
	});
	std::vector<std::thread> prod;
	for (uint32_t i = 0; i < c.producers; i++)
		prod.emplace_back([&, i] {
			pin_self(c.producer_cpus[i % c.producer_cpus.size()]);
			std::vector<double> &l = lat[i];
			l.reserve(1 << 16);
			uint64_t rng = (c.seed + i + 1) * 0x9e3779b97f4a7c15ull;
			std::vector<uint8_t> staging(c.use_write ? c.sizes.max() : 0);
			ready.fetch_add(1);
			while (!go.load(std::memory_order_acquire))
				std::this_thread::yield();
			int e = 0;
			for (uint64_t n = 0;; n++) {
				if (c.records ? n >= c.records : ((n & 63) == 0 && stop.load(std::memory_order_relaxed)))
					break;
				const uint32_t len = c.sizes.pick(rng);
				const bool sample = (n & 255) == 0 && l.size() < (1u << 16);
				const uint64_t t0 = sample ? now_ns() : 0;
				const int rc = put_record(ops, rb, i, len, n, c.use_write ? staging.data() : nullptr);
				if (sample)
					l.push_back(static_cast<double>(now_ns() - t0));
				if (rc < 0 && rc != -ENOBUFS) {
					e = rc;
					break;
				}
			}
			int rc = ops.finish(rb, i);
			perr[i] = e ? e : rc;
			t_end[i] = now_s();
		});
	while (ready.load() < c.producers + 1)
		std::this_thread::yield();
	t_start = now_s();
	go.store(true, std::memory_order_release);
	if (!c.records) {
		std::this_thread::sleep_for(std::chrono::duration<double>(c.runtime));
		stop.store(true);
	}
	for (auto &t : prod)
		t.join();
	producers_done.store(true, std::memory_order_release);
	drain.join();

	ops.stats(rb, &out.st);
	ops.destroy(rb);
	out.produce_s = *std::max_element(t_end.begin(), t_end.end()) - t_start;
	out.wall_s = t_drained - t_start;
	for (auto &l : lat)
		out.lat_ns.insert(out.lat_ns.end(), l.begin(), l.end());
	for (int e : perr)
		if (e)
			out.producer_error = e;

	if (!devnull) {
		std::map<uint32_t, Expectation> ex;
		for (uint32_t i = 0; i < c.producers; i++)
			ex[i] = {out.st.p[i].produced, out.st.p[i].persisted, out.st.p[i].dropped, out.st.p[i].failed,
				 out.st.error};
		try {
			out.report = verify_fd(fd, path, ex);
			out.verified = true;
		} catch (...) {
			close(fd);
			throw;
		}
	}
	close(fd);
	return out;
}

class RingbufPrepared final : public PreparedWorkload {
public:
	JobConfig cfg;
	std::string sink_dir;
	nlohmann::json facts;
	const Plugin *reference = nullptr;

	bool is_job() const override { return true; }
	std::string unit() const override { return "ns/record"; }
	nlohmann::json derived() const override { return facts; }

	~RingbufPrepared() override
	{
		for (auto &[id, k] : counting_)
			k.close();
	}

	// --instructions counts the job's per-record path run single-threaded and
	// deterministically (docs/ringbuf.md, "Instruction counts"): reserve, fill, commit (or
	// write) round-robin over the producers, and drain(0) each time a chunk's worth of bytes
	// is committed, so the drain's user-space work is counted per record too. The sink is
	// /dev/null, where io_uring completes a write inline. Every sample starts on a new ring
	// with the same records (before_sample), so every round counts exactly the same; the
	// kernel is not counted in any case. At least 8 chunks per sample.
	uint64_t counted_iters() const override
	{
		return std::clamp<uint64_t>(8 * drain_threshold() / DRVBENCH_RB_REC_SPACE(cfg.sizes.max()), 1000, 200000);
	}

	void before_sample(const Plugin &p) override
	{
		auto it = counting_.find(p.id);
		if (it != counting_.end()) {
			it->second.close();
			counting_.erase(it);
		}
		(void)counting_for(p);
	}

	void run(const Plugin &p, uint64_t iters) override
	{
		Counting &k = counting_for(p);
		for (uint64_t i = 0; i < iters; i++, k.n++) {
			const uint32_t producer = static_cast<uint32_t>(k.n % cfg.producers);
			const uint32_t len = cfg.sizes.pick(k.rng);
			int rc = put_record(*k.ops, k.rb, producer, len, k.n, cfg.use_write ? k.staging.data() : nullptr);
			k.pending += DRVBENCH_RB_REC_SPACE(len);
			if (k.pending >= drain_threshold()) {
				k.pending = 0;
				if (rc == 0)
					rc = k.ops->drain(k.rb, 0);
			}
			if (rc < 0) // cannot happen with this pacing; never count a path that failed
				throw RuntimeError("ringbuf: " + p.id + ": the counted path failed: " + errno_name(-rc));
		}
	}

	std::string path_for(const Plugin &p) const
	{
		if (cfg.sink == "devnull")
			return "";
		return sink_dir + "/drvbench-ringbuf-" + std::to_string(getpid()) + "-" + p.id + ".dat";
	}

	void verify(const std::vector<const Plugin *> &plugins) override
	{
		// Matched: a deterministic single-producer seeded run writes the same bytes everywhere.
		StepRun s;
		s.ring_size = cfg.ring_size;
		s.batch = cfg.batch;
		s.max_chunk = cfg.max_chunk;
		s.policy = cfg.policy;
		s.seed = cfg.seed;
		s.sizes = cfg.sizes;
		const uint64_t avg = DRVBENCH_RB_REC_SPACE(cfg.sizes.max());
		s.records = std::clamp<uint64_t>((8ull << 20) / avg, 64, 20000);
		const std::string dir = cfg.sink == "devnull" ? "/tmp" : sink_dir;
		std::vector<uint8_t> ref;
		std::string ref_id;
		std::vector<const Plugin *> all{reference};
		for (const Plugin *p : plugins)
			if (p != reference)
				all.push_back(p);
		for (const Plugin *p : all) {
			const std::string path = dir + "/drvbench-ringbuf-step-" + std::to_string(getpid()) + ".dat";
			drvbench_ringbuf_stats st{};
			std::vector<uint8_t> bytes;
			try {
				bytes = step_run(*p->meta->ringbuf, s, path, &st);
			} catch (const RuntimeError &e) {
				throw RuntimeError(p->id + ": " + e.what());
			}
			std::map<uint32_t, Expectation> ex{
				{0, {st.p[0].produced, st.p[0].persisted, st.p[0].dropped, st.p[0].failed, st.error}}};
			Report r = verify_stream(bytes.data(), bytes.size(), ex);
			if (!r.ok())
				throw RuntimeError("ringbuf: plugin " + p->id + ": the deterministic run's file does not verify:\n" +
						   r.summary());
			if (p == reference) {
				ref = std::move(bytes);
				ref_id = p->id;
				facts["deterministic_run"] = {{"records", s.records}, {"file_bytes", ref.size()},
							      {"chunks", r.chunks}};
				continue;
			}
			if (bytes != ref) {
				size_t i = 0;
				while (i < bytes.size() && i < ref.size() && bytes[i] == ref[i])
					i++;
				throw RuntimeError("ringbuf: plugin " + p->id + " wrote " + std::to_string(bytes.size()) +
						   " bytes, reference " + ref_id + " " + std::to_string(ref.size()) +
						   ", first difference at byte " + std::to_string(i) +
						   "; the implementations are not matched");
			}
		}
		facts["deterministic_run"]["byte_identical"] = true;
	}

private:
	struct Counting {
		const drvbench_ringbuf_ops *ops = nullptr;
		drvbench_ringbuf *rb = nullptr;
		int fd = -1;
		uint64_t rng = 0, n = 0, pending = 0;
		std::vector<uint8_t> staging;

		void close()
		{
			(void)ops->drain(rb, DRVBENCH_RB_DRAIN_ALL);
			ops->destroy(rb);
			::close(fd);
		}
	};
	std::map<std::string, Counting> counting_;

	// The drain gathers full chunks while writes are in flight: max_chunk, or a quarter
	// ring for small rings (the component's rule).
	uint64_t drain_threshold() const { return std::min<uint64_t>(cfg.max_chunk, cfg.ring_size / 4); }

	Counting &counting_for(const Plugin &p)
	{
		auto it = counting_.find(p.id);
		if (it != counting_.end())
			return it->second;
		Counting k;
		k.ops = p.meta->ringbuf;
		k.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (k.fd < 0)
			throw RuntimeError(std::string("ringbuf: /dev/null: ") + strerror(errno));
		const drvbench_ringbuf_config rc = ring_config(cfg, k.fd);
		char err[DRVBENCH_RB_ERR_SIZE] = "";
		k.rb = k.ops->create(&rc, err, sizeof err);
		if (!k.rb) {
			close(k.fd);
			throw RuntimeError("ringbuf: " + p.id + ": create: " + err);
		}
		k.rng = cfg.seed * 0x9e3779b97f4a7c15ull + 1; // the same records for every plugin
		k.staging.resize(cfg.use_write ? cfg.sizes.max() : 0);
		return counting_.emplace(p.id, std::move(k)).first->second;
	}
public:

	JobSample measure_job(const Plugin &p) override
	{
		JobConfig c = cfg;
		c.path = path_for(p);
		JobOutcome o = run_job(p, c);
		uint64_t produced = 0, persisted = 0, dropped = 0, failed = 0, waits = 0;
		for (uint32_t i = 0; i < c.producers; i++) {
			produced += o.st.p[i].produced;
			persisted += o.st.p[i].persisted;
			dropped += o.st.p[i].dropped;
			failed += o.st.p[i].failed;
			waits += o.st.p[i].waits;
		}
		const int sink_err = o.st.error ? o.st.error : (o.producer_error < 0 && o.producer_error != -ENOBUFS ? -o.producer_error : 0);
		if (sink_err || (o.verified && !o.report.ok())) {
			std::string msg = "ringbuf: " + p.id + ": ";
			if (sink_err)
				msg += "the sink failed with " + errno_name(sink_err) + " (" + strerror(sink_err) + ") after " +
				       std::to_string(o.st.file_bytes) + " bytes; ";
			msg += "records: produced " + std::to_string(produced) + " = persisted " + std::to_string(persisted) +
			       " + dropped " + std::to_string(dropped) + " + failed " + std::to_string(failed);
			if (o.verified)
				msg += o.report.ok() ? "; the file holds " + std::to_string(o.report.chunks) +
							       " whole chunks and verifies"
						     : "; the file does NOT verify:\n" + o.report.summary();
			throw RuntimeError(msg);
		}
		JobSample s;
		s.value = produced ? o.produce_s * 1e9 / static_cast<double>(produced) : 0;
		// Rates and the records and bytes a sample moved are better higher (a sample runs
		// for a fixed runtime, or a fixed record count where they are equal anyway); drops,
		// waits, submits (system calls), short writes and latencies are better lower.
		constexpr Better hi = Better::Higher, lo = Better::Lower;
		auto m = [&](const std::string &k, const std::string &u, double v, Better b) {
			s.metrics.insert_or_assign(k, Metric{u, v, b});
		};
		m("records_per_s", "records/s", static_cast<double>(produced) / o.produce_s, hi);
		// Into the ring: offered minus dropped and failed (a dropped record costs far less).
		m("accepted_per_s", "records/s", static_cast<double>(produced - dropped - failed) / o.produce_s, hi);
		m("persisted_per_s", "records/s", static_cast<double>(persisted) / o.wall_s, hi);
		m("drain_bytes_per_s", "B/s", static_cast<double>(o.st.file_bytes) / o.wall_s, hi);
		m("produced", "records", static_cast<double>(produced), hi);
		m("dropped", "records", static_cast<double>(dropped), lo);
		m("waits", "count", static_cast<double>(waits), lo);
		m("lat_p50", "ns", percentile(o.lat_ns, 0.50), lo);
		m("lat_p99", "ns", percentile(o.lat_ns, 0.99), lo);
		m("lat_p999", "ns", percentile(o.lat_ns, 0.999), lo);
		double chunks = 0, weighted = 0;
		static const double mid[9] = {1, 2, 3.5, 6.5, 12.5, 24.5, 48.5, 96.5, 192.5};
		for (int b = 0; b < 9; b++) {
			chunks += static_cast<double>(o.st.batch_hist[b]);
			weighted += static_cast<double>(o.st.batch_hist[b]) * mid[b];
		}
		m("chunks_per_submit", "chunks", chunks ? weighted / chunks : 0, hi);
		m("submits", "count", static_cast<double>(o.st.submits), lo);
		m("short_writes", "count", static_cast<double>(o.st.short_writes), lo);
		m("file_bytes", "B", static_cast<double>(o.st.file_bytes), hi);
		return s;
	}
};

} // namespace

const std::vector<ParamSpec> &RingbufDriver::params() const
{
	static const std::vector<ParamSpec> s = [] {
		std::vector<ParamSpec> v;
		auto add = [&](std::string name, ParamType t, ParamValue def, std::string help) -> ParamSpec & {
			ParamSpec p;
			p.name = std::move(name);
			p.type = t;
			p.def = std::move(def);
			p.help = std::move(help);
			v.push_back(std::move(p));
			return v.back();
		};
		ParamSpec *p = &add("producers", ParamType::Int, int64_t{1}, "producer threads, one ring each, pinned");
		p->min = 1;
		p->max = DRVBENCH_RB_MAX_PRODUCERS;
		add("record_size", ParamType::String, std::string("64"),
		    "payload bytes: \"64\", a range \"16-256\" or a mix \"64,512,4096\"");
		p = &add("ring_size", ParamType::Size, int64_t{4} << 20, "bytes per ring (\"4m\" or bytes), a power of two");
		p->min = 1;
		p->max = DRVBENCH_RB_MAX_RING_SIZE;
		p = &add("policy", ParamType::Enum, std::string("block"), "full ring: block (wait) or drop (count)");
		p->choices = {"block", "drop"};
		p = &add("sink", ParamType::Enum, std::string("tmpfs"),
			 "tmpfs (/dev/shm), disk (/var/tmp) or devnull (/dev/null, not verified)");
		p->choices = {"tmpfs", "disk", "devnull"};
		add("sink_dir", ParamType::String, std::string(""), "directory of the sink file (default: by sink)");
		p = &add("batch", ParamType::Int, int64_t{8}, "chunks in flight and per io_uring_submit()");
		p->min = 1;
		p->max = DRVBENCH_RB_MAX_BATCH;
		p = &add("max_chunk", ParamType::Int, int64_t{256} << 10, "largest chunk, bytes (a multiple of 8)");
		p->min = 64;
		p->max = INT32_MAX;
		p = &add("runtime", ParamType::Float, 0.5, "seconds producers run (when records = 0)");
		p->fmin = 0.001;
		p->fmax = 3600;
		p = &add("records", ParamType::Int, int64_t{0}, "records per producer (0: run for runtime)");
		p->min = 0;
		p = &add("api", ParamType::Enum, std::string("reserve"), "reserve/commit in place, or write (copy)");
		p->choices = {"reserve", "write"};
		p = &add("seed", ParamType::Int, int64_t{1}, "seed of record sizes and the deterministic run");
		p->min = 0;
		p = &add("preallocate", ParamType::Int, int64_t{0},
			 "bytes of the sink file allocated (fallocate, keep size) before the clock starts, as fio "
			 "does by default; 0: the drain's writes allocate");
		p->min = 0;
		return v;
	}();
	return s;
}

std::unique_ptr<PreparedWorkload> RingbufDriver::prepare(const Workload &w, const Plugin &reference,
							 const std::vector<const Plugin *> &plugins) const
{
	(void)plugins;
	const std::string where = w.file ? *w.file : "--driver ringbuf";
	auto prep = std::make_unique<RingbufPrepared>();
	prep->reference = &reference;
	uint64_t f_sink_bound = 0;
	JobConfig &c = prep->cfg;
	c.producers = static_cast<uint32_t>(get_int(w.params, "producers"));
	const int64_t ring = get_int(w.params, "ring_size");
	if (ring < DRVBENCH_RB_MIN_RING_SIZE || (ring & (ring - 1)))
		throw UsageError(where, "params.ring_size",
				 std::to_string(ring) + " is not a power of two in " + std::to_string(DRVBENCH_RB_MIN_RING_SIZE) +
					 ".." + std::to_string(DRVBENCH_RB_MAX_RING_SIZE));
	c.ring_size = static_cast<uint32_t>(ring);
	c.sizes = parse_record_sizes(get_str(w.params, "record_size"), where);
	if (DRVBENCH_RB_REC_SPACE(c.sizes.max()) > c.ring_size)
		throw UsageError(where, "params.record_size",
				 "a record of " + std::to_string(c.sizes.max()) + " bytes needs " +
					 std::to_string(DRVBENCH_RB_REC_SPACE(c.sizes.max())) +
					 " bytes of ring, more than ring_size " + std::to_string(c.ring_size));
	c.policy = get_str(w.params, "policy") == "drop" ? DRVBENCH_RB_POLICY_DROP : DRVBENCH_RB_POLICY_BLOCK;
	c.sink = get_str(w.params, "sink");
	c.batch = static_cast<uint32_t>(get_int(w.params, "batch"));
	const int64_t mc = get_int(w.params, "max_chunk");
	if (mc % DRVBENCH_RB_ALIGN)
		throw UsageError(where, "params.max_chunk", std::to_string(mc) + " is not a multiple of 8");
	c.max_chunk = static_cast<uint32_t>(mc);
	c.runtime = std::get<double>(w.params.at("runtime"));
	c.records = static_cast<uint64_t>(get_int(w.params, "records"));
	c.seed = static_cast<uint64_t>(get_int(w.params, "seed"));
	c.use_write = get_str(w.params, "api") == "write";
	c.preallocate = static_cast<uint64_t>(get_int(w.params, "preallocate"));
	if (c.preallocate && c.sink == "devnull")
		throw UsageError(where, "params.preallocate", "needs a file sink (sink = \"tmpfs\" or \"disk\"), not devnull");

	std::string dir = get_str(w.params, "sink_dir");
	if (dir.empty())
		dir = c.sink == "tmpfs" ? "/dev/shm" : "/var/tmp";
	struct stat st {};
	if (c.sink != "devnull" && (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || access(dir.c_str(), W_OK) != 0))
		throw UsageError(where, "params.sink_dir", "'" + dir + "' is not a writable directory");
	prep->sink_dir = dir;

	// Memory: every producer's ring, its staging buffer and its latency samples (issue 17:
	// producers = 64, ring_size = 1 GiB asked for 64 GiB).
	check_memory(mul_sat(c.producers, uint64_t{c.ring_size} + c.sizes.max() + (uint64_t{1} << 19)), where,
		     "params.producers, params.ring_size", "producers x (ring_size + record_size + 512 KiB of latency samples)");
	// The sink: what a job may write, against what the sink's filesystem can take (issue 17: a
	// tmpfs sink filled memory). By records: at most one chunk header per record; by runtime:
	// runtime x kSinkRateEstimate.
	if (c.sink != "devnull") {
		const uint64_t per_record = std::max<uint64_t>(DRVBENCH_RB_REC_SPACE(c.sizes.max()), DRVBENCH_RB_LOST_SIZE) +
					    DRVBENCH_RB_CHUNK_HDR_SIZE;
		uint64_t bound = 0;
		std::string keys, how;
		if (c.records) {
			bound = mul_sat(mul_sat(c.records, c.producers), per_record);
			keys = "params.records, params.producers, params.record_size";
			how = "records x producers x (record space + chunk header)";
		} else {
			bound = static_cast<uint64_t>(std::min(c.runtime * kSinkRateEstimate, 1.8e19));
			keys = "params.runtime";
			how = "runtime x " + std::to_string(static_cast<uint64_t>(kSinkRateEstimate / 1e9)) +
			      " GB/s, the drain's rate";
		}
		if (c.preallocate > bound) {
			bound = c.preallocate;
			keys = "params.preallocate";
			how = "preallocated";
		}
		bool mem = false;
		const uint64_t budget = sink_budget_bytes(dir, &mem);
		if (bound > budget)
			throw UsageError(where, keys,
					 "a job may write up to " + bytes_text(bound) + " (" + how + ") to " + dir + ", more than the " + bytes_text(budget) + " it can take (" +
						 (mem ? "free space, at most half of MemAvailable on a memory-backed filesystem"
						      : "free space") +
						 "); lower them, or set sink_dir on a larger filesystem");
		f_sink_bound = bound;
	}

	// Pinning: producers on the last CPUs, the drain on the first (shared when CPUs run out).
	std::vector<int> cpus = allowed_cpus();
	for (uint32_t i = 0; i < c.producers; i++)
		c.producer_cpus.push_back(cpus[(cpus.size() - 1 - i % cpus.size())]);
	c.drain_cpu = cpus.front();

	nlohmann::json &f = prep->facts;
	if (c.sink != "devnull")
		f["sink_bytes_bound"] = f_sink_bound;
	f["record_size_max"] = c.sizes.max();
	f["record_space_max"] = DRVBENCH_RB_REC_SPACE(c.sizes.max());
	f["sink_path"] = c.sink == "devnull" ? "/dev/null" : "an unnamed file (O_TMPFILE) in " + dir;
	f["producer_cpus"] = c.producer_cpus;
	f["drain_cpu"] = c.drain_cpu;
	f["verified_by_reader"] = c.sink != "devnull";
	f["sink_preallocated_bytes"] = c.preallocate;
	f["latency_sampling"] = "every 256th reserve+fill+commit, CLOCK_MONOTONIC";
	f["primary_metric"] = "producer wall time per record produced";
	return prep;
}

} // namespace drvbench
