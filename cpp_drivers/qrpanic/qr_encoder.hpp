// SPDX-License-Identifier: MIT
// qrpanic, safe C++: the panic-screen QR encoder on spans. The C ABI (raw
// pointers and sizes) is converted in bindings.cpp and nowhere else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "../common/result.hpp"

namespace drvbench::qrpanic {

inline constexpr std::size_t kMinDataSize = 4071; // a version 40 image: 177 rows of 23 bytes
inline constexpr std::size_t kMinTmpSize = 3706;  // version 40 codewords, data + ECC

enum class QrError : uint8_t {
	DataBufferTooSmall,
	TmpBufferTooSmall,
	DataLenExceedsBuffer,
	PayloadTooLarge,
};

// Width of the drawn code in modules (21..177).
struct Width {
	uint8_t modules;
};

// Encodes data[0, data_len) (after the URL, as Numeric, when a URL is given) and
// draws the code over data: 1 bit per module, MSB first, stride ceil(width / 8),
// a set bit is a light module. tmp receives codewords and ECC.
[[nodiscard]] Result<Width, QrError> generate(std::optional<std::span<const uint8_t>> url,
					      std::span<uint8_t> data, std::size_t data_len,
					      std::span<uint8_t> tmp);

// Largest payload for a version 1..40 code with a URL of url_len bytes (0: none).
[[nodiscard]] std::size_t max_data_size(uint8_t version, std::size_t url_len);

} // namespace drvbench::qrpanic
