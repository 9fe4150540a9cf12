// SPDX-License-Identifier: MIT
#include "plugin_scan.hpp"

#include <dirent.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#ifndef DRVBENCH_TEST_PLUGIN_DIR
#error "DRVBENCH_TEST_PLUGIN_DIR must be defined by the build"
#endif

namespace drvtest {

bool is_c_base(const struct drvbench_plugin *desc)
{
	return desc && std::strcmp(desc->impl, "c") == 0 && std::strcmp(desc->variant, "base") == 0;
}

const char *build_plugin_dir() { return DRVBENCH_TEST_PLUGIN_DIR; }

std::string plugin_dir()
{
	const char *env = std::getenv("DRVBENCH_TEST_PLUGIN_DIR");
	return env && *env ? env : build_plugin_dir();
}

// "drvbench-c-base-gcc12" -> "c_base_gcc12": the gtest parameter name.
static std::string param_name(const std::string &stem)
{
	std::string s = stem;
	if (s.rfind("drvbench-", 0) == 0)
		s = s.substr(9);
	for (char &ch : s)
		if (!std::isalnum(static_cast<unsigned char>(ch)))
			ch = '_';
	return s;
}

namespace detail {

Scan scan(const std::string &dir,
	  const std::function<const void *(const struct drvbench_plugin &, std::string *)> &select)
{
	Scan d;
	std::vector<std::string> names;
	if (DIR *dp = opendir(dir.c_str())) {
		while (const dirent *e = readdir(dp)) {
			std::string n = e->d_name;
			if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0)
				names.push_back(n);
		}
		closedir(dp);
	} else {
		d.errors.push_back("cannot open plugin dir " + dir);
	}
	std::sort(names.begin(), names.end());
	for (const std::string &n : names) {
		Found p;
		p.path = dir + "/" + n;
		p.stem = n.substr(0, n.size() - 3);
		p.param = param_name(p.stem);
		// Never dlclose: the ops tables must outlive every test.
		void *h = dlopen(p.path.c_str(), RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			d.errors.push_back(n + ": dlopen: " + dlerror());
			continue;
		}
		auto fn = reinterpret_cast<drvbench_plugin_fn>(dlsym(h, DRVBENCH_PLUGIN_SYMBOL));
		if (!fn) {
			d.errors.push_back(n + ": no symbol " DRVBENCH_PLUGIN_SYMBOL);
			continue;
		}
		p.desc = fn();
		if (!p.desc) {
			d.errors.push_back(n + ": drvbench_plugin() returned NULL");
			continue;
		}
		if (p.desc->abi_version != DRVBENCH_ABI_VERSION) {
			d.errors.push_back(n + ": abi_version " + std::to_string(p.desc->abi_version) +
					   " != " + std::to_string(DRVBENCH_ABI_VERSION));
			continue;
		}
		std::string error;
		p.ops = select(*p.desc, &error);
		if (!error.empty()) {
			d.errors.push_back(n + ": " + error);
			continue;
		}
		if (!p.ops) {
			d.skipped.push_back(n);
			continue;
		}
		d.found.push_back(std::move(p));
	}
	return d;
}

}  // namespace detail
}  // namespace drvtest
