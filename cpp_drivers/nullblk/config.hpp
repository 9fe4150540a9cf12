// SPDX-License-Identifier: MIT
// nullblk device attributes (null_blk's configfs names), validated into a
// Config whose fields carry their units. Same checks, same order and the same
// messages as c_drivers/nullblk/nullblk.c (the tests compare them).
#pragma once

#include <cstdint>
#include <span>

#include <drvbench/nullblk.h>

#include "../common/line.hpp"
#include "../common/result.hpp"
#include "../common/units.hpp"

namespace drvbench::nullblk {

enum class IrqMode : uint8_t { None = 0, Softirq = 1, Timer = 2 };

// A bad range [start, start + len), both in sectors.
struct BadBlock {
	Sector start;
	Sector len;
};

// The attributes as the ABI hands them over; bindings.cpp fills it.
struct Attributes {
	uint64_t size;
	uint32_t blocksize;
	uint32_t submit_queues;
	uint32_t hw_queue_depth;
	uint32_t irqmode;
	uint64_t completion_nsec;
	uint32_t memory_backed;
	uint32_t discard;
	uint32_t nr_badblocks;
	std::span<const drvbench_nb_badblock> badblocks;  // empty when the list is NULL
};

struct Config {
	Sector size;
	Bytes blocksize;
	uint32_t block_sectors;  // blocksize in sectors, a power of two
	uint32_t submit_queues;
	uint32_t hw_queue_depth;
	IrqMode irqmode;
	uint64_t completion_nsec;
	bool memory_backed;
	bool discard;
	uint32_t mem_levels;  // radix tree height for size
	std::span<const drvbench_nb_badblock> badblocks;  // validated; copied at create
};

using ErrorLine = Line<DRVBENCH_NB_ERR_SIZE>;

[[nodiscard]] Result<Config, ErrorLine> validate(const Attributes &attrs);

} // namespace drvbench::nullblk
