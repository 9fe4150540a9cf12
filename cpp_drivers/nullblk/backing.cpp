// SPDX-License-Identifier: MIT
#include "backing.hpp"

namespace drvbench::nullblk {

// Out of line, as C's nb_mem_lookup() is (three call sites in the transfer loop).
Page *Backing::lookup(uint64_t idx, bool alloc, bool &created)
{
	return std::visit([&](auto &root) { return lookup_in(root, idx, alloc, created); }, root_);
}

} // namespace drvbench::nullblk
