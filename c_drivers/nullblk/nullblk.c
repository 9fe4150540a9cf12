// SPDX-License-Identifier: MIT
/*
 * nullblk: Linux null_blk as a userspace blk-mq slice, kernel-style C.
 *
 * The contract is include/drvbench/nullblk.h; the algorithm is shared with
 * cpp_drivers/nullblk (docs/nullblk.md):
 *   - per hardware queue: a pool of hw_queue_depth requests indexed by tag, a
 *     tag bitmap of 64-bit words searched from a word hint (sbitmap spirit),
 *     an intrusive FIFO of pending requests (softirq/timer, owned by the
 *     driver) and one of done requests (owned by the block layer);
 *   - requests carry one refcount (block layer + driver while in flight),
 *     freed exactly once when it reaches zero: tag released, req_free counted;
 *   - the memory backing is a radix tree (fanout 64) of 4 KiB pages allocated
 *     on first write, the whole tree under one spinlock (null_blk's
 *     nullb->lock), taken for the whole transfer of one I/O.
 * One thread drives one hardware queue, so queue state takes no lock; the
 * memory backing is the only state queues share.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullblk.h"

#define NB_SECTOR_SHIFT DRVBENCH_NB_SECTOR_SHIFT
#define NB_SECTOR_SIZE (1u << NB_SECTOR_SHIFT)
#define NB_PAGE_SIZE DRVBENCH_NB_PAGE_SIZE
#define NB_PAGE_SHIFT 12
#define NB_FANOUT_SHIFT 6
#define NB_FANOUT (1u << NB_FANOUT_SHIFT)	/* radix tree fanout */
#define NB_TAG_WORDS (DRVBENCH_NB_MAX_QUEUE_DEPTH / 64)
#define NB_CACHELINE 64

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- lock: test-and-test-and-set spinlock (same primitive as the C++ side) ---- */

struct nb_spinlock {
	atomic_bool locked;
};

static inline void nb_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void spin_lock(struct nb_spinlock *l)
{
	for (;;) {
		if (!atomic_exchange_explicit(&l->locked, true, memory_order_acquire))
			return;
		while (atomic_load_explicit(&l->locked, memory_order_relaxed))
			nb_cpu_relax();
	}
}

static inline void spin_unlock(struct nb_spinlock *l)
{
	atomic_store_explicit(&l->locked, false, memory_order_release);
}

/* ---- data structures ---- */

struct nb_link {
	struct nb_link *next;
};

/* Intrusive FIFO (head pops, tail pushes). */
struct nb_fifo {
	struct nb_link *head;
	struct nb_link *tail;
};

struct nb_hctx;

struct nb_request {
	struct nb_link link;		/* pending or done FIFO */
	struct nb_hctx *hctx;		/* owner queue: frees the tag */
	atomic_uint ref;
	uint32_t tag;
	uint32_t op;
	int32_t status;
	uint32_t nr_bytes;
	uint64_t sector;
	void *buf;
	uint64_t user_data;
	uint64_t deadline;		/* timer mode: completes at now >= deadline */
};

struct nb_queue_stats {
	uint64_t submitted;
	uint64_t busy;
	uint64_t completed;
	uint64_t errors;
	uint64_t req_alloc;
	uint64_t req_free;
};

struct nb_hctx {
	struct nb_request *rqs;		/* pool, indexed by tag */
	uint32_t depth;
	uint32_t nr_words;
	uint32_t hint;			/* word to search first */
	struct nb_fifo pending;		/* driver: softirq/timer in flight */
	struct nb_fifo done;		/* block layer: completed, to be reaped */
	struct nb_queue_stats stats;
	uint64_t tags[NB_TAG_WORDS];	/* bit set: tag in use */
} __attribute__((aligned(NB_CACHELINE)));

struct nb_page {
	uint8_t data[NB_PAGE_SIZE];
};

/* Above the last level slots hold child nodes, at the last level pages. */
struct nb_node {
	union {
		struct nb_node *child[NB_FANOUT];
		struct nb_page *page[NB_FANOUT];
	};
};

struct nb_mem {
	struct nb_spinlock lock;
	struct nb_node *root;		/* under lock */
	uint32_t levels;
};

struct drvbench_nullblk_dev {
	uint64_t size_sectors;
	uint32_t block_sectors;		/* blocksize >> 9 */
	uint32_t blocksize;
	uint32_t irqmode;
	uint32_t memory_backed;
	uint32_t discard;
	uint32_t nr_queues;
	uint64_t completion_nsec;
	struct drvbench_nb_badblock *badblocks;
	uint32_t nr_badblocks;
	struct nb_hctx *queues;
	struct nb_mem mem;
	atomic_ullong pages;		/* written under mem.lock, read by stats() */
};

/* ---- attributes ---- */

static bool nb_fail(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool nb_fail(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (err && err_size) {
		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* Validates cfg in attribute order; writes "attribute: what is wrong". */
static bool nb_validate(const struct drvbench_nullblk_config *cfg, char *err, size_t err_size)
{
	uint32_t bs = cfg->blocksize;
	uint64_t sectors;
	uint32_t i;

	if (bs < 512 || bs > 4096 || (bs & (bs - 1)))
		return nb_fail(err, err_size, "blocksize: %u is not a power of two in 512..4096", bs);
	if (cfg->size == 0)
		return nb_fail(err, err_size, "size: must be > 0");
	if (cfg->size % bs)
		return nb_fail(err, err_size, "size: %llu is not a multiple of blocksize %u",
			       (unsigned long long)cfg->size, bs);
	if (cfg->submit_queues < 1 || cfg->submit_queues > DRVBENCH_NB_MAX_QUEUES)
		return nb_fail(err, err_size, "submit_queues: must be 1..%u, got %u",
			       DRVBENCH_NB_MAX_QUEUES, cfg->submit_queues);
	if (cfg->hw_queue_depth < 1 || cfg->hw_queue_depth > DRVBENCH_NB_MAX_QUEUE_DEPTH)
		return nb_fail(err, err_size, "hw_queue_depth: must be 1..%u, got %u",
			       DRVBENCH_NB_MAX_QUEUE_DEPTH, cfg->hw_queue_depth);
	if (cfg->irqmode > DRVBENCH_NB_IRQ_TIMER)
		return nb_fail(err, err_size, "irqmode: unknown mode %u (none=0, softirq=1, timer=2)",
			       cfg->irqmode);
	if (cfg->memory_backed > 1)
		return nb_fail(err, err_size, "memory_backed: must be 0 or 1, got %u",
			       cfg->memory_backed);
	if (cfg->discard > 1)
		return nb_fail(err, err_size, "discard: must be 0 or 1, got %u", cfg->discard);
	if (cfg->nr_badblocks && !cfg->badblocks)
		return nb_fail(err, err_size, "badblocks: %u ranges but no list", cfg->nr_badblocks);

	sectors = cfg->size >> NB_SECTOR_SHIFT;
	for (i = 0; i < cfg->nr_badblocks; i++) {
		const struct drvbench_nb_badblock *bb = &cfg->badblocks[i];

		if (bb->nr_sectors == 0)
			return nb_fail(err, err_size, "badblocks: range %u is empty", i);
		if (bb->start >= sectors || bb->nr_sectors > sectors - bb->start)
			return nb_fail(err, err_size,
				       "badblocks: range %u [%llu, +%llu) is past the end (%llu sectors)",
				       i, (unsigned long long)bb->start,
				       (unsigned long long)bb->nr_sectors,
				       (unsigned long long)sectors);
	}
	return true;
}

/*
 * Radix tree height: the fewest levels of 64 slots that address every page.
 * The page count rounds up without computing size + 4095, which wraps for
 * sizes within 4 KiB of 2^64.
 */
static uint32_t nb_mem_levels(uint64_t size)
{
	uint64_t pages = (size >> NB_PAGE_SHIFT) + ((size & (NB_PAGE_SIZE - 1)) != 0);
	uint64_t reach = NB_FANOUT;
	uint32_t levels = 1;

	while (reach < pages) {
		reach <<= NB_FANOUT_SHIFT;
		levels++;
	}
	return levels;
}

/* ---- request lifecycle ---- */

static inline void nb_rq_get(struct nb_request *rq)
{
	atomic_fetch_add_explicit(&rq->ref, 1, memory_order_relaxed);
}

static inline void nb_rq_free(struct nb_request *rq)
{
	struct nb_hctx *h = rq->hctx;
	uint32_t tag = rq->tag;

	h->tags[tag >> 6] &= ~(1ull << (tag & 63));
	h->stats.req_free++;
}

/*
 * ThreadSanitizer does not model fences; under it the acquire is a load of
 * the counter instead (what Rust's Arc does), same on the C++ side.
 */
#if defined(__SANITIZE_THREAD__)
#define NB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NB_TSAN 1
#endif
#endif

static inline void nb_rq_put(struct nb_request *rq)
{
	if (atomic_fetch_sub_explicit(&rq->ref, 1, memory_order_release) == 1) {
#ifdef NB_TSAN
		(void)atomic_load_explicit(&rq->ref, memory_order_acquire);
#else
		atomic_thread_fence(memory_order_acquire);
#endif
		nb_rq_free(rq);
	}
}

static inline void nb_fifo_push(struct nb_fifo *f, struct nb_request *rq)
{
	rq->link.next = NULL;
	if (f->tail)
		f->tail->next = &rq->link;
	else
		f->head = &rq->link;
	f->tail = &rq->link;
}

static inline struct nb_request *nb_fifo_peek(const struct nb_fifo *f)
{
	return f->head ? container_of(f->head, struct nb_request, link) : NULL;
}

static inline struct nb_request *nb_fifo_pop(struct nb_fifo *f)
{
	struct nb_link *l = f->head;

	if (!l)
		return NULL;
	f->head = l->next;
	if (!f->head)
		f->tail = NULL;
	return container_of(l, struct nb_request, link);
}

/* Tag allocation: search from the hint word, first zero bit via ctz(~word). */
static inline int nb_get_tag(struct nb_hctx *h)
{
	uint32_t w = h->hint;
	uint32_t i;

	for (i = 0; i < h->nr_words; i++) {
		uint64_t word = h->tags[w];

		if (~word) {
			uint32_t bit = (uint32_t)__builtin_ctzll(~word);

			h->tags[w] = word | (1ull << bit);
			h->hint = w;
			return (int)(w * 64 + bit);
		}
		if (++w == h->nr_words)
			w = 0;
	}
	return -1;
}

/* The driver completes rq: status set, queued as done, driver reference dropped. */
static inline void nb_end_request(struct nb_hctx *h, struct nb_request *rq)
{
	nb_fifo_push(&h->done, rq);
	nb_rq_put(rq);
}

/* ---- memory backing (caller holds mem.lock) ---- */

/*
 * Walks to the page at idx. With alloc, missing nodes and the page are
 * allocated (zero-filled) and *created tells whether the page is new; NULL
 * then means out of memory. Without alloc, NULL means never written.
 */
static struct nb_page *nb_mem_lookup(struct nb_mem *mem, uint64_t idx, bool alloc,
				     bool *created)
{
	struct nb_node **slot = &mem->root;
	struct nb_node *node;
	struct nb_page **pslot;
	uint32_t level;

	for (level = 0;; level++) {
		node = *slot;
		if (!node) {
			if (!alloc)
				return NULL;
			/* malloc + memset, as for pages below. */
			node = malloc(sizeof(*node));
			if (!node)
				return NULL;
			memset(node, 0, sizeof(*node));
			*slot = node;
		}
		if (level + 1 == mem->levels)
			break;
		slot = &node->child[(idx >> ((mem->levels - 1 - level) * NB_FANOUT_SHIFT)) &
				    (NB_FANOUT - 1)];
	}
	pslot = &node->page[idx & (NB_FANOUT - 1)];
	if (!*pslot && alloc) {
		/* malloc + memset, not calloc: the C++ side's value-initialising
		 * new does exactly this (for nodes too), and calloc may skip the
		 * zeroing. */
		*pslot = malloc(sizeof(**pslot));
		if (*pslot) {
			memset(*pslot, 0, sizeof(**pslot));
			*created = true;
		}
	}
	return *pslot;
}

/* Frees the page at idx if present; returns whether one was freed. */
static bool nb_mem_free_page(struct nb_mem *mem, uint64_t idx)
{
	struct nb_node *node = mem->root;
	uint32_t level;
	struct nb_page **pslot;

	for (level = 0; level + 1 < mem->levels && node; level++)
		node = node->child[(idx >> ((mem->levels - 1 - level) * NB_FANOUT_SHIFT)) &
				   (NB_FANOUT - 1)];
	if (!node)
		return false;
	pslot = &node->page[idx & (NB_FANOUT - 1)];
	if (!*pslot)
		return false;
	free(*pslot);
	*pslot = NULL;
	return true;
}

static void nb_mem_free_node(struct nb_node *node, uint32_t levels_below)
{
	uint32_t i;

	if (!node)
		return;
	for (i = 0; i < NB_FANOUT; i++) {
		if (levels_below)
			nb_mem_free_node(node->child[i], levels_below - 1);
		else
			free(node->page[i]);
	}
	free(node);
}

/*
 * The transfer loop of null_handle_data_transfer(): one page-sized chunk at a
 * time. Holds mem.lock for the whole I/O so an I/O is atomic to other queues.
 */
static int32_t nb_transfer(struct drvbench_nullblk_dev *dev, struct nb_request *rq)
{
	struct nb_mem *mem = &dev->mem;
	uint64_t pos = rq->sector << NB_SECTOR_SHIFT;
	uint8_t *buf = rq->buf;
	uint32_t done = 0;
	int64_t delta = 0;
	bool created = false;
	int32_t status = DRVBENCH_NB_STS_OK;

	spin_lock(&mem->lock);
	while (done < rq->nr_bytes) {
		uint64_t idx = pos >> NB_PAGE_SHIFT;
		uint32_t off = (uint32_t)(pos & (NB_PAGE_SIZE - 1));
		uint32_t len = NB_PAGE_SIZE - off;
		struct nb_page *page;

		if (len > rq->nr_bytes - done)
			len = rq->nr_bytes - done;

		switch (rq->op) {
		case DRVBENCH_NB_OP_READ:
			page = nb_mem_lookup(mem, idx, false, &created);
			if (page)
				memcpy(buf + done, page->data + off, len);
			else
				memset(buf + done, 0, len);
			break;
		case DRVBENCH_NB_OP_WRITE:
			created = false;
			page = nb_mem_lookup(mem, idx, true, &created);
			if (unlikely(!page)) {
				status = DRVBENCH_NB_STS_IOERR;	/* out of memory */
				goto out;
			}
			delta += created;
			memcpy(page->data + off, buf + done, len);
			break;
		default: /* DISCARD */
			if (len == NB_PAGE_SIZE) {
				if (nb_mem_free_page(mem, idx))
					delta--;
			} else {
				page = nb_mem_lookup(mem, idx, false, &created);
				if (page)
					memset(page->data + off, 0, len);
			}
			break;
		}
		done += len;
		pos += len;
	}
out:
	if (delta)
		atomic_store_explicit(&dev->pages,
				      atomic_load_explicit(&dev->pages, memory_order_relaxed) +
					      (uint64_t)delta,
				      memory_order_relaxed);
	spin_unlock(&mem->lock);
	return status;
}

/* ---- the driver's queue_rq: checks, then transfer, then completion ---- */

static inline bool nb_touches_badblock(const struct drvbench_nullblk_dev *dev, uint64_t start,
				       uint64_t end)
{
	uint32_t i;

	for (i = 0; i < dev->nr_badblocks; i++) {
		const struct drvbench_nb_badblock *bb = &dev->badblocks[i];

		if (start < bb->start + bb->nr_sectors && bb->start < end)
			return true;
	}
	return false;
}

/* Status decided before anything changes (null_blk: checks, then badblocks). */
static inline int32_t nb_check(const struct drvbench_nullblk_dev *dev,
			       const struct nb_request *rq)
{
	uint64_t nr_sectors;

	switch (rq->op) {
	case DRVBENCH_NB_OP_FLUSH:
		return DRVBENCH_NB_STS_OK;
	case DRVBENCH_NB_OP_READ:
	case DRVBENCH_NB_OP_WRITE:
		break;
	case DRVBENCH_NB_OP_DISCARD:
		if (!dev->discard)
			return DRVBENCH_NB_STS_NOTSUPP;
		break;
	default:
		return DRVBENCH_NB_STS_NOTSUPP;
	}
	if (unlikely(rq->nr_bytes == 0 || rq->nr_bytes & (dev->blocksize - 1) ||
		     rq->sector & (dev->block_sectors - 1)))
		return DRVBENCH_NB_STS_INVAL;
	nr_sectors = rq->nr_bytes >> NB_SECTOR_SHIFT;
	if (unlikely(rq->sector > dev->size_sectors ||
		     nr_sectors > dev->size_sectors - rq->sector))
		return DRVBENCH_NB_STS_INVAL;
	if (unlikely(rq->op != DRVBENCH_NB_OP_DISCARD && dev->memory_backed && !rq->buf))
		return DRVBENCH_NB_STS_INVAL;
	if (unlikely(dev->nr_badblocks &&
		     nb_touches_badblock(dev, rq->sector, rq->sector + nr_sectors)))
		return DRVBENCH_NB_STS_IOERR;
	return DRVBENCH_NB_STS_OK;
}

/* Called with the driver's reference (ref = 2). */
static inline void nb_queue_rq(struct drvbench_nullblk_dev *dev, struct nb_hctx *h,
			       struct nb_request *rq, uint64_t now_ns)
{
	int32_t status = nb_check(dev, rq);

	if (status == DRVBENCH_NB_STS_OK && dev->memory_backed && rq->op != DRVBENCH_NB_OP_FLUSH)
		status = nb_transfer(dev, rq);
	rq->status = status;

	switch (dev->irqmode) {
	case DRVBENCH_NB_IRQ_NONE:
		nb_end_request(h, rq);
		break;
	case DRVBENCH_NB_IRQ_TIMER:
		rq->deadline = now_ns + dev->completion_nsec;
		nb_fifo_push(&h->pending, rq);
		break;
	default: /* SOFTIRQ */
		nb_fifo_push(&h->pending, rq);
		break;
	}
}

/* The queue's completion step: pending requests whose time has come end. */
static inline void nb_complete_pending(struct drvbench_nullblk_dev *dev, struct nb_hctx *h,
				       uint64_t now_ns, bool all)
{
	struct nb_request *rq;

	while ((rq = nb_fifo_peek(&h->pending))) {
		if (!all && dev->irqmode == DRVBENCH_NB_IRQ_TIMER && now_ns < rq->deadline)
			break;
		nb_fifo_pop(&h->pending);
		nb_end_request(h, rq);
	}
}

/* ---- ops ---- */

struct drvbench_nullblk_dev *nb_create(const struct drvbench_nullblk_config *cfg,
				       char *err, size_t err_size)
{
	struct drvbench_nullblk_dev *dev;
	uint32_t q, t, depth;

	if (!cfg) {
		nb_fail(err, err_size, "config: NULL");
		return NULL;
	}
	if (!nb_validate(cfg, err, err_size))
		return NULL;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		goto err_nomem;
	dev->size_sectors = cfg->size >> NB_SECTOR_SHIFT;
	dev->blocksize = cfg->blocksize;
	dev->block_sectors = cfg->blocksize >> NB_SECTOR_SHIFT;
	dev->irqmode = cfg->irqmode;
	dev->memory_backed = cfg->memory_backed;
	dev->discard = cfg->discard;
	dev->completion_nsec = cfg->completion_nsec;
	dev->nr_queues = cfg->submit_queues;
	dev->mem.levels = nb_mem_levels(cfg->size);
	atomic_init(&dev->mem.lock.locked, false);
	atomic_init(&dev->pages, 0);

	if (cfg->nr_badblocks) {
		dev->badblocks = calloc(cfg->nr_badblocks, sizeof(*dev->badblocks));
		if (!dev->badblocks)
			goto err_free_dev;
		memcpy(dev->badblocks, cfg->badblocks, cfg->nr_badblocks * sizeof(*dev->badblocks));
		dev->nr_badblocks = cfg->nr_badblocks;
	}

	dev->queues = aligned_alloc(NB_CACHELINE, dev->nr_queues * sizeof(*dev->queues));
	if (!dev->queues)
		goto err_free_badblocks;
	memset(dev->queues, 0, dev->nr_queues * sizeof(*dev->queues));

	depth = cfg->hw_queue_depth;
	for (q = 0; q < dev->nr_queues; q++) {
		struct nb_hctx *h = &dev->queues[q];

		h->depth = depth;
		h->nr_words = (depth + 63) / 64;
		/* Bits past the depth are permanently in use. */
		if (depth % 64)
			h->tags[h->nr_words - 1] = ~0ull << (depth % 64);
		h->rqs = calloc(depth, sizeof(*h->rqs));
		if (!h->rqs)
			goto err_free_queues;
		for (t = 0; t < depth; t++) {
			h->rqs[t].hctx = h;
			h->rqs[t].tag = t;
			atomic_init(&h->rqs[t].ref, 0);
		}
	}
	return dev;

err_free_queues:
	for (q = 0; q < dev->nr_queues; q++)
		free(dev->queues[q].rqs);
	free(dev->queues);
err_free_badblocks:
	free(dev->badblocks);
err_free_dev:
	free(dev);
err_nomem:
	nb_fail(err, err_size, "device: out of memory");
	return NULL;
}

void nb_destroy(struct drvbench_nullblk_dev *dev)
{
	uint32_t q;

	if (!dev)
		return;
	for (q = 0; q < dev->nr_queues; q++) {
		struct nb_hctx *h = &dev->queues[q];
		struct nb_request *rq;

		/* In-flight requests complete, then the block layer lets go. */
		nb_complete_pending(dev, h, 0, true);
		while ((rq = nb_fifo_pop(&h->done)))
			nb_rq_put(rq);
		if (h->stats.req_alloc != h->stats.req_free)
			abort();	/* a request leaked or was freed twice */
		free(h->rqs);
	}
	free(dev->queues);
	nb_mem_free_node(dev->mem.root, dev->mem.levels - 1);
	free(dev->badblocks);
	free(dev);
}

uint32_t nb_submit(struct drvbench_nullblk_dev *dev, uint32_t hctx,
		   const struct drvbench_nullblk_io *ios, uint32_t n, uint64_t now_ns)
{
	struct nb_hctx *h;
	uint32_t i;

	if (unlikely(!dev || hctx >= dev->nr_queues || (!ios && n)))
		return 0;
	h = &dev->queues[hctx];
	for (i = 0; i < n; i++) {
		const struct drvbench_nullblk_io *io = &ios[i];
		struct nb_request *rq;
		int tag = nb_get_tag(h);

		if (unlikely(tag < 0)) {
			h->stats.busy++;
			break;
		}
		h->stats.req_alloc++;
		rq = &h->rqs[tag];
		atomic_store_explicit(&rq->ref, 1, memory_order_relaxed);	/* block layer */
		rq->op = io->op;
		rq->nr_bytes = io->nr_bytes;
		rq->sector = io->sector;
		rq->buf = io->buf;
		rq->user_data = io->user_data;
		h->stats.submitted++;

		nb_rq_get(rq);	/* the driver's, dropped when it ends the request */
		nb_queue_rq(dev, h, rq, now_ns);
	}
	return i;
}

uint32_t nb_complete(struct drvbench_nullblk_dev *dev, uint32_t hctx, uint64_t now_ns,
		     struct drvbench_nullblk_cqe *cqes, uint32_t max)
{
	struct nb_hctx *h;
	struct nb_request *rq;
	uint32_t n = 0;

	if (unlikely(!dev || hctx >= dev->nr_queues || (!cqes && max)))
		return 0;
	h = &dev->queues[hctx];
	if (dev->irqmode != DRVBENCH_NB_IRQ_NONE)
		nb_complete_pending(dev, h, now_ns, false);

	while (n < max && (rq = nb_fifo_pop(&h->done))) {
		struct drvbench_nullblk_cqe *cqe = &cqes[n++];

		cqe->user_data = rq->user_data;
		cqe->status = rq->status;
		cqe->reserved = 0;
		h->stats.completed++;
		if (rq->status != DRVBENCH_NB_STS_OK)
			h->stats.errors++;
		nb_rq_put(rq);	/* the block layer's: frees the request */
	}
	return n;
}

void nb_stats(const struct drvbench_nullblk_dev *dev, struct drvbench_nullblk_stats *out)
{
	uint32_t q;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!dev)
		return;
	for (q = 0; q < dev->nr_queues; q++) {
		const struct nb_queue_stats *s = &dev->queues[q].stats;

		out->submitted += s->submitted;
		out->busy += s->busy;
		out->completed += s->completed;
		out->errors += s->errors;
		out->req_alloc += s->req_alloc;
		out->req_free += s->req_free;
	}
	out->pages = atomic_load_explicit(&dev->pages, memory_order_relaxed);
}
