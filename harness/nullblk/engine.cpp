// The nullblk runner's plugin backend and sample driver; see job.hpp.
#include "job.hpp"

#include "../errors.hpp"

#include <atomic>
#include <cstring>
#include <pthread.h>
#include <sched.h>
#include <thread>

namespace drvbench::nullblk {

void JobState::init(const JobSpec &s, uint32_t j)
{
	const size_t bytes = static_cast<size_t>(s.iodepth) * s.bs;
	void *p = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
	if (!p)
		throw RuntimeError("nullblk: cannot allocate " + std::to_string(bytes) + " bytes of I/O buffers");
	bufs.reset(static_cast<uint8_t *>(p));
	// Writes without verify carry this; reads overwrite it.
	memset(p, 0x5a, bytes);
	slice = job_slice(s, j);
	rng = Xorshift64s(s.seed, j);
	cursor = 0;
	if (s.verify) {
		gen.assign(slice.count, 0);
		busy.assign(slice.count, 0);
	}
}

namespace {

// A plugin's device: job j drives hardware queue j.
struct PluginBackend {
	const drvbench_nullblk_ops *ops;
	drvbench_nullblk_dev *dev;
	uint32_t q, bs;
	std::vector<drvbench_nullblk_io> ios;
	std::vector<drvbench_nullblk_cqe> cqes;
	std::string none;

	void prep(uint32_t k, uint32_t slot, const Slot &sl)
	{
		drvbench_nullblk_io &io = ios[k];
		io.op = sl.op;
		io.nr_bytes = bs;
		io.sector = sl.block * (bs >> DRVBENCH_NB_SECTOR_SHIFT);
		io.buf = sl.buf;
		io.user_data = slot;
	}
	uint32_t flush(uint32_t n, uint64_t now) { return ops->submit(dev, q, ios.data(), n, now); }
	uint32_t reap(uint64_t &now, bool, uint32_t max)
	{
		now = mono_ns();
		return ops->complete(dev, q, now, cqes.data(), max);
	}
	uint32_t done_slot(uint32_t i) const { return static_cast<uint32_t>(cqes[i].user_data); }
	int32_t done_status(uint32_t i) const { return cqes[i].status; }
	void release(uint32_t) {}
	const std::string &fatal() const { return none; }
};

class PluginSubject final : public Subject {
public:
	PluginSubject(const drvbench_nullblk_ops *ops, const DeviceAttrs &attrs, const JobSpec &s) : ops_(ops)
	{
		DeviceAttrs a = attrs;
		a.cfg.badblocks = a.badblocks.empty() ? nullptr : a.badblocks.data();
		a.cfg.nr_badblocks = static_cast<uint32_t>(a.badblocks.size());
		char err[DRVBENCH_NB_ERR_SIZE] = "";
		dev_ = ops->create(&a.cfg, err, sizeof err);
		if (!dev_)
			throw RuntimeError(std::string("create() refused the device: ") + err);
		jobs_.resize(s.numjobs);
		for (uint32_t j = 0; j < s.numjobs; j++)
			jobs_[j].init(s, j);
	}
	~PluginSubject() override { ops_->destroy(dev_); }

	void run_job(uint32_t j, const JobSpec &s, JobResult &r, uint64_t deadline_ns, uint64_t limit) override
	{
		PluginBackend be{ops_, dev_, j, s.bs, std::vector<drvbench_nullblk_io>(s.iodepth),
				 std::vector<drvbench_nullblk_cqe>(s.iodepth), {}};
		job_loop(be, s, jobs_[j], r, deadline_ns, limit);
	}

private:
	const drvbench_nullblk_ops *ops_;
	drvbench_nullblk_dev *dev_ = nullptr;
};

} // namespace

std::unique_ptr<Subject> make_plugin_subject(const drvbench_nullblk_ops *ops, const DeviceAttrs &attrs,
					     const JobSpec &s)
{
	return std::make_unique<PluginSubject>(ops, attrs, s);
}

SampleResult run_sample(Subject &sub, const JobSpec &spec, const std::vector<int> &cpus, bool prefill)
{
	const uint32_t nj = spec.numjobs;
	SampleResult out;
	out.jobs.resize(nj);
	JobSpec s = spec;
	if (prefill) {
		s.rw = Rw::Write;
		s.runtime_s = 0;
		for (uint32_t j = 0; j < nj; j++)
			sub.state(j).cursor = 0;
	}
	std::atomic<uint32_t> ready{0};
	std::atomic<int> go{0};
	std::atomic<uint64_t> start{0};
	std::vector<std::thread> threads;
	threads.reserve(nj);
	for (uint32_t j = 0; j < nj; j++)
		threads.emplace_back([&, j] {
			JobResult &r = out.jobs[j];
			if (!cpus.empty()) {
				cpu_set_t one;
				CPU_ZERO(&one);
				CPU_SET(cpus[j % cpus.size()], &one);
				if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0)
					r.cpu = cpus[j % cpus.size()];
			}
			try {
				sub.prepare_job(j, s);
			} catch (const std::exception &e) {
				r.failure = e.what();
			}
			ready.fetch_add(1);
			ready.notify_all();
			go.wait(0);
			if (!r.failure.empty())
				return;
			const uint64_t t0 = start.load();
			uint64_t deadline = s.runtime_s > 0 ? t0 + static_cast<uint64_t>(s.runtime_s * 1e9) : 0;
			uint64_t limit = prefill ? sub.state(j).slice.count : s.number_ios;
			try {
				sub.run_job(j, s, r, deadline, limit);
			} catch (const std::exception &e) {
				r.failure = e.what();
			}
		});
	for (uint32_t n; (n = ready.load()) < nj;)
		ready.wait(n);
	const uint64_t t0 = mono_ns();
	start.store(t0);
	go.store(1);
	go.notify_all();
	for (auto &t : threads)
		t.join();
	uint64_t end = t0;
	for (const auto &r : out.jobs)
		end = r.end_ns > end ? r.end_ns : end;
	out.wall_ns = end - t0;
	if (prefill)
		for (uint32_t j = 0; j < nj; j++) {
			sub.state(j).cursor = 0;
			sub.state(j).prefilled = true;
		}
	return out;
}

} // namespace drvbench::nullblk
