// SPDX-License-Identifier: MIT
// drvbench-bench: per-operation cost of the qrpanic encoders and their peers.
//
//   qrpanic/<plugin>/text/v<N>     memcpy(data, payload, len) + generate(NULL, ...)
//   qrpanic/<plugin>/url/v<N>      memcpy(data, payload, len) + generate(url, ...)
//   qrpanic/qrcodegen-c/text/v<N>  memcpy + qrcodegen_encodeBinary(min=max=N, Mask_0, no boost)
//   qrpanic/qrcodegen-cpp/text/v<N> QrSegment::makeBytes + QrCode::encodeSegments(LOW, 1, 40, mask 0)
//   qrpanic/libqrencode/text/v<N>  QRcode_encodeData(len, data, 0, QR_ECLEVEL_L) + QRcode_free
//
// Payloads are the same bytes for every contender at a version: deterministic
// printable pseudo-kmsg text of max_data_size(N, 0) bytes (text mode), seeded
// random bytes of max_data_size(N, url_len) (URL mode; ours only), so each
// benchmark hits version N exactly. Each benchmark checks the version once
// before timing and skips with an error if it is not N.
//
// Plugins come from $DRVBENCH_PLUGINS, else <dir of this executable>/../plugins.
#include <benchmark/benchmark.h>
#include <drvbench/plugin.h>
#include <qrcodegen/qrcodegen.h>
#include <qrcodegen/qrcodegen.hpp>
#include <qrencode.h>

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Plugin {
	std::string stem;  // "c-base-gcc12" (file name without "drvbench-" and ".so")
	const struct drvbench_plugin *desc;
	const struct drvbench_qrpanic_ops *ops;
};

std::string plugin_dir()
{
	if (const char *e = std::getenv("DRVBENCH_PLUGINS"); e && *e)
		return e;
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return "plugins";
	std::string exe(buf, size_t(n));
	return exe.substr(0, exe.rfind('/')) + "/../plugins";
}

std::vector<Plugin> load_plugins(const std::string &dir)
{
	std::vector<std::string> names;
	if (DIR *d = opendir(dir.c_str())) {
		while (const dirent *e = readdir(d)) {
			std::string n = e->d_name;
			if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0)
				names.push_back(n);
		}
		closedir(d);
	} else {
		std::fprintf(stderr, "drvbench-bench: cannot open plugin dir %s\n", dir.c_str());
	}
	std::sort(names.begin(), names.end());
	std::vector<Plugin> out;
	for (const std::string &n : names) {
		std::string path = dir + "/" + n;
		void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			std::fprintf(stderr, "drvbench-bench: %s\n", dlerror());
			continue;
		}
		auto fn = reinterpret_cast<drvbench_plugin_fn>(dlsym(h, DRVBENCH_PLUGIN_SYMBOL));
		const struct drvbench_plugin *p = fn ? fn() : nullptr;
		if (!p || p->abi_version != DRVBENCH_ABI_VERSION) {
			std::fprintf(stderr, "drvbench-bench: %s: no plugin or ABI mismatch, skipped\n",
				     n.c_str());
			continue;
		}
		if (!p->qrpanic)
			continue;
		std::string stem = n.substr(0, n.size() - 3);
		if (stem.rfind("drvbench-", 0) == 0)
			stem = stem.substr(9);
		out.push_back({stem, p, p->qrpanic});
	}
	return out;
}

struct Rng {  // splitmix64
	uint64_t s;
	uint64_t next()
	{
		uint64_t z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
};

// Deterministic printable pseudo-kmsg of exactly n bytes.
std::vector<uint8_t> kmsg_text(size_t n, uint64_t seed)
{
	static const char *const msgs[] = {
		"BUG: kernel NULL pointer dereference, address: 0000000000000008",
		"#PF: supervisor read access in kernel mode",
		"Oops: 0000 [#1] PREEMPT SMP NOPTI",
		"CPU: 1 PID: 4242 Comm: kworker/1:2 Tainted: G        W          6.15.0 #1",
		"Hardware name: QEMU Standard PC (Q35 + ICH9, 2009)",
		"Workqueue: events drm_fb_helper_damage_work",
		"RIP: 0010:drm_atomic_helper_commit_planes+0x5c/0x2a0",
		"Call Trace:",
		" <TASK>",
		" ? __die+0x23/0x70",
		" ? page_fault_oops+0x171/0x4e0",
		" drm_atomic_helper_commit_tail+0x48/0x90",
		" commit_tail+0xce/0x1a0",
		" process_one_work+0x1a4/0x3a0",
		"Kernel panic - not syncing: Fatal exception",
	};
	Rng r{seed};
	std::string s;
	while (s.size() < n) {
		char line[160];
		uint64_t x = r.next();
		std::snprintf(line, sizeof line, "<%u>[%5u.%06u] %s\n", unsigned(x % 8),
			      unsigned((x >> 8) % 100000), unsigned((x >> 32) % 1000000),
			      msgs[(x >> 52) % (sizeof msgs / sizeof msgs[0])]);
		s += line;
	}
	return {s.begin(), s.begin() + long(n)};
}

std::vector<uint8_t> random_bytes(size_t n, uint64_t seed)
{
	Rng r{seed};
	std::vector<uint8_t> v(n);
	for (auto &b : v)
		b = uint8_t(r.next());
	return v;
}

const int kVersions[] = {1, 10, 20, 30, 40};
// A typical panic-report URL (the kernel's drm.panic_screen=qr_code_url).
const std::string kUrl = "https://panic.example.org/report?a=x86_64&v=6.15.0&z=";

void set_counters(benchmark::State &state, int version, size_t bytes, const std::string &label)
{
	state.counters["version"] = version;
	state.counters["bytes"] = double(bytes);
	state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
	state.SetLabel(label);
}

void bench_plugin(benchmark::State &state, const Plugin *p, int version, const std::string *url,
		  std::vector<uint8_t> payload)
{
	std::vector<uint8_t> data(DRVBENCH_QR_MIN_DATA_SIZE), tmp(DRVBENCH_QR_MIN_TMP_SIZE);
	const char *u = url ? url->c_str() : nullptr;
	const size_t len = payload.size();
	std::memcpy(data.data(), payload.data(), len);
	uint8_t w = p->ops->generate(u, data.data(), len, data.size(), tmp.data(), tmp.size());
	if (w != 17 + 4 * version) {
		state.SkipWithError(("width " + std::to_string(w) + ", expected version " +
				     std::to_string(version))
					    .c_str());
		return;
	}
	for (auto _ : state) {
		std::memcpy(data.data(), payload.data(), len);
		benchmark::DoNotOptimize(data.data());
		w = p->ops->generate(u, data.data(), len, data.size(), tmp.data(), tmp.size());
		benchmark::DoNotOptimize(w);
		benchmark::ClobberMemory();
	}
	set_counters(state, version, len,
		     std::string(p->desc->impl) + "/" + p->desc->variant + " " +
			     p->desc->compiler + "-" + p->desc->compiler_version +
			     (url ? " url" + std::to_string(url->size()) : std::string(" text")) +
			     " mask0");
}

void bench_qrcodegen_c(benchmark::State &state, int version, std::vector<uint8_t> payload)
{
	std::vector<uint8_t> buf(qrcodegen_BUFFER_LEN_MAX), qr(qrcodegen_BUFFER_LEN_MAX);
	const size_t len = payload.size();
	std::memcpy(buf.data(), payload.data(), len);
	if (!qrcodegen_encodeBinary(buf.data(), len, qr.data(), qrcodegen_Ecc_LOW, version, version,
				    qrcodegen_Mask_0, false) ||
	    qrcodegen_getSize(qr.data()) != 17 + 4 * version) {
		state.SkipWithError("qrcodegen C did not produce the expected version");
		return;
	}
	for (auto _ : state) {
		std::memcpy(buf.data(), payload.data(), len);
		benchmark::DoNotOptimize(buf.data());
		bool ok = qrcodegen_encodeBinary(buf.data(), len, qr.data(), qrcodegen_Ecc_LOW, version,
						 version, qrcodegen_Mask_0, false);
		benchmark::DoNotOptimize(ok);
		benchmark::ClobberMemory();
	}
	set_counters(state, version, len, "qrcodegen C encodeBinary min=max=v mask0");
}

void bench_qrcodegen_cpp(benchmark::State &state, int version, std::vector<uint8_t> payload)
{
	using qrcodegen::QrCode;
	using qrcodegen::QrSegment;
	{
		std::vector<QrSegment> segs{QrSegment::makeBytes(payload)};
		QrCode qr = QrCode::encodeSegments(segs, QrCode::Ecc::LOW, 1, 40, 0, false);
		if (qr.getVersion() != version) {
			state.SkipWithError("qrcodegen C++ did not produce the expected version");
			return;
		}
	}
	for (auto _ : state) {
		// The C++ API owns its buffers: the segment copy and allocations are part of it.
		std::vector<QrSegment> segs{QrSegment::makeBytes(payload)};
		QrCode qr = QrCode::encodeSegments(segs, QrCode::Ecc::LOW, 1, 40, 0, false);
		benchmark::DoNotOptimize(qr);
	}
	set_counters(state, version, payload.size(), "qrcodegen C++ encodeSegments mask0 (allocates)");
}

// libqrencode has no public way to force a mask: QRcode_encodeData() evaluates
// all eight masks and keeps the best, so it does more work than mask-0 encoders.
void bench_libqrencode(benchmark::State &state, int version, std::vector<uint8_t> payload)
{
	const int len = int(payload.size());
	QRcode *qr = QRcode_encodeData(len, payload.data(), 0, QR_ECLEVEL_L);
	int got = qr ? qr->version : 0;
	QRcode_free(qr);
	if (got != version) {
		state.SkipWithError(("libqrencode chose version " + std::to_string(got)).c_str());
		return;
	}
	for (auto _ : state) {
		qr = QRcode_encodeData(len, payload.data(), 0, QR_ECLEVEL_L);
		benchmark::DoNotOptimize(qr);
		QRcode_free(qr);
	}
	set_counters(state, version, payload.size(), "libqrencode auto mask (evaluates 8 masks)");
}

}  // namespace

int main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;

	const std::string dir = plugin_dir();
	static std::vector<Plugin> plugins = load_plugins(dir);
	benchmark::AddCustomContext("plugin_dir", dir);
	for (const Plugin &p : plugins)
		benchmark::AddCustomContext("plugin:" + p.stem, p.desc->flags);
	if (plugins.empty())
		std::fprintf(stderr, "drvbench-bench: no qrpanic plugins in %s\n", dir.c_str());
	static const std::string url = kUrl;

	for (int v : kVersions) {
		// Text payload size from the spec capacity (max_data_size(v, 0) of any
		// conforming plugin; taken from the first one, all agree - see tests).
		size_t text_len = plugins.empty() ? 0 : plugins[0].ops->max_data_size(uint8_t(v), 0);
		std::vector<uint8_t> text = kmsg_text(text_len, 0x6b6d7367ull + uint64_t(v));
		size_t url_len = plugins.empty() ? 0 : plugins[0].ops->max_data_size(uint8_t(v), url.size());
		std::vector<uint8_t> bin = random_bytes(url_len, 0x75726cull + uint64_t(v));
		const std::string vs = "/v" + std::to_string(v);

		for (const Plugin &p : plugins) {
			benchmark::RegisterBenchmark(("qrpanic/" + p.stem + "/text" + vs).c_str(),
						     bench_plugin, &p, v, nullptr, text);
			// A URL of this length leaves no room at small versions.
			if (url_len)
				benchmark::RegisterBenchmark(("qrpanic/" + p.stem + "/url" + vs).c_str(),
							     bench_plugin, &p, v, &url, bin);
		}
		if (plugins.empty())
			continue;
		benchmark::RegisterBenchmark(("qrpanic/qrcodegen-c/text" + vs).c_str(),
					     bench_qrcodegen_c, v, text);
		benchmark::RegisterBenchmark(("qrpanic/qrcodegen-cpp/text" + vs).c_str(),
					     bench_qrcodegen_cpp, v, text);
		benchmark::RegisterBenchmark(("qrpanic/libqrencode-auto-mask/text" + vs).c_str(),
					     bench_libqrencode, v, text);
	}
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
