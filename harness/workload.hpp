// Workload files (TOML) and suites: parsing, the parameter schema every component runner
// declares, validation with file + dotted-key errors, and --set overrides.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace drvbench {

class Driver;

// Size: bytes, written as an integer or fio-style with a binary suffix ("4k", "64k", "1m",
// "1g"); stored as int64_t and range-checked with min/max like Int.
enum class ParamType { Int, Float, Bool, String, Enum, Size };

using ParamValue = std::variant<int64_t, double, bool, std::string>;
using ParamMap = std::map<std::string, ParamValue>;

struct ParamSpec {
	std::string name;
	ParamType type = ParamType::Int;
	ParamValue def;
	int64_t min = INT64_MIN, max = INT64_MAX;       // Int, Size
	double fmin = -1e300, fmax = 1e300;             // Float
	std::vector<std::string> choices;               // Enum
	std::string help;

	// "an integer in 1..40", "one of \"text\", \"url\"", ...
	std::string expectation() const;
};

struct RunSettings {
	int64_t warmup = 3;
	int64_t reps = 15;
	double min_sample_ms = 20.0;
	// Code layouts per plugin: 1 runs every sample on the plugins as loaded; N > 1 runs each
	// timed sample on one of N copies of the plugin's .so, loaded at other addresses and
	// picked at random per round, so that where the code happens to sit (cache sets,
	// branch-predictor aliasing) varies between rounds and shows as noise in the intervals
	// instead of as a fixed bias of one process (an A/A copy of one plugin differed by 1-3 %).
	int64_t layouts = 16;
};

// The schema of the [run] table.
const std::vector<ParamSpec> &run_schema();

struct Workload {
	std::string name;
	std::string driver;
	std::string description;
	std::optional<std::string> file; // the file it came from; nullopt for --driver workloads
	ParamMap params;                 // every parameter of the driver, defaults filled in
	RunSettings run;
};

// Parses and validates a workload file. Throws UsageError(file, key, message).
Workload load_workload(const std::string &path);

struct Suite {
	std::string name, description, file;
	std::vector<std::string> members; // as written, relative to the workloads dir
	ParamMap run;                     // [run] overrides (only keys given)
};

Suite load_suite(const std::string &path);

// The workload made from a driver's defaults (drvbench run --driver D).
Workload default_workload(const Driver &d);

// A --set key=value, or an option override (--reps). Applied after files and suites.
struct Override {
	std::string where; // "--set", "--reps", ... for messages
	std::string key;   // "params.version" or "run.reps" (normalised)
	std::string text;  // raw value
};

// Parses "key=value" into an Override whose key is normalised against the schemas of the
// given drivers (bare "version" finds params.version, bare "reps" run.reps). UsageError if no
// driver knows the key.
Override parse_set(const std::string &arg, const std::vector<const Driver *> &drivers,
		   const std::string &where = "--set");

// Applies overrides to a workload whose driver knows the key; values parsed per schema type.
void apply_overrides(Workload &w, const std::vector<Override> &ovs);

// Applies a suite's [run] table.
void apply_run_map(Workload &w, const ParamMap &run);

// Conversions for results and listings.
nlohmann::json to_json(const ParamValue &v);
std::string to_string(const ParamValue &v);

// "4k" -> 4096, "1m" -> 1048576, "512" -> 512 (k/m/g/t, binary, optional "b"/"ib"); nullopt if
// not a size.
std::optional<int64_t> parse_size(const std::string &text);

// Accessors that assume a validated map.
int64_t get_int(const ParamMap &m, const std::string &k);
std::string get_str(const ParamMap &m, const std::string &k);

// Resolves the workloads directory: explicit, else <exe>/../../workloads if it exists, else
// the source tree's.
std::string resolve_workloads_dir(const std::string &explicit_dir);

} // namespace drvbench
