/* SPDX-License-Identifier: MIT */
#ifndef DRVBENCH_C_QRPANIC_H
#define DRVBENCH_C_QRPANIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drvbench/plugin.h>

#define QRP_MIN_DATA_SIZE DRVBENCH_QR_MIN_DATA_SIZE
#define QRP_MIN_TMP_SIZE DRVBENCH_QR_MIN_TMP_SIZE

uint8_t qrp_generate(const char *url, uint8_t *data, size_t data_len,
		     size_t data_size, uint8_t *tmp, size_t tmp_size);
size_t qrp_max_data_size(uint8_t version, size_t url_len);

#endif /* DRVBENCH_C_QRPANIC_H */
