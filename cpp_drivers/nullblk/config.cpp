// SPDX-License-Identifier: MIT
#include "config.hpp"

#include "backing.hpp"

namespace drvbench::nullblk {
namespace {

Unexpected<ErrorLine> refuse(ErrorLine line) { return fail(line); }

} // namespace

Result<Config, ErrorLine> validate(const Attributes &a)
{
	const uint32_t bs = a.blocksize;
	if (bs < 512 || bs > 4096 || (bs & (bs - 1)) != 0)
		return refuse(ErrorLine() << "blocksize: " << bs << " is not a power of two in 512..4096");
	if (a.size == 0)
		return refuse(ErrorLine() << "size: must be > 0");
	if (a.size % bs != 0)
		return refuse(ErrorLine() << "size: " << a.size << " is not a multiple of blocksize " << bs);
	if (a.submit_queues < 1 || a.submit_queues > DRVBENCH_NB_MAX_QUEUES)
		return refuse(ErrorLine() << "submit_queues: must be 1.." << DRVBENCH_NB_MAX_QUEUES
					  << ", got " << a.submit_queues);
	if (a.hw_queue_depth < 1 || a.hw_queue_depth > DRVBENCH_NB_MAX_QUEUE_DEPTH)
		return refuse(ErrorLine() << "hw_queue_depth: must be 1.." << DRVBENCH_NB_MAX_QUEUE_DEPTH
					  << ", got " << a.hw_queue_depth);
	if (a.irqmode > DRVBENCH_NB_IRQ_TIMER)
		return refuse(ErrorLine() << "irqmode: unknown mode " << a.irqmode
					  << " (none=0, softirq=1, timer=2)");
	if (a.memory_backed > 1)
		return refuse(ErrorLine() << "memory_backed: must be 0 or 1, got " << a.memory_backed);
	if (a.discard > 1)
		return refuse(ErrorLine() << "discard: must be 0 or 1, got " << a.discard);
	if (a.nr_badblocks != 0 && a.badblocks.empty())
		return refuse(ErrorLine() << "badblocks: " << a.nr_badblocks << " ranges but no list");

	const Sector size = Bytes{a.size}.sectors();
	uint32_t i = 0;
	for (const drvbench_nb_badblock &bb : a.badblocks) {
		if (bb.nr_sectors == 0)
			return refuse(ErrorLine() << "badblocks: range " << i << " is empty");
		if (bb.start >= size.value || bb.nr_sectors > size.value - bb.start)
			return refuse(ErrorLine() << "badblocks: range " << i << " [" << bb.start << ", +"
						  << bb.nr_sectors << ") is past the end (" << size.value
						  << " sectors)");
		i++;
	}

	return Config{
		.size = size,
		.blocksize = Bytes{bs},
		.block_sectors = bs >> kSectorShift,
		.submit_queues = a.submit_queues,
		.hw_queue_depth = a.hw_queue_depth,
		.irqmode = static_cast<IrqMode>(a.irqmode),
		.completion_nsec = a.completion_nsec,
		.memory_backed = a.memory_backed == 1,
		.discard = a.discard == 1,
		.mem_levels = Backing::levels_for(Bytes{a.size}),
		.badblocks = a.badblocks,
	};
}

} // namespace drvbench::nullblk
