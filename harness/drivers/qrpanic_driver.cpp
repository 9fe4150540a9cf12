// qrpanic component runner; see qrpanic_driver.hpp.
#include "qrpanic_driver.hpp"

#include "../errors.hpp"
#include "kmsg.hpp"

#include <cstring>
#include <zlib.h>

namespace drvbench {

namespace {

constexpr size_t kDataSize = DRVBENCH_QR_MIN_DATA_SIZE;
constexpr size_t kTmpSize = DRVBENCH_QR_MIN_TMP_SIZE;
constexpr const char *kDefaultUrl = "https://panic.drvbench.invalid/?a=x86_64&v=6.15&z=";

// drm_panic's deflate settings (spec of this workload): level 6, 4 KiB window, memLevel 4.
constexpr int kZLevel = 6, kZWindowBits = 12, kZMemLevel = 4;

std::vector<uint8_t> deflate_prefix(const std::string &text, size_t len)
{
	z_stream zs{};
	if (deflateInit2(&zs, kZLevel, Z_DEFLATED, kZWindowBits, kZMemLevel, Z_DEFAULT_STRATEGY) != Z_OK)
		throw RuntimeError("qrpanic: deflateInit2 failed");
	std::vector<uint8_t> out(deflateBound(&zs, len));
	zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.data()));
	zs.avail_in = static_cast<uInt>(len);
	zs.next_out = out.data();
	zs.avail_out = static_cast<uInt>(out.size());
	int rc = deflate(&zs, Z_FINISH);
	size_t n = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
		throw RuntimeError("qrpanic: deflate failed (" + std::to_string(rc) + ")");
	out.resize(n);
	return out;
}

class QrpanicPrepared final : public PreparedWorkload {
public:
	std::optional<std::string> url;
	std::vector<uint8_t> payload;
	nlohmann::json facts;
	const Plugin *reference = nullptr;
	// One pair of buffers shared by every plugin, so no plugin gets a cache advantage.
	alignas(64) uint8_t data[kDataSize];
	alignas(64) uint8_t tmp[kTmpSize];
	volatile unsigned sink = 0;

	nlohmann::json derived() const override { return facts; }

	void verify(const std::vector<const Plugin *> &plugins) override
	{
		QrResult ref = qr_generate(*reference, url, payload);
		if (ref.width == 0)
			throw RuntimeError("qrpanic: reference plugin " + reference->id + " returned width 0 for a " +
					   std::to_string(payload.size()) + "-byte payload");
		for (const Plugin *p : plugins) {
			QrResult r = qr_generate(*p, url, payload);
			if (r.width == 0)
				throw RuntimeError("qrpanic: plugin " + p->id + " returned width 0 (reference " +
						   reference->id + " drew width " + std::to_string(ref.width) + ")");
			if (r.width != ref.width)
				throw RuntimeError("qrpanic: plugin " + p->id + " drew width " + std::to_string(r.width) +
						   ", reference " + reference->id + " drew " + std::to_string(ref.width) +
						   "; the implementations are not matched");
			if (r.image != ref.image) {
				size_t i = 0;
				while (r.image[i] == ref.image[i])
					i++;
				size_t stride = (ref.width + 7) / 8;
				throw RuntimeError("qrpanic: plugin " + p->id + " image differs from reference " +
						   reference->id + " (first at byte " + std::to_string(i) + ", module row " +
						   std::to_string(i / stride) + "); the implementations are not matched");
			}
		}
		facts["width"] = ref.width;
		facts["qr_version"] = (ref.width - 17) / 4;
	}

	void run(const Plugin &p, uint64_t iters) override
	{
		const auto gen = p.meta->qrpanic->generate;
		const char *u = url ? url->c_str() : nullptr;
		const uint8_t *src = payload.data();
		const size_t len = payload.size();
		unsigned acc = 0;
		for (uint64_t i = 0; i < iters; i++) {
			// generate() draws the image over its input, so every call needs the payload
			// copied back first; the copy is part of every plugin's loop alike.
			memcpy(data, src, len);
			acc += gen(u, data, len, kDataSize, tmp, kTmpSize);
		}
		sink = sink + acc;
	}
};

size_t agreed_max(const Plugin &ref, const std::vector<const Plugin *> &plugins, uint8_t version, size_t url_len)
{
	size_t m = ref.meta->qrpanic->max_data_size(version, url_len);
	for (const Plugin *p : plugins) {
		size_t o = p->meta->qrpanic->max_data_size(version, url_len);
		if (o != m)
			throw RuntimeError("qrpanic: max_data_size(" + std::to_string(version) + ", " +
					   std::to_string(url_len) + ") is " + std::to_string(o) + " in " + p->id + " but " +
					   std::to_string(m) + " in " + ref.id + "; the implementations are not matched");
	}
	return m;
}

} // namespace

const std::vector<ParamSpec> &QrpanicDriver::params() const
{
	static const std::vector<ParamSpec> s = [] {
		std::vector<ParamSpec> v(5);
		v[0].name = "mode";
		v[0].type = ParamType::Enum;
		v[0].choices = {"text", "url"};
		v[0].def = std::string("text");
		v[0].help = "text: the payload as one Byte segment; url: URL + compressed payload as Numeric";
		v[1].name = "url";
		v[1].type = ParamType::String;
		v[1].def = std::string(kDefaultUrl);
		v[1].help = "URL prefix used in url mode";
		v[2].name = "version";
		v[2].type = ParamType::Int;
		v[2].def = int64_t{40};
		v[2].min = 1;
		v[2].max = 40;
		v[2].help = "target QR version: the payload is sized to fill it";
		v[3].name = "payload";
		v[3].type = ParamType::Enum;
		v[3].choices = {"kmsg", "random"};
		v[3].def = std::string("kmsg");
		v[3].help = "kmsg: synthetic kernel log; random: seeded random bytes";
		v[4].name = "seed";
		v[4].type = ParamType::Int;
		v[4].def = int64_t{1};
		v[4].min = 0;
		v[4].help = "seed of the payload generator";
		return v;
	}();
	return s;
}

std::string QrpanicDriver::skip_reason(const Workload &w, const Plugin &p) const
{
	// The kernel's own encoder (rust_drivers/kernel_peer, from linux-source-6.12) packs the
	// URL-mode payload the pre-6.15 way, 13 bits to 4 digits; drvbench implements 6.15+'s
	// 7 bytes to 17 digits, so the images differ by design. Text mode is bit-identical.
	if (p.impl == "kernel-rust" && get_str(w.params, "mode") == "url")
		return "the kernel 6.12 encoder packs URL-mode payloads the pre-6.15 way (13 bits to 4 "
		       "digits); drvbench implements the 6.15+ scheme (7 bytes to 17 digits)";
	return "";
}

std::unique_ptr<PreparedWorkload> QrpanicDriver::prepare(const Workload &w, const Plugin &reference,
							 const std::vector<const Plugin *> &plugins) const
{
	const std::string where = w.file ? *w.file : "--driver qrpanic";
	auto prep = std::make_unique<QrpanicPrepared>();
	prep->reference = &reference;
	const std::string mode = get_str(w.params, "mode");
	const std::string kind = get_str(w.params, "payload");
	const auto version = static_cast<uint8_t>(get_int(w.params, "version"));
	const auto seed = static_cast<uint64_t>(get_int(w.params, "seed"));

	size_t url_len = 0;
	if (mode == "url") {
		prep->url = get_str(w.params, "url");
		url_len = prep->url->size();
		if (prep->url->find('\0') != std::string::npos)
			throw UsageError(where, "params.url", "must not contain NUL bytes");
	}
	const size_t max = agreed_max(reference, plugins, version, url_len);
	if (max == 0)
		throw UsageError(where, mode == "url" ? "params.url" : "params.version",
				 "a " + std::to_string(url_len) + "-byte URL leaves no room for data in a version " +
					 std::to_string(version) + " code (use a shorter URL or a higher version)");

	nlohmann::json &f = prep->facts;
	f["mode"] = mode;
	f["url_len"] = url_len;
	f["max_data_size"] = max;
	f["target_version"] = version;
	if (kind == "random") {
		prep->payload = random_bytes(seed, max);
		f["compressed_from"] = nullptr;
	} else {
		const std::string kmsg = synthetic_kmsg(seed);
		f["kmsg_len"] = kmsg.size();
		if (mode == "text") {
			prep->payload.assign(kmsg.begin(), kmsg.begin() + static_cast<std::ptrdiff_t>(max));
			f["compressed_from"] = nullptr;
		} else {
			// Largest prefix whose compressed form fits (drm_panic compresses as much of
			// the log as fits). Compressed size is monotone enough for a binary search.
			if (deflate_prefix(kmsg, 0).size() > max)
				throw UsageError(where, "params.url",
						 "a " + std::to_string(url_len) + "-byte URL leaves " + std::to_string(max) +
							 " bytes in a version " + std::to_string(version) +
							 " code, too few for a zlib stream (use payload = \"random\", a shorter URL or a higher version)");
			size_t lo = 0, hi = kmsg.size();
			while (lo < hi) {
				size_t mid = lo + (hi - lo + 1) / 2;
				if (deflate_prefix(kmsg, mid).size() <= max)
					lo = mid;
				else
					hi = mid - 1;
			}
			prep->payload = deflate_prefix(kmsg, lo);
			f["compressed_from"] = lo;
			f["compression"] = {{"library", "zlib"}, {"zlib_version", zlibVersion()}, {"level", kZLevel},
					    {"window_bits", kZWindowBits}, {"mem_level", kZMemLevel}};
		}
	}
	f["data_len"] = prep->payload.size();
	return prep;
}

QrResult qr_generate(const Plugin &p, const std::optional<std::string> &url, const std::vector<uint8_t> &payload)
{
	std::vector<uint8_t> data(kDataSize), tmp(kTmpSize);
	QrResult r;
	if (payload.size() > kDataSize)
		return r;
	memcpy(data.data(), payload.data(), payload.size());
	r.width = p.meta->qrpanic->generate(url ? url->c_str() : nullptr, data.data(), payload.size(), kDataSize,
					   tmp.data(), kTmpSize);
	if (r.width)
		r.image.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(qr_image_bytes(r.width)));
	return r;
}

} // namespace drvbench
