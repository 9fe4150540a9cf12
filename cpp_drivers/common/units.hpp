// SPDX-License-Identifier: MIT
// Units are types (DESIGN.md "Safe C++"): a sector count never passes for a
// byte count, a tag never for an index of something else. Conversions are
// explicit and named; all are constexpr and free at run time. (Comparisons
// are spelled out: clang-tidy misreads a defaulted <=>.)
#pragma once

#include <cstdint>

namespace drvbench {

inline constexpr unsigned kSectorShift = 9;  // 512-byte sectors

struct Bytes;

// A position or length in 512-byte sectors.
struct Sector {
	uint64_t value;

	[[nodiscard]] constexpr Bytes bytes() const;
	constexpr bool operator==(const Sector &) const = default;
	friend constexpr bool operator<(Sector a, Sector b) { return a.value < b.value; }
	friend constexpr bool operator>(Sector a, Sector b) { return a.value > b.value; }
	friend constexpr bool operator<=(Sector a, Sector b) { return a.value <= b.value; }
	friend constexpr bool operator>=(Sector a, Sector b) { return a.value >= b.value; }
};

// A position or length in bytes.
struct Bytes {
	uint64_t value;

	// Whole sectors (the caller has checked alignment).
	[[nodiscard]] constexpr Sector sectors() const { return Sector{value >> kSectorShift}; }
	constexpr bool operator==(const Bytes &) const = default;
	friend constexpr bool operator<(Bytes a, Bytes b) { return a.value < b.value; }
	friend constexpr bool operator>(Bytes a, Bytes b) { return a.value > b.value; }
};

constexpr Bytes Sector::bytes() const { return Bytes{value << kSectorShift}; }

// A request tag: the request's index in its hardware queue's pool.
struct Tag {
	uint32_t value;

	constexpr bool operator==(const Tag &) const = default;
};

static_assert(Sector{8}.bytes() == Bytes{4096});
static_assert(Bytes{4096}.sectors() == Sector{8});
static_assert(sizeof(Sector) == 8 && sizeof(Bytes) == 8 && sizeof(Tag) == 4);

} // namespace drvbench
