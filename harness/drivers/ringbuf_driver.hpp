// The ringbuf component runner: producers on pinned threads reserve/commit records through
// the plugin's ops, one pinned drain thread calls drain(), and every sample ends with the
// reader's verification of the file (unless the sink is /dev/null). verify() also runs a
// deterministic single-producer seeded run on every plugin and requires byte-identical files.
#pragma once

#include "../driver.hpp"

#include <drvbench/ringbuf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drvbench {

class RingbufDriver final : public Driver {
public:
	std::string name() const override { return "ringbuf"; }
	std::string description() const override
	{
		return "per-producer record rings (reserve/commit) drained to a file through io_uring";
	}
	const std::vector<ParamSpec> &params() const override;
	std::unique_ptr<PreparedWorkload> prepare(const Workload &w, const Plugin &reference,
						  const std::vector<const Plugin *> &plugins) const override;
};

namespace ringbuf {

// record_size: "64" (fixed), "16-256" (uniform), "64,512,4096" (a mix, uniform choice).
struct RecordSizes {
	std::vector<uint32_t> choices; // a mix, or {n} fixed
	uint32_t lo = 0, hi = 0;       // a range when hi > 0
	uint32_t max() const;
	uint32_t pick(uint64_t &rng) const;
};
// Throws UsageError(where, "params.record_size", ...) on a bad spec.
RecordSizes parse_record_sizes(const std::string &spec, const std::string &where);

// One deterministic seeded single-producer run: produce a seeded number of records, then
// drain(ALL), until `records` are produced; the file's bytes. Used by verify() and the tests.
struct StepRun {
	uint32_t ring_size = 1u << 16;
	uint32_t batch = 4;
	uint32_t max_chunk = 8192;
	uint32_t policy = DRVBENCH_RB_POLICY_BLOCK;
	uint64_t records = 5000;
	uint64_t seed = 1;
	RecordSizes sizes;
};
// Opens a sink file for reading and writing that has no name: O_TMPFILE in path's directory,
// or, where the filesystem lacks it, path created and unlinked at once. Nothing is left behind
// however the process ends. Throws RuntimeError.
int open_sink(const std::string &path);

std::vector<uint8_t> step_run(const drvbench_ringbuf_ops &ops, const StepRun &s, const std::string &path,
			      drvbench_ringbuf_stats *stats = nullptr);

// The payload of record seq of a producer: deterministic bytes, cheap to produce.
void fill_payload(uint8_t *dst, uint32_t len, uint32_t producer, uint64_t seq);

} // namespace ringbuf

} // namespace drvbench
