// SPDX-License-Identifier: MIT
/*
 * ringbuf: per-producer record rings drained to storage through io_uring,
 * kernel-style C.
 *
 * The contract is include/drvbench/ringbuf.h; the algorithm is shared with
 * cpp_drivers/ringbuf (docs/ringbuf.md):
 *   - one ring per producer, a power of two in size, indexed by free-running
 *     64-bit positions (offset = pos & mask). A record never straddles the end
 *     of the ring: the producer fills the rest with a PAD record and starts
 *     again at offset 0 (as ftrace's padding events do);
 *   - SPSC protocol: commit() publishes head with release, the drain reads it
 *     with acquire; the drain publishes tail with release once the bytes below
 *     it are written, reserve() reads it with acquire. Each side caches the
 *     other's index;
 *   - the drain cuts the committed bytes of a ring into chunks of at most
 *     max_chunk bytes at record boundaries (a chunk may span the wrap), checksums
 *     them (CRC-32C) and writes each chunk with up to three IORING_OP_WRITE_FIXED
 *     SQEs: its header from a registered header slab, the ring bytes before the
 *     wrap and the ring bytes after it, straight from the registered ring.
 *     Up to batch chunks are in flight; one io_uring_submit() per drain call;
 *   - completions resume short writes; a chunk retires when all its writes are
 *     complete, in creation (= file offset) order: its ring space is released
 *     and, unless an earlier chunk failed, its records become persisted;
 *   - a sink error stops gathering; drain(ALL) then waits for what is in
 *     flight, cuts the file back to the last whole chunk and counts every
 *     committed record that is not persisted as failed.
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ringbuf.h"

#define RB_CACHELINE 64
#define RB_HDR DRVBENCH_RB_REC_HDR_SIZE
#define RB_LOST DRVBENCH_RB_LOST_SIZE
#define RB_CHDR DRVBENCH_RB_CHUNK_HDR_SIZE
#define RB_MAX_PARTS 3		/* chunk header, ring before the wrap, after it */
#define RB_SPIN 64		/* pause loops before a full ring yields the CPU */
#define RB_PREFETCH 2048	/* bytes the drain's record walk prefetches ahead */

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ____cacheline_aligned __attribute__((aligned(RB_CACHELINE)))

#define smp_load_acquire(p) atomic_load_explicit(p, memory_order_acquire)
#define smp_store_release(p, v) atomic_store_explicit(p, v, memory_order_release)

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) ----
 *
 * The crc32 instruction has a latency of 3 cycles and a throughput of 1: one
 * dependent chain runs at a third of its speed. Long buffers are cut into
 * rounds of three equal blocks whose CRCs run as three independent chains and
 * are then combined: crc(A B C) = shift(shift(crc(A)) ^ crc0(B)) ^ crc0(C), where
 * crc0 starts from 0 and shift advances a CRC register over a block of zeros
 * (linear in the register: four table lookups, one per byte). */

#define RB_CRC_LONG 4096	/* bytes per chain in a long round */
#define RB_CRC_SHORT 256	/* bytes per chain in a short round */

static uint32_t crc32c_table[256];
/* crc32c_shift_*[k][b]: the register b << 8k advanced over RB_CRC_* zero bytes */
static uint32_t crc32c_shift_long[4][256];
static uint32_t crc32c_shift_short[4][256];
static bool crc32c_have_hw;

static void crc32c_shift_init(uint32_t tab[4][256], size_t zeros)
{
	uint32_t basis[32];

	for (uint32_t i = 0; i < 32; i++) {
		uint32_t c = 1u << i;

		for (size_t n = 0; n < zeros; n++)
			c = crc32c_table[c & 0xff] ^ (c >> 8);
		basis[i] = c;
	}
	for (uint32_t k = 0; k < 4; k++)
		for (uint32_t b = 0; b < 256; b++) {
			uint32_t v = 0;

			for (uint32_t j = 0; j < 8; j++)
				if (b >> j & 1)
					v ^= basis[8 * k + j];
			tab[k][b] = v;
		}
}

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
		crc32c_table[i] = c;
	}
	crc32c_shift_init(crc32c_shift_long, RB_CRC_LONG);
	crc32c_shift_init(crc32c_shift_short, RB_CRC_SHORT);
#if defined(__x86_64__)
	crc32c_have_hw = __builtin_cpu_supports("sse4.2");
#endif
}

/* Tables are built once per process (rings may be created concurrently). */
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static inline uint32_t crc32c_shift(const uint32_t tab[4][256], uint32_t c)
{
	return tab[0][c & 0xff] ^ tab[1][(c >> 8) & 0xff] ^ tab[2][(c >> 16) & 0xff] ^ tab[3][c >> 24];
}

#if defined(__x86_64__)
/* One round: 3 * blk bytes as three chains. */
__attribute__((target("sse4.2")))
static inline uint32_t crc32c_3way(uint32_t crc, const uint8_t *p, size_t blk, const uint32_t tab[4][256])
{
	uint64_t a = crc, b = 0, c = 0;

	for (size_t i = 0; i < blk; i += 8) {
		uint64_t x, y, z;

		memcpy(&x, p + i, 8);
		memcpy(&y, p + blk + i, 8);
		memcpy(&z, p + 2 * blk + i, 8);
		a = __builtin_ia32_crc32di(a, x);
		b = __builtin_ia32_crc32di(b, y);
		c = __builtin_ia32_crc32di(c, z);
	}
	return crc32c_shift(tab, crc32c_shift(tab, (uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t c;

	for (; n >= 3 * RB_CRC_LONG; p += 3 * RB_CRC_LONG, n -= 3 * RB_CRC_LONG)
		crc = crc32c_3way(crc, p, RB_CRC_LONG, crc32c_shift_long);
	for (; n >= 3 * RB_CRC_SHORT; p += 3 * RB_CRC_SHORT, n -= 3 * RB_CRC_SHORT)
		crc = crc32c_3way(crc, p, RB_CRC_SHORT, crc32c_shift_short);
	c = crc;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	for (; n; p++, n--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p);
	return (uint32_t)c;
}
#endif

/* Running CRC without the final inversion (the caller starts with ~0 and inverts). */
static uint32_t crc32c_update(uint32_t crc, const uint8_t *p, size_t n)
{
#if defined(__x86_64__)
	if (likely(crc32c_have_hw))
		return crc32c_hw(crc, p, n);
#endif
	for (; n; p++, n--)
		crc = crc32c_table[(crc ^ *p) & 0xff] ^ (crc >> 8);
	return crc;
}

/* ---- data structures ---- */

struct rb_part {
	const uint8_t *buf;	/* registered memory */
	uint64_t file_off;
	uint32_t len;
	uint32_t done;		/* bytes written so far (short writes) */
	uint16_t buf_index;	/* fixed buffer */
	bool inject;		/* this SQE is the injected fault */
};

struct rb_chunk {
	uint32_t ring;
	uint32_t pending;	/* parts not yet complete */
	uint32_t nr_parts;
	uint32_t nrec;		/* DATA records */
	uint64_t end;		/* ring position after the chunk */
	uint64_t file_len;
	bool failed;
	bool done;
	struct rb_part part[RB_MAX_PARTS];
};

struct rb_ring {
	/* producer side: written by the producer thread only */
	_Atomic uint64_t head ____cacheline_aligned;
	uint64_t pos;		/* reserve position: head + the open reservation */
	uint32_t open;		/* bytes of the open reservation */
	uint64_t tail_cache;
	uint64_t seq;		/* next sequence number */
	uint64_t lost_pending;	/* dropped since the last marker */
	uint64_t lost_first;
	uint64_t produced, dropped, failed, lost_markers, waits;

	/* drain side: written by the drain thread only */
	_Atomic uint64_t tail ____cacheline_aligned;
	uint64_t sent;		/* gathered into chunks up to here */
	uint64_t limit;		/* committed bytes the drain knows of (head snapshot) */
	uint64_t next_seq;	/* seq after the last gathered record */
	uint64_t persisted;
	uint64_t d_failed;

	/* read-only after create */
	uint8_t *buf ____cacheline_aligned;
	uint32_t size;
	uint32_t mask;
};

struct drvbench_ringbuf {
	/* read-only after create (producers read it on every reserve: its own lines) */
	uint32_t nr;
	uint32_t ring_size;
	uint32_t policy;
	uint32_t batch;
	uint32_t max_chunk;
	int fd;
	bool is_reg;		/* regular file: cut back on failure */
	uint64_t offset;
	uint32_t inject_errno;
	uint32_t inject_after;

	_Atomic int error ____cacheline_aligned;

	/* drain state: the drain thread only */
	struct io_uring uring ____cacheline_aligned;
	/* drain state */
	uint8_t *slab;		/* batch chunk headers, registered as buffer nr */
	size_t slab_size;
	struct rb_chunk *chunks;
	uint32_t *free_slots;
	uint32_t nr_free;
	uint32_t *order;	/* in-flight chunks in creation order */
	uint32_t order_head;
	uint32_t order_count;
	uint32_t queued;	/* SQEs prepared, not yet submitted */
	uint32_t new_chunks;	/* chunks prepared since the last submit */
	uint32_t rr;		/* ring to gather first */
	uint64_t file_next;	/* bytes assigned after offset */
	uint64_t durable;	/* bytes of whole, retired chunks after offset */
	bool stopped;		/* the retire frontier met a failed chunk */
	bool uring_ready;
	bool bufs_registered;

	uint64_t writes_issued;
	uint64_t chunks_done;
	uint64_t submits;
	uint64_t short_writes;
	uint64_t batch_hist[9];

	struct rb_ring rings[];
};

static void rb_errf(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err_size)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* ---- create / destroy ---- */

static int rb_check_config(const struct drvbench_ringbuf_config *cfg, char *err, size_t err_size)
{
	if (cfg->producers < 1 || cfg->producers > DRVBENCH_RB_MAX_PRODUCERS) {
		rb_errf(err, err_size, "producers: %u is not in 1..%u", cfg->producers,
			DRVBENCH_RB_MAX_PRODUCERS);
		return -EINVAL;
	}
	if (!is_pow2(cfg->ring_size) || cfg->ring_size < DRVBENCH_RB_MIN_RING_SIZE ||
	    cfg->ring_size > DRVBENCH_RB_MAX_RING_SIZE) {
		rb_errf(err, err_size, "ring_size: %u is not a power of two in %u..%u", cfg->ring_size,
			DRVBENCH_RB_MIN_RING_SIZE, DRVBENCH_RB_MAX_RING_SIZE);
		return -EINVAL;
	}
	if (cfg->policy > DRVBENCH_RB_POLICY_DROP) {
		rb_errf(err, err_size, "policy: %u is neither block (0) nor drop (1)", cfg->policy);
		return -EINVAL;
	}
	if (cfg->batch < 1 || cfg->batch > DRVBENCH_RB_MAX_BATCH) {
		rb_errf(err, err_size, "batch: %u is not in 1..%u", cfg->batch, DRVBENCH_RB_MAX_BATCH);
		return -EINVAL;
	}
	if (cfg->max_chunk < 64 || cfg->max_chunk % DRVBENCH_RB_ALIGN) {
		rb_errf(err, err_size, "max_chunk: %u is not a multiple of 8 and at least 64",
			cfg->max_chunk);
		return -EINVAL;
	}
	if (cfg->fd < 0) {
		rb_errf(err, err_size, "fd: %d is not a file descriptor", cfg->fd);
		return -EINVAL;
	}
	return 0;
}

struct drvbench_ringbuf *rb_create(const struct drvbench_ringbuf_config *cfg,
				   char *err, size_t err_size)
{
	struct drvbench_ringbuf *rb;
	struct iovec *iov = NULL;
	struct stat st;
	uint32_t i;
	int ret;

	if (rb_check_config(cfg, err, err_size))
		return NULL;
	pthread_once(&crc32c_once, crc32c_init);

	rb = aligned_alloc(RB_CACHELINE, sizeof(*rb) + cfg->producers * sizeof(struct rb_ring));
	if (!rb) {
		rb_errf(err, err_size, "memory: cannot allocate the ringbuf");
		return NULL;
	}
	memset(rb, 0, sizeof(*rb) + cfg->producers * sizeof(struct rb_ring));
	rb->fd = -1;
	rb->nr = cfg->producers;
	rb->ring_size = cfg->ring_size;
	rb->policy = cfg->policy;
	rb->batch = cfg->batch;
	rb->max_chunk = cfg->max_chunk;
	rb->offset = cfg->offset;
	rb->inject_errno = cfg->inject_errno;
	rb->inject_after = cfg->inject_after;

	rb->fd = dup(cfg->fd);
	if (rb->fd < 0) {
		rb_errf(err, err_size, "fd: dup(%d): %s", cfg->fd, strerror(errno));
		goto out_free;
	}
	rb->is_reg = !fstat(rb->fd, &st) && S_ISREG(st.st_mode);

	rb->chunks = calloc(cfg->batch, sizeof(*rb->chunks));
	rb->free_slots = calloc(cfg->batch, sizeof(*rb->free_slots));
	rb->order = calloc(cfg->batch, sizeof(*rb->order));
	iov = calloc(cfg->producers + 1, sizeof(*iov));
	if (!rb->chunks || !rb->free_slots || !rb->order || !iov) {
		rb_errf(err, err_size, "memory: cannot allocate the drain state");
		goto out_free;
	}
	for (i = 0; i < cfg->batch; i++)
		rb->free_slots[i] = cfg->batch - 1 - i;	/* slot 0 is taken first */
	rb->nr_free = cfg->batch;

	for (i = 0; i < rb->nr; i++) {
		struct rb_ring *r = &rb->rings[i];

		r->buf = mmap(NULL, cfg->ring_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (r->buf == MAP_FAILED) {
			r->buf = NULL;
			rb_errf(err, err_size, "ring_size: cannot map %u bytes for ring %u: %s",
				cfg->ring_size, i, strerror(errno));
			goto out_free;
		}
		r->size = cfg->ring_size;
		r->mask = cfg->ring_size - 1;
		iov[i].iov_base = r->buf;
		iov[i].iov_len = r->size;
	}
	rb->slab_size = (size_t)cfg->batch * RB_CHDR;
	rb->slab = mmap(NULL, rb->slab_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (rb->slab == MAP_FAILED) {
		rb->slab = NULL;
		rb_errf(err, err_size, "memory: cannot map the chunk header slab: %s", strerror(errno));
		goto out_free;
	}
	iov[rb->nr].iov_base = rb->slab;
	iov[rb->nr].iov_len = rb->slab_size;

	ret = io_uring_queue_init(cfg->batch * 4, &rb->uring, 0);
	if (ret) {
		rb_errf(err, err_size, "io_uring: io_uring_queue_init(%u): %s", cfg->batch * 4,
			strerror(-ret));
		goto out_free;
	}
	rb->uring_ready = true;
	ret = io_uring_register_buffers(&rb->uring, iov, rb->nr + 1);
	if (ret) {
		rb_errf(err, err_size, "io_uring: registering %u rings of %u bytes: %s", rb->nr,
			cfg->ring_size, strerror(-ret));
		goto out_free;
	}
	rb->bufs_registered = true;
	free(iov);
	return rb;

out_free:
	free(iov);
	rb_destroy(rb);
	return NULL;
}

static void rb_submit(struct drvbench_ringbuf *rb);
static int rb_reap(struct drvbench_ringbuf *rb, bool wait);

void rb_destroy(struct drvbench_ringbuf *rb)
{
	uint32_t i;

	if (!rb)
		return;
	if (rb->uring_ready) {
		/* The kernel may still read ring memory: wait for every write. */
		for (;;) {
			rb_submit(rb);
			if (!rb->order_count)
				break;
			rb_reap(rb, true);
		}
		if (rb->bufs_registered)
			io_uring_unregister_buffers(&rb->uring);
		io_uring_queue_exit(&rb->uring);
	}
	for (i = 0; i < rb->nr; i++)
		if (rb->rings[i].buf)
			munmap(rb->rings[i].buf, rb->rings[i].size);
	if (rb->slab)
		munmap(rb->slab, rb->slab_size);
	free(rb->chunks);
	free(rb->free_slots);
	free(rb->order);
	if (rb->fd >= 0)
		close(rb->fd);
	free(rb);
}

/* ---- producer side ---- */

/* Waits until n bytes after r->pos are free. Returns 0, -ENOBUFS (may_drop and
 * full) or -<errno> of a failed sink. */
static int rb_make_room(struct drvbench_ringbuf *rb, struct rb_ring *r, uint64_t n, bool may_drop)
{
	unsigned int spins = 0;
	bool waited = false;
	int err;

	for (;;) {
		r->tail_cache = smp_load_acquire(&r->tail);
		if (r->pos + n - r->tail_cache <= r->size)
			return 0;
		err = smp_load_acquire(&rb->error);
		if (err)
			return -err;
		if (may_drop)
			return -ENOBUFS;
		if (!waited) {
			r->waits++;
			waited = true;
		}
		if (++spins < RB_SPIN)
			cpu_relax();
		else
			sched_yield();
	}
}

/* Fills [off, off + n) up to the end of the ring with a PAD record. */
static void rb_pad(struct rb_ring *r, uint32_t off, uint32_t n)
{
	struct drvbench_rb_rec_hdr *h = (void *)(r->buf + off);

	h->len = n;
	h->type = DRVBENCH_RB_REC_PAD;
	h->pad = 0;
	if (n > 8)
		memset(r->buf + off + 8, 0, n - 8);
}

/* Bytes to skip (a PAD record) so that n bytes fit before the end of the ring. */
static inline uint32_t rb_skip(const struct rb_ring *r, uint32_t n)
{
	uint32_t off = (uint32_t)r->pos & r->mask;

	return off + n > r->size ? r->size - off : 0;
}

/* Positions r->pos where n contiguous bytes are free, padding the end of the
 * ring when n does not fit before it. When the pad and the record do not fit
 * together, the pad is published on its own first, so that the drain can free
 * the whole ring for a record as large as the ring. */
static int rb_place(struct drvbench_ringbuf *rb, struct rb_ring *r, uint32_t n, bool may_drop)
{
	uint32_t skip = rb_skip(r, n);
	int ret;

	if (likely(r->pos + skip + n - r->tail_cache <= r->size))
		goto fits;
	if (skip) {
		ret = rb_make_room(rb, r, skip, may_drop);
		if (ret)
			return ret;
		rb_pad(r, (uint32_t)r->pos & r->mask, skip);
		r->pos += skip;
		smp_store_release(&r->head, r->pos);
		skip = 0;
	}
	ret = rb_make_room(rb, r, n, may_drop);
	if (ret)
		return ret;
fits:
	if (skip) {
		rb_pad(r, (uint32_t)r->pos & r->mask, skip);
		r->pos += skip;
	}
	return 0;
}

/* Commits the pending lost-records marker as its own record. */
static int rb_put_lost(struct drvbench_ringbuf *rb, struct rb_ring *r, bool may_drop)
{
	struct drvbench_rb_rec_hdr *h;
	int ret;

	ret = rb_place(rb, r, RB_LOST, may_drop);
	if (ret)
		return ret;
	h = (void *)(r->buf + ((uint32_t)r->pos & r->mask));
	h->len = RB_LOST;
	h->type = DRVBENCH_RB_REC_LOST;
	h->pad = 0;
	h->seq = r->lost_first;
	memcpy(h + 1, &r->lost_pending, sizeof(uint64_t));
	r->pos += RB_LOST;
	smp_store_release(&r->head, r->pos);
	r->lost_pending = 0;
	r->lost_markers++;
	return 0;
}

int rb_reserve(struct drvbench_ringbuf *rb, uint32_t producer, uint32_t len, void **payload)
{
	struct drvbench_rb_rec_hdr *h;
	struct rb_ring *r;
	uint64_t need, seq;
	int ret;

	if (unlikely(producer >= rb->nr))
		return -EINVAL;
	r = &rb->rings[producer];
	need = DRVBENCH_RB_REC_SPACE(len);
	if (unlikely(need > r->size))
		return -EMSGSIZE;

	seq = r->seq++;
	r->produced++;
	if (unlikely(r->lost_pending)) {
		ret = rb_put_lost(rb, r, rb->policy == DRVBENCH_RB_POLICY_DROP);
		if (ret)
			goto refuse;
	}
	ret = rb_place(rb, r, (uint32_t)need, rb->policy == DRVBENCH_RB_POLICY_DROP);
	if (ret)
		goto refuse;
	h = (void *)(r->buf + ((uint32_t)r->pos & r->mask));
	h->len = (uint32_t)need;
	h->type = DRVBENCH_RB_REC_DATA;
	h->pad = (uint16_t)(need - RB_HDR - len);
	h->seq = seq;
	if (h->pad)	/* padding bytes are zero: the stream is deterministic */
		memset((uint8_t *)h + need - 8, 0, 8);
	r->open = (uint32_t)need;
	*payload = h + 1;
	return 0;

refuse:
	if (ret == -ENOBUFS) {
		if (!r->lost_pending++)
			r->lost_first = seq;
		r->dropped++;
	} else {
		r->failed++;
	}
	return ret;
}

void rb_commit(struct drvbench_ringbuf *rb, uint32_t producer)
{
	struct rb_ring *r = &rb->rings[producer];

	r->pos += r->open;
	r->open = 0;
	smp_store_release(&r->head, r->pos);
}

int rb_write(struct drvbench_ringbuf *rb, uint32_t producer, const void *data, uint32_t len)
{
	void *p;
	int ret;

	ret = rb_reserve(rb, producer, len, &p);
	if (ret)
		return ret;
	if (len)	/* memcpy() from NULL is undefined even for 0 bytes */
		memcpy(p, data, len);
	rb_commit(rb, producer);
	return 0;
}

int rb_finish(struct drvbench_ringbuf *rb, uint32_t producer)
{
	struct rb_ring *r;

	if (producer >= rb->nr)
		return -EINVAL;
	r = &rb->rings[producer];
	if (!r->lost_pending)
		return 0;
	return rb_put_lost(rb, r, false);
}

/* ---- drain side ---- */

static void rb_fail(struct drvbench_ringbuf *rb, int err)
{
	if (!atomic_load_explicit(&rb->error, memory_order_relaxed))
		smp_store_release(&rb->error, err);
}

static void rb_queue_part(struct drvbench_ringbuf *rb, uint32_t slot, uint32_t k)
{
	struct rb_part *part = &rb->chunks[slot].part[k];
	struct io_uring_sqe *sqe;

	sqe = io_uring_get_sqe(&rb->uring);
	if (unlikely(!sqe)) {
		/* cannot happen with 4 SQEs per chunk slot; submit and retry */
		io_uring_submit(&rb->uring);
		rb->queued = 0;
		sqe = io_uring_get_sqe(&rb->uring);
	}
	if (unlikely(rb->inject_errno && rb->writes_issued == rb->inject_after)) {
		io_uring_prep_nop(sqe);
		part->inject = true;
	} else {
		io_uring_prep_write_fixed(sqe, rb->fd, part->buf + part->done, part->len - part->done,
					  part->file_off + part->done, part->buf_index);
	}
	io_uring_sqe_set_data64(sqe, (uint64_t)slot << 2 | k);
	rb->writes_issued++;
	rb->queued++;
}

static void rb_add_part(struct rb_chunk *c, const uint8_t *buf, uint32_t len, uint64_t file_off,
			uint16_t buf_index)
{
	struct rb_part *part = &c->part[c->nr_parts++];

	part->buf = buf;
	part->len = len;
	part->done = 0;
	part->file_off = file_off;
	part->buf_index = buf_index;
	part->inject = false;
}

/* Prepares the chunk [start, end) of ring ri with its header and checksum. */
static void rb_submit_chunk(struct drvbench_ringbuf *rb, uint32_t ri, uint64_t start, uint64_t end,
			    uint32_t nrec, uint64_t first_seq)
{
	struct rb_ring *r = &rb->rings[ri];
	uint32_t slot = rb->free_slots[--rb->nr_free];
	struct rb_chunk *c = &rb->chunks[slot];
	struct drvbench_rb_chunk_hdr *ch = (void *)(rb->slab + (size_t)slot * RB_CHDR);
	uint32_t len = (uint32_t)(end - start);
	uint32_t off = (uint32_t)start & r->mask;
	uint32_t first = off + len > r->size ? r->size - off : len;
	uint64_t file_off = rb->offset + rb->file_next;
	uint32_t crc, k;

	ch->magic = DRVBENCH_RB_CHUNK_MAGIC;
	ch->version = DRVBENCH_RB_CHUNK_VERSION;
	ch->producer = (uint16_t)ri;
	ch->length = len;
	ch->nr_records = nrec;
	ch->first_seq = first_seq;
	ch->crc32c = 0;
	ch->reserved = 0;
	crc = crc32c_update(~0u, (const uint8_t *)ch, RB_CHDR);
	crc = crc32c_update(crc, r->buf + off, first);
	if (first < len)
		crc = crc32c_update(crc, r->buf, len - first);
	ch->crc32c = ~crc;

	c->ring = ri;
	c->nr_parts = 0;
	c->nrec = nrec;
	c->end = end;
	c->file_len = RB_CHDR + (uint64_t)len;
	c->failed = false;
	c->done = false;
	rb_add_part(c, (const uint8_t *)ch, RB_CHDR, file_off, (uint16_t)rb->nr);
	rb_add_part(c, r->buf + off, first, file_off + RB_CHDR, (uint16_t)ri);
	if (first < len)
		rb_add_part(c, r->buf, len - first, file_off + RB_CHDR + first, (uint16_t)ri);
	c->pending = c->nr_parts;
	rb->file_next += c->file_len;
	rb->order[(rb->order_head + rb->order_count++) % rb->batch] = slot;
	rb->new_chunks++;
	for (k = 0; k < c->nr_parts; k++)
		rb_queue_part(rb, slot, k);
}

/* Cuts the next chunk of ring ri from [sent, limit): records up to max_chunk
 * bytes (a single larger record alone). Returns bytes gathered, 0 after an error. */
static uint64_t rb_cut_chunk(struct drvbench_ringbuf *rb, uint32_t ri)
{
	struct rb_ring *r = &rb->rings[ri];
	uint64_t start = r->sent, pos = start, first_seq = r->next_seq;
	bool have_first = false;
	uint32_t nrec = 0;

	while (pos < r->limit) {
		const struct drvbench_rb_rec_hdr *h = (const void *)(r->buf + ((uint32_t)pos & r->mask));
		uint32_t len;

		/* The headers form a chain of dependent loads of lines the producer's
		 * CPU just wrote: fetch ahead of it. */
		__builtin_prefetch(r->buf + ((uint32_t)(pos + RB_PREFETCH) & r->mask));
		len = h->len;
		if (unlikely(len < 8 || len % DRVBENCH_RB_ALIGN || len > r->limit - pos)) {
			/* only a bug in this file can get here */
			rb_fail(rb, EUCLEAN);
			return 0;
		}
		if (pos > start && pos - start + len > rb->max_chunk)
			break;
		if (h->type == DRVBENCH_RB_REC_DATA) {
			nrec++;
			if (!have_first)
				first_seq = h->seq;
			have_first = true;
			r->next_seq = h->seq + 1;
		} else if (h->type == DRVBENCH_RB_REC_LOST) {
			uint64_t count;

			memcpy(&count, h + 1, sizeof(count));
			if (!have_first)
				first_seq = h->seq;
			have_first = true;
			r->next_seq = h->seq + count;
		}
		pos += len;
	}
	rb_submit_chunk(rb, ri, start, pos, nrec, first_seq);
	r->sent = pos;
	return pos - start;
}

static void rb_submit(struct drvbench_ringbuf *rb)
{
	uint32_t n = rb->new_chunks;

	if (!rb->queued)
		return;
	io_uring_submit(&rb->uring);
	rb->queued = 0;
	if (n) {
		rb->submits++;
		rb->batch_hist[n <= 1 ? 0 : 64 - __builtin_clzll((uint64_t)n - 1)]++;
	}
	rb->new_chunks = 0;
}

/* Retires done chunks in creation order: ring space is released, records persisted. */
static void rb_retire(struct drvbench_ringbuf *rb)
{
	while (rb->order_count) {
		uint32_t slot = rb->order[rb->order_head];
		struct rb_chunk *c = &rb->chunks[slot];
		struct rb_ring *r = &rb->rings[c->ring];

		if (!c->done)
			break;
		if (c->failed)
			rb->stopped = true;
		if (!rb->stopped) {
			rb->durable += c->file_len;
			rb->chunks_done++;
			r->persisted += c->nrec;
		} else {
			r->d_failed += c->nrec;
		}
		smp_store_release(&r->tail, c->end);
		rb->order_head = (rb->order_head + 1) % rb->batch;
		rb->order_count--;
		rb->free_slots[rb->nr_free++] = slot;
	}
}

static void rb_complete(struct drvbench_ringbuf *rb, uint64_t user_data, int res)
{
	struct rb_chunk *c = &rb->chunks[user_data >> 2];
	struct rb_part *part = &c->part[user_data & 3];

	if (unlikely(part->inject)) {
		part->inject = false;
		res = -(int)rb->inject_errno;
	}
	if (unlikely(res <= 0)) {
		rb_fail(rb, res ? -res : EIO);
		c->failed = true;
	} else if (unlikely((uint32_t)res < part->len - part->done)) {
		rb->short_writes++;
		part->done += (uint32_t)res;
		if (!atomic_load_explicit(&rb->error, memory_order_relaxed)) {
			rb_queue_part(rb, (uint32_t)(user_data >> 2), (uint32_t)(user_data & 3));
			return;
		}
		c->failed = true;
	} else {
		part->done = part->len;
	}
	if (--c->pending == 0) {
		c->done = true;
		rb_retire(rb);
	}
}

/* Handles every available completion; with wait, blocks for at least one. */
static int rb_reap(struct drvbench_ringbuf *rb, bool wait)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	if (wait && rb->order_count) {
		int ret;

		do
			ret = io_uring_wait_cqe(&rb->uring, &cqe);
		while (ret == -EINTR);
	}
	io_uring_for_each_cqe(&rb->uring, head, cqe) {
		rb_complete(rb, io_uring_cqe_get_data64(cqe), cqe->res);
		n++;
	}
	io_uring_cq_advance(&rb->uring, n);
	return (int)n;
}

/* Cuts chunks while slots are free, one chunk per ring in turn (round-robin per
 * chunk, not per call: the order of chunks in the file then depends only on the
 * committed bytes, not on how many slots each call finds free). low: a ring
 * is cut only when this many bytes are committed (1: anything). */
static uint64_t rb_gather_rings(struct drvbench_ringbuf *rb, uint64_t low)
{
	uint64_t gathered = 0;
	uint32_t idle = 0;

	while (rb->nr_free && idle < rb->nr) {
		uint32_t ri = rb->rr;
		struct rb_ring *r = &rb->rings[ri];

		rb->rr = ri + 1 == rb->nr ? 0 : ri + 1;
		if (r->sent < r->limit && r->limit - r->sent >= low) {
			uint64_t n = rb_cut_chunk(rb, ri);

			if (unlikely(!n))
				break;
			gathered += n;
			idle = 0;
		} else {
			idle++;
		}
	}
	return gathered;
}

/* After a sink error, with nothing in flight: every committed record not in a
 * retired chunk is failed, and the file keeps only whole chunks. */
static void rb_settle(struct drvbench_ringbuf *rb)
{
	uint32_t i;

	for (i = 0; i < rb->nr; i++) {
		struct rb_ring *r = &rb->rings[i];
		uint64_t head = smp_load_acquire(&r->head), pos = r->sent;

		while (pos < head) {
			const struct drvbench_rb_rec_hdr *h = (const void *)(r->buf + ((uint32_t)pos & r->mask));

			if (h->len < 8 || h->len > head - pos)
				break;
			if (h->type == DRVBENCH_RB_REC_DATA)
				r->d_failed++;
			pos += h->len;
		}
		r->sent = head;
		r->limit = head;
		smp_store_release(&r->tail, head);
	}
	/* A failed cut (EBADF and the like) means nothing reached the file either. */
	if (rb->is_reg)
		(void)!ftruncate(rb->fd, (off_t)(rb->offset + rb->durable));
}

static int rb_drain_all(struct drvbench_ringbuf *rb)
{
	uint32_t i;
	int err;

	for (i = 0; i < rb->nr; i++)
		rb->rings[i].limit = smp_load_acquire(&rb->rings[i].head);
	for (;;) {
		bool all = true;

		err = atomic_load_explicit(&rb->error, memory_order_relaxed);
		if (!err)
			rb_gather_rings(rb, 1);
		rb_submit(rb);
		for (i = 0; i < rb->nr; i++)
			all &= rb->rings[i].sent == rb->rings[i].limit;
		if (!rb->order_count && (all || err))
			break;
		rb_reap(rb, true);
	}
	err = atomic_load_explicit(&rb->error, memory_order_relaxed);
	if (err) {
		rb_settle(rb);
		return -err;
	}
	return 0;
}

int rb_drain(struct drvbench_ringbuf *rb, uint32_t flags)
{
	uint64_t progress;
	uint32_t i;
	int err;

	if (flags & DRVBENCH_RB_DRAIN_ALL)
		return rb_drain_all(rb);

	progress = (uint64_t)rb_reap(rb, false);
	err = atomic_load_explicit(&rb->error, memory_order_relaxed);
	if (!err) {
		for (i = 0; i < rb->nr; i++)
			rb->rings[i].limit = smp_load_acquire(&rb->rings[i].head);
		/* While writes are in flight, full chunks only (a quarter ring for
		 * small rings): a submit is a system call, worth it for a full chunk.
		 * With nothing in flight, anything: a waiting producer needs it. */
		progress += rb_gather_rings(rb, !rb->order_count ? 1 :
					    rb->max_chunk < rb->ring_size / 4 ?
					    rb->max_chunk : rb->ring_size / 4);
	}
	rb_submit(rb);
	if (!progress && (flags & DRVBENCH_RB_DRAIN_WAIT))
		progress = (uint64_t)rb_reap(rb, true);
	err = atomic_load_explicit(&rb->error, memory_order_relaxed);
	if (err)
		return -err;
	return progress ? 1 : 0;
}

void rb_stats(const struct drvbench_ringbuf *rb, struct drvbench_ringbuf_stats *out)
{
	uint32_t i;

	memset(out, 0, sizeof(*out));
	out->error = atomic_load_explicit(&rb->error, memory_order_acquire);
	out->producers = rb->nr;
	out->file_bytes = rb->durable;
	out->chunks = rb->chunks_done;
	out->submits = rb->submits;
	out->writes = rb->writes_issued;
	out->short_writes = rb->short_writes;
	memcpy(out->batch_hist, rb->batch_hist, sizeof(out->batch_hist));
	for (i = 0; i < rb->nr; i++) {
		const struct rb_ring *r = &rb->rings[i];
		struct drvbench_ringbuf_pstats *p = &out->p[i];

		p->produced = r->produced;
		p->dropped = r->dropped;
		p->persisted = r->persisted;
		p->failed = r->failed + r->d_failed;
		p->lost_markers = r->lost_markers;
		p->waits = r->waits;
	}
}
