// SPDX-License-Identifier: MIT
#include "qr_support.h"

#include <qrcodegen/qrcodegen.h>

#include <algorithm>
#include <cstdio>

namespace qrtest {

static const drvbench_qrpanic_ops *qrpanic_ops(const struct drvbench_plugin &desc, std::string *error)
{
	const drvbench_qrpanic_ops *ops = desc.qrpanic;
	if (ops && (!ops->generate || !ops->max_data_size)) {
		*error = "qrpanic ops with NULL function pointer";
		return nullptr;
	}
	return ops;
}

const Discovery &discover()
{
	static const Discovery d =
		drvtest::scan_plugins<drvbench_qrpanic_ops>(drvtest::plugin_dir(), qrpanic_ops);
	return d;
}

const std::vector<Plugin> &plugins() { return discover().plugins; }

const Plugin *reference_plugin() { return drvtest::reference_plugin(plugins()); }

bool packs_url_pre_6_15(const Plugin &p) { return std::string(p.desc->impl) == "kernel-rust"; }
const char *const kPre615Reason =
	"URL mode skipped: the kernel 6.12 encoder packs URL-mode payloads the pre-6.15 way "
	"(13 bits to 4 digits), drvbench the 6.15+ way (7 bytes to 17 digits)";

// ---------------------------------------------------------------------------
// Capacity model, written from the spec, independent of the encoder sources.

// Data codewords per version at ECC level L (ISO/IEC 18004:2015 table 7).
static const uint16_t kDataCodewordsL[41] = {
	0,    19,   34,   55,   80,   108,  136,  156,  194,  232,  274,
	324,  370,  428,  461,  523,  589,  647,  721,  795,  861,  932,
	1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955,
	2071, 2191, 2306, 2434, 2566, 2702, 2812, 2956,
};

size_t data_codewords(int version)
{
	return version >= 1 && version <= 40 ? kDataCodewordsL[version] : 0;
}

static const uint8_t kTailDigits[8] = {0, 3, 5, 8, 10, 13, 15, 17};

size_t numeric_digits(size_t n) { return 17 * (n / 7) + kTailDigits[n % 7]; }

std::string bytes_to_digits(const uint8_t *p, size_t n)
{
	std::string out;
	for (size_t off = 0; off < n; off += 7) {
		size_t k = std::min<size_t>(7, n - off);
		uint64_t v = 0;
		for (size_t i = 0; i < k; i++)
			v |= uint64_t(p[off + i]) << (8 * i);
		char buf[300];
		std::snprintf(buf, sizeof buf, "%0*llu", int(kTailDigits[k]),
			      static_cast<unsigned long long>(v));
		out += buf;
	}
	return out;
}

static int byte_len_bits(int v) { return v <= 9 ? 8 : 16; }
static int num_len_bits(int v) { return v <= 9 ? 10 : v <= 26 ? 12 : 14; }

size_t segment_bits(int v, const std::string *url, size_t n)
{
	if (!url)
		return 4 + byte_len_bits(v) + 8 * n;
	size_t d = numeric_digits(n);
	static const int tail_bits[3] = {0, 4, 7};
	return 4 + byte_len_bits(v) + 8 * url->size() + 4 + num_len_bits(v) +
	       10 * (d / 3) + tail_bits[d % 3];
}

static bool fits(int v, const std::string *url, size_t n)
{
	if (segment_bits(v, url, n) > 8 * data_codewords(v))
		return false;
	// Character counts must fit their length fields.
	if (!url)
		return n < (size_t(1) << byte_len_bits(v));
	return url->size() < (size_t(1) << byte_len_bits(v)) &&
	       numeric_digits(n) < (size_t(1) << num_len_bits(v));
}

long capacity(int v, const std::string *url)
{
	if (v < 1 || v > 40 || !fits(v, url, 0))
		return -1;
	size_t n = 0;
	while (fits(v, url, n + 1))
		n++;
	return long(n);
}

int expected_version(const std::string *url, size_t n)
{
	for (int v = 1; v <= 40; v++)
		if (fits(v, url, n))
			return v;
	return 0;
}

size_t kernel_max_data_size(int v, size_t url_len)
{
	if (v < 1 || v > 40)
		return 0;
	size_t max = data_codewords(v);
	if (url_len == 0)
		return max - 3;
	if (url_len + 5 >= max)
		return 0;
	return (max - url_len - 5) * 39 / 40;
}

// ---------------------------------------------------------------------------
// Corpus

namespace {
struct Rng {  // splitmix64: identical sequence everywhere
	uint64_t s;
	uint64_t next()
	{
		uint64_t z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
	size_t range(size_t lo, size_t hi) { return lo + next() % (hi - lo + 1); }
};

std::vector<uint8_t> random_bytes(Rng &r, size_t n)
{
	std::vector<uint8_t> v(n);
	for (auto &b : v)
		b = uint8_t(r.next());
	return v;
}

std::vector<uint8_t> printable(Rng &r, size_t n)
{
	static const char alphabet[] =
		" abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		"[]():.,_-=/<>+*#\n";
	std::vector<uint8_t> v(n);
	for (auto &b : v)
		b = uint8_t(alphabet[r.next() % (sizeof alphabet - 1)]);
	return v;
}

std::vector<Case> build_corpus()
{
	std::vector<Case> out;
	Rng r{0x5eedc0de2024ull};
	auto add = [&](std::string name, const std::string *url, std::vector<uint8_t> payload) {
		Case c;
		c.has_url = url != nullptr;
		if (url)
			c.url = *url;
		c.payload = std::move(payload);
		c.version = expected_version(c.url_ptr(), c.payload.size());
		if (!c.version)
			return;  // too large for v40: contract tests handle these
		c.name = std::move(name) + "/len" + std::to_string(c.payload.size()) + "/v" +
			 std::to_string(c.version);
		out.push_back(std::move(c));
	};

	const std::vector<std::string> &urls = corpus_urls();
	// Mode 0: text; modes 1..: URLs.
	for (int mode = 0; mode <= int(urls.size()); mode++) {
		const std::string *url = mode ? &urls[mode - 1] : nullptr;
		const std::string tag = mode ? "url" + std::to_string(url->size()) : "text";
		long prev = -1;
		for (int v = 1; v <= 40; v++) {
			long hi = capacity(v, url);
			long lo = prev + 1;
			prev = std::max(prev, hi);
			if (hi < lo)
				continue;  // the URL alone does not fit this version
			int per = mode ? 1 : 2;
			for (int k = 0; k < per; k++) {
				add(tag + "/rand", url, random_bytes(r, r.range(lo, hi)));
				add(tag + "/print", url, printable(r, r.range(lo, hi)));
			}
			add(tag + "/cap", url, random_bytes(r, size_t(hi)));
			add(tag + "/cap+1", url, printable(r, size_t(hi) + 1));
			add(tag + "/first", url, random_bytes(r, size_t(lo)));
		}
	}
	// Edge cases.
	std::vector<const std::string *> edge_urls = {nullptr, &urls[0], &urls[1]};
	static const std::string empty_url;
	for (const std::string *url : edge_urls) {
		const std::string tag = url ? "edge-url" + std::to_string(url->size()) : "edge-text";
		add(tag + "/empty", url, {});
		for (size_t n = 1; n <= 14; n++)
			add(tag + "/short", url, random_bytes(r, n));
		for (size_t n : {7, 14, 700, 2100})
			add(tag + "/ff", url, std::vector<uint8_t>(n, 0xff));
		for (size_t n : {1, 7, 13, 701})
			add(tag + "/zero", url, std::vector<uint8_t>(n, 0x00));
	}
	add("edge-emptyurl/empty", &empty_url, {});
	add("edge-emptyurl/rand", &empty_url, random_bytes(r, 100));
	// Fully random lengths in both modes.
	for (int k = 0; k < 40; k++) {
		const std::string *url = k % 2 ? &urls[size_t(k / 2) % urls.size()] : nullptr;
		add(std::string(url ? "anyurl" : "anytext") + "/rand", url,
		    random_bytes(r, r.range(0, url ? 2400 : 2953)));
	}
	return out;
}
}  // namespace

const std::vector<std::string> &corpus_urls()
{
	static const std::vector<std::string> urls = {
		"x",
		"https://k.io/p",
		"https://panic.example.org/drm_panic?a=0",
		"https://drm-panic-qr.example.org/a/very/long/path/used/by/some/distribution/"
		"to/collect/kernel/panic/reports/v1?arch=x86_64&z=",
	};
	return urls;
}

const std::vector<Case> &corpus()
{
	static const std::vector<Case> c = build_corpus();
	return c;
}

// ---------------------------------------------------------------------------
// Oracle

Symbol oracle(const Case &c)
{
	Symbol s;
	std::vector<uint8_t> seg0, seg1;
	qrcodegen_Segment segs[2];
	size_t nsegs = 0;
	std::string digits;
	if (c.has_url) {
		seg0.resize(qrcodegen_calcSegmentBufferSize(qrcodegen_Mode_BYTE, c.url.size()) + 1);
		segs[nsegs++] = qrcodegen_makeBytes(reinterpret_cast<const uint8_t *>(c.url.data()),
						    c.url.size(), seg0.data());
		digits = bytes_to_digits(c.payload.data(), c.payload.size());
		seg1.resize(qrcodegen_calcSegmentBufferSize(qrcodegen_Mode_NUMERIC, digits.size()) + 1);
		segs[nsegs++] = qrcodegen_makeNumeric(digits.c_str(), seg1.data());
	} else {
		seg0.resize(qrcodegen_calcSegmentBufferSize(qrcodegen_Mode_BYTE, c.payload.size()) + 1);
		segs[nsegs++] = qrcodegen_makeBytes(c.payload.data(), c.payload.size(), seg0.data());
	}
	std::vector<uint8_t> temp(qrcodegen_BUFFER_LEN_MAX), qr(qrcodegen_BUFFER_LEN_MAX);
	if (!qrcodegen_encodeSegmentsAdvanced(segs, nsegs, qrcodegen_Ecc_LOW, 1, 40, qrcodegen_Mask_0,
					      false, temp.data(), qr.data()))
		return s;
	s.width = qrcodegen_getSize(qr.data());
	s.dark.resize(size_t(s.width) * s.width);
	for (int y = 0; y < s.width; y++)
		for (int x = 0; x < s.width; x++)
			s.dark[size_t(y) * s.width + x] = qrcodegen_getModule(qr.data(), x, y);
	return s;
}

uint8_t run(const Plugin &p, const Case &c, std::vector<uint8_t> &data, std::vector<uint8_t> &tmp,
	    size_t data_size, size_t tmp_size)
{
	data.assign(data_size, 0x5a);
	tmp.assign(tmp_size, 0xc3);
	std::copy(c.payload.begin(), c.payload.end(), data.begin());
	return p.ops->generate(c.url_cstr(), data.data(), c.payload.size(), data_size, tmp.data(),
			       tmp_size);
}

std::string hex_prefix(const std::vector<uint8_t> &v, size_t n)
{
	std::string s;
	char buf[4];
	for (size_t i = 0; i < v.size() && i < n; i++) {
		std::snprintf(buf, sizeof buf, "%02x", v[i]);
		s += buf;
	}
	if (v.size() > n)
		s += "...";
	return s;
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
	std::snprintf(buf, sizeof buf, "%zu bytes differ, first at offset %zu: %02x vs %02x", count,
		      first, a[first], b[first]);
	return buf;
}

}  // namespace qrtest
