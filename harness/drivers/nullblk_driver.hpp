// The nullblk component runner: the "block layer" and fio-style load generator in front of
// every plugin's nullblk ops table, plus kernel targets (files and block devices such as
// null_blk's /dev/nullb0 and rnull's /dev/rnullb0 driven through io_uring) measured under
// the same job. docs/nullblk-runner.md describes parameters, metrics and targets.
#pragma once

#include "../driver.hpp"

#include <string>
#include <vector>

namespace drvbench {

class NullblkDriver final : public Driver {
public:
	std::string name() const override { return "nullblk"; }
	std::string description() const override
	{
		return "userspace null_blk (blk-mq slice) under fio-style jobs; kernel targets through io_uring";
	}
	const std::vector<ParamSpec> &params() const override;
	std::unique_ptr<PreparedWorkload> prepare(const Workload &w, const Plugin &reference,
						  const std::vector<const Plugin *> &plugins) const override;
	std::vector<Plugin> pseudo_plugins(const Workload &w) const override;
};

namespace nullblk {
// "0-7,1024-1031" (inclusive sector ranges, as null_blk's badblocks attribute takes them)
// into (start, nr_sectors) pairs; throws UsageError(where, "params.badblocks", ...).
std::vector<std::pair<uint64_t, uint64_t>> parse_badblocks(const std::string &text, const std::string &where);
} // namespace nullblk

} // namespace drvbench
