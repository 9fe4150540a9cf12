/* SPDX-License-Identifier: MIT */
/*
 * nullblk: Linux null_blk as a userspace blk-mq slice (ABI part of plugin.h).
 *
 * The component owns what blk-mq and null_blk own in the kernel: the tag set
 * (per hardware queue, a bitmap allocator in the spirit of sbitmap), the request
 * pool with refcounted lifetimes, the completion modes and the optional memory
 * backing. The harness is the rest of the block layer and the load generator:
 * it submits I/O on a hardware queue and reaps completions from it. One thread
 * drives one hardware queue; queues share only the memory backing (locked).
 *
 * Request lifecycle (both implementations, one refcount):
 *   submit():   tag allocated, request initialised, ref = 1 (block layer);
 *               driver takes a reference while it owns the request (ref = 2);
 *               data transferred (memory backing) or error status decided.
 *   completion: irqmode none: inside submit; softirq: in the queue's
 *               completion step (complete()); timer: in complete() once
 *               now_ns >= submit time + completion_nsec. The driver drops
 *               its reference (ref = 1) and queues the request as done.
 *   complete(): the block layer reaps done requests into cqes and drops its
 *               reference (ref = 0): the request is freed, the tag released.
 * A queue with no free tag refuses further submissions (busy); it never overruns.
 */
#ifndef DRVBENCH_NULLBLK_H
#define DRVBENCH_NULLBLK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DRVBENCH_NB_SECTOR_SHIFT 9 /* I/O addresses are 512-byte sectors */
#define DRVBENCH_NB_PAGE_SIZE 4096u /* memory backing page */
#define DRVBENCH_NB_MAX_QUEUE_DEPTH 4096u
#define DRVBENCH_NB_MAX_QUEUES 256u
#define DRVBENCH_NB_ERR_SIZE 160u /* create()'s error message buffer */

enum drvbench_nb_op {
	DRVBENCH_NB_OP_READ = 0,
	DRVBENCH_NB_OP_WRITE = 1,
	DRVBENCH_NB_OP_FLUSH = 2,
	DRVBENCH_NB_OP_DISCARD = 3,
};

enum drvbench_nb_irqmode {
	DRVBENCH_NB_IRQ_NONE = 0,
	DRVBENCH_NB_IRQ_SOFTIRQ = 1,
	DRVBENCH_NB_IRQ_TIMER = 2,
};

/* Completion status of one I/O. An I/O with an error status changes nothing. */
enum drvbench_nb_status {
	DRVBENCH_NB_STS_OK = 0,
	DRVBENCH_NB_STS_NOTSUPP = 1, /* discard on a device without discard, unknown op */
	DRVBENCH_NB_STS_INVAL = 2,   /* not aligned to blocksize, empty, or past the end */
	DRVBENCH_NB_STS_IOERR = 3,   /* touches a bad block */
};

/* A bad sector range [start, start + nr_sectors), in 512-byte sectors. */
struct drvbench_nb_badblock {
	uint64_t start;
	uint64_t nr_sectors;
};

/* Device attributes, named as null_blk's configfs attributes. */
struct drvbench_nullblk_config {
	uint64_t size;            /* bytes; a multiple of blocksize, > 0 */
	uint32_t blocksize;       /* 512..4096, power of two */
	uint32_t submit_queues;   /* hardware queues, 1..DRVBENCH_NB_MAX_QUEUES */
	uint32_t hw_queue_depth;  /* tags per queue, 1..DRVBENCH_NB_MAX_QUEUE_DEPTH */
	uint32_t irqmode;         /* enum drvbench_nb_irqmode */
	uint64_t completion_nsec; /* timer mode delay */
	uint32_t memory_backed;   /* 0/1: store data in 4 KiB pages (radix tree) */
	uint32_t discard;         /* 0/1: accept discard (frees backing pages) */
	const struct drvbench_nb_badblock *badblocks;
	uint32_t nr_badblocks;
};

struct drvbench_nullblk_io {
	uint32_t op;        /* enum drvbench_nb_op */
	uint32_t nr_bytes;  /* read/write/discard length; 0 for flush */
	uint64_t sector;    /* start, 512-byte sectors */
	void *buf;          /* read/write data, nr_bytes; owned by the caller until reaped */
	uint64_t user_data; /* returned in the cqe */
};

struct drvbench_nullblk_cqe {
	uint64_t user_data;
	int32_t status;     /* enum drvbench_nb_status */
	uint32_t reserved;
};

struct drvbench_nullblk_stats {
	uint64_t submitted;  /* I/Os accepted */
	uint64_t busy;       /* submissions refused for want of a tag */
	uint64_t completed;  /* I/Os reaped */
	uint64_t errors;     /* reaped with a status other than OK */
	uint64_t req_alloc;  /* requests initialised (tag taken) */
	uint64_t req_free;   /* requests freed (refcount reached zero) */
	uint64_t pages;      /* memory backing pages currently allocated */
};

struct drvbench_nullblk_dev;

struct drvbench_nullblk_ops {
	/* Validates cfg and creates a device. On bad attributes returns NULL and
	 * writes one line "attribute: what is wrong" into err (err_size bytes). */
	struct drvbench_nullblk_dev *(*create)(const struct drvbench_nullblk_config *cfg,
					      char *err, size_t err_size);
	/* Frees everything; in-flight requests are completed and freed first. */
	void (*destroy)(struct drvbench_nullblk_dev *dev);
	/* Submits ios[0..n) in order on queue hctx at time now_ns; returns how many
	 * were accepted (stops at the first that finds no free tag). */
	uint32_t (*submit)(struct drvbench_nullblk_dev *dev, uint32_t hctx,
			   const struct drvbench_nullblk_io *ios, uint32_t n, uint64_t now_ns);
	/* Runs queue hctx's completion step at now_ns and reaps up to max
	 * completed requests into cqes, oldest first; returns how many. */
	uint32_t (*complete)(struct drvbench_nullblk_dev *dev, uint32_t hctx, uint64_t now_ns,
			     struct drvbench_nullblk_cqe *cqes, uint32_t max);
	void (*stats)(const struct drvbench_nullblk_dev *dev, struct drvbench_nullblk_stats *out);
};

#ifdef __cplusplus
}
#endif

#endif /* DRVBENCH_NULLBLK_H */
