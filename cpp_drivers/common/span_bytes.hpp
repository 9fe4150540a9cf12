// SPDX-License-Identifier: MIT
// Byte copies and zeroing on spans with the C primitives' semantics: what the
// kernel-style C side writes as memcpy()/memset() on a pointer and a length is
// written here on spans, and lowered to the very same memcpy/memset, so that
// the compiler sees (and may expand inline) the same operation on both sides.
//
// std::ranges::copy is not that: it is memmove at best (it must allow
// overlap), a byte loop at worst (gcc 12 keeps one for some span iterator
// pairs); std::ranges::fill on span iterators is not always memset either.
//
// Sizes are checked where the library checks spans: first() asserts
// count <= size() under _GLIBCXX_ASSERTIONS (the hardened plugins), as the
// C side's _FORTIFY_SOURCE checks memcpy against the object size.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace drvbench {

// memcpy(dst, src, src.size()): dst must hold src.size() bytes and the two
// must not overlap (they are different objects: a caller's buffer and a page).
inline void copy_bytes(std::span<uint8_t> dst, std::span<const uint8_t> src)
{
	std::memcpy(dst.first(src.size()).data(), src.data(), src.size());
}

// memset(dst, 0, dst.size()).
inline void zero_bytes(std::span<uint8_t> dst)
{
	std::memset(dst.data(), 0, dst.size());
}

} // namespace drvbench
