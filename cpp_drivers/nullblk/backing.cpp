// SPDX-License-Identifier: MIT
#include "backing.hpp"

#include "../common/nothrow.hpp"

namespace drvbench::nullblk {
namespace {

// A node for the given level: child slots above the last level, pages at it.
std::unique_ptr<Node> alloc_node(bool last)
{
	if (last)
		return try_make_unique<Node>(Node{.slots = PageSlots{}});
	return try_make_unique<Node>(Node{.slots = ChildSlots{}});
}

} // namespace

Page *Backing::find(uint64_t idx) const
{
	const Node *node = root_.get();
	for (uint32_t level = 0; node != nullptr; level++) {
		if (const auto *children = std::get_if<ChildSlots>(&node->slots)) {
			node = (*children)[slot_at(idx, level)].get();
			continue;
		}
		if (const auto *pages = std::get_if<PageSlots>(&node->slots))
			return (*pages)[slot_at(idx, level)].get();
		return nullptr;
	}
	return nullptr;
}

Page *Backing::find_or_alloc(uint64_t idx, bool &created)
{
	std::unique_ptr<Node> *slot = &root_;
	for (uint32_t level = 0; level < levels_; level++) {
		const bool last = level + 1 == levels_;
		if (!*slot) {
			*slot = alloc_node(last);
			if (!*slot)
				return nullptr;
		}
		Node &node = **slot;
		if (auto *children = std::get_if<ChildSlots>(&node.slots)) {
			slot = &(*children)[slot_at(idx, level)];
			continue;
		}
		auto *pages = std::get_if<PageSlots>(&node.slots);
		if (pages == nullptr)
			return nullptr;
		std::unique_ptr<Page> &page = (*pages)[slot_at(idx, level)];
		if (!page) {
			page = try_make_unique<Page>();  // value-initialised: zero-filled
			created = page != nullptr;
		}
		return page.get();
	}
	return nullptr;
}

bool Backing::free_page(uint64_t idx)
{
	Node *node = root_.get();
	for (uint32_t level = 0; node != nullptr; level++) {
		if (auto *children = std::get_if<ChildSlots>(&node->slots)) {
			node = (*children)[slot_at(idx, level)].get();
			continue;
		}
		auto *pages = std::get_if<PageSlots>(&node->slots);
		if (pages == nullptr)
			return false;
		std::unique_ptr<Page> &page = (*pages)[slot_at(idx, level)];
		if (!page)
			return false;
		page.reset();
		return true;
	}
	return false;
}

} // namespace drvbench::nullblk
