// drvbench list: what is installed (plugins) and what can be run (workloads, suites).
#include "commands.hpp"
#include "driver.hpp"
#include "errors.hpp"
#include "plugins.hpp"
#include "workload.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace drvbench {

int cmd_list(const GlobalOptions &g)
{
	std::string pdir = g.plugins_dir.empty() ? default_plugin_dir() : g.plugins_dir;
	std::vector<Plugin> plugins = load_plugins(pdir);
	std::string wdir = resolve_workloads_dir(g.workloads_dir);

	std::printf("plugins (%s):\n", pdir.c_str());
	std::printf("  %-30s %-11s %-9s %-14s %-20s %s\n", "ID", "IMPL", "VARIANT", "COMPILER", "COMPONENTS", "FILE");
	for (const auto &p : plugins)
		std::printf("  %-30s %-11s %-9s %-14s %-20s %s\n", p.id.c_str(), p.impl.c_str(), p.variant.c_str(),
			    (p.compiler + " " + p.compiler_version).c_str(),
			    (p.components.empty() ? "-" : join(p.components, ",")).c_str(),
			    fs::path(p.file).filename().c_str());

	std::vector<std::string> files, suites;
	std::error_code ec;
	for (auto it = fs::recursive_directory_iterator(wdir, ec); !ec && it != fs::recursive_directory_iterator();
	     it.increment(ec)) {
		if (!it->is_regular_file() || it->path().extension() != ".toml")
			continue;
		std::string rel = fs::relative(it->path(), wdir).string();
		(rel.rfind("suites/", 0) == 0 ? suites : files).push_back(rel);
	}
	std::sort(files.begin(), files.end());
	std::sort(suites.begin(), suites.end());

	std::printf("\nworkloads (%s):\n", wdir.c_str());
	std::printf("  %-24s %-9s %-14s %s\n", "FILE", "DRIVER", "NAME", "DESCRIPTION");
	for (const auto &f : files) {
		try {
			Workload w = load_workload((fs::path(wdir) / f).string());
			std::printf("  %-24s %-9s %-14s %s\n", f.c_str(), w.driver.c_str(), w.name.c_str(),
				    w.description.c_str());
		} catch (const UsageError &e) {
			std::printf("  %-24s INVALID: %s: %s\n", f.c_str(), e.key().c_str(), e.message().c_str());
		}
	}

	std::printf("\nsuites (drvbench run --suite NAME):\n");
	for (const auto &f : suites) {
		std::string name = fs::path(f).stem().string();
		try {
			Suite s = load_suite((fs::path(wdir) / f).string());
			std::printf("  %-12s %zu workloads  %s\n", name.c_str(), s.members.size(), s.description.c_str());
			std::printf("    %s\n", join(s.members, " ").c_str());
		} catch (const UsageError &e) {
			std::printf("  %-12s INVALID: %s: %s\n", name.c_str(), e.key().c_str(), e.message().c_str());
		}
	}
	if (suites.empty())
		std::printf("  (none)\n");
	return 0;
}

} // namespace drvbench
