// SPDX-License-Identifier: MIT
#include "nb_support.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

namespace nbtest {

// ---------------------------------------------------------------------------
// Plugins

static const drvbench_nullblk_ops *nullblk_ops(const struct drvbench_plugin &desc, std::string *error)
{
	const drvbench_nullblk_ops *ops = desc.nullblk;
	if (ops && (!ops->create || !ops->destroy || !ops->submit || !ops->complete || !ops->stats)) {
		*error = "nullblk ops with NULL function pointer";
		return nullptr;
	}
	return ops;
}

const Discovery &discover()
{
	static const Discovery d =
		drvtest::scan_plugins<drvbench_nullblk_ops>(drvtest::plugin_dir(), nullblk_ops);
	return d;
}

const std::vector<Plugin> &plugins() { return discover().plugins; }

const Plugin *reference_plugin() { return drvtest::reference_plugin(plugins()); }

// ---------------------------------------------------------------------------
// Device

drvbench_nullblk_config default_config()
{
	drvbench_nullblk_config c{};
	c.size = 8u << 20;
	c.blocksize = 4096;
	c.submit_queues = 1;
	c.hw_queue_depth = 64;
	c.irqmode = DRVBENCH_NB_IRQ_NONE;
	c.completion_nsec = 10000;
	c.memory_backed = 1;
	c.discard = 1;
	return c;
}

Dev::Dev(const Plugin &p, const drvbench_nullblk_config &cfg, std::string *err) : ops_(p.ops)
{
	char buf[DRVBENCH_NB_ERR_SIZE];
	std::memset(buf, 0x7f, sizeof buf);
	buf[sizeof buf - 1] = 0;
	dev_ = ops_->create(&cfg, buf, sizeof buf);
	if (err)
		*err = dev_ ? std::string() : std::string(buf);
}

void Dev::reset()
{
	if (dev_)
		ops_->destroy(dev_);
	dev_ = nullptr;
}

uint32_t Dev::submit(uint32_t q, const drvbench_nullblk_io *ios, uint32_t n, uint64_t now)
{
	return ops_->submit(dev_, q, ios, n, now);
}

uint32_t Dev::complete(uint32_t q, uint64_t now, drvbench_nullblk_cqe *cqes, uint32_t max)
{
	return ops_->complete(dev_, q, now, cqes, max);
}

drvbench_nullblk_stats Dev::stats() const
{
	drvbench_nullblk_stats s{};
	ops_->stats(dev_, &s);
	return s;
}

int32_t Dev::io(uint32_t q, uint32_t op, uint64_t sector, void *buf, uint32_t nr_bytes)
{
	drvbench_nullblk_io io{};
	io.op = op;
	io.sector = sector;
	io.buf = buf;
	io.nr_bytes = nr_bytes;
	io.user_data = 0xfeed;
	if (submit(q, &io, 1, now_) != 1)
		return -1;
	now_ += uint64_t(1) << 36;
	drvbench_nullblk_cqe cqe{};
	if (complete(q, now_, &cqe, 1) != 1 || cqe.user_data != 0xfeed)
		return -1;
	return cqe.status;
}

std::vector<uint8_t> Dev::contents(uint64_t size, uint32_t bs)
{
	std::vector<uint8_t> out(size, 0);
	const uint64_t chunk = 64 * 1024;
	for (uint64_t off = 0; off < size; off += chunk) {
		uint32_t n = uint32_t(std::min(chunk, size - off));
		if (io(0, DRVBENCH_NB_OP_READ, off >> 9, out.data() + off, n) == DRVBENCH_NB_STS_OK)
			continue;
		// A bad block in the chunk: block by block; bad blocks stay zero.
		for (uint64_t b = off; b < off + n; b += bs)
			if (io(0, DRVBENCH_NB_OP_READ, b >> 9, out.data() + b, bs) != DRVBENCH_NB_STS_OK)
				std::memset(out.data() + b, 0, bs);
	}
	return out;
}

// ---------------------------------------------------------------------------
// Pattern

static constexpr uint64_t kMagic = 0x6e756c6c626c6b21ull;  // "nullblk!"

static uint64_t splitmix(uint64_t &s)
{
	uint64_t z = (s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

void fill_block(uint8_t *p, uint32_t bs, uint64_t sector, uint64_t seq)
{
	uint64_t s = sector * 0x2545f4914f6cdd1dull ^ seq;
	for (uint32_t i = 24; i < bs; i += 8) {
		uint64_t v = splitmix(s);
		std::memcpy(p + i, &v, 8);
	}
	uint64_t hdr[3] = {kMagic ^ sector, seq, fnv1a(p + 24, bs - 24)};
	std::memcpy(p, hdr, sizeof hdr);
}

bool check_block(const uint8_t *p, uint32_t bs, uint64_t sector, std::string *why)
{
	if (std::all_of(p, p + bs, [](uint8_t b) { return b == 0; }))
		return true;
	uint64_t hdr[3];
	std::memcpy(hdr, p, sizeof hdr);
	char buf[160];
	if (hdr[0] != (kMagic ^ sector)) {
		std::snprintf(buf, sizeof buf, "block at sector %llu: header for sector %llu",
			      (unsigned long long)sector, (unsigned long long)(hdr[0] ^ kMagic));
		*why = buf;
		return false;
	}
	if (hdr[2] != fnv1a(p + 24, bs - 24)) {
		std::snprintf(buf, sizeof buf, "block at sector %llu (seq %llx): checksum mismatch",
			      (unsigned long long)sector, (unsigned long long)hdr[1]);
		*why = buf;
		return false;
	}
	return true;
}

// ---------------------------------------------------------------------------
// Model

int32_t Model::status(uint32_t op, uint64_t sector, uint32_t nr_bytes) const
{
	switch (op) {
	case DRVBENCH_NB_OP_FLUSH:
		return DRVBENCH_NB_STS_OK;
	case DRVBENCH_NB_OP_READ:
	case DRVBENCH_NB_OP_WRITE:
		break;
	case DRVBENCH_NB_OP_DISCARD:
		if (!cfg.discard)
			return DRVBENCH_NB_STS_NOTSUPP;
		break;
	default:
		return DRVBENCH_NB_STS_NOTSUPP;
	}
	const uint64_t bs = cfg.blocksize;
	if (nr_bytes == 0 || nr_bytes % bs != 0 || (sector * 512) % bs != 0)
		return DRVBENCH_NB_STS_INVAL;
	const unsigned __int128 end = (unsigned __int128)sector * 512 + nr_bytes;
	if (end > cfg.size)
		return DRVBENCH_NB_STS_INVAL;
	const uint64_t s_end = sector + nr_bytes / 512;
	for (const auto &b : bad)
		if (sector < b.start + b.nr_sectors && b.start < s_end)
			return DRVBENCH_NB_STS_IOERR;
	return DRVBENCH_NB_STS_OK;
}

const char *status_name(int32_t s)
{
	switch (s) {
	case DRVBENCH_NB_STS_OK: return "OK";
	case DRVBENCH_NB_STS_NOTSUPP: return "NOTSUPP";
	case DRVBENCH_NB_STS_INVAL: return "INVAL";
	case DRVBENCH_NB_STS_IOERR: return "IOERR";
	default: return "?";
	}
}

std::string first_diff(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b)
{
	if (a.size() != b.size())
		return "sizes differ: " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
	size_t count = 0, first = 0;
	for (size_t i = 0; i < a.size(); i++)
		if (a[i] != b[i] && count++ == 0)
			first = i;
	if (!count)
		return "";
	char buf[128];
	std::snprintf(buf, sizeof buf, "%zu bytes differ, first at offset %zu (sector %zu): %02x vs %02x",
		      count, first, first / 512, a[first], b[first]);
	return buf;
}

// ---------------------------------------------------------------------------
// The mini block layer: one QueueDriver per hardware queue.

namespace {

constexpr uint8_t kSentinel = 0xa5;

struct Shared {
	const JobSpec &spec;
	Model model;
	Dev &dev;
	std::vector<uint8_t> shadow;     // expected contents (memory backed, model_contents)
	std::vector<uint8_t> page_used;  // model of allocated backing pages (bytes: no races)
};

class QueueDriver {
public:
	QueueDriver(Shared &sh, uint32_t q) : sh_(sh), q_(q), rng_(sh.spec.seed * 1000003u + q)
	{
		const auto &cfg = sh.spec.cfg;
		size_sectors_ = cfg.size / 512;
		bsec_ = cfg.blocksize / 512;
		if (sh.spec.region_sectors) {
			rstart_ = uint64_t(q) * sh.spec.region_sectors;
			rsectors_ = sh.spec.region_sectors;
		} else {
			rstart_ = 0;
			rsectors_ = size_sectors_;
		}
		ios_.resize(sh.spec.ios_per_queue);
		res.statuses.assign(sh.spec.ios_per_queue, -1);
		cqes_.resize(cfg.hw_queue_depth);
	}

	bool finished() const
	{
		return next_ == ios_.size() && pending_.empty() && inflight_ == 0;
	}

	void step()
	{
		const JobSpec &spec = sh_.spec;
		while (pending_.size() < spec.batch && next_ < ios_.size())
			pending_.push_back(generate(next_++));
		if (!pending_.empty()) {
			batch_.clear();
			for (uint32_t i : pending_)
				batch_.push_back(ios_[i].io);
			uint32_t k = sh_.dev.submit(q_, batch_.data(), uint32_t(batch_.size()), now_);
			if (k > batch_.size()) {
				fail("submit accepted " + std::to_string(k) + " of " +
				     std::to_string(batch_.size()));
				k = uint32_t(batch_.size());
			}
			for (uint32_t j = 0; j < k; j++)
				accepted(pending_[j]);
			if (k < batch_.size())
				res.busy_seen++;
			pending_.erase(pending_.begin(), pending_.begin() + k);
			inflight_ += k;
		}
		now_ += spec.tick_ns;
		uint32_t max = 1 + uint32_t(splitmix(rng_) % cqes_.size());
		reap(max);
		if (inflight_ > spec.cfg.hw_queue_depth)
			fail("more requests in flight than tags: " + std::to_string(inflight_));
	}

	void run()
	{
		uint64_t guard = 0;
		while (!finished()) {
			step();
			if (++guard > 100u * ios_.size() + 100000u) {
				fail("job does not finish (lost completions?)");
				return;
			}
			if (res.failures.size() > 20)
				return;
		}
	}

	QueueResult res;

private:
	struct Inflight {
		drvbench_nullblk_io io{};
		std::vector<uint8_t> buf;
		std::vector<uint8_t> expect_data;
		int32_t expect = -1;
		bool done = false;
	};

	void fail(const std::string &s)
	{
		// std::string("q") first: "q" + std::string draws a false -Wrestrict from GCC 12 here.
		if (res.failures.size() <= 20)
			res.failures.push_back(std::string("q") + std::to_string(q_) + ": " + s);
	}

	uint32_t generate(uint32_t i)
	{
		const JobSpec &spec = sh_.spec;
		Inflight &f = ios_[i];
		drvbench_nullblk_io &io = f.io;
		io.user_data = (uint64_t(q_) << 32) | i;
		uint32_t pick = uint32_t(splitmix(rng_) % 100);
		uint32_t bs = spec.cfg.blocksize;
		uint64_t region_blocks = rsectors_ / bsec_;
		uint64_t nblocks = 1 + splitmix(rng_) % spec.max_blocks;
		nblocks = std::min(nblocks, region_blocks);
		uint64_t blk = splitmix(rng_) % (region_blocks - nblocks + 1);
		io.sector = rstart_ + blk * bsec_;
		io.nr_bytes = uint32_t(nblocks * bs);
		bool bad = false;
		if (pick < spec.pct_read) {
			io.op = DRVBENCH_NB_OP_READ;
		} else if ((pick -= spec.pct_read) < spec.pct_write) {
			io.op = DRVBENCH_NB_OP_WRITE;
		} else if ((pick -= spec.pct_write) < spec.pct_discard) {
			io.op = DRVBENCH_NB_OP_DISCARD;
		} else if ((pick -= spec.pct_discard) < spec.pct_flush) {
			io.op = DRVBENCH_NB_OP_FLUSH;
			io.sector = 0;
			io.nr_bytes = 0;
		} else {
			bad = true;
			io.op = uint32_t(splitmix(rng_) % 3);  // read, write, flush->discard below
			if (io.op == DRVBENCH_NB_OP_FLUSH)
				io.op = DRVBENCH_NB_OP_DISCARD;
			switch (splitmix(rng_) % 6) {
			case 0:  // misaligned start (or length at 512)
				if (bsec_ > 1)
					io.sector += 1 + splitmix(rng_) % (bsec_ - 1);
				else
					io.nr_bytes += 100;
				break;
			case 1:
				io.nr_bytes += 512 * uint32_t(splitmix(rng_) % 8) + 1;
				break;
			case 2:
				io.nr_bytes = 0;
				break;
			case 3:  // straddles the end
				io.sector = size_sectors_ - bsec_;
				io.nr_bytes = 2 * bs;
				break;
			case 4:  // starts at or far past the end
				io.sector = splitmix(rng_) % 2 ? size_sectors_ : (uint64_t(1) << 62);
				io.nr_bytes = bs;
				break;
			default:
				io.op = 4 + uint32_t(splitmix(rng_) % 100);
				break;
			}
		}
		(void)bad;
		if (io.op == DRVBENCH_NB_OP_READ || io.op == DRVBENCH_NB_OP_WRITE) {
			// Buffers follow nr_bytes, even when nr_bytes is wrong (never smaller).
			f.buf.assign(std::max<uint32_t>(io.nr_bytes, 1), kSentinel);
			if (io.op == DRVBENCH_NB_OP_WRITE)
				for (uint32_t off = 0; off + bs <= io.nr_bytes; off += bs)
					fill_block(f.buf.data() + off, bs, io.sector + off / 512,
						   io.user_data);
			io.buf = f.buf.data();
		} else {
			io.buf = nullptr;
		}
		return i;
	}

	// The driver accepted ios_[i]: it has transferred it. Apply to the model.
	void accepted(uint32_t i)
	{
		Inflight &f = ios_[i];
		const drvbench_nullblk_io &io = f.io;
		f.expect = sh_.model.status(io.op, io.sector, io.nr_bytes);
		if (f.expect != DRVBENCH_NB_STS_OK || !sh_.spec.cfg.memory_backed)
			return;
		const uint64_t off = io.sector * 512;
		const bool exact = sh_.spec.model_contents;
		switch (io.op) {
		case DRVBENCH_NB_OP_WRITE:
			if (!exact)
				break;
			std::memcpy(sh_.shadow.data() + off, f.buf.data(), io.nr_bytes);
			for (uint64_t p = off / 4096; p <= (off + io.nr_bytes - 1) / 4096; p++)
				sh_.page_used[p] = 1;
			break;
		case DRVBENCH_NB_OP_DISCARD:
			if (!exact)
				break;
			std::memset(sh_.shadow.data() + off, 0, io.nr_bytes);
			for (uint64_t p = off / 4096; p <= (off + io.nr_bytes - 1) / 4096; p++)
				if (p * 4096 >= off && (p + 1) * 4096 <= off + io.nr_bytes)
					sh_.page_used[p] = 0;
			break;
		case DRVBENCH_NB_OP_READ:
			if (exact)
				f.expect_data.assign(sh_.shadow.begin() + off,
						     sh_.shadow.begin() + off + io.nr_bytes);
			break;
		default:
			break;
		}
	}

	void reap(uint32_t max)
	{
		uint32_t n = sh_.dev.complete(q_, now_, cqes_.data(), max);
		if (n > max) {
			fail("complete returned " + std::to_string(n) + " > max " + std::to_string(max));
			n = max;
		}
		for (uint32_t j = 0; j < n; j++)
			completed(cqes_[j]);
	}

	void completed(const drvbench_nullblk_cqe &cqe)
	{
		uint32_t i = uint32_t(cqe.user_data);
		if ((cqe.user_data >> 32) != q_ || i >= ios_.size() || ios_[i].expect < 0 ||
		    ios_[i].done) {
			fail("unexpected cqe user_data " + std::to_string(cqe.user_data));
			return;
		}
		Inflight &f = ios_[i];
		const drvbench_nullblk_io &io = f.io;
		f.done = true;
		inflight_--;
		res.statuses[i] = cqe.status;
		char what[160];
		std::snprintf(what, sizeof what, "io %u op %u sector %llu nr_bytes %u", i, io.op,
			      (unsigned long long)io.sector, io.nr_bytes);
		if (cqe.status != f.expect)
			fail(std::string(what) + ": status " + status_name(cqe.status) + ", expected " +
			     status_name(f.expect));
		if (io.op == DRVBENCH_NB_OP_READ) {
			const uint32_t bs = sh_.spec.cfg.blocksize;
			if (cqe.status == DRVBENCH_NB_STS_OK && sh_.spec.cfg.memory_backed) {
				if (sh_.spec.model_contents && f.buf != f.expect_data)
					fail(std::string(what) + ": read data: " +
					     first_diff(f.buf, f.expect_data));
				std::string why;
				for (uint32_t off = 0; off + bs <= io.nr_bytes; off += bs)
					if (!check_block(f.buf.data() + off, bs, io.sector + off / 512,
							 &why)) {
						fail(std::string(what) + ": verify: " + why);
						break;
					}
			} else if (!std::all_of(f.buf.begin(), f.buf.end(),
						[](uint8_t b) { return b == kSentinel; })) {
				fail(std::string(what) + ": buffer changed by a read that transfers nothing");
			}
		}
		f.buf.clear();
		f.buf.shrink_to_fit();
		f.expect_data.clear();
		f.expect_data.shrink_to_fit();
	}

	Shared &sh_;
	uint32_t q_;
	uint64_t rng_;
	uint64_t size_sectors_ = 0, bsec_ = 1, rstart_ = 0, rsectors_ = 0;
	uint64_t now_ = 1000;
	std::vector<Inflight> ios_;
	std::vector<uint32_t> pending_;
	std::vector<drvbench_nullblk_io> batch_;
	std::vector<drvbench_nullblk_cqe> cqes_;
	uint32_t next_ = 0;
	uint32_t inflight_ = 0;
};

JobResult run(const Plugin &p, const JobSpec &spec, bool threads)
{
	JobResult r;
	drvbench_nullblk_config cfg = spec.cfg;
	cfg.badblocks = spec.badblocks.data();
	cfg.nr_badblocks = uint32_t(spec.badblocks.size());
	std::string err;
	Dev dev(p, cfg, &err);
	if (!dev) {
		r.failures.push_back("create: " + err);
		return r;
	}
	Shared sh{spec, Model{cfg, spec.badblocks}, dev, {}, {}};
	if (spec.cfg.memory_backed) {
		if (spec.model_contents)
			sh.shadow.assign(cfg.size, 0);
		sh.page_used.assign((cfg.size + 4095) / 4096, 0);
	}
	std::vector<std::unique_ptr<QueueDriver>> qs;
	for (uint32_t q = 0; q < cfg.submit_queues; q++)
		qs.push_back(std::make_unique<QueueDriver>(sh, q));
	if (threads) {
		std::vector<std::thread> ts;
		for (auto &qd : qs)
			ts.emplace_back([&qd] { qd->run(); });
		for (auto &t : ts)
			t.join();
	} else {
		uint64_t guard = 0, limit = 100ull * spec.ios_per_queue * qs.size() + 100000;
		for (bool more = true; more;) {
			more = false;
			for (auto &qd : qs) {
				if (qd->finished() || qd->res.failures.size() > 20)
					continue;
				qd->step();
				more = true;
			}
			if (++guard > limit) {
				r.failures.push_back("job does not finish (lost completions?)");
				break;
			}
		}
	}
	uint64_t total = 0, errors = 0, busy = 0;
	for (auto &qd : qs) {
		for (int32_t s : qd->res.statuses) {
			total++;
			errors += s != DRVBENCH_NB_STS_OK;
		}
		busy += qd->res.busy_seen;
		r.failures.insert(r.failures.end(), qd->res.failures.begin(), qd->res.failures.end());
		r.queues.push_back(std::move(qd->res));
	}
	r.stats = dev.stats();
	auto check = [&](const char *name, uint64_t got, uint64_t want) {
		if (got != want)
			r.failures.push_back(std::string("stats.") + name + " = " + std::to_string(got) +
					     ", expected " + std::to_string(want));
	};
	check("submitted", r.stats.submitted, total);
	check("completed", r.stats.completed, total);
	check("errors", r.stats.errors, errors);
	check("busy", r.stats.busy, busy);
	check("req_alloc", r.stats.req_alloc, total);
	check("req_free", r.stats.req_free, total);
	if (spec.cfg.memory_backed) {
		uint64_t pages = 0;
		for (uint8_t u : sh.page_used)
			pages += u;
		if (spec.model_contents)
			check("pages", r.stats.pages, pages);
		r.contents = dev.contents(cfg.size, cfg.blocksize);
		if (spec.model_contents) {
			std::string d = first_diff(r.contents, sh.shadow);
			if (!d.empty())
				r.failures.push_back("final contents vs model: " + d);
		}
		std::string why;
		for (uint64_t off = 0; off < cfg.size; off += cfg.blocksize)
			if (!check_block(r.contents.data() + off, cfg.blocksize, off / 512, &why)) {
				r.failures.push_back("final contents: " + why);
				break;
			}
	} else {
		check("pages", r.stats.pages, 0);
	}
	return r;
}

}  // namespace

JobResult run_job(const Plugin &p, const JobSpec &spec) { return run(p, spec, false); }
JobResult run_job_threads(const Plugin &p, const JobSpec &spec) { return run(p, spec, true); }

}  // namespace nbtest
