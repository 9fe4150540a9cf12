// drvbench qr encode: one generate() call with one plugin, written as an image file;
// the quickest way to check an implementation by scanning its output.
#include "commands.hpp"
#include "drivers/qrpanic_driver.hpp"
#include "errors.hpp"
#include "fsutil.hpp"
#include "plugins.hpp"
#include "qr_image.hpp"

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace drvbench {

int cmd_qr_encode(const GlobalOptions &g, const QrEncodeOptions &o)
{
	std::vector<Plugin> plugins = load_plugins(g.plugins_dir.empty() ? default_plugin_dir() : g.plugins_dir);

	ImageFormat fmt;
	std::string f = o.format;
	if (f.empty()) {
		std::string ext = fs::path(o.out).extension().string();
		if (ext.size() > 1)
			f = ext.substr(1);
		if (f != "pbm" && f != "png" && f != "txt")
			throw UsageError("--out", "", "cannot infer the image format from '" + o.out +
							       "' (name it .pbm, .png or .txt, or pass --format)");
	}
	fmt = f == "png" ? ImageFormat::Png : f == "txt" ? ImageFormat::Txt : ImageFormat::Pbm;

	const Plugin *plugin = nullptr;
	std::vector<std::string> have;
	for (const auto &p : plugins) { // sorted by id: the first compiler wins
		if (p.has("qrpanic"))
			have.push_back(p.impl + "/" + p.variant);
		if (!plugin && p.impl == o.impl && p.variant == o.variant && p.has("qrpanic"))
			plugin = &p;
	}
	if (!plugin)
		throw UsageError("--impl", "", "no qrpanic plugin with impl '" + o.impl + "' and variant '" + o.variant +
						      "' (have: " + join(have) + ")");

	std::vector<uint8_t> payload;
	std::string where = o.text ? "--text" : "--data";
	if (o.text) {
		payload.assign(o.text->begin(), o.text->end());
	} else {
		std::string bytes = read_file(*o.data_file, 1u << 20); // a payload fits 4 KiB
		payload.assign(bytes.begin(), bytes.end());
		where = *o.data_file;
	}
	if (payload.size() > DRVBENCH_QR_MIN_DATA_SIZE)
		throw UsageError(where, "", "payload is " + std::to_string(payload.size()) + " bytes, more than the " +
						    std::to_string(DRVBENCH_QR_MIN_DATA_SIZE) + "-byte data buffer");
	if (o.url && o.url->find('\0') != std::string::npos)
		throw UsageError("--url", "", "must not contain NUL bytes");

	QrResult r = qr_generate(*plugin, o.url, payload);
	if (r.width == 0) {
		size_t url_len = o.url ? o.url->size() : 0;
		size_t max = plugin->meta->qrpanic->max_data_size(40, url_len);
		throw UsageError(where, "",
				 "payload does not fit a version 40 QR code (" + std::to_string(payload.size()) + " bytes, " +
					 std::to_string(max) + " max " + (o.url ? "for this URL" : "without a URL") + ")");
	}
	ensure_output_dir(o.out, "--out");
	QrBitmap bm{r.width, r.image};
	write_file_atomic(o.out, encode_image(bm, fmt, o.scale, o.margin));
	std::fprintf(stderr, "%s: version %u, width %u (%s), wrote %s\n", plugin->id.c_str(), (r.width - 17) / 4,
		     r.width, f.c_str(), o.out.c_str());
	return 0;
}

} // namespace drvbench
