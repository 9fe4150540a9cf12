// SPDX-License-Identifier: MIT
// ringbuf, safe C++: per-producer record rings drained through io_uring. Same algorithm,
// layout and memory orderings as c_drivers/ringbuf/ringbuf.c (docs/ringbuf.md); only the
// expression differs: spans instead of pointers, RAII owners for the fd, the mappings and
// the io_uring instance, errors as values. The C ABI is converted in bindings.cpp only.
#pragma once

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <drvbench/ringbuf.h>

#include "../common/io_uring.hpp"
#include "../common/result.hpp"

namespace drvbench::ringbuf {

inline constexpr std::size_t kCacheLine = 64;

// Why create() refused: the attribute-level message the ABI passes on.
struct CreateError {
	std::string message;
};

// A reservation: the payload bytes of an open record.
using Payload = std::span<std::byte>;

// reserve() results other than a payload; values are the ABI's negative errnos.
enum class Refusal : int {
	Dropped = -ENOBUFS,
	TooLarge = -EMSGSIZE,
	BadProducer = -EINVAL,
};
struct ReserveError {
	int code; // a Refusal, or -errno of a failed sink
};

class RingBuf {
public:
	[[nodiscard]] static Result<std::unique_ptr<RingBuf>, CreateError> create(const drvbench_ringbuf_config &cfg);

	RingBuf(const RingBuf &) = delete;
	RingBuf &operator=(const RingBuf &) = delete;
	RingBuf(RingBuf &&) = delete;
	RingBuf &operator=(RingBuf &&) = delete;
	~RingBuf();

	[[nodiscard]] Result<Payload, ReserveError> reserve(uint32_t producer, uint32_t len);
	void commit(uint32_t producer);
	[[nodiscard]] int write(uint32_t producer, std::span<const std::byte> data);
	[[nodiscard]] int finish(uint32_t producer);
	[[nodiscard]] int drain(uint32_t flags);
	void stats(drvbench_ringbuf_stats &out) const;

	explicit RingBuf(const drvbench_ringbuf_config &cfg); // then init_io(), through create()

private:
	struct Part {
		std::span<const std::byte> buf; // registered memory
		uint64_t file_off = 0;
		uint32_t done = 0;
		uint16_t buf_index = 0;
		bool inject = false;
	};
	struct Chunk {
		uint32_t ring = 0;
		uint32_t pending = 0;
		uint32_t nr_parts = 0;
		uint32_t nrec = 0;
		uint64_t end = 0;
		uint64_t file_len = 0;
		bool failed = false;
		bool done = false;
		std::array<Part, 3> part{};
	};
	struct alignas(kCacheLine) ProducerSide {
		std::atomic<uint64_t> head{0};
		uint64_t pos = 0;
		uint32_t open = 0;
		uint64_t tail_cache = 0;
		uint64_t seq = 0;
		uint64_t lost_pending = 0;
		uint64_t lost_first = 0;
		uint64_t produced = 0, dropped = 0, failed = 0, lost_markers = 0, waits = 0;
	};
	struct alignas(kCacheLine) DrainSide {
		std::atomic<uint64_t> tail{0};
		uint64_t sent = 0;
		uint64_t limit = 0;
		uint64_t next_seq = 0;
		uint64_t persisted = 0;
		uint64_t failed = 0;
	};
	struct Ring {
		ProducerSide p;
		DrainSide d;
		alignas(kCacheLine) MappedBytes mem;
		uint32_t size = 0;
		uint32_t mask = 0;
	};

	// read-only after create
	uint32_t nr_;
	uint32_t ring_size_;
	uint32_t policy_;
	uint32_t batch_;
	uint32_t max_chunk_;
	UniqueFd fd_;
	bool is_reg_ = false;
	uint64_t offset_;
	uint32_t inject_errno_;
	uint32_t inject_after_;

	alignas(kCacheLine) std::atomic<int> error_{0};

	// drain state: the drain thread only
	alignas(kCacheLine) IoUring uring_;
	MappedBytes slab_;
	std::vector<Chunk> chunks_;
	std::vector<uint32_t> free_slots_;
	uint32_t nr_free_ = 0;
	std::vector<uint32_t> order_;
	uint32_t order_head_ = 0;
	uint32_t order_count_ = 0;
	uint32_t queued_ = 0;
	uint32_t new_chunks_ = 0;
	uint32_t rr_ = 0;
	uint64_t file_next_ = 0;
	uint64_t durable_ = 0;
	bool stopped_ = false;
	uint64_t writes_issued_ = 0;
	uint64_t chunks_done_ = 0;
	uint64_t submits_ = 0;
	uint64_t short_writes_ = 0;
	std::array<uint64_t, 9> batch_hist_{};

	std::unique_ptr<Ring[]> rings_; // NOLINT(cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays): owner, accessed through rings()
	[[nodiscard]] std::span<Ring> rings() const { return {rings_.get(), nr_}; }

	int init_io();
	int make_room(Ring &r, uint64_t n, bool may_drop);
	static void pad(Ring &r, uint32_t off, uint32_t n);
	static uint32_t skip(const Ring &r, uint32_t n);
	int place(Ring &r, uint32_t n, bool may_drop);
	int put_lost(Ring &r, bool may_drop);
	void set_error(int err);
	void queue_part(uint32_t slot, uint32_t k);
	void submit_chunk(uint32_t ri, uint64_t start, uint64_t end, uint32_t nrec, uint64_t first_seq);
	uint64_t cut_chunk(uint32_t ri);
	uint64_t gather_rings(uint64_t low);
	void submit();
	void retire();
	void complete(uint64_t user_data, int res);
	unsigned reap(bool wait);
	void settle();
	int drain_all();
};

// ---- the per-record path, inline ----
// reserve() and commit() are defined here so that the C ABI's rb_reserve (bindings.cpp)
// compiles to what C's rb_reserve is. Out of line, the Result crossed a call in memory and
// the binding cost 21 extra instructions per record (docs/ringbuf.md, "Instruction counts").

inline constexpr uint32_t kHdr = DRVBENCH_RB_REC_HDR_SIZE;
inline constexpr uint64_t rec_space(uint32_t len) { return DRVBENCH_RB_REC_SPACE(len); }

template <typename T>
void store_at(std::span<std::byte> s, std::size_t off, const T &v)
{
	std::memcpy(s.subspan(off, sizeof(T)).data(), &v, sizeof(T));
}

inline Result<Payload, ReserveError> RingBuf::reserve(uint32_t producer, uint32_t len)
{
	if (producer >= nr_) [[unlikely]]
		return fail(ReserveError{static_cast<int>(Refusal::BadProducer)});
	Ring &r = rings()[producer];
	const uint64_t need = rec_space(len);
	if (need > r.size) [[unlikely]]
		return fail(ReserveError{static_cast<int>(Refusal::TooLarge)});

	const uint64_t seq = r.p.seq++;
	r.p.produced++;
	int ret = 0;
	const bool may_drop = policy_ == DRVBENCH_RB_POLICY_DROP;
	if (r.p.lost_pending != 0) [[unlikely]]
		ret = put_lost(r, may_drop);
	if (ret == 0)
		ret = place(r, static_cast<uint32_t>(need), may_drop);
	if (ret != 0) [[unlikely]] {
		if (ret == static_cast<int>(Refusal::Dropped)) {
			if (r.p.lost_pending++ == 0)
				r.p.lost_first = seq;
			r.p.dropped++;
		} else {
			r.p.failed++;
		}
		return fail(ReserveError{ret});
	}
	const std::span<std::byte> rec = r.mem.bytes().subspan(static_cast<uint32_t>(r.p.pos) & r.mask, need);
	const auto padding = static_cast<uint16_t>(need - kHdr - len);
	store_at(rec, 0, drvbench_rb_rec_hdr{.len = static_cast<uint32_t>(need), .type = DRVBENCH_RB_REC_DATA,
					  .pad = padding, .seq = seq});
	if (padding != 0) // padding bytes are zero: the stream is deterministic
		store_at(rec, need - 8, uint64_t{0});
	r.p.open = static_cast<uint32_t>(need);
	return rec.subspan(kHdr, len);
}

inline void RingBuf::commit(uint32_t producer)
{
	Ring &r = rings()[producer];
	r.p.pos += r.p.open;
	r.p.open = 0;
	r.p.head.store(r.p.pos, std::memory_order_release);
}

// CRC-32C without the final inversion (start with ~0, invert at the end), as the C side.
[[nodiscard]] uint32_t crc32c_update(uint32_t crc, std::span<const std::byte> data);

} // namespace drvbench::ringbuf
