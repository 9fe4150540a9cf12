// SPDX-License-Identifier: MIT
// The one place where the C ABI's raw pointers meet spans (DESIGN.md: the
// audited exception, as the kernel's Rust bindings are). Every span made here
// has exactly the size the caller declared; the encoder never sees a pointer.
#include <cstring>
#include <optional>
#include <span>

#include <drvbench/plugin.h>

#include "qr_encoder.hpp"

namespace {

uint8_t qrpanic_generate(const char *url, uint8_t *data, size_t data_len, size_t data_size,
			 uint8_t *tmp, size_t tmp_size)
{
	using namespace drvbench::qrpanic;
	// Size checks come first, as in the kernel: a short buffer is never wrapped.
	if (data_size < kMinDataSize || tmp_size < kMinTmpSize || data_len > data_size)
		return 0;

	std::optional<std::span<const uint8_t>> url_span;
	if (url != nullptr) {
		// NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): char bytes viewed as uint8_t, the C ABI's NUL-terminated URL.
		url_span = std::span(reinterpret_cast<const uint8_t *>(url), std::strlen(url));
	}

	auto result = generate(url_span, std::span(data, data_size), data_len, std::span(tmp, tmp_size));
	if (const Width *w = result.value())
		return w->modules;
	return 0;
}

size_t qrpanic_max_data_size(uint8_t version, size_t url_len)
{
	return drvbench::qrpanic::max_data_size(version, url_len);
}

} // namespace

extern "C" const drvbench_qrpanic_ops drvbench_cpp_qrpanic_ops = {
	.generate = qrpanic_generate,
	.max_data_size = qrpanic_max_data_size,
};
