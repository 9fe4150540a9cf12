// Turns generate()'s module bitmap (set bit = light) into image files: binary PBM,
// 1-bit PNG and a text rendering, with a light margin (quiet zone) and integer scale.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drvbench {

enum class ImageFormat { Pbm, Png, Txt };

struct QrBitmap {
	unsigned width = 0;            // modules per side
	std::vector<uint8_t> bits;     // generate()'s layout: MSB first, stride ceil(width/8), 1 = light
	bool dark(unsigned x, unsigned y) const
	{
		size_t stride = (width + 7) / 8;
		return !((bits[y * stride + x / 8] >> (7 - x % 8)) & 1);
	}
};

// The encoded file. margin in modules (light), scale in pixels per module (txt ignores
// scale: one text row per module row, two characters per module).
std::string encode_image(const QrBitmap &qr, ImageFormat fmt, unsigned scale, unsigned margin);

} // namespace drvbench
