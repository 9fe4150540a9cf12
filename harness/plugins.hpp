// Plugin loading: every implementation variant is a shared object exporting drvbench_plugin()
// (include/drvbench/plugin.h). This is the only place the harness touches dlopen.
#pragma once

#include <drvbench/plugin.h>

#include <string>
#include <vector>

namespace drvbench {

struct Plugin {
	std::string id;               // <impl>-<variant>-<compiler tag>, e.g. c-base-gcc12, rust-base-rustc1.96
	std::string file;             // path of the .so
	std::string impl, variant, compiler, compiler_version, compiler_tag, flags;
	std::vector<std::string> components; // components with a non-NULL ops table
	const struct drvbench_plugin *meta = nullptr;
	bool pseudo = false; // not a loaded object but a subject a workload brings (Driver::pseudo_plugins); meta is nullptr

	bool has(const std::string &component) const;
	bool is_c_base() const { return impl == "c" && variant == "base"; }
};

// The compiler tag of plugin ids: compiler + major version (gcc12, clang19); for rustc,
// always major 1, + major.minor (rustc1.96).
std::string compiler_tag(const std::string &compiler, const std::string &version);

// Default plugin directory: <dir of /proc/self/exe>/../plugins.
std::string default_plugin_dir();

// Loads every *.so in dir (sorted by file name). Throws UsageError for an empty or missing
// directory, a file that does not load, a missing symbol, NULL metadata, or an ABI mismatch.
// Loaded objects stay loaded for the life of the process.
std::vector<Plugin> load_plugins(const std::string &dir);

// Loads one more copy of p's shared object, from a copy of the file in a memfd (the dynamic
// loader would return the loaded object for the same file), so its code and tables sit at
// other addresses, and returns p with meta pointing into that copy (checked like any plugin
// load). Never unloaded. Throws RuntimeError when the copy cannot be made or loaded.
Plugin load_layout_copy(const Plugin &p);

// The plugin p is compared with: the c/base plugin of the same compiler and major version,
// else of the same compiler, else of the compiler that built this harness (the default C
// base: what a Rust plugin or a peer is compared with), else any c/base; nullptr when
// candidates hold no c/base.
const Plugin *baseline_for(const Plugin &p, const std::vector<const Plugin *> &candidates);

// "a, b, c" for error messages.
std::string join(const std::vector<std::string> &v, const std::string &sep = ", ");

} // namespace drvbench
