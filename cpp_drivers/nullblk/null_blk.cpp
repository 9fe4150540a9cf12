// SPDX-License-Identifier: MIT
#include "null_blk.hpp"

#include "../common/nothrow.hpp"

namespace drvbench::nullblk {

std::unique_ptr<Device> create_device(const Config &cfg)
{
	FixedArray<BadBlock> bad = FixedArray<BadBlock>::try_alloc(cfg.badblocks.size());
	if (bad.size() != cfg.badblocks.size())
		return nullptr;
	std::ranges::transform(cfg.badblocks, bad.begin(), [](const drvbench_nb_badblock &bb) {
		return BadBlock{.start = Sector{bb.start}, .len = Sector{bb.nr_sectors}};
	});

	FixedArray<HwQueue> queues = FixedArray<HwQueue>::try_alloc(cfg.submit_queues);
	if (queues.size() != cfg.submit_queues)
		return nullptr;
	for (HwQueue &q : queues) {
		FixedArray<Request> rqs = FixedArray<Request>::try_alloc(cfg.hw_queue_depth);
		if (rqs.size() != cfg.hw_queue_depth)
			return nullptr;
		q.init(std::move(rqs));
	}
	return try_make_unique<Device>(std::move(queues), cfg, std::move(bad));
}

} // namespace drvbench::nullblk
