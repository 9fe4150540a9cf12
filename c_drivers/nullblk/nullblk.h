/* SPDX-License-Identifier: MIT */
#ifndef DRVBENCH_C_NULLBLK_H
#define DRVBENCH_C_NULLBLK_H

#include <drvbench/nullblk.h>

struct drvbench_nullblk_dev *nb_create(const struct drvbench_nullblk_config *cfg,
				       char *err, size_t err_size);
void nb_destroy(struct drvbench_nullblk_dev *dev);
uint32_t nb_submit(struct drvbench_nullblk_dev *dev, uint32_t hctx,
		   const struct drvbench_nullblk_io *ios, uint32_t n, uint64_t now_ns);
uint32_t nb_complete(struct drvbench_nullblk_dev *dev, uint32_t hctx, uint64_t now_ns,
		     struct drvbench_nullblk_cqe *cqes, uint32_t max);
void nb_stats(const struct drvbench_nullblk_dev *dev, struct drvbench_nullblk_stats *out);

#endif /* DRVBENCH_C_NULLBLK_H */
