// QR image writers; see qr_image.hpp.
#include "qr_image.hpp"

#include "errors.hpp"

#include <png.h>

namespace drvbench {

namespace {

// Rows of pixels, each pixel true = dark, margin and scale applied.
struct Raster {
	unsigned side;
	const QrBitmap &qr;
	unsigned scale, margin;
	bool dark(unsigned px, unsigned py) const
	{
		unsigned mx = px / scale, my = py / scale;
		if (mx < margin || my < margin || mx >= margin + qr.width || my >= margin + qr.width)
			return false;
		return qr.dark(mx - margin, my - margin);
	}
	// Packed row, MSB first; bit = 1 where dark == dark_bit.
	std::vector<uint8_t> row(unsigned py, bool dark_is_one) const
	{
		std::vector<uint8_t> r((side + 7) / 8, dark_is_one ? 0 : 0xff);
		for (unsigned px = 0; px < side; px++)
			if (dark(px, py)) {
				if (dark_is_one)
					r[px / 8] |= static_cast<uint8_t>(0x80 >> (px % 8));
				else
					r[px / 8] &= static_cast<uint8_t>(~(0x80 >> (px % 8)));
			}
		return r;
	}
};

std::string pbm(const Raster &r)
{
	std::string out = "P4\n" + std::to_string(r.side) + " " + std::to_string(r.side) + "\n";
	for (unsigned y = 0; y < r.side; y++) {
		auto row = r.row(y, true);
		out.append(row.begin(), row.end());
	}
	return out;
}

void png_append(png_structp png, png_bytep data, png_size_t len)
{
	auto *out = static_cast<std::string *>(png_get_io_ptr(png));
	out->append(reinterpret_cast<const char *>(data), len);
}

void png_flush(png_structp) {}

std::string png(const Raster &r)
{
	std::string out;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
	png_infop info = png ? png_create_info_struct(png) : nullptr;
	if (!png || !info) {
		png_destroy_write_struct(&png, &info);
		throw RuntimeError("libpng: cannot create write struct");
	}
	// Rows are built before setjmp so no C++ object with a destructor is skipped by longjmp.
	std::vector<std::vector<uint8_t>> rows;
	for (unsigned y = 0; y < r.side; y++)
		rows.push_back(r.row(y, false)); // PNG grayscale: 0 = black
	std::vector<png_bytep> ptrs;
	for (auto &row : rows)
		ptrs.push_back(row.data());
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		throw RuntimeError("libpng: encoding failed");
	}
	png_set_write_fn(png, &out, png_append, png_flush);
	png_set_IHDR(png, info, r.side, r.side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	png_write_image(png, ptrs.data());
	png_write_end(png, nullptr);
	png_destroy_write_struct(&png, &info);
	return out;
}

std::string txt(const QrBitmap &qr, unsigned margin)
{
	std::string out;
	unsigned side = qr.width + 2 * margin;
	for (unsigned y = 0; y < side; y++) {
		for (unsigned x = 0; x < side; x++) {
			bool d = x >= margin && y >= margin && x < margin + qr.width && y < margin + qr.width &&
				 qr.dark(x - margin, y - margin);
			out += d ? "██" : "  ";
		}
		out += '\n';
	}
	return out;
}

} // namespace

std::string encode_image(const QrBitmap &qr, ImageFormat fmt, unsigned scale, unsigned margin)
{
	Raster r{(qr.width + 2 * margin) * scale, qr, scale, margin};
	switch (fmt) {
	case ImageFormat::Pbm:
		return pbm(r);
	case ImageFormat::Png:
		return png(r);
	case ImageFormat::Txt:
		return txt(qr, margin);
	}
	return {};
}

} // namespace drvbench
