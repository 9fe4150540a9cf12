// SPDX-License-Identifier: MIT
// Shared helpers for the nullblk tests: plugin discovery, an RAII device, the
// verify data pattern, an independent model of the device (expected statuses,
// contents and page count) and a test-side mini block layer that drives seeded
// jobs through a plugin's ops on a simulated clock.
#pragma once

#include <drvbench/plugin.h>

#include "plugin_scan.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace nbtest {

// ---- plugins (tests/common/plugin_scan.hpp) ----
// plugins: with nullblk ops, sorted by stem (drvbench-c-base-gcc12, param c_base_gcc12).
using Plugin = drvtest::Plugin<drvbench_nullblk_ops>;
using Discovery = drvtest::Discovery<drvbench_nullblk_ops>;
const Discovery &discover();
const std::vector<Plugin> &plugins();
const Plugin *reference_plugin();

// ---- device ----
drvbench_nullblk_config default_config();  // 8 MiB, 4096, 1 queue, depth 64, none, memory

class Dev {
public:
	Dev() = default;
	Dev(const Plugin &p, const drvbench_nullblk_config &cfg, std::string *err = nullptr);
	~Dev() { reset(); }
	Dev(Dev &&o) noexcept : ops_(o.ops_), dev_(o.dev_) { o.dev_ = nullptr; }
	Dev(const Dev &) = delete;
	Dev &operator=(const Dev &) = delete;
	void reset();
	explicit operator bool() const { return dev_ != nullptr; }
	uint32_t submit(uint32_t q, const drvbench_nullblk_io *ios, uint32_t n, uint64_t now);
	uint32_t complete(uint32_t q, uint64_t now, drvbench_nullblk_cqe *cqes, uint32_t max);
	drvbench_nullblk_stats stats() const;
	// One I/O on queue q, completed and reaped (drives the clock far enough for
	// any mode). Returns the status; -1 if it was not accepted or not reaped.
	int32_t io(uint32_t q, uint32_t op, uint64_t sector, void *buf, uint32_t nr_bytes);
	// The whole device read back through reads of up to 64 KiB on queue 0
	// (blocks that fail to read, bad blocks, come back as zeros).
	std::vector<uint8_t> contents(uint64_t size, uint32_t bs);

private:
	const drvbench_nullblk_ops *ops_ = nullptr;
	drvbench_nullblk_dev *dev_ = nullptr;
	uint64_t now_ = 0;
};

// ---- verify pattern ----
// A block starts with {magic ^ sector, seq, fnv1a64(rest)} and carries
// pseudo-random bytes from (sector, seq). A block reads back valid if it is
// all zero (never written or discarded) or its header matches its sector and
// its checksum its contents.
void fill_block(uint8_t *p, uint32_t bs, uint64_t sector, uint64_t seq);
bool check_block(const uint8_t *p, uint32_t bs, uint64_t sector, std::string *why);

// ---- the model: what the device must answer, written from the ABI ----
struct Model {
	drvbench_nullblk_config cfg{};
	std::vector<drvbench_nb_badblock> bad;
	int32_t status(uint32_t op, uint64_t sector, uint32_t nr_bytes) const;
};

// ---- jobs ----
struct JobSpec {
	uint64_t seed = 1;
	drvbench_nullblk_config cfg = default_config();
	std::vector<drvbench_nb_badblock> badblocks;
	uint32_t ios_per_queue = 2000;
	uint32_t batch = 8;           // iodepth_batch
	uint32_t max_blocks = 8;      // per I/O, 1..max_blocks blocks
	// op mix in percent: read, write, discard, flush; the rest is "bad" I/O
	// (misaligned, past the end, unknown op, empty).
	uint32_t pct_read = 45, pct_write = 40, pct_discard = 8, pct_flush = 2;
	uint64_t tick_ns = 700;       // simulated clock step per loop
	// Region per queue: queue q uses sectors [q * region, (q + 1) * region)
	// (0: the whole device for every queue; with threads only checksums are
	// then checked, not exact contents).
	uint64_t region_sectors = 0;
	bool model_contents = true;   // exact contents and pages vs the model
};

struct QueueResult {
	std::vector<int32_t> statuses;  // per I/O, in submission order
	std::vector<std::string> failures;
	uint64_t busy_seen = 0;
};

struct JobResult {
	std::vector<QueueResult> queues;
	std::vector<uint8_t> contents;  // final device contents (memory backed)
	drvbench_nullblk_stats stats{};
	std::vector<std::string> failures;  // all failures, queue ones included
};

// Runs the job single-threaded, queues interleaved round robin (deterministic).
JobResult run_job(const Plugin &p, const JobSpec &spec);
// Runs the job with one thread per queue (spec.cfg.submit_queues threads).
JobResult run_job_threads(const Plugin &p, const JobSpec &spec);

std::string first_diff(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b);
const char *status_name(int32_t s);

}  // namespace nbtest

#define NBTEST_INSTANTIATE(suite)                                                    \
	INSTANTIATE_TEST_SUITE_P(                                                    \
		Plugins, suite, ::testing::ValuesIn(::nbtest::plugins()),            \
		[](const ::testing::TestParamInfo<::nbtest::Plugin> &info) {         \
			return info.param.param;                                     \
		});                                                                  \
	GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(suite)
