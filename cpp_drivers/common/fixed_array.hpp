// SPDX-License-Identifier: MIT
// A heap array whose size is fixed when it is made (blk-mq's request pool,
// the hardware queues). Owns its elements through unique_ptr<T[]>; every
// access goes through a span of the recorded size, so operator[] is checked
// where the library checks spans (_GLIBCXX_ASSERTIONS in the hardened plugins).
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "nothrow.hpp"

namespace drvbench {

template <typename T>
class FixedArray {
public:
	FixedArray() = default;

	// n value-initialised elements; an empty array when allocation fails.
	[[nodiscard]] static FixedArray try_alloc(std::size_t n)
	{
		FixedArray a;
		// NOLINTNEXTLINE(cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays): the owner of the elements.
		std::unique_ptr<T[]> p = try_make_unique_array<T>(n);
		if (p) {
			a.data_ = std::move(p);
			a.size_ = n;
		}
		return a;
	}

	[[nodiscard]] std::size_t size() const { return size_; }
	[[nodiscard]] std::span<T> span() { return {data_.get(), size_}; }
	[[nodiscard]] std::span<const T> span() const { return {data_.get(), size_}; }
	T &operator[](std::size_t i) { return span()[i]; }
	const T &operator[](std::size_t i) const { return span()[i]; }
	auto begin() { return span().begin(); }
	auto end() { return span().end(); }
	[[nodiscard]] auto begin() const { return span().begin(); }
	[[nodiscard]] auto end() const { return span().end(); }

private:
	// NOLINTNEXTLINE(cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays): the owner of the elements.
	std::unique_ptr<T[]> data_;
	std::size_t size_ = 0;
};

} // namespace drvbench
