// qrpanic_diff: the C, the safe C++ and the safe Rust QR encoder on the same arbitrary input.
// (Rust: the drvbench crate as a static library, called through its drvbench_plugin() ops
// table, the C ABI every plugin exports.)
//
// Input: a few bytes choose data_size, tmp_size, data_len and whether there is a URL (sizes
// around and below the contract's minimums 4071/3706, data_len sometimes > data_size), then
// the URL, then the payload. Both buffers are heap blocks of exactly the declared size, so
// AddressSanitizer catches a single byte outside them.
//
// Properties:
//  - C, C++ and Rust return the same width and leave byte-identical data and tmp buffers;
//  - a 0 return leaves both buffers untouched; a non-zero one is a valid width (21..177,
//    17 + 4 * version) and only happens when the buffer contract holds;
//  - the version is the smallest that fits: the payload is larger than max_data_size() of
//    the version below, and a payload within max_data_size(40, url_len) is never refused;
//  - max_data_size() agrees between the three sides.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <drvbench/plugin.h>

#include "fuzz_check.hpp"

extern "C" {
uint8_t qrp_generate(const char *url, uint8_t *data, size_t data_len, size_t data_size, uint8_t *tmp,
		     size_t tmp_size);
size_t qrp_max_data_size(uint8_t version, size_t url_len);
extern const drvbench_qrpanic_ops drvbench_cpp_qrpanic_ops;
}
// The Rust static library's entry point (rust_drivers/abi.rs).
extern "C" const struct drvbench_plugin *drvbench_plugin(void);

namespace {

constexpr size_t kMinData = DRVBENCH_QR_MIN_DATA_SIZE, kMinTmp = DRVBENCH_QR_MIN_TMP_SIZE;

// A size near a minimum: mostly at or a little above it, sometimes below, sometimes far above.
size_t pick_size(FuzzedDataProvider &in, size_t min)
{
	switch (in.ConsumeIntegralInRange<int>(0, 7)) {
	case 0:
		return in.ConsumeIntegralInRange<size_t>(0, min - 1);
	case 1:
		return min - 1;
	case 2:
		return in.ConsumeIntegralInRange<size_t>(min, min + 8192);
	default:
		return min + in.ConsumeIntegralInRange<size_t>(0, 16);
	}
}

struct Buf {
	std::unique_ptr<uint8_t[]> p;
	size_t n;
	explicit Buf(size_t size) : p(new uint8_t[size ? size : 1]), n(size) {}
	Buf(const Buf &o) : Buf(o.n) { std::memcpy(p.get(), o.p.get(), n); }
	bool operator==(const Buf &o) const { return n == o.n && std::memcmp(p.get(), o.p.get(), n) == 0; }
};

size_t first_diff(const Buf &a, const Buf &b)
{
	for (size_t i = 0; i < a.n; i++)
		if (a.p[i] != b.p[i])
			return i;
	return a.n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	FuzzedDataProvider in(bytes, size);
	const size_t data_size = pick_size(in, kMinData);
	const size_t tmp_size = pick_size(in, kMinTmp);
	const bool have_url = in.ConsumeBool();
	const int len_mode = in.ConsumeIntegralInRange<int>(0, 3);
	size_t len_arg = in.ConsumeIntegralInRange<size_t>(0, 2 * kMinData);
	std::string url_s;
	if (have_url)
		url_s = in.ConsumeRandomLengthString(400);
	const char *url = have_url ? url_s.c_str() : nullptr;
	const size_t url_len = have_url ? std::strlen(url) : 0;
	std::vector<uint8_t> payload = in.ConsumeRemainingBytes<uint8_t>();

	// data_len: the payload's length (the usual case), or any value, including > data_size.
	size_t data_len = len_mode == 0 ? len_arg : payload.size();

	Buf data(data_size), tmp(tmp_size);
	for (size_t i = 0; i < data.n; i++)
		data.p[i] = static_cast<uint8_t>(0x5a ^ (i * 31));
	for (size_t i = 0; i < tmp.n; i++)
		tmp.p[i] = static_cast<uint8_t>(0xa5 ^ (i * 17));
	if (!payload.empty())
		std::memcpy(data.p.get(), payload.data(), std::min(payload.size(), data.n));
	const Buf data0(data), tmp0(tmp);
	Buf cdata(data), ctmp(tmp), xdata(data), xtmp(tmp), rdata(data), rtmp(tmp);
	const drvbench_qrpanic_ops *rust = drvbench_plugin()->qrpanic;

	const uint8_t wc = qrp_generate(url, cdata.p.get(), data_len, data_size, ctmp.p.get(), tmp_size);
	const uint8_t wx = drvbench_cpp_qrpanic_ops.generate(url, xdata.p.get(), data_len, data_size, xtmp.p.get(),
							     tmp_size);

	FUZZ_CHECK(wc == wx, "C returned %u, C++ %u (data_len %zu data_size %zu tmp_size %zu url %s len %zu)", wc, wx,
		   data_len, data_size, tmp_size, url ? "yes" : "no", url_len);
	FUZZ_CHECK(cdata == xdata, "data differs at byte %zu (width %u)", first_diff(cdata, xdata), wc);
	FUZZ_CHECK(ctmp == xtmp, "tmp differs at byte %zu (width %u)", first_diff(ctmp, xtmp), wc);
	const uint8_t wr = rust->generate(url, rdata.p.get(), data_len, data_size, rtmp.p.get(), tmp_size);
	FUZZ_CHECK(wc == wr, "C returned %u, Rust %u (data_len %zu data_size %zu tmp_size %zu url %s len %zu)", wc, wr,
		   data_len, data_size, tmp_size, url ? "yes" : "no", url_len);
	FUZZ_CHECK(cdata == rdata, "Rust: data differs at byte %zu (width %u)", first_diff(cdata, rdata), wc);
	FUZZ_CHECK(ctmp == rtmp, "Rust: tmp differs at byte %zu (width %u)", first_diff(ctmp, rtmp), wc);

	const bool contract = data_size >= kMinData && tmp_size >= kMinTmp && data_len <= data_size;
	// max_data_size(v, 0) means "no URL": an empty URL (a Numeric segment all the same) has no bound.
	const bool bounded = !have_url || url_len > 0;
	if (wc == 0) {
		FUZZ_CHECK(cdata == data0, "0 returned but data changed at byte %zu", first_diff(cdata, data0));
		FUZZ_CHECK(ctmp == tmp0, "0 returned but tmp changed at byte %zu", first_diff(ctmp, tmp0));
		if (contract && bounded) {
			const size_t max40 = qrp_max_data_size(40, url_len);
			FUZZ_CHECK(max40 == 0 || data_len > max40,
				   "refused a payload of %zu bytes that max_data_size(40, %zu) = %zu says fits",
				   data_len, url_len, max40);
		}
	} else {
		FUZZ_CHECK(contract, "width %u returned although the buffer contract is broken", wc);
		FUZZ_CHECK(wc >= 21 && wc <= 177 && (wc - 17) % 4 == 0, "bad width %u", wc);
		const uint8_t v = static_cast<uint8_t>((wc - 17) / 4);
		const size_t below = v > 1 ? qrp_max_data_size(static_cast<uint8_t>(v - 1), url_len) : 0;
		FUZZ_CHECK(!bounded || v == 1 || below == 0 || data_len > below,
			   "version %u chosen for %zu bytes (url %zu) but version %u holds %zu", v, data_len, url_len,
			   v - 1, below);
	}

	// max_data_size on an arbitrary (version, url_len), both sides.
	const uint8_t mv = static_cast<uint8_t>(len_arg & 0xff);
	const size_t ml = have_url ? url_len : len_arg >> 8;
	const size_t mc = qrp_max_data_size(mv, ml), mx = drvbench_cpp_qrpanic_ops.max_data_size(mv, ml);
	FUZZ_CHECK(mc == mx, "max_data_size(%u, %zu): C %zu, C++ %zu", mv, ml, mc, mx);
	const size_t mr = rust->max_data_size(mv, ml);
	FUZZ_CHECK(mc == mr, "max_data_size(%u, %zu): C %zu, Rust %zu", mv, ml, mc, mr);
	FUZZ_CHECK((mv >= 1 && mv <= 40) || mc == 0, "max_data_size(%u, ...) = %zu for a bad version", mv, mc);
	return 0;
}
