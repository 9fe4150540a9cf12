// SPDX-License-Identifier: MIT
// ringbuf, safe C++. Same algorithm as c_drivers/ringbuf/ringbuf.c step for step
// (docs/ringbuf.md): SPSC rings with release/acquire head and tail, PAD records at the
// end of the ring, chunks cut at record boundaries (one may span the wrap) written with
// up to three IORING_OP_WRITE_FIXED SQEs (header slab, ring before and after the wrap),
// retirement in creation order, short writes resumed, failures settled by drain(ALL).
#include "ringbuf.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <sched.h>
#include <sys/stat.h>

namespace drvbench::ringbuf {
namespace {

constexpr uint32_t kLost = DRVBENCH_RB_LOST_SIZE;
constexpr uint32_t kChdr = DRVBENCH_RB_CHUNK_HDR_SIZE;
constexpr unsigned kSpin = 64;         // pause loops before a full ring yields the CPU
constexpr uint32_t kPrefetch = 2048;   // bytes the drain's record walk prefetches ahead

static_assert(sizeof(drvbench_rb_rec_hdr) == kHdr);
static_assert(sizeof(drvbench_rb_chunk_hdr) == kChdr);
static_assert(kLost == kHdr + sizeof(uint64_t));

// ---- CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) ----

constexpr std::array<uint32_t, 256> make_crc_table()
{
	std::array<uint32_t, 256> t{};
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1U) ^ (0x82f63b78U & (0U - (c & 1U)));
		t[i] = c;
	}
	return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

constexpr uint32_t crc32c_sw(uint32_t crc, std::span<const uint8_t> p)
{
	for (uint8_t b : p)
		crc = kCrcTable[(crc ^ b) & 0xffU] ^ (crc >> 8U);
	return crc;
}
constexpr std::array<uint8_t, 9> kCheck{'1', '2', '3', '4', '5', '6', '7', '8', '9'};
static_assert(~crc32c_sw(~0U, kCheck) == 0xe3069283U, "CRC-32C check value");

const bool kHaveHw = __builtin_cpu_supports("sse4.2") != 0;

template <typename T>
T load(std::span<const std::byte> s, std::size_t off)
{
	T v;
	std::memcpy(&v, s.subspan(off, sizeof(T)).data(), sizeof(T));
	return v;
}

template <typename T>
void store(std::span<std::byte> s, std::size_t off, const T &v)
{
	std::memcpy(s.subspan(off, sizeof(T)).data(), &v, sizeof(T));
}

// The crc32 instruction has a latency of 3 cycles and a throughput of 1: one dependent chain
// runs at a third of its speed. Long buffers are cut into rounds of three equal blocks whose
// CRCs run as three independent chains and are then combined:
// crc(A B C) = shift(shift(crc(A)) ^ crc0(B)) ^ crc0(C), where crc0 starts from 0 and shift
// advances a register over a block of zeros (linear: four table lookups, one per byte).
constexpr std::size_t kCrcLong = 4096; // bytes per chain in a long round
constexpr std::size_t kCrcShort = 256; // bytes per chain in a short round

// ShiftTable[k][b]: the register b << 8k advanced over a block of zero bytes.
using ShiftTable = std::array<std::array<uint32_t, 256>, 4>;

ShiftTable make_shift_table(std::size_t zeros)
{
	std::array<uint32_t, 32> basis{};
	for (uint32_t i = 0; i < 32; i++) {
		uint32_t c = 1U << i;
		for (std::size_t n = 0; n < zeros; n++)
			c = kCrcTable[c & 0xffU] ^ (c >> 8U);
		basis[i] = c;
	}
	ShiftTable t{};
	for (uint32_t k = 0; k < 4; k++)
		for (uint32_t b = 0; b < 256; b++) {
			uint32_t v = 0;
			for (uint32_t j = 0; j < 8; j++)
				if (((b >> j) & 1U) != 0)
					v ^= basis[(8 * k) + j];
			t[k][b] = v;
		}
	return t;
}

// Built once per process, before the first ring is created (RingBuf::create).
const ShiftTable &shift_long()
{
	static const ShiftTable t = make_shift_table(kCrcLong);
	return t;
}
const ShiftTable &shift_short()
{
	static const ShiftTable t = make_shift_table(kCrcShort);
	return t;
}

inline uint32_t crc_shift(const ShiftTable &t, uint32_t c)
{
	return t[0][c & 0xffU] ^ t[1][(c >> 8U) & 0xffU] ^ t[2][(c >> 16U) & 0xffU] ^ t[3][c >> 24U];
}

// One round: three blocks of p.size() / 3 bytes as three chains.
__attribute__((target("sse4.2"))) inline uint32_t crc32c_3way(uint32_t crc, std::span<const std::byte> p,
							       const ShiftTable &t)
{
	const std::size_t blk = p.size() / 3;
	const auto pa = p.first(blk), pb = p.subspan(blk, blk), pc = p.subspan(2 * blk, blk);
	uint64_t a = crc, b = 0, c = 0;
	for (std::size_t i = 0; i < blk; i += 8) {
		a = __builtin_ia32_crc32di(a, load<uint64_t>(pa, i));
		b = __builtin_ia32_crc32di(b, load<uint64_t>(pb, i));
		c = __builtin_ia32_crc32di(c, load<uint64_t>(pc, i));
	}
	return crc_shift(t, crc_shift(t, static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^
	       static_cast<uint32_t>(c);
}

__attribute__((target("sse4.2"))) uint32_t crc32c_hw(uint32_t crc, std::span<const std::byte> p)
{
	const ShiftTable &tl = shift_long();
	const ShiftTable &ts = shift_short();
	for (; p.size() >= 3 * kCrcLong; p = p.subspan(3 * kCrcLong))
		crc = crc32c_3way(crc, p.first(3 * kCrcLong), tl);
	for (; p.size() >= 3 * kCrcShort; p = p.subspan(3 * kCrcShort))
		crc = crc32c_3way(crc, p.first(3 * kCrcShort), ts);
	uint64_t c = crc;
	std::size_t i = 0;
	for (; i + 8 <= p.size(); i += 8)
		c = __builtin_ia32_crc32di(c, load<uint64_t>(p, i));
	for (; i < p.size(); i++)
		c = __builtin_ia32_crc32qi(static_cast<uint32_t>(c), static_cast<uint8_t>(p[i]));
	return static_cast<uint32_t>(c);
}

inline void cpu_relax() { __builtin_ia32_pause(); }

constexpr bool is_pow2(uint32_t v) { return std::has_single_bit(v); }

} // namespace

uint32_t crc32c_update(uint32_t crc, std::span<const std::byte> data)
{
	if (kHaveHw) [[likely]]
		return crc32c_hw(crc, data);
	for (std::byte b : data)
		crc = kCrcTable[(crc ^ static_cast<uint8_t>(b)) & 0xffU] ^ (crc >> 8U);
	return crc;
}

// ---- create / destroy ----

namespace {

Result<bool, CreateError> check_config(const drvbench_ringbuf_config &cfg)
{
	using std::to_string;
	if (cfg.producers < 1 || cfg.producers > DRVBENCH_RB_MAX_PRODUCERS)
		return fail(CreateError{"producers: " + to_string(cfg.producers) + " is not in 1.." +
					to_string(DRVBENCH_RB_MAX_PRODUCERS)});
	if (!is_pow2(cfg.ring_size) || cfg.ring_size < DRVBENCH_RB_MIN_RING_SIZE ||
	    cfg.ring_size > DRVBENCH_RB_MAX_RING_SIZE)
		return fail(CreateError{"ring_size: " + to_string(cfg.ring_size) + " is not a power of two in " +
					to_string(DRVBENCH_RB_MIN_RING_SIZE) + ".." + to_string(DRVBENCH_RB_MAX_RING_SIZE)});
	if (cfg.policy > DRVBENCH_RB_POLICY_DROP)
		return fail(CreateError{"policy: " + to_string(cfg.policy) + " is neither block (0) nor drop (1)"});
	if (cfg.batch < 1 || cfg.batch > DRVBENCH_RB_MAX_BATCH)
		return fail(CreateError{"batch: " + to_string(cfg.batch) + " is not in 1.." +
					to_string(DRVBENCH_RB_MAX_BATCH)});
	if (cfg.max_chunk < 64 || cfg.max_chunk % DRVBENCH_RB_ALIGN != 0)
		return fail(CreateError{"max_chunk: " + to_string(cfg.max_chunk) +
					" is not a multiple of 8 and at least 64"});
	if (cfg.fd < 0)
		return fail(CreateError{"fd: " + to_string(cfg.fd) + " is not a file descriptor"});
	return true;
}

} // namespace

RingBuf::RingBuf(const drvbench_ringbuf_config &cfg)
	: nr_(cfg.producers), ring_size_(cfg.ring_size), policy_(cfg.policy), batch_(cfg.batch),
	  max_chunk_(cfg.max_chunk), fd_(UniqueFd::dup_of(cfg.fd)), offset_(cfg.offset),
	  inject_errno_(cfg.inject_errno), inject_after_(cfg.inject_after), chunks_(cfg.batch),
	  free_slots_(cfg.batch), order_(cfg.batch),
	  rings_(std::make_unique<Ring[]>(cfg.producers)) // NOLINT(cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays)
{
	struct stat st {};
	is_reg_ = fd_.valid() && fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode);
	for (uint32_t i = 0; i < batch_; i++)
		free_slots_[i] = batch_ - 1 - i; // slot 0 is taken first
	nr_free_ = batch_;
}

Result<std::unique_ptr<RingBuf>, CreateError> RingBuf::create(const drvbench_ringbuf_config &cfg)
{
	auto ok = check_config(cfg);
	if (const CreateError *e = ok.error())
		return fail(*e);
	(void)shift_long(); // the CRC tables, built here rather than in the first drain
	(void)shift_short();
	auto rb = std::make_unique<RingBuf>(cfg);
	if (!rb->fd_.valid())
		return fail(CreateError{"fd: dup(" + std::to_string(cfg.fd) + "): " + std::strerror(errno)});
	std::vector<iovec> iov;
	iov.reserve(cfg.producers + 1);
	uint32_t i = 0;
	for (Ring &r : rb->rings()) {
		r.mem = MappedBytes::map(cfg.ring_size);
		if (!r.mem.valid())
			return fail(CreateError{"ring_size: cannot map " + std::to_string(cfg.ring_size) + " bytes for ring " +
						std::to_string(i) + ": " + std::strerror(errno)});
		r.size = cfg.ring_size;
		r.mask = cfg.ring_size - 1;
		iov.push_back(r.mem.iov());
		i++;
	}
	rb->slab_ = MappedBytes::map(std::size_t{cfg.batch} * kChdr);
	if (!rb->slab_.valid())
		return fail(CreateError{std::string("memory: cannot map the chunk header slab: ") + std::strerror(errno)});
	iov.push_back(rb->slab_.iov());
	int ret = rb->uring_.init(cfg.batch * 4);
	if (ret != 0)
		return fail(CreateError{"io_uring: io_uring_queue_init(" + std::to_string(cfg.batch * 4) +
					"): " + std::strerror(-ret)});
	ret = rb->uring_.register_buffers(iov);
	if (ret != 0)
		return fail(CreateError{"io_uring: registering " + std::to_string(cfg.producers) + " rings of " +
					std::to_string(cfg.ring_size) + " bytes: " + std::strerror(-ret)});
	return rb;
}

RingBuf::~RingBuf()
{
	// The kernel may still read ring memory: wait for every write before the members go.
	for (;;) {
		submit();
		if (order_count_ == 0)
			break;
		reap(true);
	}
}

// ---- producer side ----

int RingBuf::make_room(Ring &r, uint64_t n, bool may_drop)
{
	unsigned spins = 0;
	bool waited = false;
	for (;;) {
		r.p.tail_cache = r.d.tail.load(std::memory_order_acquire);
		if (r.p.pos + n - r.p.tail_cache <= r.size)
			return 0;
		const int err = error_.load(std::memory_order_acquire);
		if (err != 0)
			return -err;
		if (may_drop)
			return static_cast<int>(Refusal::Dropped);
		if (!waited) {
			r.p.waits++;
			waited = true;
		}
		if (++spins < kSpin)
			cpu_relax();
		else
			sched_yield();
	}
}

void RingBuf::pad(Ring &r, uint32_t off, uint32_t n)
{
	const std::span<std::byte> rec = r.mem.bytes().subspan(off, n);
	const drvbench_rb_rec_hdr h{.len = n, .type = DRVBENCH_RB_REC_PAD, .pad = 0, .seq = 0};
	std::memcpy(rec.data(), &h, 8); // len, type, pad: a PAD record may be 8 bytes
	if (n > 8)
		std::fill(rec.begin() + 8, rec.end(), std::byte{0});
}

uint32_t RingBuf::skip(const Ring &r, uint32_t n)
{
	const auto off = static_cast<uint32_t>(r.p.pos) & r.mask;
	return off + n > r.size ? r.size - off : 0;
}

// Positions r.p.pos where n contiguous bytes are free, padding the end of the ring when n
// does not fit before it. When the pad and the record do not fit together, the pad is
// published on its own first, so that the drain can free the whole ring for a record as
// large as the ring.
int RingBuf::place(Ring &r, uint32_t n, bool may_drop)
{
	uint32_t sk = skip(r, n);
	if (r.p.pos + sk + n - r.p.tail_cache > r.size) [[unlikely]] {
		if (sk != 0) {
			const int ret = make_room(r, sk, may_drop);
			if (ret != 0)
				return ret;
			pad(r, static_cast<uint32_t>(r.p.pos) & r.mask, sk);
			r.p.pos += sk;
			r.p.head.store(r.p.pos, std::memory_order_release);
			sk = 0;
		}
		const int ret = make_room(r, n, may_drop);
		if (ret != 0)
			return ret;
	}
	if (sk != 0) {
		pad(r, static_cast<uint32_t>(r.p.pos) & r.mask, sk);
		r.p.pos += sk;
	}
	return 0;
}

int RingBuf::put_lost(Ring &r, bool may_drop)
{
	const int ret = place(r, kLost, may_drop);
	if (ret != 0)
		return ret;
	const std::span<std::byte> rec = r.mem.bytes().subspan(static_cast<uint32_t>(r.p.pos) & r.mask, kLost);
	store(rec, 0, drvbench_rb_rec_hdr{.len = kLost, .type = DRVBENCH_RB_REC_LOST, .pad = 0, .seq = r.p.lost_first});
	store(rec, kHdr, r.p.lost_pending);
	r.p.pos += kLost;
	r.p.head.store(r.p.pos, std::memory_order_release);
	r.p.lost_pending = 0;
	r.p.lost_markers++;
	return 0;
}

int RingBuf::write(uint32_t producer, std::span<const std::byte> data)
{
	auto res = reserve(producer, static_cast<uint32_t>(data.size()));
	if (const ReserveError *e = res.error())
		return e->code;
	std::copy(data.begin(), data.end(), res.value()->begin());
	commit(producer);
	return 0;
}

int RingBuf::finish(uint32_t producer)
{
	if (producer >= nr_)
		return static_cast<int>(Refusal::BadProducer);
	Ring &r = rings()[producer];
	if (r.p.lost_pending == 0)
		return 0;
	return put_lost(r, false);
}

// ---- drain side ----

void RingBuf::set_error(int err)
{
	if (error_.load(std::memory_order_relaxed) == 0)
		error_.store(err, std::memory_order_release);
}

void RingBuf::queue_part(uint32_t slot, uint32_t k)
{
	Part &part = chunks_[slot].part[k];
	const uint64_t ud = uint64_t{slot} << 2U | k;
	const bool inject = inject_errno_ != 0 && writes_issued_ == inject_after_;
	auto prep = [&] {
		if (inject)
			return uring_.prep_nop(ud);
		return uring_.prep_write_fixed(fd_.get(), part.buf.subspan(part.done), part.file_off + part.done,
					       part.buf_index, ud);
	};
	if (!prep()) [[unlikely]] {
		// cannot happen with 4 SQEs per chunk slot; submit and retry
		uring_.submit();
		queued_ = 0;
		(void)prep();
	}
	part.inject = inject;
	writes_issued_++;
	queued_++;
}

void RingBuf::submit_chunk(uint32_t ri, uint64_t start, uint64_t end, uint32_t nrec, uint64_t first_seq)
{
	Ring &r = rings()[ri];
	const uint32_t slot = free_slots_[--nr_free_];
	Chunk &c = chunks_[slot];
	const std::span<std::byte> ch = slab_.bytes().subspan(std::size_t{slot} * kChdr, kChdr);
	const auto len = static_cast<uint32_t>(end - start);
	const uint32_t off = static_cast<uint32_t>(start) & r.mask;
	const uint32_t first = off + len > r.size ? r.size - off : len;
	const uint64_t file_off = offset_ + file_next_;
	const std::span<const std::byte> mem = r.mem.bytes();

	drvbench_rb_chunk_hdr h{.magic = DRVBENCH_RB_CHUNK_MAGIC,
				.version = DRVBENCH_RB_CHUNK_VERSION,
				.producer = static_cast<uint16_t>(ri),
				.length = len,
				.nr_records = nrec,
				.first_seq = first_seq,
				.crc32c = 0,
				.reserved = 0};
	store(ch, 0, h);
	uint32_t crc = crc32c_update(~0U, ch);
	crc = crc32c_update(crc, mem.subspan(off, first));
	if (first < len)
		crc = crc32c_update(crc, mem.subspan(0, len - first));
	h.crc32c = ~crc;
	store(ch, 0, h);

	c.ring = ri;
	c.nr_parts = 0;
	c.nrec = nrec;
	c.end = end;
	c.file_len = kChdr + uint64_t{len};
	c.failed = false;
	c.done = false;
	auto add = [&c](std::span<const std::byte> buf, uint64_t foff, uint16_t index) {
		c.part[c.nr_parts++] = Part{.buf = buf, .file_off = foff, .done = 0, .buf_index = index, .inject = false};
	};
	add(ch, file_off, static_cast<uint16_t>(nr_));
	add(mem.subspan(off, first), file_off + kChdr, static_cast<uint16_t>(ri));
	if (first < len)
		add(mem.subspan(0, len - first), file_off + kChdr + first, static_cast<uint16_t>(ri));
	c.pending = c.nr_parts;
	file_next_ += c.file_len;
	order_[(order_head_ + order_count_++) % batch_] = slot;
	new_chunks_++;
	for (uint32_t k = 0; k < c.nr_parts; k++)
		queue_part(slot, k);
}

// Cuts the next chunk of ring ri from [sent, limit): records up to max_chunk bytes (a single
// larger record alone). Returns bytes gathered, 0 after an error.
uint64_t RingBuf::cut_chunk(uint32_t ri)
{
	Ring &r = rings()[ri];
	const std::span<const std::byte> mem = r.mem.bytes();
	const uint64_t start = r.d.sent;
	uint64_t pos = start;
	uint64_t first_seq = r.d.next_seq;
	bool have_first = false;
	uint32_t nrec = 0;

	while (pos < r.d.limit) {
		const uint32_t off = static_cast<uint32_t>(pos) & r.mask;
		// The headers form a chain of dependent loads of lines the producer's
		// CPU just wrote: fetch ahead of it.
		__builtin_prefetch(mem.subspan(static_cast<uint32_t>(pos + kPrefetch) & r.mask).data());
		const auto len = load<uint32_t>(mem, off);
		if (len < 8 || len % DRVBENCH_RB_ALIGN != 0 || len > r.d.limit - pos) [[unlikely]] {
			set_error(EUCLEAN); // only a bug in this file can get here
			return 0;
		}
		if (pos > start && pos - start + len > max_chunk_)
			break;
		const auto type = load<uint16_t>(mem, off + 4);
		if (type == DRVBENCH_RB_REC_DATA) {
			const auto seq = load<uint64_t>(mem, off + 8);
			nrec++;
			if (!have_first)
				first_seq = seq;
			have_first = true;
			r.d.next_seq = seq + 1;
		} else if (type == DRVBENCH_RB_REC_LOST) {
			const auto seq = load<uint64_t>(mem, off + 8);
			const auto count = load<uint64_t>(mem, off + kHdr);
			if (!have_first)
				first_seq = seq;
			have_first = true;
			r.d.next_seq = seq + count;
		}
		pos += len;
	}
	submit_chunk(ri, start, pos, nrec, first_seq);
	r.d.sent = pos;
	return pos - start;
}

void RingBuf::submit()
{
	const uint32_t n = new_chunks_;
	if (queued_ == 0)
		return;
	uring_.submit();
	queued_ = 0;
	if (n != 0) {
		submits_++;
		batch_hist_[n <= 1 ? 0 : std::bit_width(uint64_t{n} - 1)]++;
	}
	new_chunks_ = 0;
}

void RingBuf::retire()
{
	while (order_count_ != 0) {
		const uint32_t slot = order_[order_head_];
		const Chunk &c = chunks_[slot];
		Ring &r = rings()[c.ring];
		if (!c.done)
			break;
		if (c.failed)
			stopped_ = true;
		if (!stopped_) {
			durable_ += c.file_len;
			chunks_done_++;
			r.d.persisted += c.nrec;
		} else {
			r.d.failed += c.nrec;
		}
		r.d.tail.store(c.end, std::memory_order_release);
		order_head_ = (order_head_ + 1) % batch_;
		order_count_--;
		free_slots_[nr_free_++] = slot;
	}
}

void RingBuf::complete(uint64_t user_data, int res)
{
	const auto slot = static_cast<uint32_t>(user_data >> 2U);
	const auto k = static_cast<uint32_t>(user_data & 3U);
	Chunk &c = chunks_[slot];
	Part &part = c.part[k];

	if (part.inject) [[unlikely]] {
		part.inject = false;
		res = -static_cast<int>(inject_errno_);
	}
	const auto left = static_cast<uint32_t>(part.buf.size()) - part.done;
	if (res <= 0) [[unlikely]] {
		set_error(res != 0 ? -res : EIO);
		c.failed = true;
	} else if (static_cast<uint32_t>(res) < left) [[unlikely]] {
		short_writes_++;
		part.done += static_cast<uint32_t>(res);
		if (error_.load(std::memory_order_relaxed) == 0) {
			queue_part(slot, k);
			return;
		}
		c.failed = true;
	} else {
		part.done = static_cast<uint32_t>(part.buf.size());
	}
	if (--c.pending == 0) {
		c.done = true;
		retire();
	}
}

unsigned RingBuf::reap(bool wait)
{
	if (wait && order_count_ != 0)
		(void)uring_.wait();
	return uring_.for_each_completion([this](uint64_t ud, int res) { complete(ud, res); });
}

// Cuts chunks while slots are free, one chunk per ring in turn (round-robin per chunk, not
// per call: the order of chunks in the file then depends only on the committed bytes, not on
// how many slots each call finds free). low: a ring is cut only when this many bytes are
// committed (1: anything).
uint64_t RingBuf::gather_rings(uint64_t low)
{
	uint64_t gathered = 0;
	uint32_t idle = 0;
	while (nr_free_ != 0 && idle < nr_) {
		const uint32_t ri = rr_;
		const Ring &r = rings()[ri];
		rr_ = ri + 1 == nr_ ? 0 : ri + 1;
		if (r.d.sent < r.d.limit && r.d.limit - r.d.sent >= low) {
			const uint64_t n = cut_chunk(ri);
			if (n == 0) [[unlikely]]
				break;
			gathered += n;
			idle = 0;
		} else {
			idle++;
		}
	}
	return gathered;
}

void RingBuf::settle()
{
	for (Ring &r : rings()) {
		const std::span<const std::byte> mem = r.mem.bytes();
		const uint64_t head = r.p.head.load(std::memory_order_acquire);
		uint64_t pos = r.d.sent;
		while (pos < head) {
			const uint32_t off = static_cast<uint32_t>(pos) & r.mask;
			const auto len = load<uint32_t>(mem, off);
			if (len < 8 || len > head - pos)
				break;
			if (load<uint16_t>(mem, off + 4) == DRVBENCH_RB_REC_DATA)
				r.d.failed++;
			pos += len;
		}
		r.d.sent = head;
		r.d.limit = head;
		r.d.tail.store(head, std::memory_order_release);
	}
	// A failed cut (EBADF and the like) means nothing reached the file either.
	if (is_reg_)
		(void)!ftruncate(fd_.get(), static_cast<off_t>(offset_ + durable_));
}

int RingBuf::drain_all()
{
	for (Ring &r : rings())
		r.d.limit = r.p.head.load(std::memory_order_acquire);
	for (;;) {
		const int err = error_.load(std::memory_order_relaxed);
		if (err == 0)
			gather_rings(1);
		submit();
		const bool all = std::all_of(rings().begin(), rings().end(),
					     [](const Ring &r) { return r.d.sent == r.d.limit; });
		if (order_count_ == 0 && (all || err != 0))
			break;
		reap(true);
	}
	const int err = error_.load(std::memory_order_relaxed);
	if (err != 0) {
		settle();
		return -err;
	}
	return 0;
}

int RingBuf::drain(uint32_t flags)
{
	if ((flags & DRVBENCH_RB_DRAIN_ALL) != 0)
		return drain_all();

	uint64_t progress = reap(false);
	int err = error_.load(std::memory_order_relaxed);
	if (err == 0) {
		for (Ring &r : rings())
			r.d.limit = r.p.head.load(std::memory_order_acquire);
		// While writes are in flight, full chunks only (a quarter ring for
		// small rings): a submit is a system call, worth it for a full chunk.
		// With nothing in flight, anything: a waiting producer needs it.
		const uint64_t low = max_chunk_ < ring_size_ / 4 ? max_chunk_ : ring_size_ / 4;
		progress += gather_rings(order_count_ == 0 ? 1 : low);
	}
	submit();
	if (progress == 0 && (flags & DRVBENCH_RB_DRAIN_WAIT) != 0)
		progress = reap(true);
	err = error_.load(std::memory_order_relaxed);
	if (err != 0)
		return -err;
	return progress != 0 ? 1 : 0;
}

void RingBuf::stats(drvbench_ringbuf_stats &out) const
{
	out = drvbench_ringbuf_stats{};
	out.error = error_.load(std::memory_order_acquire);
	out.producers = nr_;
	out.file_bytes = durable_;
	out.chunks = chunks_done_;
	out.submits = submits_;
	out.writes = writes_issued_;
	out.short_writes = short_writes_;
	std::copy(batch_hist_.begin(), batch_hist_.end(), std::begin(out.batch_hist));
	const std::span<drvbench_ringbuf_pstats> ps(out.p);
	uint32_t i = 0;
	for (const Ring &r : rings()) {
		drvbench_ringbuf_pstats &p = ps[i++];
		p.produced = r.p.produced;
		p.dropped = r.p.dropped;
		p.persisted = r.d.persisted;
		p.failed = r.p.failed + r.d.failed;
		p.lost_markers = r.p.lost_markers;
		p.waits = r.p.waits;
	}
}

} // namespace drvbench::ringbuf
