// SPDX-License-Identifier: MIT
// Fallible allocation without exceptions, like the kernel's Rust KBox::new()
// returning Result: nullptr on failure, never a throw (the plugins build with
// -fno-exceptions, where a failing plain `new` would abort). This header and
// the bindings files are the audited exceptions of cpp_drivers/: the only
// place `new` appears; ownership goes straight into a std::unique_ptr.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace drvbench {

template <typename T, typename... Args>
[[nodiscard]] std::unique_ptr<T> try_make_unique(Args &&...args)
{
	// NOLINTNEXTLINE(cppcoreguidelines-owning-memory): adopted by unique_ptr at once.
	return std::unique_ptr<T>(new (std::nothrow) T(std::forward<Args>(args)...));
}

// n value-initialised (zeroed where T is trivial) elements, or nullptr.
template <typename T>
// NOLINTNEXTLINE(cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays): unique_ptr<T[]> owns an array.
[[nodiscard]] std::unique_ptr<T[]> try_make_unique_array(std::size_t n)
{
	// NOLINTNEXTLINE(cppcoreguidelines-owning-memory,cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays): adopted by unique_ptr<T[]> at once.
	return std::unique_ptr<T[]>(new (std::nothrow) T[n]());
}

} // namespace drvbench
