// The nullblk runner's job: fio's vocabulary (rw, bs, iodepth, iodepth_batch, numjobs,
// runtime / number_ios, seed, verify) executed by one thread per job against a "subject":
// a plugin's nullblk device (one hardware queue per job) or a kernel target (a file or
// block device driven through io_uring, one ring per job).
//
// The hot loop (job_loop) is shared by both and templated on the backend, so a plugin run
// costs per I/O one call through the ops table for submit (batched by iodepth_batch) and a
// share of one complete() call, one clock read per loop turn, and no allocation.
#pragma once

#include "histogram.hpp"
#include "rng.hpp"
#include "verify.hpp"

#include <drvbench/nullblk.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <time.h>
#include <vector>

namespace drvbench::nullblk {

enum class Rw : uint8_t { Read, Write, RandRead, RandWrite, RandRw };

inline bool is_random(Rw rw) { return rw == Rw::RandRead || rw == Rw::RandWrite || rw == Rw::RandRw; }
inline bool has_reads(Rw rw) { return rw != Rw::Write && rw != Rw::RandWrite; }

struct JobSpec {
	Rw rw = Rw::RandRead;
	uint32_t rwmixread = 50;
	uint32_t bs = 4096;
	uint32_t iodepth = 32;
	uint32_t batch = 1;       // iodepth_batch
	uint32_t numjobs = 1;
	double runtime_s = 1.0;   // 0: no time limit (number_ios must be set)
	uint64_t number_ios = 0;  // per job; 0: no count limit
	uint64_t seed = 1;
	bool verify = false;
	uint64_t size = 0;        // bytes I/O goes to (a multiple of bs)
	uint64_t corrupt_read = 0; // test knob: flip a byte of the Nth verified read of a job

	uint64_t nblocks() const { return size / bs; }
};

// The blocks job j owns: [first, first + count). Sequential jobs, verified jobs and
// prefill stay in their slice; random unverified jobs roam the whole device, as fio's jobs
// on one file do.
struct Slice {
	uint64_t first = 0, count = 0;
};
inline Slice job_slice(const JobSpec &s, uint32_t j)
{
	const uint64_t n = s.nblocks();
	const unsigned __int128 lo = static_cast<unsigned __int128>(n) * j / s.numjobs;
	const unsigned __int128 hi = static_cast<unsigned __int128>(n) * (j + 1) / s.numjobs;
	return {static_cast<uint64_t>(lo), static_cast<uint64_t>(hi - lo)};
}

inline uint64_t mono_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

inline uint64_t thread_cpu_ns()
{
	timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

struct FreeDeleter {
	void operator()(void *p) const { std::free(p); }
};

// What one job keeps between samples of one subject: its I/O buffers (one per slot,
// page-aligned), the generation of every block of its slice (verify), its position.
struct JobState {
	std::unique_ptr<uint8_t, FreeDeleter> bufs; // iodepth * bs
	std::vector<uint32_t> gen;                  // verify: last generation written OK, 0 never
	std::vector<uint8_t> busy;                  // verify: an I/O to the block is in flight
	Slice slice;
	uint64_t cursor = 0;                        // sequential: next block of the slice
	Xorshift64s rng{1};
	uint64_t verified_reads = 0;
	bool prefilled = false;

	void init(const JobSpec &s, uint32_t j);
	uint8_t *buf(uint32_t slot, uint32_t bs) { return bufs.get() + static_cast<size_t>(slot) * bs; }
};

struct JobResult {
	uint64_t ios = 0, reads = 0, writes = 0, bytes = 0, errors = 0, busy = 0, short_ios = 0;
	uint64_t start_ns = 0, end_ns = 0, cpu_ns = 0;
	int first_error = 0;       // first error status (plugin) or errno (kernel)
	int cpu = -1;              // where the job ran
	std::string failure;       // verify mismatch or setup failure: fails the run
	std::unique_ptr<LatencyHistogram> lat = std::make_unique<LatencyHistogram>();
};

struct Slot {
	uint8_t *buf = nullptr;
	uint64_t submit_ns = 0;
	uint64_t block = 0;
	uint32_t gen = 0;
	uint32_t op = 0;
};

// Chooses op and block for a slot; with verify, reserves the block and writes the pattern.
// False: verify found no idle block to use right now.
inline bool plan_io(const JobSpec &s, JobState &js, Slot &sl)
{
	uint32_t op;
	switch (s.rw) {
	case Rw::Read:
	case Rw::RandRead:
		op = DRVBENCH_NB_OP_READ;
		break;
	case Rw::Write:
	case Rw::RandWrite:
		op = DRVBENCH_NB_OP_WRITE;
		break;
	default:
		op = js.rng.below(100) < s.rwmixread ? DRVBENCH_NB_OP_READ : DRVBENCH_NB_OP_WRITE;
		break;
	}
	sl.op = op;
	if (!s.verify) {
		if (is_random(s.rw)) {
			sl.block = js.rng.below(s.nblocks());
		} else {
			sl.block = js.slice.first + js.cursor;
			if (++js.cursor == js.slice.count)
				js.cursor = 0;
		}
		return true;
	}
	uint64_t local = 0;
	bool found = false;
	for (int tries = 0; tries < 16 && !found; tries++) {
		if (is_random(s.rw)) {
			local = js.rng.below(js.slice.count);
		} else {
			local = js.cursor;
			if (++js.cursor == js.slice.count)
				js.cursor = 0;
		}
		found = !js.busy[local];
	}
	if (!found)
		return false;
	js.busy[local] = 1;
	sl.block = js.slice.first + local;
	if (op == DRVBENCH_NB_OP_WRITE) {
		sl.gen = js.gen[local] + 1;
		fill_block(sl.buf, s.bs, sl.block, sl.gen, s.seed);
	} else {
		sl.gen = js.gen[local];
	}
	return true;
}

// Backend interface (duck-typed):
//   void prep(uint32_t k, uint32_t slot, const Slot &)   stage the k-th I/O of a batch
//   uint32_t flush(uint32_t n, uint64_t now)              submit staged [0, n); how many accepted
//   uint32_t reap(uint64_t &now, bool wait, uint32_t max) completions ready (sets now)
//   uint32_t done_slot(uint32_t i), int32_t done_status(uint32_t i)  0 ok, >0 error, -1 short
//   void release(uint32_t n)
//   const std::string &fatal()                            non-empty: the backend failed
//
// Runs until the deadline (0: none) or `limit` I/Os (0: none), then drains.
template <class B>
void job_loop(B &be, const JobSpec &s, JobState &js, JobResult &r, uint64_t deadline_ns, uint64_t limit)
{
	const uint32_t depth = s.iodepth;
	const uint32_t batch = s.batch < depth ? s.batch : depth;
	std::vector<Slot> slots(depth);
	std::vector<uint32_t> freel(depth);
	for (uint32_t i = 0; i < depth; i++) {
		slots[i].buf = js.buf(i, s.bs);
		freel[i] = depth - 1 - i;
	}
	uint32_t nfree = depth, inflight = 0;
	uint64_t issued = 0;
	bool stopping = false;
	LatencyHistogram &lat = *r.lat;

	const uint64_t cpu0 = thread_cpu_ns();
	uint64_t now = mono_ns();
	r.start_ns = now;
	for (;;) {
		if (!stopping && ((deadline_ns && now >= deadline_ns) || (limit && issued >= limit) || !r.failure.empty()))
			stopping = true;
		if (stopping && inflight == 0)
			break;
		while (!stopping && nfree) {
			uint32_t n = nfree < batch ? nfree : batch;
			if (limit && limit - issued < n)
				n = static_cast<uint32_t>(limit - issued);
			uint32_t k = 0;
			for (; k < n; k++) {
				const uint32_t slot = freel[nfree - 1 - k];
				Slot &sl = slots[slot];
				if (s.verify && !plan_io(s, js, sl))
					break;
				if (!s.verify)
					plan_io(s, js, sl);
				sl.submit_ns = now;
				be.prep(k, slot, sl);
			}
			if (k == 0)
				break;
			const uint32_t acc = be.flush(k, now);
			nfree -= acc;
			inflight += acc;
			issued += acc;
			if (acc < k) {
				// Busy: the refused ones stay on top of the free stack; reap, then retry.
				r.busy++;
				if (s.verify)
					for (uint32_t i = 0; i < k - acc; i++)
						js.busy[slots[freel[nfree - 1 - i]].block - js.slice.first] = 0;
				break;
			}
			if (limit && issued >= limit)
				break;
		}
		if (!be.fatal().empty()) {
			r.failure = be.fatal();
			break;
		}
		const uint32_t got = be.reap(now, nfree == 0 || stopping, depth);
		for (uint32_t i = 0; i < got; i++) {
			const uint32_t slot = be.done_slot(i);
			const int32_t st = be.done_status(i);
			Slot &sl = slots[slot];
			lat.record(now - sl.submit_ns);
			const bool rd = sl.op == DRVBENCH_NB_OP_READ;
			r.reads += rd;
			r.writes += !rd;
			if (st > 0) {
				r.errors++;
				if (!r.first_error)
					r.first_error = st;
			} else if (st < 0) {
				r.short_ios++;
			}
			if (s.verify) {
				const uint64_t local = sl.block - js.slice.first;
				js.busy[local] = 0;
				if (st == 0 && !rd) {
					js.gen[local] = sl.gen;
				} else if (st == 0 && r.failure.empty()) {
					if (s.corrupt_read && ++js.verified_reads == s.corrupt_read)
						sl.buf[s.bs / 2] ^= 0x20;
					std::string e = check_block(sl.buf, s.bs, sl.block, sl.gen, s.seed);
					if (!e.empty())
						r.failure = "verify failed: read of block " + std::to_string(sl.block) + " (sector " +
							    std::to_string(sl.block * (s.bs >> DRVBENCH_NB_SECTOR_SHIFT)) + ", " +
							    std::to_string(s.bs) + " bytes): " + e;
				} else if (st < 0 && rd && r.failure.empty()) {
					r.failure = "verify failed: short read of block " + std::to_string(sl.block);
				}
			}
			freel[nfree++] = slot;
		}
		be.release(got);
		inflight -= got;
		r.ios += got;
	}
	r.end_ns = mono_ns();
	r.cpu_ns = thread_cpu_ns() - cpu0;
	r.bytes = r.ios * s.bs;
}

// Something a job runs against.
class Subject {
public:
	virtual ~Subject() = default;
	// Sets job j up on the thread that will run it, before the sample's clock starts
	// (io_uring rings are created by the task that submits to them).
	virtual void prepare_job(uint32_t j, const JobSpec &s)
	{
		(void)j;
		(void)s;
	}
	// Runs job j on the calling thread (pinned by the caller).
	virtual void run_job(uint32_t j, const JobSpec &s, JobResult &r, uint64_t deadline_ns, uint64_t limit) = 0;
	JobState &state(uint32_t j) { return jobs_[j]; }

protected:
	std::vector<JobState> jobs_;
};

// Device attributes for a plugin's create().
struct DeviceAttrs {
	drvbench_nullblk_config cfg{};
	std::vector<drvbench_nb_badblock> badblocks;
};

// A plugin's device. Throws RuntimeError if create() refuses (err text in the message).
std::unique_ptr<Subject> make_plugin_subject(const drvbench_nullblk_ops *ops, const DeviceAttrs &attrs,
					     const JobSpec &s);

struct TargetInfo {
	std::string path;
	bool o_direct = false, fixed_files = true, fixed_bufs = true;
	unsigned setup_flags = 0; // io_uring_setup flags in use
	std::string kind;         // "block device", "regular file", "character device"
};
// A kernel target: opens path (O_DIRECT per `direct`: "auto", "on", "off"), one io_uring
// per job with the file and the job's buffers registered. Throws RuntimeError on failure.
// info is filled in and updated as rings are set up; it must outlive the subject.
std::unique_ptr<Subject> make_uring_subject(const std::string &path, const std::string &direct, bool writes,
					    const JobSpec &s, TargetInfo &info);

struct SampleResult {
	std::vector<JobResult> jobs;
	uint64_t wall_ns = 0;
};

// One sample: numjobs threads pinned to distinct CPUs of `cpus` (wrapping), started
// together. With prefill, each job writes its slice once (sequentially) instead.
SampleResult run_sample(Subject &sub, const JobSpec &s, const std::vector<int> &cpus, bool prefill);

} // namespace drvbench::nullblk
