// SPDX-License-Identifier: MIT
// qrpanic: every plugin bit-exact against Nayuki's qrcodegen (the oracle), and
// every plugin's data and tmp buffers byte-identical to the c-base plugin's.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "qr_support.h"

using namespace qrtest;

namespace {

std::string describe(const Case &c)
{
	std::string s = c.name + " url=";
	s += c.has_url ? "\"" + c.url + "\"" : std::string("NULL");
	s += " payload=" + hex_prefix(c.payload);
	return s;
}

}  // namespace

TEST(QrPanicDiscovery, PluginsLoadAndReferenceExists)
{
	const Discovery &d = discover();
	for (const std::string &e : d.errors)
		ADD_FAILURE() << "plugin dir " << d.dir << ": " << e;
	ASSERT_NE(reference_plugin(), nullptr)
		<< "no c-base plugin with qrpanic ops in " << d.dir;
	for (const Plugin &p : d.plugins)
		std::printf("qrpanic plugin: %s (impl=%s variant=%s %s %s)\n", p.stem.c_str(),
			    p.desc->impl, p.desc->variant, p.desc->compiler,
			    p.desc->compiler_version);
	EXPECT_GE(d.plugins.size(), 2u);
}

TEST(QrPanicCorpus, CoversEveryVersionInBothModes)
{
	std::set<int> text, url;
	size_t boundaries = 0;
	for (const Case &c : corpus()) {
		(c.has_url ? url : text).insert(c.version);
		boundaries += c.name.find("/cap") != std::string::npos;
	}
	for (int v = 1; v <= 40; v++) {
		EXPECT_TRUE(text.count(v)) << "no text-mode case at version " << v;
		EXPECT_TRUE(url.count(v)) << "no URL-mode case at version " << v;
	}
	EXPECT_GE(corpus().size(), 300u);
	EXPECT_GE(boundaries, 2u * 40u);
}

// The capacity model the corpus is built from agrees with qrcodegen, so the
// "expected version" of every case is right.
TEST(QrPanicCorpus, ModelAgreesWithOracle)
{
	for (const Case &c : corpus()) {
		Symbol s = oracle(c);
		ASSERT_EQ(s.width, 17 + 4 * c.version) << describe(c);
	}
	// Just past version 40 does not fit, for the oracle either.
	Case big;
	big.payload.assign(size_t(capacity(40, nullptr)) + 1, 'a');
	EXPECT_EQ(oracle(big).width, 0);
	EXPECT_EQ(capacity(40, nullptr), 2953);  // the QR standard's byte-mode limit
}

class QrOracle : public ::testing::TestWithParam<Plugin> {};

TEST_P(QrOracle, BitExactAgainstQrcodegen)
{
	const Plugin &p = GetParam();
	std::vector<uint8_t> data, tmp;
	size_t failures = 0, checked = 0;
	std::set<int> versions[2];
	const bool skip_url = packs_url_pre_6_15(p);
	if (skip_url)
		std::printf("%s: %s\n", p.stem.c_str(), kPre615Reason);
	for (const Case &c : corpus()) {
		if (skip_url && c.has_url) {
			checked++;
			continue;
		}
		Symbol want = oracle(c);
		uint8_t w = run(p, c, data, tmp);
		checked++;
		if (w != want.width) {
			ADD_FAILURE() << p.stem << ": width " << int(w) << ", qrcodegen "
				      << want.width << " for " << describe(c);
			if (++failures >= 10)
				break;
			continue;
		}
		versions[c.has_url].insert(version_of_width(w));
		size_t bad = 0;
		int fx = -1, fy = -1;
		for (int y = 0; y < w; y++)
			for (int x = 0; x < w; x++)
				if (light(data.data(), w, x, y) == bool(want.dark[size_t(y) * w + x]) &&
				    bad++ == 0)
					fx = x, fy = y;
		if (bad) {
			ADD_FAILURE() << p.stem << ": " << bad << " of " << w * w
				      << " modules differ from qrcodegen (first at x=" << fx
				      << " y=" << fy << ") for " << describe(c);
			if (++failures >= 10)
				break;
		}
	}
	EXPECT_EQ(checked, corpus().size());
	EXPECT_EQ(versions[0].size(), 40u) << "text-mode versions checked";
	EXPECT_EQ(versions[1].size(), skip_url ? 0u : 40u) << "URL-mode versions checked";
}
QRTEST_INSTANTIATE(QrOracle);

class QrDifferential : public ::testing::TestWithParam<Plugin> {};

// Every plugin writes exactly what c-base writes: all data_size bytes of data
// and all tmp_size bytes of tmp, at the minimum sizes and at larger sizes.
TEST_P(QrDifferential, BuffersIdenticalToCBase)
{
	const Plugin &p = GetParam();
	const Plugin *ref = reference_plugin();
	ASSERT_NE(ref, nullptr);
	struct Sizes {
		size_t data, tmp;
	};
	const Sizes sizes[] = {{DRVBENCH_QR_MIN_DATA_SIZE, DRVBENCH_QR_MIN_TMP_SIZE},
			       {DRVBENCH_QR_MIN_DATA_SIZE + 1000, DRVBENCH_QR_MIN_TMP_SIZE + 333}};
	std::vector<uint8_t> d0, t0, d1, t1;
	size_t failures = 0;
	const bool skip_url = packs_url_pre_6_15(p);
	if (skip_url)
		std::printf("%s: %s\n", p.stem.c_str(), kPre615Reason);
	for (const Sizes &sz : sizes) {
		for (const Case &c : corpus()) {
			if (skip_url && c.has_url)
				continue;
			uint8_t w0 = run(*ref, c, d0, t0, sz.data, sz.tmp);
			uint8_t w1 = run(p, c, d1, t1, sz.data, sz.tmp);
			std::string dd = first_diff(d1, d0), td = first_diff(t1, t0);
			if (w0 != w1 || !dd.empty() || !td.empty()) {
				ADD_FAILURE() << p.stem << " vs " << ref->stem << " (data_size "
					      << sz.data << ", tmp_size " << sz.tmp << "): width "
					      << int(w1) << " vs " << int(w0) << "; data: "
					      << (dd.empty() ? "equal" : dd)
					      << "; tmp: " << (td.empty() ? "equal" : td) << " for "
					      << describe(c);
				if (++failures >= 10)
					return;
			}
		}
	}
}
QRTEST_INSTANTIATE(QrDifferential);

// ---- the kernel's own encoder (kernel-rust peer): Linux 6.12's drm_panic_qr.rs

namespace {

std::vector<const Plugin *> kernel_peers()
{
	std::vector<const Plugin *> v;
	for (const Plugin &p : plugins())
		if (packs_url_pre_6_15(p))
			v.push_back(&p);
	return v;
}

const char *const kNoPeer =
	"kernel-rust peer unavailable: the build found no linux-source-6.12 "
	"(/usr/src/linux-source-6.12.tar.xz; tools/setup installs it)";

}  // namespace

// Byte mode: the kernel's image and scratch buffer are bit-identical to c-base's at every
// version 1..40, for a payload at each version's capacity and one just past the previous
// version's (the corpus' text cases cover more; this names the claim).
TEST(QrKernelPeer, ByteModeIdenticalToCBaseAtEveryVersion)
{
	auto peers = kernel_peers();
	if (peers.empty())
		GTEST_SKIP() << kNoPeer;
	const Plugin *ref = reference_plugin();
	ASSERT_NE(ref, nullptr);
	for (const Plugin *p : peers) {
		int versions = 0;
		for (int v = 1; v <= 40; v++) {
			for (long n : {capacity(v, nullptr), v > 1 ? capacity(v - 1, nullptr) + 1 : 0L}) {
				Case c;
				c.payload.resize(size_t(n));
				for (size_t i = 0; i < c.payload.size(); i++)
					c.payload[i] = uint8_t(i * 89 + v);
				c.version = v;
				std::vector<uint8_t> d0, t0, d1, t1;
				uint8_t w0 = run(*ref, c, d0, t0), w1 = run(*p, c, d1, t1);
				ASSERT_EQ(w0, 17 + 4 * v) << ref->stem << ", " << n << " bytes";
				EXPECT_EQ(w1, w0) << p->stem << ": version " << v << ", " << n << " bytes";
				EXPECT_EQ(first_diff(d1, d0), "") << p->stem << ": image, version " << v;
				EXPECT_EQ(first_diff(t1, t0), "") << p->stem << ": tmp, version " << v;
			}
			versions++;
		}
		EXPECT_EQ(versions, 40);
	}
}

// The reason URL mode is skipped for the peer is real: its URL-mode image differs
// (the payload's digits differ), while it still decodes as a valid code of some version.
TEST(QrKernelPeer, UrlModeDiffersFrom615Scheme)
{
	auto peers = kernel_peers();
	if (peers.empty())
		GTEST_SKIP() << kNoPeer;
	const Plugin *ref = reference_plugin();
	ASSERT_NE(ref, nullptr);
	Case c;
	c.has_url = true;
	c.url = "https://panic.example.org/?z=";
	c.payload.resize(200);
	for (size_t i = 0; i < c.payload.size(); i++)
		c.payload[i] = uint8_t(i * 151 + 7);
	for (const Plugin *p : peers) {
		std::vector<uint8_t> d0, t0, d1, t1;
		uint8_t w0 = run(*ref, c, d0, t0), w1 = run(*p, c, d1, t1);
		ASSERT_NE(w0, 0);
		ASSERT_NE(w1, 0) << p->stem;
		EXPECT_NE(first_diff(t1, t0), "") << p->stem << ": same codewords as the 6.15+ scheme";
	}
}
