// SPDX-License-Identifier: MIT
#include "null_blk.hpp"

#include "../common/nothrow.hpp"

namespace drvbench::nullblk {

// null_handle_data_transfer(): one page-sized chunk at a time, under the
// backing's lock for the whole I/O so an I/O is atomic to other queues.
Status NullBlk::transfer(Request &rq)
{
	return mem_.with([&](Backing &mem) {
		const std::span<uint8_t> buf = rq.buf();
		const auto nr = static_cast<uint32_t>(rq.nr_bytes().value);
		const uint32_t op = rq.op();
		uint64_t pos = rq.sector().bytes().value;
		uint32_t done = 0;
		int64_t delta = 0;
		Status status = Status::Ok;

		while (done < nr) {
			const uint64_t idx = pos >> kPageShift;
			const auto off = static_cast<uint32_t>(pos & (kPageSize - 1));
			const uint32_t len = std::min(kPageSize - off, nr - done);

			if (op == static_cast<uint32_t>(Op::Read)) {
				const std::span<uint8_t> dst = buf.subspan(done, len);
				if (const Page *page = mem.find(idx))
					std::ranges::copy(std::span(page->data).subspan(off, len), dst.begin());
				else
					std::ranges::fill(dst, uint8_t{0});
			} else if (op == static_cast<uint32_t>(Op::Write)) {
				bool created = false;
				Page *page = mem.find_or_alloc(idx, created);
				if (page == nullptr) [[unlikely]] {
					status = Status::IoErr;  // out of memory
					break;
				}
				delta += created ? 1 : 0;
				std::ranges::copy(buf.subspan(done, len), std::span(page->data).subspan(off).begin());
			} else {  // Discard
				if (len == kPageSize) {
					if (mem.free_page(idx))
						delta--;
				} else if (Page *page = mem.find(idx)) {
					std::ranges::fill(std::span(page->data).subspan(off, len), uint8_t{0});
				}
			}
			done += len;
			pos += len;
		}
		if (delta != 0)
			pages_.store(pages_.load(std::memory_order_relaxed) + static_cast<uint64_t>(delta),
				     std::memory_order_relaxed);
		return status;
	});
}

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
