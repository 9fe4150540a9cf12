// SPDX-License-Identifier: MIT
// The blk-mq slice: what the kernel's block layer owns for a driver, in the
// shape of Rust-for-Linux's kernel::block::mq (rust/kernel/block/mq/):
//   - Request: one per tag, refcounted, handed to the driver as RefPtr<Request>
//     (ARef<Request>); freed (tag released) when the last reference goes;
//   - HwQueue: a hardware queue's tag bitmap, request pool, done list, stats;
//   - Operations: what a driver implements (queue_rq, complete, and poll, the
//     queue's completion step), checked by a concept instead of a vtable;
//   - TagSet<Ops>: the queues and the driver, the submit/complete paths.
// Lifecycle and memory orderings are those of include/drvbench/nullblk.h and
// c_drivers/nullblk/nullblk.c: ref = 1 (block layer) at start, +1 for the
// driver (relaxed); the driver's is dropped when it ends the request, the
// block layer's when the completion is reaped; release on every decrement,
// acquire fence before the free (refcount_t / ARef).
#pragma once

#include <atomic>
#include <bit>
#include <array>
#include <concepts>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>

#include <drvbench/nullblk.h>

#include "../common/fixed_array.hpp"
#include "../common/intrusive_fifo.hpp"
#include "../common/ref_ptr.hpp"
#include "../common/units.hpp"

namespace drvbench::blk {

enum class Status : int32_t {
	Ok = DRVBENCH_NB_STS_OK,
	NotSupp = DRVBENCH_NB_STS_NOTSUPP,
	Inval = DRVBENCH_NB_STS_INVAL,
	IoErr = DRVBENCH_NB_STS_IOERR,
};

enum class Op : uint32_t {
	Read = DRVBENCH_NB_OP_READ,
	Write = DRVBENCH_NB_OP_WRITE,
	Flush = DRVBENCH_NB_OP_FLUSH,
	Discard = DRVBENCH_NB_OP_DISCARD,
};

// One I/O as the bindings hand it over: buf is the caller's buffer of
// nr_bytes, or empty when the caller passed none.
struct Io {
	uint32_t op;  // raw: an unknown op is the driver's to refuse
	Bytes nr_bytes;
	Sector sector;
	std::span<uint8_t> buf;
	uint64_t user_data;
};

class HwQueue;

class Request {
public:
	FifoLink<Request> link;  // pending (driver) or done (block layer) list

	// Refcount, for RefPtr<Request>.
	void ref_get() { ref_.fetch_add(1, std::memory_order_relaxed); }
	inline void ref_put();

	[[nodiscard]] Tag tag() const { return tag_; }
	[[nodiscard]] uint32_t op() const { return op_; }
	[[nodiscard]] Sector sector() const { return sector_; }
	[[nodiscard]] Bytes nr_bytes() const { return Bytes{nr_bytes_}; }
	[[nodiscard]] std::span<uint8_t> buf() const { return buf_; }
	[[nodiscard]] uint64_t user_data() const { return user_data_; }
	[[nodiscard]] Status status() const { return status_; }
	void set_status(Status s) { status_ = s; }
	// Driver data: timer mode's completion time.
	[[nodiscard]] uint64_t deadline() const { return deadline_; }
	void set_deadline(uint64_t ns) { deadline_ = ns; }

private:
	friend class HwQueue;

	HwQueue *owner_ = nullptr;  // the queue that frees it; set once at init
	std::atomic<uint32_t> ref_{0};
	Tag tag_{0};
	uint32_t op_ = 0;
	Status status_ = Status::Ok;
	uint32_t nr_bytes_ = 0;  // the ABI's width, as C's; read as Bytes
	Sector sector_{0};
	std::span<uint8_t> buf_;
	uint64_t user_data_ = 0;
	uint64_t deadline_ = 0;
};

struct QueueStats {
	uint64_t submitted = 0;
	uint64_t busy = 0;
	uint64_t completed = 0;
	uint64_t errors = 0;
	uint64_t req_alloc = 0;
	uint64_t req_free = 0;
};

inline constexpr uint32_t kTagWords = DRVBENCH_NB_MAX_QUEUE_DEPTH / 64;

// One hardware queue. Driven by one thread (the ABI's model): no lock.
class alignas(64) HwQueue {
public:
	// Takes the request pool (one request per tag); the queue must not move after.
	void init(FixedArray<Request> rqs)
	{
		const auto depth = static_cast<uint32_t>(rqs.size());
		rqs_ = std::move(rqs);
		nr_words_ = (depth + 63) / 64;
		// Bits past the depth are permanently in use.
		if (depth % 64 != 0)
			tags_[nr_words_ - 1] = ~uint64_t{0} << (depth % 64);
		uint32_t t = 0;
		for (Request &rq : rqs_) {
			rq.owner_ = this;
			rq.tag_ = Tag{t++};
		}
	}

	// Block layer: a tag and its request initialised for io with the block
	// layer's reference (ref = 1); nullptr when no tag is free (busy).
	Request *start_request(const Io &io)
	{
		std::optional<Tag> tag = get_tag();
		if (!tag) {
			stats_.busy++;
			return nullptr;
		}
		stats_.req_alloc++;
		Request &rq = rqs_[tag->value];
		rq.ref_.store(1, std::memory_order_relaxed);
		rq.op_ = io.op;
		rq.nr_bytes_ = static_cast<uint32_t>(io.nr_bytes.value);
		rq.sector_ = io.sector;
		rq.buf_ = io.buf.first(io.buf.size());  // from its parts: keeps io in registers
		rq.user_data_ = io.user_data;
		stats_.submitted++;
		return &rq;
	}

	// The driver ends rq (blk_mq_end_request): it joins the done list, which
	// carries the block layer's reference; the driver's dies with rq.
	void end_request(RefPtr<Request> rq) { done_.push(*rq); }

	// Block layer: reaps done requests into cqes, oldest first; dropping the
	// block layer's reference frees each.
	uint32_t reap(std::span<drvbench_nullblk_cqe> cqes)
	{
		uint32_t n = 0;
		for (drvbench_nullblk_cqe &cqe : cqes) {
			Request *done = done_.pop();
			if (done == nullptr)
				break;
			const RefPtr<Request> rq = RefPtr<Request>::adopt(*done);
			cqe.user_data = rq->user_data();
			cqe.status = static_cast<int32_t>(rq->status());
			cqe.reserved = 0;
			stats_.completed++;
			if (rq->status() != Status::Ok)
				stats_.errors++;
			n++;
		}
		return n;
	}

	// Reaps everything (destroy).
	void reap_all()
	{
		while (Request *done = done_.pop())
			RefPtr<Request>::adopt(*done);
	}

	[[nodiscard]] const QueueStats &stats() const { return stats_; }

	// Driver data (null_blk's per-queue timer list): requests the driver
	// still owns, each holding the driver's reference.
	RefFifo<Request> &pending() { return pending_; }

private:
	friend class Request;

	// sbitmap spirit: search from the hint word, first zero via ctz(~word).
	std::optional<Tag> get_tag()
	{
		uint32_t w = hint_;
		for (uint32_t i = 0; i < nr_words_; i++) {
			const uint64_t word = tags_[w];
			if (~word != 0) {
				const auto bit = static_cast<uint32_t>(std::countr_zero(~word));
				tags_[w] = word | (uint64_t{1} << bit);
				hint_ = w;
				return Tag{w * 64 + bit};
			}
			if (++w == nr_words_)
				w = 0;
		}
		return std::nullopt;
	}

	void free_request(Request &rq)
	{
		const uint32_t tag = rq.tag_.value;
		tags_[tag >> 6] &= ~(uint64_t{1} << (tag & 63));
		stats_.req_free++;
	}

	// The order and offsets of C's struct nb_hctx (rqs_ is its rqs + depth).
	FixedArray<Request> rqs_;
	uint32_t nr_words_ = 0;
	uint32_t hint_ = 0;                       // word to search first
	RefFifo<Request> pending_;                // driver's references
	IntrusiveFifo<Request> done_;             // block layer's references
	QueueStats stats_;
	std::array<uint64_t, kTagWords> tags_{};  // bit set: tag in use
};

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kTsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kTsan = true;
#else
inline constexpr bool kTsan = false;
#endif
#else
inline constexpr bool kTsan = false;
#endif

void Request::ref_put()
{
	if (ref_.fetch_sub(1, std::memory_order_release) == 1) {
		// ThreadSanitizer does not model fences: an acquire load there (Rust's Arc).
		if constexpr (kTsan)
			(void)ref_.load(std::memory_order_acquire);
		else
			std::atomic_thread_fence(std::memory_order_acquire);
		owner_->free_request(*this);
	}
}

// What a driver implements (Rust: trait Operations).
//   queue_rq: takes the driver's reference to a started request;
//   complete: ends a request the driver completes (blk_mq_complete_request);
//   poll:     the queue's completion step at now_ns (all: destroy, finish everything).
template <typename T>
concept Operations = requires(T &drv, HwQueue &hctx, RefPtr<Request> rq, uint64_t now, bool all) {
	{ drv.queue_rq(hctx, std::move(rq), now) } -> std::same_as<void>;
	{ drv.complete(hctx, std::move(rq)) } -> std::same_as<void>;
	{ drv.poll(hctx, now, all) } -> std::same_as<void>;
};

// The hardware queues and the driver: the block layer's submit and complete.
template <Operations Ops>
class TagSet {
public:
	template <typename... DriverArgs>
	explicit TagSet(FixedArray<HwQueue> queues, DriverArgs &&...args)
		: queues_(std::move(queues)), driver_(std::forward<DriverArgs>(args)...)
	{
	}

	TagSet(const TagSet &) = delete;
	TagSet &operator=(const TagSet &) = delete;
	TagSet(TagSet &&) = delete;
	TagSet &operator=(TagSet &&) = delete;

	// In-flight requests are completed and freed first; a request freed more
	// or less than once is a bug worth stopping for (the kernel would WARN).
	~TagSet()
	{
		for (HwQueue &q : queues_) {
			driver_.poll(q, 0, true);
			q.reap_all();
			if (q.stats().req_alloc != q.stats().req_free)
				std::abort();
		}
	}

	[[nodiscard]] uint32_t nr_queues() const { return static_cast<uint32_t>(queues_.size()); }
	[[nodiscard]] std::optional<std::reference_wrapper<HwQueue>> queue(uint32_t index)
	{
		if (index >= queues_.size())
			return std::nullopt;
		return queues_[index];
	}

	// Starts io and hands it to the driver; false when the queue is busy.
	[[nodiscard]] bool submit(HwQueue &q, const Io &io, uint64_t now_ns)
	{
		Request *rq = q.start_request(io);
		if (rq == nullptr)
			return false;
		driver_.queue_rq(q, RefPtr<Request>::get(*rq), now_ns);
		return true;
	}

	// Runs the queue's completion step, then reaps into cqes.
	uint32_t complete(HwQueue &q, uint64_t now_ns, std::span<drvbench_nullblk_cqe> cqes)
	{
		driver_.poll(q, now_ns, false);
		return q.reap(cqes);
	}

	[[nodiscard]] drvbench_nullblk_stats stats() const
	{
		drvbench_nullblk_stats out{};
		for (const HwQueue &q : queues_) {
			const QueueStats &s = q.stats();
			out.submitted += s.submitted;
			out.busy += s.busy;
			out.completed += s.completed;
			out.errors += s.errors;
			out.req_alloc += s.req_alloc;
			out.req_free += s.req_free;
		}
		out.pages = driver_.pages();
		return out;
	}

private:
	FixedArray<HwQueue> queues_;
	Ops driver_;
};

} // namespace drvbench::blk
