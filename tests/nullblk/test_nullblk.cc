// SPDX-License-Identifier: MIT
// nullblk tests over every plugin with nullblk ops: attributes, request
// lifecycle and tags, I/O semantics (bad I/O changes nothing), seeded verify
// jobs across block sizes, queue counts and completion modes, and C vs C++.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "nb_support.h"

using namespace nbtest;

namespace {

std::string join(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &x : v)
		s += "\n  " + x;
	return s;
}

drvbench_nullblk_io make_io(uint32_t op, uint64_t sector, void *buf, uint32_t nr, uint64_t ud)
{
	drvbench_nullblk_io io{};
	io.op = op;
	io.sector = sector;
	io.buf = buf;
	io.nr_bytes = nr;
	io.user_data = ud;
	return io;
}

}  // namespace

TEST(NullblkDiscovery, PluginsLoad)
{
	const Discovery &d = discover();
	EXPECT_TRUE(d.errors.empty()) << join(d.errors);
	ASSERT_FALSE(d.plugins.empty()) << "no plugin with nullblk ops in " << d.dir;
	EXPECT_NE(reference_plugin(), nullptr) << "no c-base plugin: differential tests need it";
}

// ---------------------------------------------------------------------------
// Attributes

struct BadAttr {
	const char *name;
	void (*edit)(drvbench_nullblk_config &);
	const char *message;
};

static const drvbench_nb_badblock kBadNullList[1] = {};
static const drvbench_nb_badblock kBadEmpty[2] = {{8, 8}, {64, 0}};
static const drvbench_nb_badblock kBadPastEnd[1] = {{16380, 8}};
static const drvbench_nb_badblock kBadAtEnd[2] = {{0, 1}, {16384, 1}};
static const drvbench_nb_badblock kBadHuge[1] = {{UINT64_MAX, 2}};

static const BadAttr kBadAttrs[] = {
	{"bs3000", [](auto &c) { c.blocksize = 3000; },
	 "blocksize: 3000 is not a power of two in 512..4096"},
	{"bs256", [](auto &c) { c.blocksize = 256; },
	 "blocksize: 256 is not a power of two in 512..4096"},
	{"bs8192", [](auto &c) { c.blocksize = 8192; },
	 "blocksize: 8192 is not a power of two in 512..4096"},
	{"bs0", [](auto &c) { c.blocksize = 0; }, "blocksize: 0 is not a power of two in 512..4096"},
	{"size0", [](auto &c) { c.size = 0; }, "size: must be > 0"},
	{"size1000", [](auto &c) { c.size = 1000; c.blocksize = 512; },
	 "size: 1000 is not a multiple of blocksize 512"},
	{"size_not_4k", [](auto &c) { c.size = (8u << 20) + 512; },
	 "size: 8389120 is not a multiple of blocksize 4096"},
	{"queues0", [](auto &c) { c.submit_queues = 0; }, "submit_queues: must be 1..256, got 0"},
	{"queues257", [](auto &c) { c.submit_queues = 257; },
	 "submit_queues: must be 1..256, got 257"},
	{"depth0", [](auto &c) { c.hw_queue_depth = 0; }, "hw_queue_depth: must be 1..4096, got 0"},
	{"depth4097", [](auto &c) { c.hw_queue_depth = 4097; },
	 "hw_queue_depth: must be 1..4096, got 4097"},
	{"irqmode7", [](auto &c) { c.irqmode = 7; },
	 "irqmode: unknown mode 7 (none=0, softirq=1, timer=2)"},
	{"memory_backed2", [](auto &c) { c.memory_backed = 2; },
	 "memory_backed: must be 0 or 1, got 2"},
	{"discard3", [](auto &c) { c.discard = 3; }, "discard: must be 0 or 1, got 3"},
	{"bb_null", [](auto &c) { c.nr_badblocks = 2; c.badblocks = nullptr; },
	 "badblocks: 2 ranges but no list"},
	{"bb_empty", [](auto &c) { c.nr_badblocks = 2; c.badblocks = kBadEmpty; },
	 "badblocks: range 1 is empty"},
	{"bb_past_end", [](auto &c) { c.nr_badblocks = 1; c.badblocks = kBadPastEnd; },
	 "badblocks: range 0 [16380, +8) is past the end (16384 sectors)"},
	{"bb_at_end", [](auto &c) { c.nr_badblocks = 2; c.badblocks = kBadAtEnd; },
	 "badblocks: range 1 [16384, +1) is past the end (16384 sectors)"},
	{"bb_huge", [](auto &c) { c.nr_badblocks = 1; c.badblocks = kBadHuge; },
	 "badblocks: range 0 [18446744073709551615, +2) is past the end (16384 sectors)"},
	// The first bad attribute in attribute order wins.
	{"first_wins", [](auto &c) { c.blocksize = 3000; c.hw_queue_depth = 0; c.irqmode = 9; },
	 "blocksize: 3000 is not a power of two in 512..4096"},
	{"depth_before_irqmode", [](auto &c) { c.hw_queue_depth = 0; c.irqmode = 9; },
	 "hw_queue_depth: must be 1..4096, got 0"},
};

class NullblkAttr : public ::testing::TestWithParam<Plugin> {};

TEST_P(NullblkAttr, BadAttributesRefusedWithExactMessage)
{
	(void)kBadNullList;
	for (const BadAttr &b : kBadAttrs) {
		SCOPED_TRACE(b.name);
		drvbench_nullblk_config c = default_config();
		b.edit(c);
		std::string err;
		Dev d(GetParam(), c, &err);
		EXPECT_FALSE(d);
		EXPECT_EQ(err, b.message);
	}
}

TEST_P(NullblkAttr, NullConfigAndSmallErrorBuffers)
{
	const drvbench_nullblk_ops *ops = GetParam().ops;
	char buf[DRVBENCH_NB_ERR_SIZE];
	EXPECT_EQ(ops->create(nullptr, buf, sizeof buf), nullptr);
	EXPECT_STREQ(buf, "config: NULL");

	drvbench_nullblk_config c = default_config();
	c.irqmode = 7;
	EXPECT_EQ(ops->create(&c, nullptr, 0), nullptr);  // no buffer: no write
	char small[12];
	std::memset(small, 'x', sizeof small);
	EXPECT_EQ(ops->create(&c, small, 10), nullptr);
	EXPECT_STREQ(small, "irqmode: ");  // truncated, NUL-terminated
	EXPECT_EQ(small[10], 'x');
	small[0] = 'x';
	EXPECT_EQ(ops->create(&c, small, 1), nullptr);
	EXPECT_EQ(small[0], '\0');
}

TEST_P(NullblkAttr, EdgeValuesAccepted)
{
	struct Ok {
		const char *name;
		void (*edit)(drvbench_nullblk_config &);
	};
	static const drvbench_nb_badblock whole[1] = {{0, 16384}};
	const Ok oks[] = {
		{"bs512", [](auto &c) { c.blocksize = 512; c.size = 512; }},
		{"depth1", [](auto &c) { c.hw_queue_depth = 1; }},
		{"depth4096", [](auto &c) { c.hw_queue_depth = 4096; }},
		{"queues256", [](auto &c) { c.submit_queues = 256; c.hw_queue_depth = 2; }},
		{"timer0", [](auto &c) { c.irqmode = 2; c.completion_nsec = 0; }},
		{"bb_whole", [](auto &c) { c.nr_badblocks = 1; c.badblocks = whole; }},
		{"huge", [](auto &c) { c.size = uint64_t(1) << 50; }},
		{"no_mem", [](auto &c) { c.memory_backed = 0; c.discard = 0; }},
	};
	for (const Ok &o : oks) {
		SCOPED_TRACE(o.name);
		drvbench_nullblk_config c = default_config();
		o.edit(c);
		std::string err;
		Dev d(GetParam(), c, &err);
		EXPECT_TRUE(d) << err;
	}
}

// Random attribute values (valid and not): every plugin answers as c-base does.
TEST_P(NullblkAttr, SameAnswerAsReference)
{
	const Plugin *ref = reference_plugin();
	ASSERT_NE(ref, nullptr);
	uint64_t s = 42;
	auto rnd = [&s] {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		return s >> 33;
	};
	drvbench_nb_badblock bb[3];
	for (int i = 0; i < 400; i++) {
		drvbench_nullblk_config c = default_config();
		const uint32_t bss[] = {0, 256, 512, 1000, 1024, 2048, 3000, 4096, 8192};
		c.blocksize = bss[rnd() % 9];
		c.size = (rnd() % 3) ? (rnd() % 64 + 1) * 4096 : rnd() % 100000;
		c.submit_queues = uint32_t(rnd() % 260);
		c.hw_queue_depth = uint32_t(rnd() % 5000);
		c.irqmode = uint32_t(rnd() % 4);
		c.memory_backed = uint32_t(rnd() % 3);
		c.discard = uint32_t(rnd() % 3);
		c.nr_badblocks = uint32_t(rnd() % 4);
		for (auto &b : bb)
			b = {rnd() % 600, rnd() % 40};
		c.badblocks = rnd() % 8 ? bb : nullptr;
		if (rnd() % 2)  // mostly valid, to reach the later attributes
			c.submit_queues = 1 + c.submit_queues % 4, c.hw_queue_depth = 1 + c.hw_queue_depth % 64;
		std::string e1, e2;
		Dev a(GetParam(), c, &e1);
		Dev b(*ref, c, &e2);
		EXPECT_EQ(bool(a), bool(b)) << i;
		EXPECT_EQ(e1, e2) << i;
	}
}

NBTEST_INSTANTIATE(NullblkAttr);

// ---------------------------------------------------------------------------
// Tags, busy and the request lifecycle

class NullblkQueue : public ::testing::TestWithParam<Plugin> {};

TEST_P(NullblkQueue, FullQueueIsBusyAndNeverOverruns)
{
	for (uint32_t irq : {0u, 1u, 2u}) {
		for (uint32_t depth : {1u, 2u, 63u, 64u, 65u, 100u, 128u, 4096u}) {
			SCOPED_TRACE("irqmode " + std::to_string(irq) + " depth " + std::to_string(depth));
			drvbench_nullblk_config c = default_config();
			c.memory_backed = 0;
			c.irqmode = irq;
			c.completion_nsec = 100;
			c.hw_queue_depth = depth;
			c.submit_queues = 2;
			Dev d(GetParam(), c);
			ASSERT_TRUE(d);
			const uint32_t k = 7;
			std::vector<drvbench_nullblk_io> ios;
			for (uint32_t i = 0; i < depth + k; i++)
				ios.push_back(make_io(DRVBENCH_NB_OP_READ, (i % 2048) * 8, nullptr, 4096, i));
			for (int round = 0; round < 3; round++) {
				EXPECT_EQ(d.submit(1, ios.data(), depth + k, 10), depth);
				EXPECT_EQ(d.submit(1, ios.data() + depth, k, 20), 0u);
				// The other queue is not affected.
				EXPECT_EQ(d.submit(0, ios.data(), 1, 20), 1u);
				drvbench_nullblk_stats s = d.stats();
				EXPECT_EQ(s.submitted, (round + 1) * (depth + 1));
				EXPECT_EQ(s.busy, 2u * (round + 1));
				EXPECT_EQ(s.req_alloc - s.req_free, depth + 1);
				std::vector<drvbench_nullblk_cqe> cqes(depth + k + 1);
				EXPECT_EQ(d.complete(1, 1000, cqes.data(), depth + k + 1), depth);
				for (uint32_t i = 0; i < depth; i++) {
					EXPECT_EQ(cqes[i].user_data, i);  // oldest first
					EXPECT_EQ(cqes[i].status, DRVBENCH_NB_STS_OK);
				}
				EXPECT_EQ(d.complete(1, 1000, cqes.data(), depth + k + 1), 0u);
				EXPECT_EQ(d.complete(0, 1000, cqes.data(), 1), 1u);
				s = d.stats();
				EXPECT_EQ(s.req_alloc, s.req_free);
				EXPECT_EQ(s.completed, s.submitted);
			}
		}
	}
}

TEST_P(NullblkQueue, TagsReusedAfterPartialReaps)
{
	drvbench_nullblk_config c = default_config();
	c.memory_backed = 0;
	c.hw_queue_depth = 70;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	uint64_t ud = 0, next_expected = 0;
	std::vector<drvbench_nullblk_cqe> cqes(70);
	uint64_t rng = 7;
	uint32_t inflight = 0;
	for (int it = 0; it < 2000; it++) {
		rng = rng * 6364136223846793005ull + 1;
		uint32_t want = uint32_t(rng >> 60) + 1;
		std::vector<drvbench_nullblk_io> ios;
		for (uint32_t i = 0; i < want; i++)
			ios.push_back(make_io(DRVBENCH_NB_OP_FLUSH, 0, nullptr, 0, ud + i));
		uint32_t got = d.submit(0, ios.data(), want, 0);
		EXPECT_EQ(got, std::min(want, 70 - inflight));
		ud += got;
		inflight += got;
		uint32_t max = uint32_t((rng >> 40) % 20);
		uint32_t n = d.complete(0, 0, cqes.data(), max);
		EXPECT_EQ(n, std::min(max, inflight));
		for (uint32_t i = 0; i < n; i++)
			EXPECT_EQ(cqes[i].user_data, next_expected++);
		inflight -= n;
	}
	drvbench_nullblk_stats s = d.stats();
	EXPECT_EQ(s.req_alloc - s.req_free, inflight);
}

TEST_P(NullblkQueue, SoftirqCompletesInCompletionStep)
{
	drvbench_nullblk_config c = default_config();
	c.irqmode = DRVBENCH_NB_IRQ_SOFTIRQ;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	std::vector<uint8_t> buf(4096, 1);
	std::vector<drvbench_nullblk_io> ios;
	for (uint64_t i = 0; i < 10; i++)
		ios.push_back(make_io(DRVBENCH_NB_OP_WRITE, i * 8, buf.data(), 4096, i));
	ASSERT_EQ(d.submit(0, ios.data(), 10, 5), 10u);
	drvbench_nullblk_stats s = d.stats();
	EXPECT_EQ(s.req_alloc, 10u);
	EXPECT_EQ(s.req_free, 0u);
	EXPECT_EQ(s.pages, 10u);  // transferred at submit
	drvbench_nullblk_cqe cqes[10];
	EXPECT_EQ(d.complete(0, 5, cqes, 3), 3u);
	EXPECT_EQ(d.stats().req_free, 3u);
	EXPECT_EQ(d.complete(0, 5, cqes + 3, 10), 7u);
	for (uint64_t i = 0; i < 10; i++)
		EXPECT_EQ(cqes[i].user_data, i);
	s = d.stats();
	EXPECT_EQ(s.req_free, 10u);
	EXPECT_EQ(s.completed, 10u);
}

TEST_P(NullblkQueue, TimerCompletesAfterCompletionNsec)
{
	drvbench_nullblk_config c = default_config();
	c.irqmode = DRVBENCH_NB_IRQ_TIMER;
	c.completion_nsec = 5000;
	c.memory_backed = 0;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	std::vector<drvbench_nullblk_io> ios;
	for (uint64_t i = 0; i < 8; i++)
		ios.push_back(make_io(DRVBENCH_NB_OP_READ, i * 8, nullptr, 4096, i));
	ASSERT_EQ(d.submit(0, ios.data(), 4, 1000), 4u);
	ASSERT_EQ(d.submit(0, ios.data() + 4, 4, 2000), 4u);
	drvbench_nullblk_cqe cqes[8];
	EXPECT_EQ(d.complete(0, 5999, cqes, 8), 0u);
	EXPECT_EQ(d.stats().req_free, 0u);
	EXPECT_EQ(d.complete(0, 6000, cqes, 2), 2u);  // due ones, up to max
	EXPECT_EQ(d.complete(0, 6999, cqes + 2, 8), 2u);
	EXPECT_EQ(d.complete(0, 7000, cqes + 4, 8), 4u);
	for (uint64_t i = 0; i < 8; i++)
		EXPECT_EQ(cqes[i].user_data, i);
	EXPECT_EQ(d.stats().req_free, 8u);
}

TEST_P(NullblkQueue, DestroyWithRequestsInFlight)
{
	for (uint32_t irq : {0u, 1u, 2u}) {
		drvbench_nullblk_config c = default_config();
		c.irqmode = irq;
		c.completion_nsec = 1u << 30;
		c.submit_queues = 3;
		Dev d(GetParam(), c);
		ASSERT_TRUE(d);
		std::vector<uint8_t> buf(4096, 3);
		std::vector<drvbench_nullblk_io> ios;
		for (uint64_t i = 0; i < 20; i++)
			ios.push_back(make_io(DRVBENCH_NB_OP_WRITE, i * 8, buf.data(), 4096, i));
		EXPECT_EQ(d.submit(0, ios.data(), 20, 0), 20u);
		EXPECT_EQ(d.submit(2, ios.data(), 10, 0), 10u);
		drvbench_nullblk_cqe cqe;
		d.complete(2, 1, &cqe, 1);
		d.reset();  // destroy completes and frees everything (ASan/LSan check)
	}
}

TEST_P(NullblkQueue, BadQueueIndexIsRefused)
{
	drvbench_nullblk_config c = default_config();
	c.submit_queues = 2;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	drvbench_nullblk_io io = make_io(DRVBENCH_NB_OP_FLUSH, 0, nullptr, 0, 1);
	drvbench_nullblk_cqe cqe;
	EXPECT_EQ(d.submit(2, &io, 1, 0), 0u);
	EXPECT_EQ(d.complete(2, 0, &cqe, 1), 0u);
	EXPECT_EQ(d.submit(0, &io, 0, 0), 0u);
	EXPECT_EQ(d.stats().submitted, 0u);
}

NBTEST_INSTANTIATE(NullblkQueue);

// ---------------------------------------------------------------------------
// I/O semantics

class NullblkIo : public ::testing::TestWithParam<Plugin> {};

TEST_P(NullblkIo, UnwrittenReadsZeroAndWritesReadBack)
{
	drvbench_nullblk_config c = default_config();
	c.blocksize = 512;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	std::vector<uint8_t> r(8192, 0xee);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_READ, 3, r.data(), 8192), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(r, std::vector<uint8_t>(8192, 0));
	EXPECT_EQ(d.stats().pages, 0u);
	// 3 sectors at sector 7: straddles pages 0 and 1.
	std::vector<uint8_t> w(1536);
	for (size_t i = 0; i < w.size(); i++)
		w[i] = uint8_t(i * 7 + 1);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_WRITE, 7, w.data(), 1536), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.stats().pages, 2u);
	std::vector<uint8_t> all = d.contents(c.size, c.blocksize);
	std::vector<uint8_t> want(c.size, 0);
	std::copy(w.begin(), w.end(), want.begin() + 7 * 512);
	EXPECT_EQ(first_diff(all, want), "");
}

TEST_P(NullblkIo, BadIoChangesNothing)
{
	static const drvbench_nb_badblock bad[2] = {{64, 8}, {1001, 1}};
	for (uint32_t bs : {512u, 4096u}) {
		for (uint32_t irq : {0u, 1u, 2u}) {
			SCOPED_TRACE("bs " + std::to_string(bs) + " irqmode " + std::to_string(irq));
			drvbench_nullblk_config c = default_config();
			c.size = 1u << 20;  // 2048 sectors
			c.blocksize = bs;
			c.irqmode = irq;
			c.badblocks = bad;
			c.nr_badblocks = 2;
			c.discard = 1;
			Dev d(GetParam(), c);
			ASSERT_TRUE(d);
			// A fresh device: bad writes allocate nothing.
			std::vector<uint8_t> w(16384);
			for (size_t i = 0; i < w.size(); i++)
				w[i] = uint8_t(i ^ (i >> 8));
			struct Case {
				uint32_t op;
				uint64_t sector;
				uint32_t nr;
				int32_t status;
			};
			const uint32_t bsec = bs / 512;
			std::vector<Case> cases = {
				{DRVBENCH_NB_OP_WRITE, 0, 0, DRVBENCH_NB_STS_INVAL},
				{DRVBENCH_NB_OP_WRITE, 0, bs + 512 * (bs == 512 ? 0 : 1) + (bs == 512 ? 1 : 0),
				 DRVBENCH_NB_STS_INVAL},
				{DRVBENCH_NB_OP_WRITE, 2048 - bsec, 2 * bs, DRVBENCH_NB_STS_INVAL},
				{DRVBENCH_NB_OP_WRITE, 2048, bs, DRVBENCH_NB_STS_INVAL},
				{DRVBENCH_NB_OP_WRITE, uint64_t(1) << 61, bs, DRVBENCH_NB_STS_INVAL},
				{DRVBENCH_NB_OP_WRITE, UINT64_MAX - 7, bs, DRVBENCH_NB_STS_INVAL},
				{DRVBENCH_NB_OP_WRITE, 56, 16384, DRVBENCH_NB_STS_IOERR},
				{DRVBENCH_NB_OP_WRITE, 64 + 7 - (7 % bsec), bs, DRVBENCH_NB_STS_IOERR},
				{DRVBENCH_NB_OP_WRITE, 1001 - (1001 % bsec), bs, DRVBENCH_NB_STS_IOERR},
				{DRVBENCH_NB_OP_DISCARD, 0, 16384 * 4, DRVBENCH_NB_STS_IOERR},
				{DRVBENCH_NB_OP_DISCARD, 0, 0, DRVBENCH_NB_STS_INVAL},
				{DRVBENCH_NB_OP_READ, 56, 8192, DRVBENCH_NB_STS_IOERR},
				{DRVBENCH_NB_OP_READ, 2048, bs, DRVBENCH_NB_STS_INVAL},
				{77, 0, bs, DRVBENCH_NB_STS_NOTSUPP},
			};
			if (bsec > 1) {
				cases.push_back({DRVBENCH_NB_OP_WRITE, 1, bs, DRVBENCH_NB_STS_INVAL});
				cases.push_back({DRVBENCH_NB_OP_DISCARD, 4, bs, DRVBENCH_NB_STS_INVAL});
				cases.push_back({DRVBENCH_NB_OP_READ, 3, bs, DRVBENCH_NB_STS_INVAL});
			}
			auto run_cases = [&] {
				for (const Case &k : cases) {
					SCOPED_TRACE("op " + std::to_string(k.op) + " sector " +
						     std::to_string(k.sector) + " nr " + std::to_string(k.nr));
					std::vector<uint8_t> buf(std::max<uint32_t>(k.nr, 1), 0x5c);
					if (k.op == DRVBENCH_NB_OP_WRITE)
						std::copy(w.begin(), w.begin() + std::min<size_t>(w.size(), buf.size()),
							  buf.begin());
					std::vector<uint8_t> before = buf;
					EXPECT_EQ(d.io(0, k.op, k.sector, buf.data(), k.nr), k.status);
					EXPECT_EQ(buf, before);  // nothing read into a failed read's buffer
				}
			};
			run_cases();
			drvbench_nullblk_stats s = d.stats();
			EXPECT_EQ(s.pages, 0u);
			EXPECT_EQ(s.errors, cases.size());
			EXPECT_EQ(d.contents(c.size, bs), std::vector<uint8_t>(c.size, 0));

			// Fill the device (around the bad blocks), then again: nothing changes.
			for (uint64_t sec = 0; sec < 2048; sec += 32)
				for (uint64_t b = sec; b < sec + 32; b += bsec)
					(void)d.io(0, DRVBENCH_NB_OP_WRITE, b, w.data() + (b - sec) * 512, bs);
			const uint64_t pages = d.stats().pages;
			EXPECT_EQ(pages, bs == 512 ? 255u : 254u);  // never: page 8, and 125 at 4k
			std::vector<uint8_t> full = d.contents(c.size, bs);
			run_cases();
			EXPECT_EQ(d.stats().pages, pages);
			EXPECT_EQ(first_diff(d.contents(c.size, bs), full), "");
		}
	}
}

TEST_P(NullblkIo, DiscardFreesWholePagesAndZeroesPartialOnes)
{
	drvbench_nullblk_config c = default_config();
	c.blocksize = 512;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	std::vector<uint8_t> w(16384, 0x77);
	ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_WRITE, 0, w.data(), 16384), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.stats().pages, 4u);
	// [2 KiB, 10 KiB): page 1 whole, pages 0 and 2 in part.
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_DISCARD, 4, nullptr, 8192), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.stats().pages, 3u);
	std::vector<uint8_t> r(16384);
	ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_READ, 0, r.data(), 16384), DRVBENCH_NB_STS_OK);
	for (size_t i = 0; i < r.size(); i++)
		ASSERT_EQ(r[i], (i >= 2048 && i < 10240) ? 0 : 0x77) << i;
	// Discarding unwritten space and the rest.
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_DISCARD, 0, nullptr, 1u << 20), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.stats().pages, 0u);
	EXPECT_EQ(d.contents(c.size, 512), std::vector<uint8_t>(c.size, 0));
	// Rewrite after discard allocates again.
	ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_WRITE, 8, w.data(), 512), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.stats().pages, 1u);
}

TEST_P(NullblkIo, DiscardDisabledIsNotSupported)
{
	drvbench_nullblk_config c = default_config();
	c.discard = 0;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	std::vector<uint8_t> w(4096, 0x11);
	ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_WRITE, 0, w.data(), 4096), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_DISCARD, 0, nullptr, 4096), DRVBENCH_NB_STS_NOTSUPP);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_DISCARD, 3, nullptr, 0), DRVBENCH_NB_STS_NOTSUPP);
	EXPECT_EQ(d.stats().pages, 1u);
	std::vector<uint8_t> r(4096);
	ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_READ, 0, r.data(), 4096), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(r, w);
}

TEST_P(NullblkIo, FlushSucceeds)
{
	drvbench_nullblk_config c = default_config();
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_FLUSH, 0, nullptr, 0), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.stats().pages, 0u);
}

TEST_P(NullblkIo, WithoutMemoryBackingNothingIsTransferred)
{
	drvbench_nullblk_config c = default_config();
	c.memory_backed = 0;
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	std::vector<uint8_t> w(8192, 0x42), r(8192, 0x99);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_WRITE, 8, w.data(), 8192), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_READ, 8, r.data(), 8192), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(r, std::vector<uint8_t>(8192, 0x99));
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_READ, 8, nullptr, 8192), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_DISCARD, 8, nullptr, 8192), DRVBENCH_NB_STS_OK);
	EXPECT_EQ(d.stats().pages, 0u);
}

TEST_P(NullblkIo, MemoryBackedNeedsABuffer)
{
	drvbench_nullblk_config c = default_config();
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_WRITE, 8, nullptr, 4096), DRVBENCH_NB_STS_INVAL);
	EXPECT_EQ(d.io(0, DRVBENCH_NB_OP_READ, 8, nullptr, 4096), DRVBENCH_NB_STS_INVAL);
	EXPECT_EQ(d.stats().pages, 0u);
}

TEST_P(NullblkIo, LargeDeviceUsesDeepTree)
{
	drvbench_nullblk_config c = default_config();
	c.size = uint64_t(1) << 44;  // 2^32 pages: a 6-level tree
	Dev d(GetParam(), c);
	ASSERT_TRUE(d);
	const uint64_t last = (c.size >> 9) - 8;
	std::vector<uint8_t> w(4096);
	for (uint64_t sector : {uint64_t(0), last, (last / 2 & ~uint64_t(7)) + 8, uint64_t(8) << 30}) {
		SCOPED_TRACE(sector);
		for (size_t i = 0; i < w.size(); i++)
			w[i] = uint8_t(sector + i);
		ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_WRITE, sector, w.data(), 4096), DRVBENCH_NB_STS_OK);
		std::vector<uint8_t> r(4096);
		ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_READ, sector, r.data(), 4096), DRVBENCH_NB_STS_OK);
		EXPECT_EQ(r, w);
		const uint64_t near = sector >= 512 ? sector - 512 : sector + 512;  // 64 pages away
		ASSERT_EQ(d.io(0, DRVBENCH_NB_OP_READ, near, r.data(), 4096),
			  DRVBENCH_NB_STS_OK);
		EXPECT_EQ(r, std::vector<uint8_t>(4096, 0));
	}
	EXPECT_EQ(d.stats().pages, 4u);
}

NBTEST_INSTANTIATE(NullblkIo);

// ---------------------------------------------------------------------------
// Seeded jobs with verify, and C vs C++

static JobSpec matrix_spec(uint32_t bs, uint32_t queues, uint32_t irq, uint64_t seed)
{
	JobSpec s;
	s.seed = seed;
	s.cfg.size = 2u << 20;
	s.cfg.blocksize = bs;
	s.cfg.submit_queues = queues;
	s.cfg.hw_queue_depth = 16 + 8 * queues;
	s.cfg.irqmode = irq;
	s.cfg.completion_nsec = 3000;
	s.badblocks = {{777, 3}, {2048, 16}, {4000, 1}};
	s.ios_per_queue = 500;
	s.batch = 4 + queues * 3;
	return s;
}

class NullblkJob : public ::testing::TestWithParam<Plugin> {};

TEST_P(NullblkJob, VerifyAcrossBlockSizesQueuesAndModes)
{
	for (uint32_t bs : {512u, 1024u, 2048u, 4096u})
		for (uint32_t queues : {1u, 2u, 4u})
			for (uint32_t irq : {0u, 1u, 2u}) {
				SCOPED_TRACE("bs " + std::to_string(bs) + " queues " + std::to_string(queues) +
					     " irqmode " + std::to_string(irq));
				JobResult r = run_job(GetParam(), matrix_spec(bs, queues, irq, bs + queues + irq));
				EXPECT_TRUE(r.failures.empty()) << join(r.failures);
				EXPECT_GT(r.stats.pages, 0u);
			}
}

TEST_P(NullblkJob, WithoutMemoryBacking)
{
	for (uint32_t irq : {0u, 1u, 2u}) {
		SCOPED_TRACE(irq);
		JobSpec s = matrix_spec(4096, 3, irq, 99);
		s.cfg.memory_backed = 0;
		s.cfg.discard = irq % 2;
		s.ios_per_queue = 2000;
		JobResult r = run_job(GetParam(), s);
		EXPECT_TRUE(r.failures.empty()) << join(r.failures);
	}
}

TEST_P(NullblkJob, SameStatusesAndContentsAsReference)
{
	const Plugin *ref = reference_plugin();
	ASSERT_NE(ref, nullptr);
	struct Cfg {
		uint32_t bs, queues, irq, depth, batch;
	};
	const Cfg cfgs[] = {{512, 1, 0, 4, 16}, {4096, 4, 2, 8, 8}, {2048, 2, 1, 128, 32},
			    {1024, 3, 2, 1, 3}};
	uint64_t seed = 1000;
	for (const Cfg &k : cfgs) {
		SCOPED_TRACE("bs " + std::to_string(k.bs) + " queues " + std::to_string(k.queues));
		JobSpec s = matrix_spec(k.bs, k.queues, k.irq, ++seed);
		s.cfg.hw_queue_depth = k.depth;  // small depths: busy paths taken
		s.batch = k.batch;
		s.cfg.discard = seed % 2;
		JobResult a = run_job(GetParam(), s);
		JobResult b = run_job(*ref, s);
		EXPECT_TRUE(a.failures.empty()) << join(a.failures);
		ASSERT_EQ(a.queues.size(), b.queues.size());
		for (size_t q = 0; q < a.queues.size(); q++) {
			EXPECT_EQ(a.queues[q].statuses, b.queues[q].statuses) << "queue " << q;
			EXPECT_EQ(a.queues[q].busy_seen, b.queues[q].busy_seen) << "queue " << q;
		}
		EXPECT_EQ(first_diff(a.contents, b.contents), "");
		EXPECT_EQ(std::memcmp(&a.stats, &b.stats, sizeof a.stats), 0);
	}
}

NBTEST_INSTANTIATE(NullblkJob);
