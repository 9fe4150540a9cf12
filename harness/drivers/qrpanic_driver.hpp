// The qrpanic component runner: its parameters, how a workload's payload is prepared
// (text: a kmsg prefix; url: a zlib-compressed kmsg prefix, as drm_panic does), the check
// that every plugin draws the same image, and the measured generate() call.
#pragma once

#include "../driver.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drvbench {

class QrpanicDriver final : public Driver {
public:
	std::string name() const override { return "qrpanic"; }
	std::string description() const override
	{
		return "panic-screen QR encoder (drm_panic_qr): generate() over a synthetic kmsg";
	}
	const std::vector<ParamSpec> &params() const override;
	std::string skip_reason(const Workload &w, const Plugin &p) const override;
	std::unique_ptr<PreparedWorkload> prepare(const Workload &w, const Plugin &reference,
						  const std::vector<const Plugin *> &plugins) const override;
};

// One generate() call with the ABI's buffer sizes: copies payload into a 4071-byte data
// buffer, returns the width (0: does not fit) and, when it fits, the image bytes
// (ceil(width/8) * width, set bit = light module).
struct QrResult {
	uint8_t width = 0;
	std::vector<uint8_t> image;
};
QrResult qr_generate(const Plugin &p, const std::optional<std::string> &url, const std::vector<uint8_t> &payload);

// Image size in bytes for a width.
inline size_t qr_image_bytes(unsigned width)
{
	return static_cast<size_t>((width + 7) / 8) * width;
}

} // namespace drvbench
