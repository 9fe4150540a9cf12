/* SPDX-License-Identifier: MIT */
#ifndef DRVBENCH_C_RINGBUF_H
#define DRVBENCH_C_RINGBUF_H

#include <drvbench/ringbuf.h>

struct drvbench_ringbuf *rb_create(const struct drvbench_ringbuf_config *cfg,
				   char *err, size_t err_size);
void rb_destroy(struct drvbench_ringbuf *rb);
int rb_reserve(struct drvbench_ringbuf *rb, uint32_t producer, uint32_t len, void **payload);
void rb_commit(struct drvbench_ringbuf *rb, uint32_t producer);
int rb_write(struct drvbench_ringbuf *rb, uint32_t producer, const void *data, uint32_t len);
int rb_finish(struct drvbench_ringbuf *rb, uint32_t producer);
int rb_drain(struct drvbench_ringbuf *rb, uint32_t flags);
void rb_stats(const struct drvbench_ringbuf *rb, struct drvbench_ringbuf_stats *out);

#endif /* DRVBENCH_C_RINGBUF_H */
