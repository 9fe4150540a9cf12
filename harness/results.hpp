// Result files: the self-describing JSON a run leaves behind (schema "drvbench-result"):
// machine/build context, every plugin with its flags, every workload with its resolved
// parameters and raw samples. Read by report/ (Python).
#pragma once

#include "plugins.hpp"
#include "runner.hpp"
#include "workload.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace drvbench {

// 2: "better" ("lower" | "higher") next to every unit; "ratio" is the median of per-round
// ratios to the baseline (was: the ratio of medians).
constexpr int kResultSchemaVersion = 2;

// The paired point estimate of samples against base: the median of samples[i] / base[i] over
// the rounds that pair them. nullopt when the counts differ, are 0, or a base sample is <= 0.
std::optional<double> paired_ratio(const std::vector<double> &samples, const std::vector<double> &base);

// date, host, cpu_model, cpus, kernel, git_commit, git_dirty, drvbench_version,
// harness_compiler, command_line, pinned_cpu (+ pin_error), seed.
nlohmann::json collect_context(const std::vector<std::string> &argv, const Pinning &pin, uint64_t seed);

nlohmann::json plugin_json(const Plugin &p);

// One workload's entry. baselines[i] is the baseline of m.results[i] (nullptr if none).
nlohmann::json workload_json(const Workload &w, const nlohmann::json &derived, const Measurement &m,
			     const Plugin *baseline, const std::vector<const Plugin *> &baselines);

nlohmann::json result_document(const nlohmann::json &context, const std::vector<const Plugin *> &plugins,
			       const nlohmann::json &workloads, bool complete);

// results/drvbench-<UTC yyyymmdd-HHMMSS>.json
std::string default_result_path();

// "123.4 ns", "12.34 µs", "1.234 ms".
std::string human_ns(double ns);

} // namespace drvbench
