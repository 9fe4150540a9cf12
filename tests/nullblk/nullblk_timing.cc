// SPDX-License-Identifier: MIT
// Hand-run timing loop (not a test, not the harness's runner): the driver's
// cost of submit + complete per I/O with irqmode none, no memory backing, 4k
// random reads, batches of 32 (the fio-null comparison's job).
//   nullblk_timing [ios_millions=20] [batch=32] [memory_backed=0] [size_mib=1024]
// Prints ns/IO per plugin, best of 5 runs, plugins interleaved.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "nb_support.h"

using namespace nbtest;

int main(int argc, char **argv)
{
	const uint64_t total = uint64_t(argc > 1 ? std::atof(argv[1]) * 1e6 : 20e6);
	const uint32_t batch = argc > 2 ? uint32_t(std::atoi(argv[2])) : 32;
	const uint32_t mem = argc > 3 ? uint32_t(std::atoi(argv[3])) : 0;
	const uint64_t size_mib = argc > 4 ? uint64_t(std::atoll(argv[4])) : 1024;
	for (const std::string &e : discover().errors)
		std::fprintf(stderr, "%s\n", e.c_str());

	drvbench_nullblk_config cfg = default_config();
	cfg.size = size_mib << 20;
	cfg.hw_queue_depth = 128;
	cfg.memory_backed = mem;
	const uint64_t blocks = cfg.size / 4096;
	std::vector<drvbench_nullblk_io> ios(1 << 16);
	std::vector<uint8_t> buf(4096 * batch);
	uint64_t s = 12345;
	for (size_t i = 0; i < ios.size(); i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		ios[i] = {};
		ios[i].op = mem && i % 2 ? DRVBENCH_NB_OP_WRITE : DRVBENCH_NB_OP_READ;
		ios[i].nr_bytes = 4096;
		ios[i].sector = ((s >> 20) % blocks) * 8;
		ios[i].buf = buf.data() + 4096 * (i % batch);
		ios[i].user_data = i;
	}
	std::vector<drvbench_nullblk_cqe> cqes(batch);
	std::vector<double> best(plugins().size(), 1e30);
	for (int rep = 0; rep < 5; rep++) {
		for (size_t pi = 0; pi < plugins().size(); pi++) {
			const Plugin &p = plugins()[pi];
			Dev d(p, cfg);
			if (!d)
				return 1;
			uint64_t done = 0, idx = 0, now = 0;
			auto t0 = std::chrono::steady_clock::now();
			while (done < total) {
				if (idx + batch > ios.size())
					idx = 0;
				uint32_t k = d.submit(0, &ios[idx], batch, now);
				idx += k;
				done += d.complete(0, now, cqes.data(), batch);
				now += 100;
			}
			auto t1 = std::chrono::steady_clock::now();
			double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / double(done);
			if (ns < best[pi])
				best[pi] = ns;
		}
	}
	for (size_t pi = 0; pi < plugins().size(); pi++)
		std::printf("%-32s %6.2f ns/IO  (%.1f M IOPS)\n", plugins()[pi].stem.c_str(), best[pi],
			    1e3 / best[pi]);
	return 0;
}
