// SPDX-License-Identifier: MIT
// qrpanic buffer contract, for every plugin with qrpanic ops:
//  - never writes outside [data, data+data_size) and [tmp, tmp+tmp_size)
//    (0xA5 guard regions), never reads or writes past either end (PROT_NONE pages);
//  - rejects too-small buffers and data_len > data_size without touching anything;
//  - accepts the exact minimum sizes and bigger ones;
//  - returns 0 for payloads too large for version 40;
//  - max_data_size() is the kernel's formula and what it promises fits;
//  - never allocates (malloc & co. are interposed in this binary).
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "qr_support.h"

using namespace qrtest;

// ---------------------------------------------------------------------------
// Heap interposer. The binary is linked with --export-dynamic, so dlopen()ed
// plugins (and libc/libstdc++) resolve malloc & co. to these definitions.
// Sanitizer runtimes own malloc themselves: there the interposer is left out
// and the heap checks are skipped (the release build runs them).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define QRTEST_INTERPOSE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define QRTEST_INTERPOSE 0
#endif
#endif
#ifndef QRTEST_INTERPOSE
#define QRTEST_INTERPOSE 1
#endif

extern "C" {
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void __libc_free(void *);
void *__libc_memalign(size_t, size_t);
void *__libc_valloc(size_t);
void *__libc_pvalloc(size_t);
}

namespace {
std::atomic<bool> g_heap_armed{false};
std::atomic<long> g_heap_calls{0};
inline void heap_note()
{
	if (g_heap_armed.load(std::memory_order_relaxed))
		g_heap_calls.fetch_add(1, std::memory_order_relaxed);
}

// Counts heap calls made while alive.
struct HeapWatch {
	long start;
	HeapWatch() : start(g_heap_calls.load()) { g_heap_armed.store(true); }
	long stop()
	{
		g_heap_armed.store(false);
		return g_heap_calls.load() - start;
	}
	~HeapWatch() { g_heap_armed.store(false); }
};
}  // namespace

#if QRTEST_INTERPOSE
extern "C" {
void *malloc(size_t n)
{
	heap_note();
	return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
	heap_note();
	return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
	heap_note();
	return __libc_realloc(p, n);
}
void free(void *p)
{
	heap_note();
	__libc_free(p);
}
int posix_memalign(void **out, size_t align, size_t n)
{
	heap_note();
	if (align % sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = __libc_memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
void *aligned_alloc(size_t align, size_t n)
{
	heap_note();
	return __libc_memalign(align, n);
}
void *memalign(size_t align, size_t n)
{
	heap_note();
	return __libc_memalign(align, n);
}
void *valloc(size_t n)
{
	heap_note();
	return __libc_valloc(n);
}
void *pvalloc(size_t n)
{
	heap_note();
	return __libc_pvalloc(n);
}
}
#endif  // QRTEST_INTERPOSE

// ---------------------------------------------------------------------------
namespace {

constexpr size_t kGuard = 4096;
constexpr uint8_t kGuardByte = 0xa5;

// A buffer with kGuard bytes of 0xA5 on both sides.
struct Guarded {
	std::vector<uint8_t> mem;
	size_t size;
	explicit Guarded(size_t n, uint8_t fill) : mem(n + 2 * kGuard, kGuardByte), size(n)
	{
		std::memset(ptr(), fill, n);
	}
	uint8_t *ptr() { return mem.data() + kGuard; }
	std::vector<uint8_t> inside() { return {ptr(), ptr() + size}; }
	std::string guard_damage() const
	{
		for (size_t i = 0; i < mem.size(); i++) {
			if (i >= kGuard && i < kGuard + size)
				continue;
			if (mem[i] != kGuardByte)
				return "guard byte at offset " +
				       std::to_string(long(i) - long(kGuard)) +
				       " relative to the buffer start (size " +
				       std::to_string(size) + ") was written";
		}
		return "";
	}
};

// A buffer placed against a PROT_NONE page: its end (at_end) or its start.
struct PageGuarded {
	size_t page = size_t(sysconf(_SC_PAGESIZE));
	size_t span;
	uint8_t *base = nullptr;
	explicit PageGuarded(size_t max)
	{
		span = (max + page - 1) / page * page;
		void *m = mmap(nullptr, span + 2 * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			std::abort();
		base = static_cast<uint8_t *>(m);
		if (mprotect(base, page, PROT_NONE) ||
		    mprotect(base + page + span, page, PROT_NONE))
			std::abort();
	}
	~PageGuarded() { munmap(base, span + 2 * page); }
	uint8_t *at_end(size_t n) { return base + page + span - n; }
	uint8_t *at_start() { return base + page; }
};

const std::string kUrl = "https://panic.example.org/drm_panic?a=0";

Case text_case(size_t n, uint8_t fill = 'k')
{
	Case c;
	c.payload.assign(n, fill);
	c.version = expected_version(nullptr, n);
	c.name = "text/len" + std::to_string(n);
	return c;
}

Case url_case(const std::string &url, size_t n)
{
	Case c;
	c.has_url = true;
	c.url = url;
	c.payload.resize(n);
	for (size_t i = 0; i < n; i++)
		c.payload[i] = uint8_t(i * 151 + 7);
	c.version = expected_version(&c.url, n);
	c.name = "url" + std::to_string(url.size()) + "/len" + std::to_string(n);
	return c;
}

std::string url_of_len(size_t n)
{
	std::string u = "https://";
	while (u.size() < n)
		u += char('a' + u.size() % 26);
	return u.substr(0, n);
}

class QrContract : public ::testing::TestWithParam<Plugin> {
protected:
	const Plugin &p() const { return GetParam(); }
	// The width c must draw: 17 + 4 * version, or for the kernel 6.12 peer in URL mode
	// (whose packing differs: packs_url_pre_6_15) -1: any width, 0 included (its URL-mode
	// capacity differs too); the buffer and heap checks still apply.
	int want_width(const Case &c) const
	{
		return c.has_url && packs_url_pre_6_15(p()) ? -1 : 17 + 4 * c.version;
	}
	static bool width_ok(int want, uint8_t w) { return want < 0 || w == want; }
	uint8_t gen(const Case &c, uint8_t *data, size_t data_len, size_t data_size, uint8_t *tmp,
		    size_t tmp_size, long *heap_calls = nullptr)
	{
		HeapWatch w;
		uint8_t r = p().ops->generate(c.url_cstr(), data, data_len, data_size, tmp, tmp_size);
		long calls = w.stop();
		if (heap_calls)
			*heap_calls = calls;
		else
			EXPECT_EQ(calls, 0) << p().stem << ": heap calls during generate, " << c.name;
		return r;
	}
};

}  // namespace

TEST(QrPanicHeapInterposer, CountsCalls)
{
	if (!QRTEST_INTERPOSE)
		GTEST_SKIP() << "sanitizer build: malloc belongs to the sanitizer runtime, "
				"no-heap checks run in the release build";
	HeapWatch w;
	void *(*volatile m)(size_t) = malloc;
	void *a = m(32);
	char *s = strdup("interposed?");  // libc-internal malloc goes through the interposer too
	long calls = w.stop();
	free(a);
	free(s);
	EXPECT_GE(calls, 2);
}

// Every corpus payload, with 0xA5 guards around both buffers, and no heap use.
TEST_P(QrContract, GuardsUntouchedAndNoHeap)
{
	size_t failures = 0;
	for (const Case &c : corpus()) {
		Guarded data(DRVBENCH_QR_MIN_DATA_SIZE, 0x3c), tmp(DRVBENCH_QR_MIN_TMP_SIZE, 0x96);
		std::copy(c.payload.begin(), c.payload.end(), data.ptr());
		long heap = 0;
		uint8_t w = gen(c, data.ptr(), c.payload.size(), data.size, tmp.ptr(), tmp.size, &heap);
		std::string dg = data.guard_damage(), tg = tmp.guard_damage();
		EXPECT_TRUE(width_ok(want_width(c), w)) << p().stem << ": width " << int(w) << ", " << c.name;
		EXPECT_EQ(dg, "") << p().stem << ": data buffer, " << c.name;
		EXPECT_EQ(tg, "") << p().stem << ": tmp buffer, " << c.name;
		EXPECT_EQ(heap, 0) << p().stem << ": heap calls during generate, " << c.name;
		if (!dg.empty() || !tg.empty() || heap || !width_ok(want_width(c), w))
			if (++failures >= 10)
				return;
	}
}

// Both buffers right against a PROT_NONE page (after their end, and before
// their start): any access outside faults. Every corpus payload, min sizes and
// bigger ones.
TEST_P(QrContract, PageGuardedBuffers)
{
	const size_t dsizes[] = {DRVBENCH_QR_MIN_DATA_SIZE, DRVBENCH_QR_MIN_DATA_SIZE + 13};
	const size_t tsizes[] = {DRVBENCH_QR_MIN_TMP_SIZE, DRVBENCH_QR_MIN_TMP_SIZE + 5};
	PageGuarded dmem(dsizes[1]), tmem(tsizes[1]);
	for (int placement = 0; placement < 2; placement++) {
		for (int s = 0; s < 2; s++) {
			for (const Case &c : corpus()) {
				uint8_t *d = placement ? dmem.at_start() : dmem.at_end(dsizes[s]);
				uint8_t *t = placement ? tmem.at_start() : tmem.at_end(tsizes[s]);
				std::memset(d, 0x3c, dsizes[s]);
				std::memset(t, 0x96, tsizes[s]);
				std::copy(c.payload.begin(), c.payload.end(), d);
				uint8_t w = gen(c, d, c.payload.size(), dsizes[s], t, tsizes[s]);
				ASSERT_TRUE(width_ok(want_width(c), w))
					<< p().stem << ": width " << int(w) << ", " << c.name
					<< (placement ? " (start-guarded)" : " (end-guarded)");
			}
		}
	}
	// A payload that fills all of data (data_len == data_size), against the page end:
	// too large for any version, but the encoder must still stay inside.
	uint8_t *d = dmem.at_end(DRVBENCH_QR_MIN_DATA_SIZE);
	std::memset(d, '7', DRVBENCH_QR_MIN_DATA_SIZE);
	for (const std::string *url : {(const std::string *)nullptr, &kUrl}) {
		Case c;
		c.has_url = url != nullptr;
		if (url)
			c.url = *url;
		c.name = "data_len == data_size";
		EXPECT_EQ(gen(c, d, DRVBENCH_QR_MIN_DATA_SIZE, DRVBENCH_QR_MIN_DATA_SIZE,
			      tmem.at_end(DRVBENCH_QR_MIN_TMP_SIZE), DRVBENCH_QR_MIN_TMP_SIZE),
			  0);
	}
}

// Too-small sizes (by one byte) and data_len > data_size: 0, nothing touched.
TEST_P(QrContract, RejectsBadSizesWithoutTouchingBuffers)
{
	struct Bad {
		const char *what;
		size_t data_size, tmp_size, data_len;
	};
	const size_t D = DRVBENCH_QR_MIN_DATA_SIZE, T = DRVBENCH_QR_MIN_TMP_SIZE;
	const Bad bads[] = {
		{"data_size = min - 1", D - 1, T, 10},
		{"tmp_size = min - 1", D, T - 1, 10},
		{"both sizes min - 1", D - 1, T - 1, 10},
		{"data_len = data_size + 1", D, T, D + 1},
		{"data_len = data_size + 1 (bigger buffer)", D + 100, T, D + 101},
		{"data_len = SIZE_MAX", D, T, SIZE_MAX},
		{"data_size = 0", 0, T, 0},
		{"tmp_size = 0", D, 0, 0},
		{"small payload, data_size = min - 1", D - 1, T, 1},
	};
	for (const std::string *url : {(const std::string *)nullptr, &kUrl}) {
		for (const Bad &b : bads) {
			Case c;
			c.has_url = url != nullptr;
			if (url)
				c.url = *url;
			c.name = b.what;
			Guarded data(b.data_size, 0x3c), tmp(b.tmp_size, 0x96);
			for (size_t i = 0; i < data.size; i++)
				data.ptr()[i] = uint8_t(i * 7);
			auto d0 = data.inside(), t0 = tmp.inside();
			uint8_t w = gen(c, data.ptr(), b.data_len, b.data_size, tmp.ptr(), b.tmp_size);
			EXPECT_EQ(w, 0) << p().stem << ": " << b.what;
			EXPECT_EQ(first_diff(data.inside(), d0), "") << p().stem << ": data changed, " << b.what;
			EXPECT_EQ(first_diff(tmp.inside(), t0), "") << p().stem << ": tmp changed, " << b.what;
			EXPECT_EQ(data.guard_damage(), "") << p().stem << ": " << b.what;
			EXPECT_EQ(tmp.guard_damage(), "") << p().stem << ": " << b.what;
		}
	}
}

// Exact minimum sizes are accepted (v1 and v40), bigger sizes too, with the
// same image.
TEST_P(QrContract, AcceptsMinimumAndBiggerSizes)
{
	const size_t D = DRVBENCH_QR_MIN_DATA_SIZE, T = DRVBENCH_QR_MIN_TMP_SIZE;
	const Case cases[] = {text_case(1), text_case(2953), url_case(kUrl, 5),
			      url_case(kUrl, size_t(capacity(40, &kUrl)))};
	struct Sizes {
		size_t d, t;
	};
	const Sizes sizes[] = {{D + 1, T}, {D, T + 1}, {8192, 8192}, {65536, 4096}, {D, 65536}};
	for (const Case &c : cases) {
		ASSERT_NE(c.version, 0) << c.name;
		if (c.has_url && packs_url_pre_6_15(p()))
			continue; // its URL-mode capacity differs: kPre615Reason
		std::vector<uint8_t> ref_data, ref_tmp;
		uint8_t w = run(p(), c, ref_data, ref_tmp, D, T);
		ASSERT_EQ(w, 17 + 4 * c.version) << p().stem << ": min sizes, " << c.name;
		const size_t image = size_t(w) * ((w + 7) / 8);
		for (const Sizes &s : sizes) {
			Guarded data(s.d, 0x3c), tmp(s.t, 0x96);
			std::copy(c.payload.begin(), c.payload.end(), data.ptr());
			uint8_t w2 = gen(c, data.ptr(), c.payload.size(), s.d, tmp.ptr(), s.t);
			EXPECT_EQ(w2, w) << p().stem << ": data_size " << s.d << " tmp_size " << s.t
					 << ", " << c.name;
			EXPECT_TRUE(std::equal(ref_data.begin(), ref_data.begin() + image, data.ptr()))
				<< p().stem << ": image differs at data_size " << s.d << " tmp_size "
				<< s.t << ", " << c.name;
			EXPECT_EQ(data.guard_damage(), "") << p().stem << ", " << c.name;
			EXPECT_EQ(tmp.guard_damage(), "") << p().stem << ", " << c.name;
		}
	}
}

// One byte past version 40's capacity: 0. Like the kernel (the version is
// chosen before anything is written), both buffers stay untouched.
TEST_P(QrContract, TooLargeForVersion40)
{
	std::vector<Case> cases = {text_case(2954), text_case(DRVBENCH_QR_MIN_DATA_SIZE)};
	for (const std::string &u : corpus_urls())
		cases.push_back(url_case(u, size_t(capacity(40, &u)) + 1));
	cases.push_back(url_case(std::string(2960, 'u'), 0));  // the URL alone is too big
	for (const Case &c : cases) {
		ASSERT_EQ(c.version, 0) << c.name;
		if (c.has_url && packs_url_pre_6_15(p()))
			continue; // its URL-mode capacity differs: kPre615Reason
		Guarded data(DRVBENCH_QR_MIN_DATA_SIZE, 0x3c), tmp(DRVBENCH_QR_MIN_TMP_SIZE, 0x96);
		std::copy(c.payload.begin(), c.payload.end(), data.ptr());
		auto d0 = data.inside(), t0 = tmp.inside();
		EXPECT_EQ(gen(c, data.ptr(), c.payload.size(), data.size, tmp.ptr(), tmp.size), 0)
			<< p().stem << ": " << c.name;
		EXPECT_EQ(first_diff(data.inside(), d0), "") << p().stem << ": data changed, " << c.name;
		EXPECT_EQ(first_diff(tmp.inside(), t0), "") << p().stem << ": tmp changed, " << c.name;
		EXPECT_EQ(data.guard_damage(), "") << p().stem << ", " << c.name;
		EXPECT_EQ(tmp.guard_damage(), "") << p().stem << ", " << c.name;
	}
}

// max_data_size(v, url_len) is the kernel's formula, and that many bytes
// always fit a version <= v.
TEST_P(QrContract, MaxDataSizeFitsItsVersion)
{
	const size_t url_lens[] = {0, 1, 14, 39, 100, 200, 300};
	size_t checked = 0;
	for (size_t ul : url_lens) {
		for (int v = 1; v <= 40; v++) {
			size_t m = p().ops->max_data_size(uint8_t(v), ul);
			ASSERT_EQ(m, kernel_max_data_size(v, ul))
				<< p().stem << ": max_data_size(" << v << ", " << ul << ")";
			if (!m || (ul && packs_url_pre_6_15(p())))
				continue;
			Case c = ul ? url_case(url_of_len(ul), m) : text_case(m, 0xff);
			std::vector<uint8_t> data, tmp;
			uint8_t w = run(p(), c, data, tmp);
			ASSERT_NE(w, 0) << p().stem << ": max_data_size(" << v << ", " << ul
					<< ") = " << m << " bytes do not fit";
			EXPECT_LE(version_of_width(w), v)
				<< p().stem << ": max_data_size(" << v << ", " << ul << ") = " << m;
			checked++;
		}
	}
	EXPECT_GE(checked, packs_url_pre_6_15(p()) ? 40u : 200u);
	for (size_t ul : {size_t(0), size_t(1), size_t(10), size_t(300)}) {
		EXPECT_EQ(p().ops->max_data_size(0, ul), 0u) << p().stem;
		EXPECT_EQ(p().ops->max_data_size(41, ul), 0u) << p().stem;
		EXPECT_EQ(p().ops->max_data_size(255, ul), 0u) << p().stem;
	}
}

// Every plugin agrees with c-base for every version and url_len 0..300.
TEST_P(QrContract, MaxDataSizeAgreesWithCBase)
{
	const Plugin *ref = reference_plugin();
	ASSERT_NE(ref, nullptr);
	size_t bad = 0;
	for (int v = 0; v <= 255; v++)
		for (size_t ul = 0; ul <= 300; ul++) {
			size_t a = p().ops->max_data_size(uint8_t(v), ul);
			size_t b = ref->ops->max_data_size(uint8_t(v), ul);
			if (a != b && bad++ < 10)
				ADD_FAILURE() << p().stem << ": max_data_size(" << v << ", " << ul
					      << ") = " << a << ", c-base says " << b;
		}
	EXPECT_EQ(bad, 0u);
}

// Hostile sizes at every ABI entry: an error (0), never a crash. Each call runs in a child
// process, so an abort (a Rust panic, an overflow check) is reported, not fatal.
//  - generate(): the sizes the ABI declares errors (too small, data_len > data_size up to
//    SIZE_MAX); for the Rust plugins also what no slice can describe (sizes above
//    isize::MAX) and NULL buffers, which the bindings refuse instead of trusting.
//  - max_data_size(): url_len up to SIZE_MAX, where url_len + 5 wraps.
TEST_P(QrContract, HostileSizesReturnErrors)
{
	// Runs f() in a child; its result, or what killed the child.
	auto in_child = [](auto f, size_t *out) -> std::string {
		int fds[2];
		if (pipe(fds) != 0)
			return "pipe failed";
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			size_t r = f();
			ssize_t n = write(fds[1], &r, sizeof r);
			_exit(n == ssize_t(sizeof r) ? 0 : 3);
		}
		close(fds[1]);
		size_t r = 0;
		ssize_t n = read(fds[0], &r, sizeof r);
		close(fds[0]);
		int status = 0;
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status))
			return std::string("killed by signal ") + strsignal(WTERMSIG(status));
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n != ssize_t(sizeof r))
			return "child failed";
		*out = r;
		return "";
	};
	const size_t D = DRVBENCH_QR_MIN_DATA_SIZE, T = DRVBENCH_QR_MIN_TMP_SIZE;
	const size_t kHuge = size_t(PTRDIFF_MAX) + 1;
	struct Bad {
		const char *what;
		size_t data_len, data_size, tmp_size;
		bool null_data, null_tmp, rust_only;
	};
	const Bad bads[] = {
		{"data_len = SIZE_MAX", SIZE_MAX, D, T, false, false, false},
		{"data_len = data_size + 1", D + 1, D, T, false, false, false},
		{"data_size = 0, tmp_size = 0", 0, 0, 0, false, false, false},
		{"tmp_size = min - 1", 10, D, T - 1, false, false, false},
		{"data_size = isize::MAX + 1", 10, kHuge, T, false, false, true},
		{"data_size = SIZE_MAX", 10, SIZE_MAX, T, false, false, true},
		{"tmp_size = SIZE_MAX", 10, D, SIZE_MAX, false, false, true},
		{"data_len = data_size = SIZE_MAX", SIZE_MAX, SIZE_MAX, SIZE_MAX, false, false, true},
		{"data = NULL", 10, D, T, true, false, true},
		{"tmp = NULL", 10, D, T, false, true, true},
	};
	const bool rust = std::string(p().desc->impl) == "rust";
	for (const std::string *url : {(const std::string *)nullptr, &kUrl}) {
		for (const Bad &b : bads) {
			if (b.rust_only && !rust)
				continue;
			std::vector<uint8_t> data(D, 'x'), tmp(T, 0);
			auto fn = p().ops->generate;
			size_t w = 1;
			std::string died = in_child([&] {
				return size_t(fn(url ? url->c_str() : nullptr, b.null_data ? nullptr : data.data(),
						 b.data_len, b.data_size, b.null_tmp ? nullptr : tmp.data(), b.tmp_size));
			}, &w);
			EXPECT_EQ(died, "") << p().stem << ": generate, " << b.what << (url ? ", URL" : "");
			EXPECT_EQ(w, 0u) << p().stem << ": generate, " << b.what << (url ? ", URL" : "");
		}
	}
	const size_t url_lens[] = {SIZE_MAX, SIZE_MAX - 4, SIZE_MAX - 5, kHuge, 2956 - 5, 2956 - 6};
	for (int v : {1, 7, 40, 0, 41, 255}) {
		for (size_t ul : url_lens) {
			if (packs_url_pre_6_15(p()) && ul > SIZE_MAX - 5) {
				std::printf("%s: max_data_size(%d, %zu) skipped: Linux 6.12's "
					    "drm_panic_qr_max_data_size() computes url_len + 5 unchecked "
					    "(docs/qrpanic.md)\n", p().stem.c_str(), v, ul);
				continue;
			}
			size_t m = 1;
			auto fn = p().ops->max_data_size;
			std::string died = in_child([&] { return fn(uint8_t(v), ul); }, &m);
			EXPECT_EQ(died, "") << p().stem << ": max_data_size(" << v << ", " << ul << ")";
			// No version has room next to a URL of >= 2950 bytes (the last: v40,
			// (2956 - 2950 - 5) * 39 / 40 = 0).
			EXPECT_EQ(m, 0u) << p().stem << ": max_data_size(" << v << ", " << ul << ")";
		}
	}
}

QRTEST_INSTANTIATE(QrContract);
