// SPDX-License-Identifier: MIT
// null_blk, the driver (Rust: rnull's `impl Operations for NullBlkDevice`):
// checks an I/O, transfers it against the memory backing, and completes it
// inline (irqmode none), in the queue's completion step (softirq) or once
// completion_nsec have passed (timer). Same algorithm and data layout as
// c_drivers/nullblk/nullblk.c; see docs/nullblk.md.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include "../common/fixed_array.hpp"
#include "../common/protected.hpp"
#include "../common/span_bytes.hpp"
#include "backing.hpp"
#include "blk_mq.hpp"
#include "config.hpp"

namespace drvbench::nullblk {

using blk::HwQueue;
using blk::Op;
using blk::Request;
using blk::Status;

class NullBlk {
public:
	NullBlk(const Config &cfg, FixedArray<BadBlock> badblocks)
		: size_(cfg.size), blocksize_(cfg.blocksize), block_sectors_(cfg.block_sectors),
		  irqmode_(cfg.irqmode), memory_backed_(cfg.memory_backed), discard_(cfg.discard),
		  completion_nsec_(cfg.completion_nsec), badblocks_(std::move(badblocks)),
		  mem_(cfg.mem_levels)
	{
	}

	// Operations::queue_rq: called with the driver's reference (ref = 2).
	void queue_rq(HwQueue &hctx, RefPtr<Request> rq, uint64_t now_ns)
	{
		Status status = check(*rq);
		if (status == Status::Ok && memory_backed_ && rq->op() != static_cast<uint32_t>(Op::Flush))
			status = transfer(*rq);
		rq->set_status(status);

		// C's switch: none, timer, and softirq as the default.
		switch (irqmode_) {
		case IrqMode::None:
			complete(hctx, std::move(rq));
			break;
		case IrqMode::Timer:
			rq->set_deadline(now_ns + completion_nsec_);
			hctx.pending().push(std::move(rq));
			break;
		default:  // IrqMode::Softirq
			hctx.pending().push(std::move(rq));
			break;
		}
	}

	// Operations::complete: the driver's reference goes with rq.
	void complete(HwQueue &hctx, RefPtr<Request> rq) { hctx.end_request(std::move(rq)); }

	// Operations::poll: the completion step. Pending requests end in FIFO
	// order, which is deadline order (the delay is constant).
	void poll(HwQueue &hctx, uint64_t now_ns, bool all)
	{
		if (irqmode_ == IrqMode::None)
			return;
		while (const Request *rq = hctx.pending().front()) {
			if (!all && irqmode_ == IrqMode::Timer && now_ns < rq->deadline())
				break;
			complete(hctx, hctx.pending().pop());
		}
	}

	[[nodiscard]] uint64_t pages() const { return pages_.load(std::memory_order_relaxed); }

private:
	[[nodiscard]] bool touches_badblock(Sector start, Sector end) const
	{
		return std::ranges::any_of(badblocks_, [&](const BadBlock &bb) {
			return start.value < bb.start.value + bb.len.value && bb.start < end;
		});
	}

	// The status, decided before anything changes.
	[[nodiscard]] Status check(const Request &rq) const
	{
		switch (rq.op()) {
		case static_cast<uint32_t>(Op::Flush):
			return Status::Ok;
		case static_cast<uint32_t>(Op::Read):
		case static_cast<uint32_t>(Op::Write):
			break;
		case static_cast<uint32_t>(Op::Discard):
			if (!discard_)
				return Status::NotSupp;
			break;
		default:
			return Status::NotSupp;
		}
		const Bytes len = rq.nr_bytes();
		if (len.value == 0 || (len.value & (blocksize_.value - 1)) != 0 ||
		    (rq.sector().value & (block_sectors_ - 1)) != 0) [[unlikely]]
			return Status::Inval;
		const Sector nr_sectors = len.sectors();
		if (rq.sector() > size_ || nr_sectors.value > size_.value - rq.sector().value) [[unlikely]]
			return Status::Inval;
		if (rq.op() != static_cast<uint32_t>(Op::Discard) && memory_backed_ && rq.buf().empty())
			[[unlikely]]
			return Status::Inval;
		if (badblocks_.size() != 0 &&
		    touches_badblock(rq.sector(), Sector{rq.sector().value + nr_sectors.value})) [[unlikely]]
			return Status::IoErr;
		return Status::Ok;
	}

	// null_handle_data_transfer(): one page-sized chunk at a time, under the
	// backing's lock for the whole I/O so an I/O is atomic to other queues.
	// In the header, so the compiler sees it with the submit path as it sees
	// C's nb_transfer() (gcc inlines the C one into nb_submit(); the lambda
	// here stays one call). memcpy/memset as in C (common/span_bytes.hpp).
	Status transfer(Request &rq)
	{
		return mem_.with([&](Backing &mem) {
			const std::span<uint8_t> buf = rq.buf();
			const auto nr = static_cast<uint32_t>(rq.nr_bytes().value);
			const uint32_t op = rq.op();
			uint64_t pos = rq.sector().bytes().value;
			uint32_t done = 0;
			int64_t delta = 0;
			bool created = false;
			Status status = Status::Ok;

			while (done < nr) {
				const uint64_t idx = pos >> kPageShift;
				const auto off = static_cast<uint32_t>(pos & (kPageSize - 1));
				const uint32_t len = std::min(kPageSize - off, nr - done);

				if (op == static_cast<uint32_t>(Op::Read)) {
					const std::span<uint8_t> dst = buf.subspan(done, len);
					if (const Page *page = mem.lookup(idx, false, created))
						copy_bytes(dst, std::span(page->data).subspan(off, len));
					else
						zero_bytes(dst);
				} else if (op == static_cast<uint32_t>(Op::Write)) {
					created = false;
					Page *page = mem.lookup(idx, true, created);
					if (page == nullptr) [[unlikely]] {
						status = Status::IoErr;  // out of memory
						break;
					}
					delta += created ? 1 : 0;
					copy_bytes(std::span(page->data).subspan(off, len), buf.subspan(done, len));
				} else {  // Discard
					if (len == kPageSize) {
						if (mem.free_page(idx))
							delta--;
					} else if (Page *page = mem.lookup(idx, false, created)) {
						zero_bytes(std::span(page->data).subspan(off, len));
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

	Sector size_;
	Bytes blocksize_;
	uint32_t block_sectors_;
	IrqMode irqmode_;
	bool memory_backed_;
	bool discard_;
	uint64_t completion_nsec_;
	FixedArray<BadBlock> badblocks_;
	Protected<Backing> mem_;
	std::atomic<uint64_t> pages_{0};  // written under mem_'s lock, read by stats()
};

static_assert(blk::Operations<NullBlk>);

using Device = blk::TagSet<NullBlk>;

// Allocates and builds a device for a validated config; nullptr when out of memory.
[[nodiscard]] std::unique_ptr<Device> create_device(const Config &cfg);

} // namespace drvbench::nullblk
