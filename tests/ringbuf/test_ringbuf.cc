// SPDX-License-Identifier: MIT
// ringbuf tests over every plugin with ringbuf ops (C, C++ and Rust, base and hardened):
// wrap-around at every offset, every record size up to the maximum, both policies,
// 1 and 2 producers on threads (C and C++ under ThreadSanitizer in the tsan build; Rust TSan needs nightly), refusals,
// sink faults (EFBIG, ENOSPC, EBADF, EIO), byte-identical deterministic runs across plugins,
// and the reader on intact and damaged files (torn tails, flipped bits, garbage).
#include <drvbench/plugin.h>

#include "plugin_scan.hpp"
#include "drivers/ringbuf_driver.hpp"
#include "ringbuf/reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <random>
#include <string>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace rb = drvbench::ringbuf;

namespace {

struct Plug {
	std::string name;
	const struct drvbench_plugin *meta = nullptr;
	const drvbench_ringbuf_ops *ops = nullptr;
};

// The plugins with ringbuf ops (tests/common/plugin_scan.hpp), named impl_variant_compiler.
// Unlike the qrpanic and nullblk suites this one takes $DRVBENCH_TEST_PLUGIN_DIR as is even
// when empty, and drops plugins that fail to load instead of reporting them.
const std::vector<Plug> &plugins()
{
	static const std::vector<Plug> v = [] {
		const char *env = getenv("DRVBENCH_TEST_PLUGIN_DIR");
		const auto found = drvtest::scan_plugins<drvbench_ringbuf_ops>(
			env ? env : drvtest::build_plugin_dir(),
			[](const struct drvbench_plugin &m, std::string *) { return m.ringbuf; });
		std::vector<Plug> out;
		for (const auto &p : found.plugins) {
			const struct drvbench_plugin *m = p.desc;
			out.push_back({std::string(m->impl) + "_" + m->variant + "_" + m->compiler, m, p.ops});
		}
		return out;
	}();
	return v;
}

std::string tmpdir()
{
	static std::string d = [] {
		char t[] = "/tmp/drvbench-rbtest-XXXXXX";
		return std::string(mkdtemp(t));
	}();
	return d;
}

std::vector<uint8_t> slurp(const std::string &path)
{
	std::vector<uint8_t> v;
	int fd = open(path.c_str(), O_RDONLY);
	if (fd < 0)
		return v;
	struct stat st {};
	fstat(fd, &st);
	v.resize(static_cast<size_t>(st.st_size));
	size_t got = 0;
	while (got < v.size()) {
		ssize_t n = pread(fd, v.data() + got, v.size() - got, static_cast<off_t>(got));
		if (n <= 0)
			break;
		got += static_cast<size_t>(n);
	}
	close(fd);
	v.resize(got);
	return v;
}

// One ringbuf on a file: RAII for the test.
struct Session {
	const drvbench_ringbuf_ops *ops;
	drvbench_ringbuf *rb = nullptr;
	int fd = -1;
	std::string path;
	std::string err;

	Session(const Plug &p, drvbench_ringbuf_config cfg, const std::string &name, int open_flags = O_RDWR)
		: ops(p.ops), path(tmpdir() + "/" + name + "-" + p.name + ".dat")
	{
		fd = open(path.c_str(), open_flags | O_CREAT | O_TRUNC, 0644);
		if (open_flags == O_RDONLY) { // EBADF: a descriptor that cannot write
			close(fd);
			fd = open(path.c_str(), O_RDONLY);
		}
		cfg.fd = fd;
		char e[DRVBENCH_RB_ERR_SIZE] = "";
		rb = ops->create(&cfg, e, sizeof e);
		err = e;
	}
	~Session()
	{
		if (rb)
			ops->destroy(rb);
		if (fd >= 0)
			close(fd);
		unlink(path.c_str());
	}
	int put(uint32_t p, uint32_t len, uint64_t seq)
	{
		void *ptr = nullptr;
		int rc = ops->reserve(rb, p, len, &ptr);
		if (rc == 0) {
			rb::fill_payload(static_cast<uint8_t *>(ptr), len, p, seq);
			ops->commit(rb, p);
		}
		return rc;
	}
	drvbench_ringbuf_stats stats() const
	{
		drvbench_ringbuf_stats s{};
		ops->stats(rb, &s);
		return s;
	}
	std::map<uint32_t, rb::Expectation> expect() const
	{
		drvbench_ringbuf_stats s = stats();
		std::map<uint32_t, rb::Expectation> m;
		for (uint32_t i = 0; i < s.producers; i++)
			m[i] = {s.p[i].produced, s.p[i].persisted, s.p[i].dropped, s.p[i].failed, s.error};
		return m;
	}
};

// The drain on its own thread, as the harness runs it: drain(WAIT) until finish(), then
// drain(ALL).
class DrainThread {
public:
	explicit DrainThread(Session &s)
		: t_([this, &s] {
			  while (!done_.load(std::memory_order_acquire))
				  if (s.ops->drain(s.rb, DRVBENCH_RB_DRAIN_WAIT) <= 0)
					  std::this_thread::yield();
			  s.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL);
		  })
	{
	}
	~DrainThread() { finish(); }
	void finish()
	{
		done_.store(true, std::memory_order_release);
		if (t_.joinable())
			t_.join();
	}

private:
	std::atomic<bool> done_{false};
	std::thread t_;
};

drvbench_ringbuf_config config(uint32_t producers, uint32_t ring, uint32_t policy = DRVBENCH_RB_POLICY_BLOCK,
			       uint32_t batch = 4, uint32_t max_chunk = 1024)
{
	drvbench_ringbuf_config c{};
	c.producers = producers;
	c.ring_size = ring;
	c.policy = policy;
	c.batch = batch;
	c.max_chunk = max_chunk;
	return c;
}

// Walks the file's chunks and checks every DATA payload against fill_payload().
void check_payloads(const std::vector<uint8_t> &f)
{
	size_t off = 0;
	std::vector<uint8_t> want;
	while (off + DRVBENCH_RB_CHUNK_HDR_SIZE <= f.size()) {
		drvbench_rb_chunk_hdr h;
		memcpy(&h, f.data() + off, sizeof h);
		size_t pos = off + sizeof h, end = pos + h.length;
		ASSERT_LE(end, f.size());
		while (pos < end) {
			drvbench_rb_rec_hdr r{};
			memcpy(&r, f.data() + pos, std::min<size_t>(sizeof r, end - pos));
			ASSERT_GE(r.len, 8u);
			if (r.type == DRVBENCH_RB_REC_DATA) {
				uint32_t len = r.len - DRVBENCH_RB_REC_HDR_SIZE - r.pad;
				want.assign(len, 0);
				rb::fill_payload(want.data(), len, h.producer, r.seq);
				ASSERT_TRUE(std::equal(want.begin(), want.end(),
						       f.begin() + static_cast<long>(pos + DRVBENCH_RB_REC_HDR_SIZE)))
					<< "payload of seq " << r.seq;
				for (uint32_t k = 0; k < r.pad; k++)
					ASSERT_EQ(0, f[pos + DRVBENCH_RB_REC_HDR_SIZE + len + k]);
			}
			pos += r.len;
		}
		off = end;
	}
}

class RingbufTest : public ::testing::TestWithParam<Plug> {};

std::string plug_name(const ::testing::TestParamInfo<Plug> &i) { return i.param.name; }

} // namespace

TEST(RingbufPlugins, CAndCppFound)
{
	bool c = false, cpp = false;
	for (const auto &p : plugins()) {
		c |= std::string(p.meta->impl) == "c";
		cpp |= std::string(p.meta->impl) == "cpp";
	}
	EXPECT_TRUE(c && cpp) << "need C and C++ plugins with ringbuf ops";
}

// Where the build made Rust plugins (rust_drivers/), they carry ringbuf ops too: the suite
// then runs every test below on them.
TEST(RingbufPlugins, RustPluginsHaveRingbuf)
{
	const char *env = getenv("DRVBENCH_TEST_PLUGIN_DIR");
	const auto all = drvtest::scan_plugins<struct drvbench_plugin>(
		env ? env : drvtest::build_plugin_dir(),
		[](const struct drvbench_plugin &m, std::string *) { return &m; });
	int rust = 0, rust_rb = 0;
	for (const auto &p : all.plugins)
		rust += std::string(p.desc->impl) == "rust";
	for (const auto &p : plugins())
		rust_rb += std::string(p.meta->impl) == "rust";
	if (rust == 0)
		GTEST_SKIP() << "no Rust plugins in this build";
	EXPECT_EQ(rust_rb, rust) << "every Rust plugin has ringbuf ops";
}

TEST_P(RingbufTest, RefusesBadConfig)
{
	const Plug &p = GetParam();
	{
		Session s(p, config(1, 5000), "bad");
		EXPECT_EQ(s.rb, nullptr);
		EXPECT_EQ(s.err.rfind("ring_size: 5000 is not a power of two", 0), 0u) << s.err;
	}
	{
		Session s(p, config(0, 4096), "bad");
		EXPECT_EQ(s.rb, nullptr);
		EXPECT_EQ(s.err.rfind("producers: 0 is not in 1..", 0), 0u) << s.err;
	}
	Session s(p, config(1, 4096), "big");
	ASSERT_NE(s.rb, nullptr) << s.err;
	void *ptr = nullptr;
	EXPECT_EQ(p.ops->reserve(s.rb, 0, 4096 - 16 + 1, &ptr), -EMSGSIZE);
	EXPECT_EQ(p.ops->reserve(s.rb, 1, 8, &ptr), -EINVAL);
	EXPECT_EQ(s.put(0, 4096 - 16, 0), 0); // exactly the ring
	EXPECT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
	EXPECT_EQ(s.stats().p[0].persisted, 1u);
}

// The record that wraps starts at every 8-byte offset of the ring.
TEST_P(RingbufTest, WrapAtEveryOffset)
{
	const Plug &p = GetParam();
	constexpr uint32_t ring = 4096;
	// Offset 8 cannot hold a record start (it would need an 8-byte record before it);
	// every other 8-byte offset can, 4088 included (it leaves an 8-byte PAD record).
	for (uint32_t o = 0; o < ring; o += 8) {
		if (o == 8)
			continue;
		Session s(p, config(1, ring, DRVBENCH_RB_POLICY_BLOCK, 2, 512), "wrap");
		ASSERT_NE(s.rb, nullptr) << s.err;
		uint64_t seq = 0;
		// Move the head to offset o: records of 2048 and o + 2048 (or o) bytes of ring.
		std::vector<uint32_t> fill;
		if (o >= 16)
			fill = {o - 16};
		for (uint32_t len : fill) {
			ASSERT_EQ(s.put(0, len, seq++), 0);
			ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
		}
		// Then records of 1000 bytes cross the end from there.
		for (int i = 0; i < 6; i++) {
			ASSERT_EQ(s.put(0, 1000 - (i % 3), seq++), 0);
			if (i % 2)
				ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
		}
		ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
		auto f = slurp(s.path);
		rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
		ASSERT_TRUE(r.ok()) << "offset " << o << "\n" << r.summary();
		ASSERT_EQ(r.records, seq);
		check_payloads(f);
	}
}

TEST_P(RingbufTest, EveryRecordSize)
{
	// Policy block with a drain thread: a record as large as the ring waits behind the
	// PAD record published before it until the drain has freed the whole ring.
	const Plug &p = GetParam();
	constexpr uint32_t ring = 8192;
	Session s(p, config(1, ring, DRVBENCH_RB_POLICY_BLOCK, 4, 2048), "sizes");
	ASSERT_NE(s.rb, nullptr) << s.err;
	DrainThread drain(s);
	uint64_t seq = 0;
	int bad = 0;
	for (uint32_t len = 0; len <= ring - DRVBENCH_RB_REC_HDR_SIZE; len++)
		bad += s.put(0, len, seq++) != 0;
	drain.finish();
	EXPECT_EQ(bad, 0);
	auto f = slurp(s.path);
	rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
	ASSERT_TRUE(r.ok()) << r.summary();
	EXPECT_EQ(r.records, seq);
	check_payloads(f);
}

TEST_P(RingbufTest, DropPolicyMarksLostRecords)
{
	const Plug &p = GetParam();
	Session s(p, config(1, 4096, DRVBENCH_RB_POLICY_DROP), "drop");
	ASSERT_NE(s.rb, nullptr) << s.err;
	uint64_t seq = 0, dropped = 0;
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 20; i++)
			dropped += s.put(0, 500, seq++) == -ENOBUFS;
		ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
	}
	ASSERT_EQ(p.ops->finish(s.rb, 0), 0);
	ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
	drvbench_ringbuf_stats st = s.stats();
	EXPECT_GT(dropped, 0u);
	EXPECT_EQ(st.p[0].dropped, dropped);
	EXPECT_EQ(st.p[0].produced, seq);
	EXPECT_EQ(st.p[0].produced, st.p[0].persisted + st.p[0].dropped);
	EXPECT_EQ(st.p[0].lost_markers, 5u);
	auto f = slurp(s.path);
	rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
	ASSERT_TRUE(r.ok()) << r.summary();
	EXPECT_EQ(r.producers[0].lost, dropped);
}

// Producers on their own threads, a drain thread: the harness's shape, under TSan in the tsan build.
void threaded(const Plug &p, uint32_t producers, uint32_t policy, uint64_t records)
{
	Session s(p, config(producers, 16384, policy, 8, 4096), "mt" + std::to_string(producers));
	ASSERT_NE(s.rb, nullptr) << s.err;
	DrainThread drain(s);
	std::vector<std::thread> ts;
	for (uint32_t i = 0; i < producers; i++)
		ts.emplace_back([&, i] {
			for (uint64_t n = 0; n < records; n++)
				s.put(i, 8 + static_cast<uint32_t>((n * 37 + i) % 300), n);
			p.ops->finish(s.rb, i);
		});
	for (auto &t : ts)
		t.join();
	drain.finish();
	drvbench_ringbuf_stats st = s.stats();
	EXPECT_EQ(st.error, 0);
	for (uint32_t i = 0; i < producers; i++) {
		EXPECT_EQ(st.p[i].produced, records);
		EXPECT_EQ(st.p[i].produced, st.p[i].persisted + st.p[i].dropped);
		if (policy == DRVBENCH_RB_POLICY_BLOCK)
			EXPECT_EQ(st.p[i].dropped, 0u);
	}
	auto f = slurp(s.path);
	rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
	ASSERT_TRUE(r.ok()) << r.summary();
	check_payloads(f);
}

TEST_P(RingbufTest, OneProducerThreadBlock) { threaded(GetParam(), 1, DRVBENCH_RB_POLICY_BLOCK, 100000); }
TEST_P(RingbufTest, TwoProducerThreadsBlock) { threaded(GetParam(), 2, DRVBENCH_RB_POLICY_BLOCK, 50000); }
TEST_P(RingbufTest, OneProducerThreadDrop) { threaded(GetParam(), 1, DRVBENCH_RB_POLICY_DROP, 100000); }
TEST_P(RingbufTest, TwoProducerThreadsDrop) { threaded(GetParam(), 2, DRVBENCH_RB_POLICY_DROP, 50000); }

// After a sink error: a clean stop, the error reported, every record accounted for, and
// the file holding only whole valid chunks.
void check_fault(Session &s, int want_errno, uint64_t produced)
{
	const drvbench_ringbuf_ops *ops = s.ops;
	int rc = ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL);
	EXPECT_EQ(rc, -want_errno);
	drvbench_ringbuf_stats st = s.stats();
	EXPECT_EQ(st.error, want_errno);
	EXPECT_EQ(st.p[0].produced, produced);
	EXPECT_EQ(st.p[0].produced, st.p[0].persisted + st.p[0].dropped + st.p[0].failed);
	EXPECT_GT(st.p[0].failed, 0u);
	auto f = slurp(s.path);
	EXPECT_EQ(f.size(), st.file_bytes);
	rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
	EXPECT_TRUE(r.ok()) << r.summary();
	EXPECT_EQ(r.records, st.p[0].persisted);
	EXPECT_EQ(r.torn_tail_bytes, 0u);
	// Producing after the failure is refused with the sink's error once the ring is full.
	int last = 0;
	for (int i = 0; i < 100 && last == 0; i++)
		last = s.put(0, 1000, produced + static_cast<uint64_t>(i));
	EXPECT_EQ(last, -want_errno);
}

TEST_P(RingbufTest, FaultEIOInjected)
{
	const Plug &p = GetParam();
	for (uint32_t after : {0u, 1u, 5u, 17u}) {
		drvbench_ringbuf_config c = config(1, 8192, DRVBENCH_RB_POLICY_BLOCK, 4, 1024);
		c.inject_errno = EIO;
		c.inject_after = after;
		Session s(p, c, "eio");
		ASSERT_NE(s.rb, nullptr) << s.err;
		uint64_t n = 0;
		for (int round = 0; round < 8; round++) {
			for (int i = 0; i < 6; i++)
				ASSERT_EQ(s.put(0, 200, n++), 0);
			if (p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL) < 0)
				break;
		}
		check_fault(s, EIO, n);
	}
}

TEST_P(RingbufTest, FaultEBADF)
{
	const Plug &p = GetParam();
	Session s(p, config(1, 8192), "ebadf", O_RDONLY);
	ASSERT_NE(s.rb, nullptr) << s.err;
	for (uint64_t n = 0; n < 10; n++)
		ASSERT_EQ(s.put(0, 100, n), 0);
	check_fault(s, EBADF, 10);
	EXPECT_EQ(s.stats().p[0].persisted, 0u);
}

// EFBIG: RLIMIT_FSIZE in a child process with SIGXFSZ ignored. The write that crosses the
// limit comes back short (resumed), the next fails; the file is cut to the last whole chunk.
TEST_P(RingbufTest, FaultEFBIG)
{
	const Plug &p = GetParam();
	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		rlimit rl{50000, 50000};
		setrlimit(RLIMIT_FSIZE, &rl);
		Session s(p, config(1, 16384, DRVBENCH_RB_POLICY_BLOCK, 4, 4096), "efbig");
		if (!s.rb)
			_exit(10);
		uint64_t n = 0;
		for (int round = 0; round < 100; round++) {
			for (int i = 0; i < 10; i++)
				if (s.put(0, 300, n++) != 0)
					_exit(11);
			if (p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL) < 0)
				break;
		}
		int rc = p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL);
		drvbench_ringbuf_stats st = s.stats();
		auto f = slurp(s.path);
		rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
		if (rc != -EFBIG || st.error != EFBIG)
			_exit(12);
		if (st.p[0].produced != st.p[0].persisted + st.p[0].failed || st.p[0].failed == 0)
			_exit(13);
		if (!r.ok() || f.size() != st.file_bytes || f.size() > 50000 || r.records != st.p[0].persisted)
			_exit(14);
		if (st.short_writes == 0)
			_exit(15);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0) << "10 create, 11 put, 12 no EFBIG, 13 accounting, 14 file, 15 no short write";
}

// ENOSPC: a 256 KiB tmpfs mounted for the test (root only).
TEST_P(RingbufTest, FaultENOSPC)
{
	const Plug &p = GetParam();
	std::string mnt = tmpdir() + "/small-" + p.name;
	mkdir(mnt.c_str(), 0755);
	if (mount("drvbench-rbtest", mnt.c_str(), "tmpfs", 0, "size=256k") != 0) {
		rmdir(mnt.c_str());
		GTEST_SKIP() << "cannot mount a small tmpfs (" << strerror(errno) << "; needs root)";
	}
	{
		int fd = open((mnt + "/x.dat").c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
		ASSERT_GE(fd, 0);
		drvbench_ringbuf_config c = config(1, 65536, DRVBENCH_RB_POLICY_BLOCK, 4, 16384);
		c.fd = fd;
		char e[DRVBENCH_RB_ERR_SIZE] = "";
		drvbench_ringbuf *r = p.ops->create(&c, e, sizeof e);
		ASSERT_NE(r, nullptr) << e;
		uint64_t n = 0;
		int rc = 0;
		for (int round = 0; round < 200 && rc == 0; round++) {
			for (int i = 0; i < 20; i++) {
					void *ptr = nullptr;
					if (p.ops->reserve(r, 0, 1000, &ptr) == 0) {
						rb::fill_payload(static_cast<uint8_t *>(ptr), 1000, 0, n);
						p.ops->commit(r, 0);
					}
				n++;
			}
			rc = p.ops->drain(r, DRVBENCH_RB_DRAIN_ALL);
		}
		rc = p.ops->drain(r, DRVBENCH_RB_DRAIN_ALL);
		drvbench_ringbuf_stats st{};
		p.ops->stats(r, &st);
		p.ops->destroy(r);
		close(fd);
		EXPECT_EQ(rc, -ENOSPC);
		EXPECT_EQ(st.error, ENOSPC);
		EXPECT_EQ(st.p[0].produced, st.p[0].persisted + st.p[0].dropped + st.p[0].failed);
		auto f = slurp(mnt + "/x.dat");
		EXPECT_EQ(f.size(), st.file_bytes);
		std::map<uint32_t, rb::Expectation> ex{{0, {st.p[0].produced, st.p[0].persisted, 0, st.p[0].failed}}};
		rb::Report rep = rb::verify_stream(f.data(), f.size(), ex);
		EXPECT_TRUE(rep.ok()) << rep.summary();
		EXPECT_GT(rep.records, 0u);
	}
	umount(mnt.c_str());
	rmdir(mnt.c_str());
}

// Matched: the same seeded single-producer step run writes the same bytes from every plugin.
TEST(RingbufMatched, ByteIdenticalAcrossPlugins)
{
	ASSERT_FALSE(plugins().empty());
	struct Case {
		uint32_t ring, batch, max_chunk, policy;
		const char *sizes;
	};
	const Case cases[] = {{4096, 2, 512, DRVBENCH_RB_POLICY_BLOCK, "0-1000"},
			      {65536, 8, 8192, DRVBENCH_RB_POLICY_DROP, "64,512,4096"},
			      {1u << 20, 4, 65536, DRVBENCH_RB_POLICY_BLOCK, "64"}};
	for (const Case &c : cases) {
		rb::StepRun s;
		s.ring_size = c.ring;
		s.batch = c.batch;
		s.max_chunk = c.max_chunk;
		s.policy = c.policy;
		s.records = 20000;
		s.seed = 7;
		s.sizes = rb::parse_record_sizes(c.sizes, "test");
		std::vector<uint8_t> ref;
		for (const auto &p : plugins()) {
			auto bytes = rb::step_run(*p.ops, s, tmpdir() + "/step-" + p.name + ".dat");
			unlink((tmpdir() + "/step-" + p.name + ".dat").c_str());
			rb::Report r = rb::verify_stream(bytes.data(), bytes.size());
			ASSERT_TRUE(r.ok()) << p.name << "\n" << r.summary();
			ASSERT_EQ(r.records, s.records);
			if (ref.empty())
				ref = bytes;
			else
				ASSERT_TRUE(bytes == ref) << p.name << " differs from " << plugins().front().name
							  << " for sizes " << c.sizes;
		}
	}
}

// Matched with several producers: chunks are cut round-robin per chunk, so the order of the
// producers' chunks in the file depends only on the committed bytes, not on how many chunk
// slots each pass of drain(ALL) finds free (fuzz finding 7: with batch 1 it used to vary with
// completion timing, and C and C++ files differed).
TEST(RingbufMatched, SeveralProducersByteIdentical)
{
	ASSERT_FALSE(plugins().empty());
	for (uint32_t batch : {1u, 3u}) {
		std::vector<uint8_t> ref;
		for (int round = 0; round < 3; round++)
			for (const auto &p : plugins()) {
				Session s(p, config(3, 4096, DRVBENCH_RB_POLICY_BLOCK, batch, 64), "multi");
				ASSERT_NE(s.rb, nullptr) << s.err;
				uint64_t seq[3] = {};
				for (int step = 0; step < 4; step++) {
					for (uint32_t q = 0; q < 3; q++)
						for (uint32_t k = 0; k < 5 + q * 3; k++) {
							ASSERT_EQ(s.put(q, 8 + 24 * ((k + q) % 4), seq[q]), 0);
							seq[q]++;
						}
					ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
				}
				auto f = slurp(s.path);
				rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
				ASSERT_TRUE(r.ok()) << p.name << "\n" << r.summary();
				if (ref.empty())
					ref = f;
				else
					ASSERT_TRUE(f == ref) << p.name << " (batch " << batch << ", round " << round
							      << ") differs from " << plugins().front().name;
			}
	}
}

// A sink error that fails only the chunk holding a lost-records marker (fuzz finding 6): the
// dropped record stays counted as dropped, the file does not declare it, and the reader, told
// that the sink failed, accepts the file as the prefix it is.
TEST_P(RingbufTest, FailedMarkerChunkIsAPrefix)
{
	const Plug &p = GetParam();
	auto cfg = config(1, 4096, DRVBENCH_RB_POLICY_DROP, 1, 4096);
	cfg.inject_errno = EIO;
	cfg.inject_after = 2; // the first chunk's header and records are writes 0 and 1
	Session s(p, cfg, "lostfail");
	ASSERT_NE(s.rb, nullptr) << s.err;
	uint64_t seq = 0;
	while (s.put(0, 1000, seq) == 0) // fill the ring: the last record is dropped
		seq++;
	ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0); // the records: writes 0, 1
	ASSERT_EQ(p.ops->finish(s.rb, 0), 0);                    // the marker
	EXPECT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), -EIO);
	drvbench_ringbuf_stats st = s.stats();
	EXPECT_EQ(st.error, EIO);
	EXPECT_EQ(st.p[0].dropped, 1u);
	EXPECT_EQ(st.p[0].failed, 0u);
	EXPECT_EQ(st.p[0].persisted, seq);
	EXPECT_EQ(st.p[0].lost_markers, 1u);
	auto f = slurp(s.path);
	EXPECT_EQ(f.size(), st.file_bytes);
	rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
	EXPECT_TRUE(r.ok()) << r.summary();
	EXPECT_EQ(r.producers[0].lost, 0u);
	// Without the sink error the same file would not be the whole stream.
	auto ex = s.expect();
	ex[0].sink_error = 0;
	EXPECT_FALSE(rb::verify_stream(f.data(), f.size(), ex).ok());
}

// Chunk lengths around the CRC-32C round sizes (three chains of 256 or 4096 bytes: rounds of
// 768 and 12288 bytes, then the single chain): the reader's own CRC must accept every chunk.
TEST_P(RingbufTest, ChunkLengthsAroundCrcRounds)
{
	const Plug &p = GetParam();
	const uint32_t hdr = DRVBENCH_RB_REC_HDR_SIZE;
	for (uint32_t len : {736u, 744u, 752u, 760u, 768u, 776u, 1528u, 1536u, 12272u, 12280u, 12288u, 12296u,
			     13048u, 13056u, 13064u, 24576u, 65528u}) {
		Session s(p, config(1, 1u << 17, DRVBENCH_RB_POLICY_BLOCK, 2, 1u << 16), "crc");
		ASSERT_NE(s.rb, nullptr) << s.err;
		// One record per chunk: its space is exactly len; the chunk checksums header + record.
		ASSERT_EQ(s.put(0, len - hdr, 0), 0) << len;
		ASSERT_EQ(p.ops->drain(s.rb, DRVBENCH_RB_DRAIN_ALL), 0);
		auto f = slurp(s.path);
		ASSERT_EQ(f.size(), DRVBENCH_RB_CHUNK_HDR_SIZE + len);
		rb::Report r = rb::verify_stream(f.data(), f.size(), s.expect());
		EXPECT_TRUE(r.ok()) << "record space " << len << "\n" << r.summary();
	}
}

// ---- the reader on damaged input ----

std::vector<uint8_t> sample_stream()
{
	rb::StepRun s;
	s.ring_size = 8192;
	s.batch = 2;
	s.max_chunk = 1024;
	s.records = 400;
	s.sizes = rb::parse_record_sizes("0-300", "test");
	auto bytes = rb::step_run(*plugins().front().ops, s, tmpdir() + "/sample.dat");
	unlink((tmpdir() + "/sample.dat").c_str());
	return bytes;
}

TEST(RingbufReader, IntactAndTornTail)
{
	ASSERT_FALSE(plugins().empty());
	auto f = sample_stream();
	rb::Report r = rb::verify_stream(f.data(), f.size());
	ASSERT_TRUE(r.ok()) << r.summary();
	EXPECT_EQ(r.records, 400u);
	for (size_t cut = 1; cut < f.size(); cut += 7) {
		rb::Report t = rb::verify_stream(f.data(), cut);
		bool boundary = t.torn_tail_bytes == 0;
		if (!boundary) {
			EXPECT_FALSE(t.ok());
			EXPECT_NE(t.summary().find("torn tail"), std::string::npos);
		}
	}
}

TEST(RingbufReader, FlippedBitsAreFound)
{
	ASSERT_FALSE(plugins().empty());
	auto f = sample_stream();
	std::mt19937_64 rng(42);
	for (int i = 0; i < 2000; i++) {
		auto g = f;
		size_t bit = rng() % (g.size() * 8);
		g[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
		rb::Report r = rb::verify_stream(g.data(), g.size(), std::map<uint32_t, rb::Expectation>{{0, {400, 400, 0, 0}}});
		ASSERT_FALSE(r.ok()) << "flipped bit " << bit << " not found";
	}
}

TEST(RingbufReader, FuzzNeverCrashes)
{
	ASSERT_FALSE(plugins().empty());
	auto f = sample_stream();
	std::mt19937_64 rng(7);
	for (int i = 0; i < 3000; i++) {
		auto g = f;
		switch (rng() % 5) {
		case 0: // random bytes overwritten
			for (int k = 0; k < 8; k++)
				g[rng() % g.size()] = static_cast<uint8_t>(rng());
			break;
		case 1: // a hole
		{
			size_t a = rng() % g.size(), b = rng() % g.size();
			g.erase(g.begin() + static_cast<long>(std::min(a, b)), g.begin() + static_cast<long>(std::max(a, b)));
			break;
		}
		case 2: // garbage inserted
			g.insert(g.begin() + static_cast<long>(rng() % g.size()), 1 + rng() % 100, static_cast<uint8_t>(rng()));
			break;
		case 3: { // a length field made huge
			size_t o = (rng() % (g.size() / 8)) * 8;
			uint32_t v = static_cast<uint32_t>(rng());
			memcpy(&g[o], &v, 4);
			break;
		}
		default: // all random
			for (auto &b : g)
				b = static_cast<uint8_t>(rng());
		}
		rb::Report r = rb::verify_stream(g.data(), g.size());
		(void)r.summary();
		(void)r.to_json();
	}
	rb::Report e = rb::verify_stream(nullptr, 0);
	EXPECT_TRUE(e.ok());
}

INSTANTIATE_TEST_SUITE_P(Plugins, RingbufTest, ::testing::ValuesIn(plugins()), plug_name);

// ---- hostile streams (issue 17) ----

// A chunk with a good checksum: header, then the given record bytes.
static std::vector<uint8_t> make_chunk(uint16_t producer, uint64_t first_seq, uint32_t nr_records,
				       const std::vector<uint8_t> &recs)
{
	drvbench_rb_chunk_hdr h{};
	h.magic = DRVBENCH_RB_CHUNK_MAGIC;
	h.version = DRVBENCH_RB_CHUNK_VERSION;
	h.producer = producer;
	h.length = static_cast<uint32_t>(recs.size());
	h.nr_records = nr_records;
	h.first_seq = first_seq;
	uint32_t c = rb::crc32c(reinterpret_cast<const uint8_t *>(&h), sizeof h);
	h.crc32c = rb::crc32c(recs.data(), recs.size(), c);
	std::vector<uint8_t> out(sizeof h);
	memcpy(out.data(), &h, sizeof h);
	out.insert(out.end(), recs.begin(), recs.end());
	return out;
}

static std::vector<uint8_t> lost_marker(uint64_t seq, uint64_t count)
{
	std::vector<uint8_t> r(DRVBENCH_RB_LOST_SIZE);
	drvbench_rb_rec_hdr h{DRVBENCH_RB_LOST_SIZE, DRVBENCH_RB_REC_LOST, 0, seq};
	memcpy(r.data(), &h, sizeof h);
	memcpy(r.data() + sizeof h, &count, 8);
	return r;
}

// Issue 17, defect 7: a bad first header, then a plausible header every 32 bytes claiming a
// chunk up to the end of the file with a wrong checksum. The old resynchronisation
// checksummed each candidate's whole claimed length (quadratic: 27 s at 4 MiB); the work
// must stay linear in the file size. Measured by the reader's own counter, not by time.
TEST(RingbufReader, CraftedResyncIsLinear)
{
	const size_t size = 16u << 20;
	std::vector<uint8_t> f(size, 0xab);
	for (size_t o = 32; o + DRVBENCH_RB_CHUNK_HDR_SIZE <= size; o += 32) {
		drvbench_rb_chunk_hdr h{};
		h.magic = DRVBENCH_RB_CHUNK_MAGIC;
		h.version = DRVBENCH_RB_CHUNK_VERSION;
		h.length = static_cast<uint32_t>((size - o - DRVBENCH_RB_CHUNK_HDR_SIZE) & ~size_t{7});
		h.crc32c = 0x12345678;
		memcpy(&f[o], &h, sizeof h);
	}
	rb::Report r = rb::verify_stream(f.data(), f.size());
	EXPECT_FALSE(r.ok());
	EXPECT_EQ(r.records, 0u);
	EXPECT_LE(r.crc_bytes, 100ull * size) << "resynchronisation work is not linear in the file size";
}

// Resynchronisation still finds the first good chunk after garbage, and every record after it.
TEST(RingbufReader, ResyncFindsTheNextGoodChunk)
{
	ASSERT_FALSE(plugins().empty());
	auto f = sample_stream();
	for (size_t garbage : {8u, 40u, 1000u, 4096u}) {
		std::vector<uint8_t> g(garbage, 0x5c);
		// A plausible header in the garbage whose checksum is wrong.
		drvbench_rb_chunk_hdr h{};
		h.magic = DRVBENCH_RB_CHUNK_MAGIC;
		h.version = DRVBENCH_RB_CHUNK_VERSION;
		h.length = 64;
		if (garbage >= 40)
			memcpy(&g[8], &h, sizeof h);
		g.insert(g.end(), f.begin(), f.end());
		rb::Report r = rb::verify_stream(g.data(), g.size());
		EXPECT_FALSE(r.ok());
		EXPECT_EQ(r.records, 400u) << "garbage " << garbage << "\n" << r.summary();
		EXPECT_EQ(r.skipped_bytes, garbage) << r.summary();
	}
}

// Issue 17, defect 9: a LOST marker counting 2^64-1 records wrapped the sequence number and
// "verified".
TEST(RingbufReader, HugeLostCountIsAProblem)
{
	auto f = make_chunk(0, 0, 0, lost_marker(0, UINT64_MAX));
	rb::Report r = rb::verify_stream(f.data(), f.size());
	EXPECT_FALSE(r.ok()) << r.summary();
	auto g = make_chunk(0, 5, 0, lost_marker(5, UINT64_MAX - 4));
	EXPECT_FALSE(rb::verify_stream(g.data(), g.size()).ok());
	// The largest count that does not wrap is fine on its own.
	auto h = make_chunk(0, 0, 0, lost_marker(0, 1000));
	EXPECT_TRUE(rb::verify_stream(h.data(), h.size()).ok()) << rb::verify_stream(h.data(), h.size()).summary();
}
