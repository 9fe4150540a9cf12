// SPDX-License-Identifier: MIT
// The memory backing: 4 KiB pages allocated on first write, found through a
// radix tree of fanout 64 whose height is fixed by the device size (the same
// tree as c_drivers/nullblk/nullblk.c). Above the last level a node's slots
// are child nodes, at the last level pages: C keeps both in a union whose
// meaning the level decides; here a std::variant says which one it holds.
// Not synchronised: the device keeps it in a Protected<Backing>.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <variant>

#include <drvbench/nullblk.h>

#include "../common/units.hpp"

namespace drvbench::nullblk {

inline constexpr uint32_t kPageShift = 12;
inline constexpr uint32_t kPageSize = 1u << kPageShift;
inline constexpr uint32_t kFanoutShift = 6;
inline constexpr uint32_t kFanout = 1u << kFanoutShift;

static_assert(kPageSize == DRVBENCH_NB_PAGE_SIZE);

struct Page {
	std::array<uint8_t, kPageSize> data;
};

struct Node;
using ChildSlots = std::array<std::unique_ptr<Node>, kFanout>;
using PageSlots = std::array<std::unique_ptr<Page>, kFanout>;

struct Node {
	std::variant<ChildSlots, PageSlots> slots;
};

class Backing {
public:
	explicit Backing(uint32_t levels) : levels_(levels) {}

	// The fewest levels of 64 slots that address every page of a device.
	[[nodiscard]] static constexpr uint32_t levels_for(Bytes size)
	{
		const uint64_t pages = (size.value + kPageSize - 1) >> kPageShift;
		uint64_t reach = kFanout;
		uint32_t levels = 1;
		while (reach < pages) {
			reach <<= kFanoutShift;
			levels++;
		}
		return levels;
	}

	// The page at index idx, or nullptr when it was never written.
	[[nodiscard]] Page *find(uint64_t idx) const;
	// The page at idx, allocated zero-filled if missing (created tells);
	// nullptr when out of memory.
	[[nodiscard]] Page *find_or_alloc(uint64_t idx, bool &created);
	// Frees the page at idx; whether there was one.
	bool free_page(uint64_t idx);

private:
	[[nodiscard]] uint32_t slot_at(uint64_t idx, uint32_t level) const
	{
		return static_cast<uint32_t>(idx >> ((levels_ - 1 - level) * kFanoutShift)) & (kFanout - 1);
	}

	std::unique_ptr<Node> root_;
	uint32_t levels_;
};

static_assert(Backing::levels_for(Bytes{4096}) == 1);
static_assert(Backing::levels_for(Bytes{uint64_t{64} * kPageSize}) == 1);
static_assert(Backing::levels_for(Bytes{uint64_t{65} * kPageSize}) == 2);
static_assert(Backing::levels_for(Bytes{uint64_t{1} << 44}) == 6);

} // namespace drvbench::nullblk
