/* SPDX-License-Identifier: MIT */
/*
 * ringbuf: per-producer record rings drained to storage through io_uring
 * (ABI part of plugin.h). The on-ring and on-disk formats are in
 * docs/ringbuf.md; this header is their definition.
 *
 * The component owns the rings, the record format, the drain and the
 * accounting. The harness owns the threads: each producer thread calls
 * reserve()/commit() (or write()) for its own producer index only, one drain
 * thread calls drain(); create/destroy/stats are called with no other call in
 * progress.
 *
 * Memory ordering (both implementations, one SPSC protocol per ring):
 *   head  written by the producer only: commit() stores it with release after
 *         the record bytes; the drain loads it with acquire before it reads them.
 *   tail  written by the drain only: it stores it with release once the write
 *         of the bytes below it has completed; reserve() loads it with acquire
 *         before it overwrites them. Each side caches the other's index and
 *         reloads it only when the cached value says the ring is full/empty.
 *   error written by the drain with release when the sink fails; producers load
 *         it (acquire) when the ring is full.
 *
 * Accounting, for every producer, once drain(DRVBENCH_RB_DRAIN_ALL) has returned
 * after the last record:   produced = persisted + dropped + failed.
 */
#ifndef DRVBENCH_RINGBUF_H
#define DRVBENCH_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DRVBENCH_RB_MAX_PRODUCERS 64u
#define DRVBENCH_RB_MIN_RING_SIZE 4096u        /* bytes per ring, a power of two */
#define DRVBENCH_RB_MAX_RING_SIZE (1u << 30)
#define DRVBENCH_RB_MAX_BATCH 256u             /* chunks in flight / per submit */
#define DRVBENCH_RB_ALIGN 8u                   /* records start 8-byte aligned */
#define DRVBENCH_RB_ERR_SIZE 160u              /* create()'s error message buffer */

/* ---- records (in the ring and, unchanged, in the file; little-endian) ---- */

#define DRVBENCH_RB_REC_HDR_SIZE 16u
#define DRVBENCH_RB_LOST_SIZE 24u              /* a lost-records marker, whole */

enum drvbench_rb_rec_type {
	DRVBENCH_RB_REC_DATA = 1,  /* a producer's record */
	DRVBENCH_RB_REC_LOST = 2,  /* payload: u64 count of dropped records from seq */
	DRVBENCH_RB_REC_PAD = 3,   /* fills the end of the ring; len may be 8 (no seq) */
};

struct drvbench_rb_rec_hdr {
	uint32_t len;        /* whole record in bytes incl. header and padding, a multiple of 8 */
	uint16_t type;       /* enum drvbench_rb_rec_type */
	uint16_t pad;        /* bytes of padding after the payload (0..7) */
	uint64_t seq;        /* per-producer sequence number (LOST: the first dropped one) */
};

/* Ring bytes a record with a payload of len bytes occupies. */
#define DRVBENCH_RB_REC_SPACE(len) \
	(((uint64_t)(len) + DRVBENCH_RB_REC_HDR_SIZE + DRVBENCH_RB_ALIGN - 1) & ~(uint64_t)(DRVBENCH_RB_ALIGN - 1))

/* ---- chunks (the file is a sequence of chunks, nothing else) ---- */

#define DRVBENCH_RB_CHUNK_MAGIC 0x43425244u   /* "DRBC" little-endian */
#define DRVBENCH_RB_CHUNK_VERSION 1u
#define DRVBENCH_RB_CHUNK_HDR_SIZE 32u

struct drvbench_rb_chunk_hdr {
	uint32_t magic;      /* DRVBENCH_RB_CHUNK_MAGIC */
	uint16_t version;    /* DRVBENCH_RB_CHUNK_VERSION */
	uint16_t producer;   /* ring index */
	uint32_t length;     /* bytes of records after this header, a multiple of 8 */
	uint32_t nr_records; /* DATA records in the chunk */
	uint64_t first_seq;  /* seq of the first DATA/LOST record (next seq if none) */
	uint32_t crc32c;     /* CRC-32C (Castagnoli) of the header with crc32c = 0, then the records */
	uint32_t reserved;   /* 0 */
};

/* ---- configuration, status and statistics ---- */

enum drvbench_rb_policy {
	DRVBENCH_RB_POLICY_BLOCK = 0, /* a full ring: the producer waits for the drain */
	DRVBENCH_RB_POLICY_DROP = 1,  /* a full ring: the record is dropped and counted */
};

struct drvbench_ringbuf_config {
	uint32_t producers;    /* 1..DRVBENCH_RB_MAX_PRODUCERS */
	uint32_t ring_size;    /* bytes per producer ring, power of two in MIN..MAX_RING_SIZE */
	uint32_t policy;       /* enum drvbench_rb_policy */
	uint32_t batch;        /* chunks in flight and per submit, 1..DRVBENCH_RB_MAX_BATCH */
	uint32_t max_chunk;    /* largest chunk (records only), bytes, multiple of 8, >= 64 */
	int32_t fd;            /* the sink, open for writing; the component writes its own dup */
	uint64_t offset;       /* file offset of the first chunk */
	/* Fault injection (tests): the write with index inject_after (0-based, in submission
	 * order, counting resubmissions) completes with -inject_errno without reaching the sink.
	 * inject_errno = 0: off. */
	uint32_t inject_errno;
	uint32_t inject_after;
};

/* reserve()/write() results */
#define DRVBENCH_RB_OK 0
/* negative: -ENOBUFS dropped (policy drop, ring full), -EMSGSIZE larger than the ring
 * (nothing counted), -EINVAL bad producer, -<errno> the sink failed (counted failed). */

/* drain() flags */
#define DRVBENCH_RB_DRAIN_WAIT 1u /* nothing to gather: wait for a completion if any is in flight */
#define DRVBENCH_RB_DRAIN_ALL 2u  /* gather all committed bytes, wait for every write; after a
				   * sink error: settle the accounting and cut the file back */

struct drvbench_ringbuf_pstats {
	uint64_t produced;     /* sequence numbers handed out (records offered) */
	uint64_t dropped;      /* refused for want of space (policy drop) */
	uint64_t persisted;    /* DATA records in chunks below the durable file offset */
	uint64_t failed;       /* offered after, or not persisted because of, a sink error */
	uint64_t lost_markers; /* LOST records committed */
	uint64_t waits;        /* reserve() found the ring full and waited (policy block) */
};

struct drvbench_ringbuf_stats {
	int32_t error;          /* 0, or the errno that stopped the sink */
	uint32_t producers;
	uint64_t file_bytes;    /* durable bytes written from offset (whole chunks) */
	uint64_t chunks;        /* chunks durable */
	uint64_t submits;       /* io_uring_submit() calls with at least one SQE */
	uint64_t writes;        /* write SQEs (header, ring part before / after the wrap, resubmissions) */
	uint64_t short_writes;  /* completions with fewer bytes than asked (resumed) */
	uint64_t batch_hist[9]; /* chunks per submit: 1, 2, 3-4, 5-8, ..., 129-256 */
	struct drvbench_ringbuf_pstats p[DRVBENCH_RB_MAX_PRODUCERS];
};

struct drvbench_ringbuf;

struct drvbench_ringbuf_ops {
	/* Validates cfg, maps the rings, sets up io_uring with the rings (and a chunk header
	 * slab) registered as fixed buffers. On bad input returns NULL and writes one line
	 * "attribute: what is wrong" into err; on a system error, "io_uring: ..." etc. */
	struct drvbench_ringbuf *(*create)(const struct drvbench_ringbuf_config *cfg,
					    char *err, size_t err_size);
	/* Frees everything; writes still in flight are waited for first. */
	void (*destroy)(struct drvbench_ringbuf *rb);
	/* Producer side: reserves a record of len payload bytes in ring `producer` and
	 * stores a pointer to the payload (8-byte aligned) in *payload. Exactly one
	 * reservation per producer may be open; commit() publishes it. */
	int (*reserve)(struct drvbench_ringbuf *rb, uint32_t producer, uint32_t len, void **payload);
	void (*commit)(struct drvbench_ringbuf *rb, uint32_t producer);
	/* reserve + copy + commit */
	int (*write)(struct drvbench_ringbuf *rb, uint32_t producer, const void *data, uint32_t len);
	/* Producer side, after its last record: commits the pending lost-records marker
	 * (waiting for space). Returns 0 or -<errno> of the sink. */
	int (*finish)(struct drvbench_ringbuf *rb, uint32_t producer);
	/* Drain side: reaps completions (resuming short writes, releasing ring space),
	 * gathers committed records into chunks of at most max_chunk bytes (cut at
	 * record boundaries, one chunk may span the wrap) and submits up to batch chunks
	 * with one io_uring_submit(). Returns > 0 if it made progress, 0 if idle, or
	 * -<errno> once the sink has failed. Chunking depends only on the committed
	 * bytes, so produce-K-then-drain(ALL) steps are deterministic. */
	int (*drain)(struct drvbench_ringbuf *rb, uint32_t flags);
	void (*stats)(const struct drvbench_ringbuf *rb, struct drvbench_ringbuf_stats *out);
};

#ifdef __cplusplus
}
#endif

#endif /* DRVBENCH_RINGBUF_H */
