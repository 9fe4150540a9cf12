// SPDX-License-Identifier: MIT
// A one-line message built without allocation, varargs or exceptions: text
// and decimal numbers appended into a fixed buffer (std::to_chars), cut at
// the capacity. Used for attribute errors ("blocksize: 3000 is not ...").
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace drvbench {

template <std::size_t N>
class Line {
public:
	Line &operator<<(std::string_view s)
	{
		for (char c : s) {
			if (len_ == N)
				break;
			buf_[len_++] = c;
		}
		return *this;
	}

	Line &operator<<(uint64_t v)
	{
		std::array<char, 20> digits{};
		auto res = std::to_chars(digits.begin(), digits.end(), v);
		return *this << std::string_view(digits.begin(), res.ptr);
	}

	Line &operator<<(uint32_t v) { return *this << uint64_t{v}; }

	[[nodiscard]] std::string_view view() const { return {buf_.data(), len_}; }

private:
	std::array<char, N> buf_{};
	std::size_t len_ = 0;
};

} // namespace drvbench
