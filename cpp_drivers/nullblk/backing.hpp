// SPDX-License-Identifier: MIT
// The memory backing: 4 KiB pages allocated on first write, found through a
// radix tree of fanout 64 whose height is fixed by the device size (the same
// tree as c_drivers/nullblk/nullblk.c). Every node is 64 owning pointers,
// 512 bytes, as C's struct nb_node: above the last level they point to nodes
// of the next level, at the last level to pages. C keeps both in a union whose
// meaning the level decides; here the level is in the node's type
// (Node<Below>, Below = levels of nodes under it, Node<0> holds pages), so no
// node carries a tag. The tree's height, C's mem->levels, is the index of the
// root's variant: one dispatch per lookup, then the walk from the root down
// with one slot load per level, as C's loop does.
// Not synchronised: the device keeps it in a Protected<Backing>.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <variant>

#include <drvbench/nullblk.h>

#include "../common/nothrow.hpp"
#include "../common/units.hpp"

namespace drvbench::nullblk {

inline constexpr uint32_t kPageShift = 12;
inline constexpr uint32_t kPageSize = 1u << kPageShift;
inline constexpr uint32_t kFanoutShift = 6;
inline constexpr uint32_t kFanout = 1u << kFanoutShift;
// A device of at most 2^64 bytes has at most 2^52 pages: 9 levels (64^9 = 2^54).
inline constexpr uint32_t kMaxLevels = 9;

static_assert(kPageSize == DRVBENCH_NB_PAGE_SIZE);

struct Page {
	std::array<uint8_t, kPageSize> data;
};

// A node with Below levels of nodes under it.
template <uint32_t Below>
struct Node {
	std::array<std::unique_ptr<Node<Below - 1>>, kFanout> child;
};

// The last level: pages.
template <>
struct Node<0> {
	std::array<std::unique_ptr<Page>, kFanout> page;
};

static_assert(sizeof(Node<0>) == kFanout * sizeof(void *));
static_assert(sizeof(Node<kMaxLevels - 1>) == kFanout * sizeof(void *));

class Backing {
public:
	explicit Backing(uint32_t levels) : root_(make_root<0>(levels - 1)) {}

	// The fewest levels of 64 slots that address every page of a device (the
	// page count rounds up without size + 4095, which wraps near 2^64).
	[[nodiscard]] static constexpr uint32_t levels_for(Bytes size)
	{
		const uint64_t pages = (size.value >> kPageShift) + ((size.value & (kPageSize - 1)) != 0 ? 1 : 0);
		uint64_t reach = kFanout;
		uint32_t levels = 1;
		while (reach < pages) {
			reach <<= kFanoutShift;
			levels++;
		}
		return levels;
	}

	// C's nb_mem_lookup(): the page at index idx. With alloc, missing nodes
	// and the page are allocated zero-filled (created tells whether the page is
	// new) and nullptr means out of memory; without, nullptr means never written.
	[[nodiscard]] Page *lookup(uint64_t idx, bool alloc, bool &created);
	// C's nb_mem_free_page(): frees the page at idx; whether there was one.
	bool free_page(uint64_t idx)
	{
		return std::visit([&](auto &root) { return free_in(root.get(), idx); }, root_);
	}

private:
	template <uint32_t... Below>
	static auto root_type(std::integer_sequence<uint32_t, Below...>)
		-> std::variant<std::unique_ptr<Node<Below>>...>;
	// The root of a tree of height h is alternative h - 1 (a Node<h - 1>).
	using Root = decltype(root_type(std::make_integer_sequence<uint32_t, kMaxLevels>()));

	// An empty root of the type for a tree with `below` levels under the root.
	template <uint32_t Below>
	static Root make_root(uint32_t below)
	{
		if constexpr (Below + 1 < kMaxLevels) {
			if (below != Below)
				return make_root<Below + 1>(below);
		}
		return Root(std::in_place_index<Below>);
	}

	template <uint32_t Below>
	static uint32_t slot_at(uint64_t idx)
	{
		return static_cast<uint32_t>(idx >> (Below * kFanoutShift)) & (kFanout - 1);
	}

	template <uint32_t Below>
	static Page *lookup_in(std::unique_ptr<Node<Below>> &slot, uint64_t idx, bool alloc, bool &created)
	{
		if (!slot) {
			if (!alloc)
				return nullptr;
			slot = try_make_unique<Node<Below>>();  // value-initialised: null slots
			if (!slot)
				return nullptr;
		}
		if constexpr (Below == 0) {
			std::unique_ptr<Page> &page = slot->page[slot_at<0>(idx)];
			if (!page && alloc) {
				page = try_make_unique<Page>();  // value-initialised: zero-filled
				created = page != nullptr;
			}
			return page.get();
		} else {
			return lookup_in<Below - 1>(slot->child[slot_at<Below>(idx)], idx, alloc, created);
		}
	}

	template <uint32_t Below>
	static bool free_in(Node<Below> *node, uint64_t idx)
	{
		if (node == nullptr)
			return false;
		if constexpr (Below == 0) {
			std::unique_ptr<Page> &page = node->page[slot_at<0>(idx)];
			if (!page)
				return false;
			page.reset();
			return true;
		} else {
			return free_in<Below - 1>(node->child[slot_at<Below>(idx)].get(), idx);
		}
	}

	Root root_;  // under the device's lock
};

static_assert(Backing::levels_for(Bytes{4096}) == 1);
static_assert(Backing::levels_for(Bytes{uint64_t{64} * kPageSize}) == 1);
static_assert(Backing::levels_for(Bytes{uint64_t{65} * kPageSize}) == 2);
static_assert(Backing::levels_for(Bytes{uint64_t{1} << 44}) == 6);
static_assert(Backing::levels_for(Bytes{~uint64_t{511}}) == kMaxLevels);  // the largest valid size

} // namespace drvbench::nullblk
