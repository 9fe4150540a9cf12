// SPDX-License-Identifier: MIT
// Shared helpers for the qrpanic tests: plugin discovery, the independent
// capacity model, the test corpus, the qrcodegen oracle and image helpers.
#pragma once

#include <drvbench/plugin.h>

#include "plugin_scan.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace qrtest {

// One loaded plugin that has qrpanic ops (tests/common/plugin_scan.hpp); gtest prints
// it as its file stem.
using Plugin = drvtest::Plugin<drvbench_qrpanic_ops>;

// What the scan found: plugins (only those with qrpanic ops, sorted by stem), errors
// (dlopen failures, ABI mismatches, missing symbol; a test asserts this is empty) and
// skipped (valid plugins without qrpanic ops).
using Discovery = drvtest::Discovery<drvbench_qrpanic_ops>;

// Scans $DRVBENCH_TEST_PLUGIN_DIR (env) or the compiled-in plugin dir once.
const Discovery &discover();
const std::vector<Plugin> &plugins();
// The c-base plugin (the byte-for-byte reference for the C vs C++ test), or null.
const Plugin *reference_plugin();

// The kernel's own encoder (the kernel-rust peer, rust_drivers/kernel_peer) is Linux 6.12's:
// it packs the URL-mode payload the pre-6.15 way (13 bits to 4 digits), so its URL-mode
// output differs from drvbench's 6.15+ scheme by design; Byte mode must match exactly.
bool packs_url_pre_6_15(const Plugin &p);
extern const char *const kPre615Reason;

// ---- independent model of capacities (ISO/IEC 18004, ECC level L) ----
size_t data_codewords(int version);                // 0 outside 1..40
size_t numeric_digits(size_t nbytes);              // 7 bytes -> 17 digits
std::string bytes_to_digits(const uint8_t *p, size_t n);
// Bits of the segments: Byte(url) + Numeric(payload) or Byte(payload).
size_t segment_bits(int version, const std::string *url, size_t payload_len);
// Largest payload that fits version v (0..; SIZE_MAX-free): -1 if none fits.
long capacity(int version, const std::string *url);
// Smallest version 1..40 holding the payload, 0 if none.
int expected_version(const std::string *url, size_t payload_len);
// The kernel's drm_panic_qr_max_data_size(), from the spec table.
size_t kernel_max_data_size(int version, size_t url_len);

// ---- corpus ----
struct Case {
	std::string name;
	bool has_url = false;
	std::string url;
	std::vector<uint8_t> payload;
	int version = 0;  // expected version (0: does not fit)
	const std::string *url_ptr() const { return has_url ? &url : nullptr; }
	const char *url_cstr() const { return has_url ? url.c_str() : nullptr; }
};
// Deterministic (seeded) corpus: random + printable payloads covering every
// version in both modes, edge cases (empty, lengths 1..14, capacity
// boundaries). Only cases that fit version 40.
const std::vector<Case> &corpus();
// The URLs used by URL-mode cases.
const std::vector<std::string> &corpus_urls();

// ---- oracle ----
struct Symbol {
	int width = 0;                 // 0: does not fit
	std::vector<uint8_t> dark;     // width * width, row-major, 1 = dark
};
// Nayuki's qrcodegen C, same segments, ECC L, versions 1..40, mask 0, no boost.
Symbol oracle(const Case &c);

// ---- image helpers ----
inline bool light(const uint8_t *img, int width, int x, int y)
{
	const int stride = (width + 7) / 8;
	return img[y * stride + x / 8] & (0x80 >> (x % 8));
}
inline int version_of_width(int w) { return (w - 17) / 4; }

// Runs generate with exact minimum sizes; returns width, fills data/tmp.
uint8_t run(const Plugin &p, const Case &c, std::vector<uint8_t> &data,
	    std::vector<uint8_t> &tmp, size_t data_size = DRVBENCH_QR_MIN_DATA_SIZE,
	    size_t tmp_size = DRVBENCH_QR_MIN_TMP_SIZE);

// Describes the first difference between two images/buffers, "" if equal.
std::string first_diff(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b);
std::string hex_prefix(const std::vector<uint8_t> &v, size_t n = 24);

}  // namespace qrtest

// gtest naming helper: INSTANTIATE over plugins(), param names = plugin stems.
#define QRTEST_INSTANTIATE(suite)                                                    \
	INSTANTIATE_TEST_SUITE_P(                                                    \
		Plugins, suite, ::testing::ValuesIn(::qrtest::plugins()),            \
		[](const ::testing::TestParamInfo<::qrtest::Plugin> &info) {         \
			return info.param.param;                                     \
		});                                                                  \
	GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(suite)
