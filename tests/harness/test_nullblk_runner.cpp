// Unit tests of the nullblk runner's parts: the latency histogram, the offset generator,
// the verify pattern and its checker (corruption, misdirected and stale data are caught and
// told apart), the job loop against a fake backend (busy handling, exact counts, verify),
// size and badblocks parsing.
#include "drivers/nullblk_driver.hpp"
#include "errors.hpp"
#include "nullblk/job.hpp"
#include "workload.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <map>

using namespace drvbench;
using namespace drvbench::nullblk;

TEST(NullblkHistogram, BucketsCoverEveryValueWithinPrecision)
{
	for (uint64_t v : {0ull, 1ull, 63ull, 64ull, 65ull, 127ull, 128ull, 1000ull, 123456789ull, 1ull << 40, ~0ull}) {
		unsigned i = LatencyHistogram::index(v);
		EXPECT_LE(LatencyHistogram::lower(i), v);
		EXPECT_GE(LatencyHistogram::upper(i), v);
		if (v >= 64)
			EXPECT_LE(static_cast<double>(LatencyHistogram::upper(i) - LatencyHistogram::lower(i)),
				  static_cast<double>(v) / 63.0);
	}
}

TEST(NullblkHistogram, Quantiles)
{
	auto h = std::make_unique<LatencyHistogram>();
	for (uint64_t v = 1; v <= 10000; v++)
		h->record(v * 100);
	EXPECT_EQ(h->count(), 10000u);
	EXPECT_EQ(h->max(), 1000000u);
	EXPECT_NEAR(h->quantile(0.5), 500000, 500000 * 0.02);
	EXPECT_NEAR(h->quantile(0.99), 990000, 990000 * 0.02);
	EXPECT_NEAR(h->quantile(0.999), 999000, 999000 * 0.02);
	EXPECT_LE(h->quantile(1.0), 1000000);
	EXPECT_NEAR(h->mean(), 500050, 1);
	auto g = std::make_unique<LatencyHistogram>();
	g->record(5000000);
	h->merge(*g);
	EXPECT_EQ(h->max(), 5000000u);
	EXPECT_EQ(h->count(), 10001u);
}

TEST(NullblkRng, ReproducibleAndInRange)
{
	Xorshift64s a(42, 3), b(42, 3), c(42, 4);
	bool differs = false;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = a.below(1000), y = b.below(1000), z = c.below(1000);
		EXPECT_EQ(x, y);
		EXPECT_LT(x, 1000u);
		differs = differs || x != z;
	}
	EXPECT_TRUE(differs);
}

TEST(NullblkVerify, PatternChecksAndFindsEachKindOfDamage)
{
	std::vector<uint8_t> buf(4096);
	fill_block(buf.data(), 4096, 77, 3, 9);
	EXPECT_EQ(check_block(buf.data(), 4096, 77, 3, 9), "");
	EXPECT_EQ(check_block(buf.data(), 4096, 77, kUnknownGeneration, 9), "");

	auto flipped = buf;
	flipped[1000] ^= 1;
	std::string e = check_block(flipped.data(), 4096, 77, 3, 9);
	EXPECT_NE(e.find("checksum mismatch"), std::string::npos) << e;
	EXPECT_NE(e.find("byte 1000"), std::string::npos) << e;

	e = check_block(buf.data(), 4096, 78, 3, 9);
	EXPECT_NE(e.find("misdirected"), std::string::npos) << e;
	e = check_block(buf.data(), 4096, 77, 4, 9);
	EXPECT_NE(e.find("stale"), std::string::npos) << e;

	std::vector<uint8_t> zeros(4096, 0);
	EXPECT_EQ(check_block(zeros.data(), 4096, 5, 0, 9), "");
	e = check_block(zeros.data(), 4096, 5, 2, 9);
	EXPECT_NE(e.find("lost write"), std::string::npos) << e;
	e = check_block(buf.data(), 4096, 77, 0, 9);
	EXPECT_NE(e.find("never written"), std::string::npos) << e;

	// Every generation and block gives a different payload.
	std::vector<uint8_t> other(4096);
	fill_block(other.data(), 4096, 77, 4, 9);
	EXPECT_NE(memcmp(buf.data() + kVerifyHeader, other.data() + kVerifyHeader, 4096 - kVerifyHeader), 0);
}

TEST(NullblkVerify, Crc32cKnownAnswer)
{
	const char *s = "123456789";
	EXPECT_EQ(crc32c(reinterpret_cast<const uint8_t *>(s), 9), 0xe3069283u);
}

// A fake device: a map of blocks, completions one reap after submission, a queue that
// refuses past `depth` in flight, and an optional corruption of one read.
struct FakeBackend {
	uint32_t bs, depth;
	std::map<uint64_t, std::vector<uint8_t>> data;
	std::deque<std::pair<uint32_t, int32_t>> pending;
	std::vector<std::pair<uint32_t, int32_t>> done;
	std::vector<Slot> staged;
	uint64_t reads_done = 0, corrupt_at = 0, refused = 0;
	std::string none;

	void prep(uint32_t k, uint32_t slot, const Slot &sl)
	{
		if (staged.size() <= k)
			staged.resize(k + 1);
		staged[k] = sl;
		staged[k].gen = slot; // reuse: remember the slot
	}
	uint32_t flush(uint32_t n, uint64_t)
	{
		uint32_t i = 0;
		for (; i < n && pending.size() < depth; i++) {
			Slot &sl = staged[i];
			if (sl.op == DRVBENCH_NB_OP_WRITE) {
				data[sl.block].assign(sl.buf, sl.buf + bs);
			} else {
				auto it = data.find(sl.block);
				if (it == data.end())
					memset(sl.buf, 0, bs);
				else
					memcpy(sl.buf, it->second.data(), bs);
				if (++reads_done == corrupt_at)
					sl.buf[100] ^= 0xff;
			}
			pending.emplace_back(sl.gen, 0);
		}
		refused += n - i;
		return i;
	}
	uint32_t reap(uint64_t &now, bool, uint32_t max)
	{
		now = mono_ns();
		done.clear();
		while (!pending.empty() && done.size() < max) {
			done.push_back(pending.front());
			pending.pop_front();
		}
		return static_cast<uint32_t>(done.size());
	}
	uint32_t done_slot(uint32_t i) const { return done[i].first; }
	int32_t done_status(uint32_t i) const { return done[i].second; }
	void release(uint32_t) {}
	const std::string &fatal() const { return none; }
};

static JobSpec small_spec()
{
	JobSpec s;
	s.rw = Rw::RandRw;
	s.bs = 4096;
	s.iodepth = 16;
	s.batch = 4;
	s.numjobs = 1;
	s.runtime_s = 0;
	s.number_ios = 5000;
	s.size = 1 << 20;
	s.verify = true;
	s.seed = 5;
	return s;
}

TEST(NullblkJobLoop, ExactCountsBusyRetryAndVerify)
{
	JobSpec s = small_spec();
	JobState js;
	js.init(s, 0);
	FakeBackend be{s.bs, 5, {}, {}, {}, {}, 0, 0, 0, {}}; // queue of 5 behind iodepth 16: busy
	JobResult r;
	job_loop(be, s, js, r, 0, s.number_ios);
	EXPECT_EQ(r.failure, "");
	EXPECT_EQ(r.ios, 5000u);
	EXPECT_EQ(r.reads + r.writes, 5000u);
	EXPECT_GT(r.reads, 0u);
	EXPECT_GT(r.writes, 0u);
	EXPECT_GT(r.busy, 0u);
	EXPECT_EQ(r.lat->count(), 5000u);
	EXPECT_EQ(r.bytes, 5000u * 4096);
}

TEST(NullblkJobLoop, VerifyFailsOnACorruptedRead)
{
	JobSpec s = small_spec();
	JobState js;
	js.init(s, 0);
	FakeBackend be{s.bs, 64, {}, {}, {}, {}, 0, 0, 0, {}};
	// Prefill (sequential writes of the whole slice), then corrupt the 50th read.
	JobSpec pf = s;
	pf.rw = Rw::Write;
	JobResult r0;
	job_loop(be, pf, js, r0, 0, js.slice.count);
	ASSERT_EQ(r0.failure, "");
	be.corrupt_at = 50;
	JobResult r;
	job_loop(be, s, js, r, 0, s.number_ios);
	EXPECT_NE(r.failure.find("verify failed"), std::string::npos) << r.failure;
	EXPECT_NE(r.failure.find("checksum mismatch"), std::string::npos) << r.failure;
	EXPECT_LT(r.ios, 5000u); // stopped early
}

TEST(NullblkJobLoop, SlicesPartitionTheDevice)
{
	JobSpec s = small_spec();
	s.numjobs = 3;
	uint64_t next = 0;
	for (uint32_t j = 0; j < 3; j++) {
		Slice sl = job_slice(s, j);
		EXPECT_EQ(sl.first, next);
		next += sl.count;
	}
	EXPECT_EQ(next, s.nblocks());
}

TEST(NullblkParams, SizesAndBadblocks)
{
	EXPECT_EQ(parse_size("4k"), 4096);
	EXPECT_EQ(parse_size("64K"), 65536);
	EXPECT_EQ(parse_size("1m"), 1 << 20);
	EXPECT_EQ(parse_size("1g"), int64_t{1} << 30);
	EXPECT_EQ(parse_size("2GiB"), int64_t{2} << 30);
	EXPECT_EQ(parse_size("512"), 512);
	EXPECT_FALSE(parse_size("4q"));
	EXPECT_FALSE(parse_size("k"));
	EXPECT_FALSE(parse_size("-4k"));
	EXPECT_FALSE(parse_size("99999999999t"));

	auto bb = parse_badblocks("0-7, +1024-1031,2048", "f");
	ASSERT_EQ(bb.size(), 3u);
	EXPECT_EQ(bb[0], std::make_pair(uint64_t{0}, uint64_t{8}));
	EXPECT_EQ(bb[1], std::make_pair(uint64_t{1024}, uint64_t{8}));
	EXPECT_EQ(bb[2], std::make_pair(uint64_t{2048}, uint64_t{1}));
	EXPECT_THROW(parse_badblocks("7-3", "f"), UsageError);
	EXPECT_THROW(parse_badblocks("x", "f"), UsageError);
}
