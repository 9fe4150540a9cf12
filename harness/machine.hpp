// Facts about the machine that decide how far a measurement can be trusted, recorded in
// every result file's context: CPU frequency governor and boost, ASLR, load average,
// perf_event_paranoid, and whether this is a virtual machine. Each fact is read from
// /proc or /sys and is the string "unavailable" where the file does not exist.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace drvbench {

// {"cpu_governor": "performance" | "powersave, performance (mixed)" | "unavailable",
//  "cpu_boost": "on" | "off" | "unavailable", "aslr": "2 (full)", "loadavg": [1, 5, 15],
//  "perf_event_paranoid": 2, "virtualization": "hypervisor (xen)" | "none detected"}
nlohmann::json machine_facts(const std::string &root = "");

// The workloads whose samples look noisy: one line per workload, naming every plugin whose
// coefficient of variation exceeds threshold (a fraction), e.g.
//   "text-v40: noisy: c-base-gcc12 cv 7.3%, cpp-base-gcc12 cv 6.1% (> 5%)"
// empty when none does. `results` is one workload's "results" array of a result file.
std::string noise_warning(const std::string &workload, const nlohmann::json &results, double threshold);

// A likelier cause than a busy machine for a noisy workload, or "": free page reporting is on
// (context.free_page_reporting) and the workload (one entry of a result file's "workloads")
// allocates new pages while it is timed: a ringbuf file sink, a memory-backed nullblk device.
std::string noise_cause(const nlohmann::json &context, const nlohmann::json &workload);

} // namespace drvbench
