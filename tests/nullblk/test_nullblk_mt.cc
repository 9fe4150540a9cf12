// SPDX-License-Identifier: MIT
// Multi-queue runs, one thread per hardware queue (the ABI's threading model):
// queues share only the memory backing. Built and labelled "tsan" so the
// ThreadSanitizer build selects it (ctest -L tsan); it must be clean there.
#include <gtest/gtest.h>

#include "nb_support.h"

using namespace nbtest;

namespace {

std::string join(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &x : v)
		s += "\n  " + x;
	return s;
}

JobSpec mt_spec(uint32_t queues, uint32_t irq, uint32_t bs)
{
	JobSpec s;
	s.seed = 77 + queues * 10 + irq;
	s.cfg.size = uint64_t(queues) << 20;
	s.cfg.blocksize = bs;
	s.cfg.submit_queues = queues;
	s.cfg.hw_queue_depth = 32;
	s.cfg.irqmode = irq;
	s.cfg.completion_nsec = 2000;
	s.ios_per_queue = 3000;
	s.batch = 8;
	s.badblocks = {{100, 8}, {2048 + 512, 1}};
	return s;
}

}  // namespace

class NullblkThreads : public ::testing::TestWithParam<Plugin> {};

// Each queue on its own 1 MiB region (page aligned): exact contents and pages
// against the model, while the backing tree and its lock are shared.
TEST_P(NullblkThreads, DisjointRegionsExactContents)
{
	for (uint32_t queues : {2u, 3u, 4u}) {
		SCOPED_TRACE("queues " + std::to_string(queues));
		JobSpec s = mt_spec(queues, queues % 3, queues == 3 ? 512 : 4096);
		s.region_sectors = 2048;
		JobResult r = run_job_threads(GetParam(), s);
		EXPECT_TRUE(r.failures.empty()) << join(r.failures);
	}
}

// Every queue over the whole device: the same blocks and pages written,
// discarded and read concurrently. Reads must see whole blocks (valid pattern
// for their sector, or zeros): an I/O is atomic under the backing lock.
TEST_P(NullblkThreads, SharedRegionChecksums)
{
	for (uint32_t queues : {2u, 4u}) {
		SCOPED_TRACE("queues " + std::to_string(queues));
		JobSpec s = mt_spec(queues, queues == 2 ? 0 : 2, 4096);
		s.cfg.size = 256u << 10;  // small: lots of contention
		s.badblocks = {{100, 8}};
		s.model_contents = false;
		JobResult r = run_job_threads(GetParam(), s);
		EXPECT_TRUE(r.failures.empty()) << join(r.failures);
	}
}

NBTEST_INSTANTIATE(NullblkThreads);
