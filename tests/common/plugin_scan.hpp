// SPDX-License-Identifier: MIT
// The plugin scan the driver test suites share: every "*.so" of the plugin directory,
// in file-name order, is dlopen()ed (never dlclose()d: the ops tables must outlive every
// test), its drvbench_plugin() is called and its ABI version checked; a selector then
// picks the ops table the suite tests. Each suite wraps this in its own discover().
#pragma once

#include <drvbench/plugin.h>

#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace drvtest {

// True for the C base plugin (impl "c", variant "base"), the differential reference.
bool is_c_base(const struct drvbench_plugin *desc);

// One loaded plugin that has the ops table Ops.
template <class Ops> struct Plugin {
	std::string path;
	std::string stem;   // file name without ".so", e.g. drvbench-c-base-gcc12
	std::string param;  // gtest-safe name, e.g. c_base_gcc12
	const struct drvbench_plugin *desc = nullptr;
	const Ops *ops = nullptr;
	bool is_reference() const { return is_c_base(desc); }  // impl "c", variant "base"
};
// gtest prints a parameter with this: the plugin file stem.
template <class Ops> void PrintTo(const Plugin<Ops> &p, std::ostream *os) { *os << p.stem; }

// What a scan found. A test asserts that errors is empty.
template <class Ops> struct Discovery {
	std::string dir;
	std::vector<Plugin<Ops>> plugins;  // only those with Ops, sorted by stem
	std::vector<std::string> errors;   // unreadable dir, dlopen failure, no symbol, ABI mismatch, broken ops
	std::vector<std::string> skipped;  // valid plugins without Ops (file names)
};

// $DRVBENCH_TEST_PLUGIN_DIR if set and not empty, else the build's plugin directory.
std::string plugin_dir();
// The build's plugin directory (DRVBENCH_TEST_PLUGIN_DIR at compile time).
const char *build_plugin_dir();

// The selector: the ops table of a valid plugin, or nullptr. With nullptr and *error left
// empty the plugin is skipped (it does not implement this component); with *error set it
// is an error ("<file>: <error>"), e.g. an ops table with a NULL function pointer.
template <class Ops> using Selector = const Ops *(*)(const struct drvbench_plugin &desc, std::string *error);

namespace detail {
struct Found {
	std::string path, stem, param;
	const struct drvbench_plugin *desc = nullptr;
	const void *ops = nullptr;
};
struct Scan {
	std::vector<Found> found;
	std::vector<std::string> errors, skipped;
};
Scan scan(const std::string &dir,
	  const std::function<const void *(const struct drvbench_plugin &, std::string *)> &select);
}  // namespace detail

// Scans dir once per call; suites keep the result in a function-local static.
template <class Ops> Discovery<Ops> scan_plugins(const std::string &dir, Selector<Ops> select)
{
	detail::Scan s = detail::scan(dir, [select](const struct drvbench_plugin &desc, std::string *error) {
		return static_cast<const void *>(select(desc, error));
	});
	Discovery<Ops> d;
	d.dir = dir;
	d.errors = std::move(s.errors);
	d.skipped = std::move(s.skipped);
	for (detail::Found &f : s.found)
		d.plugins.push_back({std::move(f.path), std::move(f.stem), std::move(f.param), f.desc,
				     static_cast<const Ops *>(f.ops)});
	return d;
}

// The first reference plugin (is_reference()) of plugins, or null.
template <class Ops> const Plugin<Ops> *reference_plugin(const std::vector<Plugin<Ops>> &plugins)
{
	for (const Plugin<Ops> &p : plugins)
		if (p.is_reference())
			return &p;
	return nullptr;
}

}  // namespace drvtest
