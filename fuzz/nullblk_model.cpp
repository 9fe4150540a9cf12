// nullblk_model: the C, the safe C++ and (when rustc is found) the safe Rust nullblk, each checked
// against a reference model of the
// device (docs/nullblk.md "Contract"), on arbitrary attributes and request sequences.
//
// Input: attributes (blocksize, size up to TiBs so the radix tree gets deep, queues, depth,
// irqmode, completion_nsec, memory_backed, discard, bad blocks; sometimes invalid ones), then
// up to 256 steps: submit a batch of 1..4 I/Os (any op, sector, length, buffer or NULL) on a
// queue (sometimes an invalid one), run a queue's completion step with some max, or advance
// the simulated clock. Then (usually) everything is reaped and the device read back.
//
// The model is a sparse byte image of the device (4 KiB pages, absent = zeros, the set of pages
// is the set of backing pages), per-queue FIFOs of in-flight requests with their expected
// status and due time, and the expected stats. Properties, for each side:
//  - create() refuses exactly the attribute sets the contract refuses, naming the first bad
//    attribute; C and C++ write the same message;
//  - submit() accepts min(n, free tags) I/Os; complete() reaps exactly the due prefix (up to
//    max) in submission order, each with the status the model computed;
//  - a successful memory-backed READ returns the model's bytes; every other buffer (writes,
//    errors, no backing) comes back untouched; the final read-back equals the model;
//  - stats: submitted, busy, completed, errors, req_alloc == req_free, pages as the model says;
//  - C and C++ agree on every return, cqe and statistic.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <drvbench/nullblk.h>

#include "fuzz_check.hpp"

extern "C" {
drvbench_nullblk_dev *nb_create(const drvbench_nullblk_config *cfg, char *err, size_t err_size);
void nb_destroy(drvbench_nullblk_dev *dev);
uint32_t nb_submit(drvbench_nullblk_dev *dev, uint32_t hctx, const drvbench_nullblk_io *ios, uint32_t n,
		   uint64_t now_ns);
uint32_t nb_complete(drvbench_nullblk_dev *dev, uint32_t hctx, uint64_t now_ns, drvbench_nullblk_cqe *cqes,
		     uint32_t max);
void nb_stats(const drvbench_nullblk_dev *dev, drvbench_nullblk_stats *out);
extern const drvbench_nullblk_ops drvbench_cpp_nullblk_ops;
#ifdef DRVBENCH_FUZZ_RUST
extern const drvbench_nullblk_ops drvbench_rust_nullblk_ops; // rust_drivers/nullblk/fuzz_export.rs
#endif
}

namespace {

constexpr uint32_t kPage = DRVBENCH_NB_PAGE_SIZE;
constexpr uint32_t kMaxIoBytes = 256 * 1024;

const drvbench_nullblk_ops kC = {nb_create, nb_destroy, nb_submit, nb_complete, nb_stats};
const drvbench_nullblk_ops &kCpp = drvbench_cpp_nullblk_ops;
#ifdef DRVBENCH_FUZZ_RUST
constexpr int kSides = 3;
const char *const kSide[kSides] = {"C", "C++", "Rust"};
#else
constexpr int kSides = 2;
const char *const kSide[kSides] = {"C", "C++"};
#endif

// ---- the reference model ----------------------------------------------------------------

struct Expected {
	uint64_t user_data;
	int32_t status;
	uint64_t due_from; // submit time (softirq: due at any later complete; timer: + nsec)
	bool check_read;   // memory-backed READ with OK: buf must hold `read`
	std::vector<uint8_t> read;
	std::vector<uint8_t> fill; // the buffer as submitted (for "untouched")
	// each side's buffer (owned here until reaped)
	std::unique_ptr<uint8_t[]> buf[kSides];
	bool has_buf = false;
	uint32_t nr_bytes = 0;
};

struct Model {
	drvbench_nullblk_config cfg{};
	std::vector<drvbench_nb_badblock> bb;
	uint64_t size_sectors = 0;
	std::map<uint64_t, std::array<uint8_t, kPage>> pages;
	std::vector<std::deque<Expected>> q;
	drvbench_nullblk_stats st{};

	bool due(const Expected &e, uint64_t now) const
	{
		switch (cfg.irqmode) {
		case DRVBENCH_NB_IRQ_TIMER:
			return now - e.due_from >= cfg.completion_nsec;
		default:
			return true;
		}
	}

	int32_t check(const drvbench_nullblk_io &io) const
	{
		switch (io.op) {
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
		const uint64_t bs_sectors = cfg.blocksize / 512;
		if (io.nr_bytes == 0 || io.nr_bytes % cfg.blocksize || io.sector % bs_sectors)
			return DRVBENCH_NB_STS_INVAL;
		const uint64_t n = io.nr_bytes / 512;
		if (io.sector > size_sectors || n > size_sectors - io.sector)
			return DRVBENCH_NB_STS_INVAL;
		if (io.op != DRVBENCH_NB_OP_DISCARD && cfg.memory_backed && !io.buf)
			return DRVBENCH_NB_STS_INVAL;
		for (const auto &b : bb)
			if (io.sector < b.start + b.nr_sectors && b.start < io.sector + n)
				return DRVBENCH_NB_STS_IOERR;
		return DRVBENCH_NB_STS_OK;
	}

	// The transfer, one page-sized chunk at a time, as null_handle_data_transfer().
	void transfer(const drvbench_nullblk_io &io, std::vector<uint8_t> *read_out, const uint8_t *wbuf)
	{
		uint64_t pos = io.sector * 512;
		uint32_t done = 0;
		while (done < io.nr_bytes) {
			const uint64_t idx = pos / kPage;
			const uint32_t off = static_cast<uint32_t>(pos % kPage);
			const uint32_t len = std::min<uint32_t>(kPage - off, io.nr_bytes - done);
			auto it = pages.find(idx);
			switch (io.op) {
			case DRVBENCH_NB_OP_READ:
				if (it != pages.end())
					std::memcpy(read_out->data() + done, it->second.data() + off, len);
				else
					std::memset(read_out->data() + done, 0, len);
				break;
			case DRVBENCH_NB_OP_WRITE:
				if (it == pages.end())
					it = pages.emplace(idx, std::array<uint8_t, kPage>{}).first;
				std::memcpy(it->second.data() + off, wbuf + done, len);
				break;
			default: // DISCARD
				if (len == kPage)
					pages.erase(idx);
				else if (it != pages.end())
					std::memset(it->second.data() + off, 0, len);
			}
			done += len;
			pos += len;
		}
	}
};

// The first bad attribute, as docs/nullblk.md orders them; "" when the config is good.
std::string first_bad_attribute(const drvbench_nullblk_config &c)
{
	const uint32_t bs = c.blocksize;
	if (bs < 512 || bs > 4096 || (bs & (bs - 1)))
		return "blocksize";
	if (c.size == 0 || c.size % bs)
		return "size";
	if (c.submit_queues < 1 || c.submit_queues > DRVBENCH_NB_MAX_QUEUES)
		return "submit_queues";
	if (c.hw_queue_depth < 1 || c.hw_queue_depth > DRVBENCH_NB_MAX_QUEUE_DEPTH)
		return "hw_queue_depth";
	if (c.irqmode > DRVBENCH_NB_IRQ_TIMER)
		return "irqmode";
	if (c.memory_backed > 1)
		return "memory_backed";
	if (c.discard > 1)
		return "discard";
	if (c.nr_badblocks && !c.badblocks)
		return "badblocks";
	const uint64_t sectors = c.size / 512;
	for (uint32_t i = 0; i < c.nr_badblocks; i++) {
		const auto &b = c.badblocks[i];
		if (b.nr_sectors == 0 || b.start > sectors || b.nr_sectors > sectors - b.start)
			return "badblocks";
	}
	return "";
}

// ---- input ------------------------------------------------------------------------------

uint32_t pick_u32(FuzzedDataProvider &in, uint32_t lo, uint32_t hi, uint32_t bad_hi)
{
	switch (in.ConsumeIntegralInRange<int>(0, 15)) {
	case 0:
		return 0;
	case 1:
		return bad_hi;
	case 2:
		return UINT32_MAX;
	default:
		return in.ConsumeIntegralInRange<uint32_t>(lo, hi);
	}
}

drvbench_nullblk_config make_config(FuzzedDataProvider &in, std::vector<drvbench_nb_badblock> &bb, bool &null_list)
{
	drvbench_nullblk_config c{};
	const int bs_sel = in.ConsumeIntegralInRange<int>(0, 15);
	c.blocksize = bs_sel < 4 ? 512u << bs_sel : bs_sel < 12 ? 512u << (bs_sel & 3) : in.ConsumeIntegral<uint32_t>();
	const uint32_t bs = c.blocksize ? c.blocksize : 512;
	switch (in.ConsumeIntegralInRange<int>(0, 9)) {
	case 0: // large: up to 8 TiB at 4 KiB blocks (deep radix trees)
		c.size = in.ConsumeIntegralInRange<uint64_t>(1, uint64_t{1} << 31) * bs;
		break;
	case 1:
		c.size = in.ConsumeIntegral<uint64_t>();
		break;
	default:
		c.size = uint64_t{in.ConsumeIntegralInRange<uint32_t>(1, 256)} * bs;
	}
	c.submit_queues = pick_u32(in, 1, 4, DRVBENCH_NB_MAX_QUEUES + 1);
	if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
		c.hw_queue_depth = in.ConsumeIntegralInRange<uint32_t>(1, DRVBENCH_NB_MAX_QUEUE_DEPTH);
	else
		c.hw_queue_depth = pick_u32(in, 1, 8, DRVBENCH_NB_MAX_QUEUE_DEPTH + 1);
	c.irqmode = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeIntegral<uint32_t>()
								  : in.ConsumeIntegralInRange<uint32_t>(0, 2);
	c.completion_nsec = in.ConsumeIntegralInRange<uint64_t>(0, in.ConsumeBool() ? 2000 : uint64_t{1} << 40);
	c.memory_backed = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeIntegral<uint32_t>() : in.ConsumeBool();
	c.discard = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeIntegral<uint32_t>() : in.ConsumeBool();
	const uint64_t sectors = c.size / 512;
	const uint32_t nbb = in.ConsumeIntegralInRange<uint32_t>(0, 3);
	for (uint32_t i = 0; i < nbb; i++) {
		drvbench_nb_badblock b{};
		if (in.ConsumeIntegralInRange<int>(0, 15) == 0) {
			b.start = in.ConsumeIntegral<uint64_t>();
			b.nr_sectors = in.ConsumeIntegral<uint64_t>();
		} else {
			b.start = sectors ? in.ConsumeIntegralInRange<uint64_t>(0, sectors - 1) : 0;
			b.nr_sectors = in.ConsumeIntegralInRange<uint64_t>(1, 16);
			b.nr_sectors = std::min(b.nr_sectors, sectors - std::min(sectors, b.start));
		}
		bb.push_back(b);
	}
	null_list = nbb && in.ConsumeIntegralInRange<int>(0, 31) == 0;
	c.nr_badblocks = nbb;
	return c;
}

drvbench_nullblk_io make_io(FuzzedDataProvider &in, const drvbench_nullblk_config &c, uint64_t sectors)
{
	drvbench_nullblk_io io{};
	const int op = in.ConsumeIntegralInRange<int>(0, 16);
	io.op = op < 16 ? static_cast<uint32_t>(op % 4) : in.ConsumeIntegral<uint32_t>();
	const uint64_t bss = c.blocksize / 512;
	const uint64_t blocks = sectors / bss;
	switch (in.ConsumeIntegralInRange<int>(0, 7)) {
	case 0: // near the end
		io.sector = (blocks - std::min<uint64_t>(blocks, in.ConsumeIntegralInRange<uint64_t>(0, 8))) * bss;
		break;
	case 1: // anywhere, aligned or not
		io.sector = in.ConsumeIntegral<uint64_t>();
		break;
	case 2: // anywhere on the device, aligned
		io.sector = in.ConsumeIntegralInRange<uint64_t>(0, blocks) * bss;
		break;
	default: // the first pages: overlaps between I/Os
		io.sector = in.ConsumeIntegralInRange<uint64_t>(0, std::min<uint64_t>(blocks, 64)) * bss;
	}
	switch (in.ConsumeIntegralInRange<int>(0, 7)) {
	case 0:
		io.nr_bytes = in.ConsumeIntegralInRange<uint32_t>(0, kMaxIoBytes);
		break;
	default:
		io.nr_bytes = in.ConsumeIntegralInRange<uint32_t>(1, std::min<uint32_t>(16, kMaxIoBytes / c.blocksize)) *
			      c.blocksize;
	}
	return io;
}

// ---- one side under test ----------------------------------------------------------------

struct Side {
	const drvbench_nullblk_ops *ops;
	drvbench_nullblk_dev *dev = nullptr;
	int idx;
};

void check_cqes(Model &m, uint32_t hctx, const drvbench_nullblk_cqe *cqe[kSides], uint32_t n)
{
	auto &fifo = m.q[hctx];
	for (uint32_t i = 0; i < n; i++) {
		Expected &e = fifo.front();
		for (int s = 0; s < kSides; s++) {
			FUZZ_CHECK(cqe[s][i].user_data == e.user_data, "%s: queue %u cqe %u: user_data %llu, expected %llu",
				   kSide[s], hctx, i, (unsigned long long)cqe[s][i].user_data,
				   (unsigned long long)e.user_data);
			FUZZ_CHECK(cqe[s][i].status == e.status, "%s: I/O %llu: status %d, the model says %d", kSide[s],
				   (unsigned long long)e.user_data, cqe[s][i].status, e.status);
			if (!e.has_buf || e.nr_bytes == 0)
				continue;
			const uint8_t *b = e.buf[s].get();
			if (e.check_read) {
				FUZZ_CHECK(std::memcmp(b, e.read.data(), e.nr_bytes) == 0,
					   "%s: read %llu returned other bytes than the model's", kSide[s],
					   (unsigned long long)e.user_data);
			} else {
				FUZZ_CHECK(std::memcmp(b, e.fill.data(), e.nr_bytes) == 0,
					   "%s: I/O %llu (status %d) changed the caller's buffer", kSide[s],
					   (unsigned long long)e.user_data, e.status);
			}
		}
		m.st.completed++;
		if (e.status != DRVBENCH_NB_STS_OK)
			m.st.errors++;
		m.st.req_free++;
		fifo.pop_front();
	}
}

void do_complete(Model &m, Side *sd, uint32_t hctx, uint64_t now, uint32_t max, bool null_cqes = false)
{
	std::unique_ptr<drvbench_nullblk_cqe[]> cq[kSides];
	uint32_t got[kSides];
	for (int s = 0; s < kSides; s++) {
		if (!null_cqes)
			cq[s].reset(new drvbench_nullblk_cqe[max ? max : 1]);
		got[s] = sd[s].ops->complete(sd[s].dev, hctx, now, cq[s].get(), max);
	}
	uint32_t expect = 0;
	if (hctx < m.q.size() && !(null_cqes && max)) {
		for (const auto &e : m.q[hctx]) {
			if (expect == max || !m.due(e, now))
				break;
			expect++;
		}
	}
	for (int s = 0; s < kSides; s++)
		FUZZ_CHECK(got[s] == expect, "%s: complete(queue %u, now %llu, max %u) reaped %u, the model says %u",
			   kSide[s], hctx, (unsigned long long)now, max, got[s], expect);
	if (expect) {
		const drvbench_nullblk_cqe *c[kSides];
		for (int s = 0; s < kSides; s++)
			c[s] = cq[s].get();
		check_cqes(m, hctx, c, expect);
	}
}

uint64_t g_user_data;

void do_submit(Model &m, Side *sd, uint32_t hctx, std::vector<drvbench_nullblk_io> ios,
	       const std::vector<bool> &null_buf, uint64_t now, uint8_t seed, bool null_array)
{
	const uint32_t n = static_cast<uint32_t>(ios.size());
	std::vector<Expected> exp(n);
	std::vector<drvbench_nullblk_io> side_ios[kSides];
	for (auto &v : side_ios)
		v = ios;
	for (uint32_t i = 0; i < n; i++) {
		Expected &e = exp[i];
		e.user_data = ios[i].user_data = ++g_user_data;
		for (auto &v : side_ios)
			v[i].user_data = e.user_data;
		e.nr_bytes = ios[i].nr_bytes;
		e.due_from = now;
		if (null_buf[i])
			continue;
		e.has_buf = true;
		e.fill.resize(e.nr_bytes);
		for (uint32_t k = 0; k < e.nr_bytes; k++)
			e.fill[k] = static_cast<uint8_t>(seed + i * 7 + k * 13 + (k >> 9));
		for (int s = 0; s < kSides; s++) {
			// Exactly nr_bytes: AddressSanitizer sees a byte past the caller's buffer.
			e.buf[s].reset(new uint8_t[e.nr_bytes ? e.nr_bytes : 1]);
			if (e.nr_bytes)
				std::memcpy(e.buf[s].get(), e.fill.data(), e.nr_bytes);
			side_ios[s][i].buf = e.buf[s].get();
		}
		ios[i].buf = e.fill.data(); // non-NULL for the model's check
	}
	uint32_t got[kSides];
	for (int s = 0; s < kSides; s++)
		got[s] = sd[s].ops->submit(sd[s].dev, hctx, null_array ? nullptr : side_ios[s].data(), n, now);

	uint32_t expect = 0;
	if (hctx < m.q.size() && !null_array) {
		const uint32_t free_tags = m.cfg.hw_queue_depth - static_cast<uint32_t>(m.q[hctx].size());
		expect = std::min(n, free_tags);
		if (expect < n)
			m.st.busy++;
	}
	for (int s = 0; s < kSides; s++)
		FUZZ_CHECK(got[s] == expect, "%s: submit(queue %u, %u I/Os) accepted %u, the model says %u", kSide[s],
			   hctx, n, got[s], expect);
	for (uint32_t i = 0; i < expect; i++) {
		Expected &e = exp[i];
		const drvbench_nullblk_io &io = ios[i];
		e.status = m.check(io);
		if (e.status == DRVBENCH_NB_STS_OK && m.cfg.memory_backed && io.op != DRVBENCH_NB_OP_FLUSH) {
			if (io.op == DRVBENCH_NB_OP_READ) {
				e.read.resize(io.nr_bytes);
				e.check_read = e.has_buf;
			}
			m.transfer(io, &e.read, e.fill.data());
		}
		m.st.submitted++;
		m.st.req_alloc++;
		m.q[hctx].push_back(std::move(e));
	}
}

void check_stats(const Model &m, Side *sd, bool drained)
{
	drvbench_nullblk_stats st[kSides];
	for (int s = 0; s < kSides; s++)
		sd[s].ops->stats(sd[s].dev, &st[s]);
	for (int s = 0; s < kSides; s++) {
		const auto &a = st[s];
		FUZZ_CHECK(a.submitted == m.st.submitted && a.busy == m.st.busy && a.completed == m.st.completed &&
				   a.errors == m.st.errors && a.req_alloc == m.st.req_alloc,
			   "%s: stats submitted/busy/completed/errors/req_alloc %llu/%llu/%llu/%llu/%llu, model "
			   "%llu/%llu/%llu/%llu/%llu",
			   kSide[s], (unsigned long long)a.submitted, (unsigned long long)a.busy,
			   (unsigned long long)a.completed, (unsigned long long)a.errors, (unsigned long long)a.req_alloc,
			   (unsigned long long)m.st.submitted, (unsigned long long)m.st.busy,
			   (unsigned long long)m.st.completed, (unsigned long long)m.st.errors,
			   (unsigned long long)m.st.req_alloc);
		FUZZ_CHECK(a.req_free == m.st.req_free, "%s: req_free %llu, model %llu", kSide[s],
			   (unsigned long long)a.req_free, (unsigned long long)m.st.req_free);
		if (drained)
			FUZZ_CHECK(a.req_alloc == a.req_free, "%s: all reaped but req_alloc %llu != req_free %llu",
				   kSide[s], (unsigned long long)a.req_alloc, (unsigned long long)a.req_free);
		const uint64_t pages = m.cfg.memory_backed ? m.pages.size() : 0;
		FUZZ_CHECK(a.pages == pages, "%s: %llu backing pages, the model has %llu", kSide[s],
			   (unsigned long long)a.pages, (unsigned long long)pages);
	}
	for (int s = 1; s < kSides; s++)
		FUZZ_CHECK(std::memcmp(&st[0], &st[s], sizeof st[0]) == 0, "C and %s stats differ", kSide[s]);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzedDataProvider in(data, size);
	Model m;
	bool null_list = false;
	m.cfg = make_config(in, m.bb, null_list);
	m.cfg.badblocks = null_list ? nullptr : m.bb.data();

	Side sd[kSides] = {{&kC, nullptr, 0}, {&kCpp, nullptr, 1},
#ifdef DRVBENCH_FUZZ_RUST
			   {&drvbench_rust_nullblk_ops, nullptr, 2},
#endif
	};
	char err[kSides][DRVBENCH_NB_ERR_SIZE];
	const size_t err_size = in.ConsumeBool() ? DRVBENCH_NB_ERR_SIZE : in.ConsumeIntegralInRange<size_t>(0, 40);
	for (int s = 0; s < kSides; s++) {
		std::memset(err[s], 0x7f, sizeof err[s]);
		sd[s].dev = sd[s].ops->create(&m.cfg, err[s], err_size);
	}
	const std::string bad = first_bad_attribute(m.cfg);
	for (int s = 0; s < kSides; s++)
		FUZZ_CHECK((sd[s].dev == nullptr) == !bad.empty(), "%s: create() %s a config the contract %s (%s)",
			   kSide[s], sd[s].dev ? "accepted" : "refused", bad.empty() ? "accepts" : "refuses",
			   sd[s].dev ? bad.c_str() : err[s]);
	if (!bad.empty()) {
		for (int s = 1; s < kSides; s++)
			FUZZ_CHECK(std::memcmp(err[0], err[s], sizeof err[0]) == 0,
				   "error messages differ: C \"%.*s\", %s \"%.*s\"", (int)err_size, err[0], kSide[s],
				   (int)err_size, err[s]);
		if (err_size > bad.size() + 1) {
			FUZZ_CHECK(std::strncmp(err[0], bad.c_str(), bad.size()) == 0 && err[0][bad.size()] == ':',
				   "refused for \"%s\", expected the attribute %s first", err[0], bad.c_str());
			FUZZ_CHECK(std::memchr(err[0], '\0', err_size) != nullptr, "message not NUL-terminated");
		}
		for (size_t i = err_size; i < sizeof err[0]; i++)
			FUZZ_CHECK(err[0][i] == 0x7f, "create() wrote byte %zu of an err buffer of %zu", i, err_size);
		return 0;
	}
	m.cfg.badblocks = nullptr; // the drivers copied the list; the model keeps m.bb
	m.size_sectors = m.cfg.size / 512;
	m.q.resize(m.cfg.submit_queues);

	uint64_t now = 0;
	const uint32_t nq = m.cfg.submit_queues;
	auto pick_queue = [&] {
		return in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeIntegralInRange<uint32_t>(nq, nq + 2)
								   : in.ConsumeIntegralInRange<uint32_t>(0, nq - 1);
	};
	for (int step = 0; step < 256 && in.remaining_bytes() > 0; step++) {
		switch (in.ConsumeIntegralInRange<int>(0, 3)) {
		case 0:
		case 1: {
			const uint32_t hctx = pick_queue();
			const uint32_t n = in.ConsumeIntegralInRange<uint32_t>(1, 4);
			std::vector<drvbench_nullblk_io> ios;
			std::vector<bool> null_buf;
			for (uint32_t i = 0; i < n; i++) {
				ios.push_back(make_io(in, m.cfg, m.size_sectors));
				null_buf.push_back(in.ConsumeIntegralInRange<int>(0, 15) == 0);
			}
			const bool null_array = in.ConsumeIntegralInRange<int>(0, 63) == 0;
			do_submit(m, sd, hctx, std::move(ios), null_buf, now, in.ConsumeIntegral<uint8_t>(), null_array);
			break;
		}
		case 2: {
			const uint32_t hctx = pick_queue();
			now += in.ConsumeIntegralInRange<uint64_t>(0, 1500);
			const uint32_t max = in.ConsumeIntegralInRange<uint32_t>(0, 8);
			do_complete(m, sd, hctx, now, max, in.ConsumeIntegralInRange<int>(0, 31) == 0);
			break;
		}
		default:
			now += in.ConsumeIntegralInRange<uint64_t>(0, 5000);
		}
	}
	check_stats(m, sd, false);

	// Reap everything, then read the device back through the drivers and compare with the model.
	// Usually; otherwise destroy() meets requests still in flight (it must free them).
	const bool drain = in.remaining_bytes() == 0 || in.ConsumeIntegralInRange<int>(0, 3) != 0;
	if (drain) {
		now += m.cfg.completion_nsec;
		for (uint32_t h = 0; h < nq; h++)
			do_complete(m, sd, h, now, m.cfg.hw_queue_depth);
		for (uint32_t h = 0; h < nq; h++)
			FUZZ_CHECK(m.q[h].empty(), "queue %u: %zu requests not reaped after their deadline", h,
				   m.q[h].size());
		check_stats(m, sd, true);

		if (m.cfg.memory_backed) {
			std::vector<uint64_t> idxs;
			for (const auto &[idx, page] : m.pages) {
				idxs.push_back(idx);
				if (idxs.size() == 64)
					break;
			}
			idxs.push_back(0);
			for (uint64_t idx : idxs) {
				// The page, in whole blocks, clipped to the device.
				uint64_t start = idx * kPage / 512, end = std::min(m.size_sectors, (idx + 1) * kPage / 512);
				const uint64_t bss = m.cfg.blocksize / 512;
				start -= start % bss;
				if (start >= end)
					continue;
				drvbench_nullblk_io io{};
				io.op = DRVBENCH_NB_OP_READ;
				io.sector = start;
				io.nr_bytes = static_cast<uint32_t>(std::min<uint64_t>(end - start, 2 * kPage / 512) * 512);
				io.nr_bytes -= io.nr_bytes % m.cfg.blocksize;
				if (io.nr_bytes == 0)
					continue;
				do_submit(m, sd, 0, {io}, {false}, now, 0, false);
				now += m.cfg.completion_nsec;
				do_complete(m, sd, 0, now, 1);
			}
			check_stats(m, sd, true);
		}
	}
	for (int s = 0; s < kSides; s++)
		sd[s].ops->destroy(sd[s].dev);
	return 0;
}
