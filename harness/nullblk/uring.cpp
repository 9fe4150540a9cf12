// Kernel targets: the nullblk job against a file or block device through io_uring, one
// ring per job with the file registered (IOSQE_FIXED_FILE) and the job's slot buffers
// registered (read_fixed/write_fixed), O_DIRECT where the target takes it.
#include "job.hpp"

#include "../errors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <liburing.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace drvbench::nullblk {

namespace {

struct UringBackend {
	io_uring *ring;
	int fd;
	bool fixed_file, fixed_bufs;
	uint32_t bs;
	std::vector<io_uring_cqe *> cqes;
	std::string err;

	void prep(uint32_t, uint32_t slot, const Slot &sl)
	{
		io_uring_sqe *sqe = io_uring_get_sqe(ring); // the SQ holds iodepth entries: never NULL
		const int f = fixed_file ? 0 : fd;
		const uint64_t off = sl.block * bs;
		if (sl.op == DRVBENCH_NB_OP_READ) {
			if (fixed_bufs)
				io_uring_prep_read_fixed(sqe, f, sl.buf, bs, off, static_cast<int>(slot));
			else
				io_uring_prep_read(sqe, f, sl.buf, bs, off);
		} else {
			if (fixed_bufs)
				io_uring_prep_write_fixed(sqe, f, sl.buf, bs, off, static_cast<int>(slot));
			else
				io_uring_prep_write(sqe, f, sl.buf, bs, off);
		}
		if (fixed_file)
			sqe->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(sqe, slot);
	}
	uint32_t flush(uint32_t n, uint64_t)
	{
		for (;;) {
			int ret = io_uring_submit(ring);
			if (ret >= 0 || ret == -EAGAIN || ret == -EBUSY)
				return n; // anything left in the SQ goes with the next enter
			if (ret != -EINTR) {
				err = std::string("io_uring_submit: ") + strerror(-ret);
				return n;
			}
		}
	}
	uint32_t reap(uint64_t &now, bool wait, uint32_t max)
	{
		unsigned n = io_uring_peek_batch_cqe(ring, cqes.data(), max);
		if (n == 0 && wait) {
			int ret = io_uring_submit_and_wait(ring, 1);
			if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
				err = std::string("io_uring_submit_and_wait: ") + strerror(-ret);
			n = io_uring_peek_batch_cqe(ring, cqes.data(), max);
		}
		now = mono_ns();
		return n;
	}
	uint32_t done_slot(uint32_t i) const { return static_cast<uint32_t>(io_uring_cqe_get_data64(cqes[i])); }
	int32_t done_status(uint32_t i) const
	{
		const int res = cqes[i]->res;
		if (res < 0)
			return -res;
		return static_cast<uint32_t>(res) == bs ? 0 : -1;
	}
	void release(uint32_t n) { io_uring_cq_advance(ring, n); }
	const std::string &fatal() const { return err; }
};

class UringSubject final : public Subject {
public:
	UringSubject(const std::string &path, const std::string &direct, bool writes, const JobSpec &s, TargetInfo &info)
		: info_(info)
	{
		info.path = path;
		const int acc = writes ? O_RDWR : O_RDONLY;
		if (direct != "off") {
			fd_ = open(path.c_str(), acc | O_DIRECT | O_CLOEXEC);
			if (fd_ < 0 && direct == "on")
				throw RuntimeError(path + ": cannot open with O_DIRECT (direct = \"on\"): " + strerror(errno));
		}
		info.o_direct = fd_ >= 0;
		if (fd_ < 0)
			fd_ = open(path.c_str(), acc | O_CLOEXEC);
		if (fd_ < 0)
			throw RuntimeError(path + ": cannot open " + (writes ? "for writing" : "for reading") + ": " +
					   strerror(errno));
		jobs_.resize(s.numjobs);
		rings_.resize(s.numjobs);
		for (uint32_t j = 0; j < s.numjobs; j++)
			jobs_[j].init(s, j);
		// Check that a ring can be set up at all, so a machine without io_uring fails
		// before measuring.
		prepare_job(0, s);
		release(0);
	}
	~UringSubject() override
	{
		for (uint32_t j = 0; j < rings_.size(); j++)
			release(j);
		if (fd_ >= 0)
			close(fd_);
	}

	// The ring is created by the job's thread, with fio's setup flags (one issuer, task
	// work deferred to the issuer's wait), the file and the slot buffers registered.
	void prepare_job(uint32_t j, const JobSpec &s) override
	{
		release(j);
		Ring &r = rings_[j];
		io_uring_params p{};
		p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
			  IORING_SETUP_DEFER_TASKRUN;
		p.cq_entries = s.iodepth;
		int ret = io_uring_queue_init_params(s.iodepth, &r.ring, &p);
		if (ret == -EINVAL) { // older kernel: plain ring
			p = {};
			ret = io_uring_queue_init_params(s.iodepth, &r.ring, &p);
		}
		if (ret < 0)
			throw RuntimeError(std::string("io_uring_queue_init: ") + strerror(-ret));
		r.live = true;
		r.fixed_file = io_uring_register_files(&r.ring, &fd_, 1) == 0;
		std::vector<iovec> iov(s.iodepth);
		for (uint32_t i = 0; i < s.iodepth; i++)
			iov[i] = {jobs_[j].buf(i, s.bs), s.bs};
		r.fixed_bufs = io_uring_register_buffers(&r.ring, iov.data(), s.iodepth) == 0;
		if (j == 0) {
			info_.fixed_files = r.fixed_file;
			info_.fixed_bufs = r.fixed_bufs;
			info_.setup_flags = p.flags;
		}
	}

	void run_job(uint32_t j, const JobSpec &s, JobResult &res, uint64_t deadline_ns, uint64_t limit) override
	{
		Ring &r = rings_[j];
		if (!r.live)
			prepare_job(j, s);
		UringBackend be{&r.ring, fd_, r.fixed_file, r.fixed_bufs, s.bs, std::vector<io_uring_cqe *>(s.iodepth), {}};
		job_loop(be, s, jobs_[j], res, deadline_ns, limit);
		release(j);
	}

private:
	struct Ring {
		io_uring ring{};
		bool live = false, fixed_file = false, fixed_bufs = false;
	};
	void release(uint32_t j)
	{
		if (rings_[j].live)
			io_uring_queue_exit(&rings_[j].ring);
		rings_[j].live = false;
	}

	TargetInfo &info_;
	int fd_ = -1;
	std::vector<Ring> rings_;
};

} // namespace

std::unique_ptr<Subject> make_uring_subject(const std::string &path, const std::string &direct, bool writes,
					    const JobSpec &s, TargetInfo &info)
{
	return std::make_unique<UringSubject>(path, direct, writes, s, info);
}

} // namespace drvbench::nullblk
