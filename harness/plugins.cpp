// Plugin loader; see plugins.hpp.
#include "plugins.hpp"

#include "errors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <unistd.h>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace drvbench {

bool Plugin::has(const std::string &component) const
{
	return std::find(components.begin(), components.end(), component) != components.end();
}

std::string join(const std::vector<std::string> &v, const std::string &sep)
{
	std::string s;
	for (size_t i = 0; i < v.size(); i++)
		s += (i ? sep : "") + v[i];
	return s;
}

std::string default_plugin_dir()
{
	std::error_code ec;
	fs::path exe = fs::read_symlink("/proc/self/exe", ec);
	if (ec)
		return "plugins";
	return (exe.parent_path().parent_path() / "plugins").string();
}

static std::string str_or(const char *s, const char *fallback)
{
	return s ? s : fallback;
}

const struct drvbench_plugin *load_layout_copy(const Plugin &p)
{
	std::error_code ec;
	fs::path dir = fs::temp_directory_path(ec);
	if (ec)
		dir = "/tmp";
	std::string tmpl = (dir / "drvbench-layout-XXXXXX.so").string();
	int fd = mkstemps(tmpl.data(), 3);
	if (fd < 0)
		throw RuntimeError("layout copy of " + p.file + ": cannot create " + tmpl + ": " + std::strerror(errno));
	close(fd);
	fs::copy_file(p.file, tmpl, fs::copy_options::overwrite_existing, ec);
	void *h = ec ? nullptr : dlopen(tmpl.c_str(), RTLD_NOW | RTLD_LOCAL);
	const char *derr = h ? nullptr : dlerror();
	unlink(tmpl.c_str()); // the mapping keeps it alive
	if (!h)
		throw RuntimeError("layout copy of " + p.file + ": " + (ec ? ec.message() : std::string(derr ? derr : "dlopen failed")));
	auto fn = reinterpret_cast<drvbench_plugin_fn>(dlsym(h, DRVBENCH_PLUGIN_SYMBOL));
	const struct drvbench_plugin *m = fn ? fn() : nullptr;
	if (!m || m->abi_version != DRVBENCH_ABI_VERSION || str_or(m->impl, "") != p.impl ||
	    str_or(m->variant, "") != p.variant)
		throw RuntimeError("layout copy of " + p.file + ": the copy does not load as " + p.id);
	return m;
}

static Plugin load_one(const std::string &file)
{
	// Plugins are never unloaded: their ops tables are referenced for the whole run.
	void *h = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		throw UsageError(file, "", std::string("cannot load plugin: ") + (e ? e : "unknown error"));
	}
	dlerror();
	void *sym = dlsym(h, DRVBENCH_PLUGIN_SYMBOL);
	if (!sym)
		throw UsageError(file, DRVBENCH_PLUGIN_SYMBOL,
				 "symbol not found; not a drvbench plugin (it must export " DRVBENCH_PLUGIN_SYMBOL "())");
	auto fn = reinterpret_cast<drvbench_plugin_fn>(sym);
	const struct drvbench_plugin *m = fn();
	if (!m)
		throw UsageError(file, DRVBENCH_PLUGIN_SYMBOL, "returned NULL metadata; plugin refused");
	if (m->abi_version != DRVBENCH_ABI_VERSION)
		throw UsageError(file, "abi_version",
				 "plugin has ABI version " + std::to_string(m->abi_version) +
					 ", this drvbench expects " + std::to_string(DRVBENCH_ABI_VERSION) +
					 "; rebuild the plugin or remove it");
	if (!m->impl || !*m->impl || !m->variant || !*m->variant)
		throw UsageError(file, "impl", "plugin metadata lacks impl or variant; plugin refused");

	Plugin p;
	p.file = file;
	p.meta = m;
	p.impl = m->impl;
	p.variant = m->variant;
	p.compiler = str_or(m->compiler, "unknown");
	p.compiler_version = str_or(m->compiler_version, "0");
	p.flags = str_or(m->flags, "");
	std::string major = p.compiler_version.substr(0, p.compiler_version.find('.'));
	p.compiler_tag = p.compiler + major;
	p.id = p.impl + "-" + p.variant + "-" + p.compiler_tag;
	// A file named <name>@<tag>.so loads as <id>@<tag>: the way to load one build twice (an
	// A/A test with a copy of the .so) or two builds of one compiler side by side.
	const std::string stem = fs::path(file).stem().string();
	if (size_t at = stem.rfind('@'); at != std::string::npos && at + 1 < stem.size())
		p.id += stem.substr(at);
	if (m->qrpanic)
		p.components.push_back("qrpanic");
	if (m->nullblk)
		p.components.push_back("nullblk");
	if (m->ringbuf)
		p.components.push_back("ringbuf");
	return p;
}

std::vector<Plugin> load_plugins(const std::string &dir)
{
	std::error_code ec;
	if (!fs::is_directory(dir, ec))
		throw UsageError(dir, "", "plugin directory does not exist (build the plugins or pass --plugins DIR)");
	std::vector<std::string> files;
	for (const auto &e : fs::directory_iterator(dir, ec))
		if (e.path().extension() == ".so" && !e.is_directory())
			files.push_back(e.path().string());
	if (ec)
		throw UsageError(dir, "", "cannot list plugin directory: " + ec.message());
	if (files.empty())
		throw UsageError(dir, "", "no plugins (*.so) in this directory (pass --plugins DIR)");
	std::sort(files.begin(), files.end());

	std::vector<Plugin> plugins;
	std::set<std::string> ids;
	for (const auto &f : files) {
		Plugin p = load_one(f);
		for (const auto &q : plugins)
			if (q.id == p.id)
				throw UsageError(f, "", "plugin id " + p.id + " is also provided by " + q.file +
							 " (to load both, name one <name>@<tag>.so: its id becomes " + p.id +
							 "@<tag>)");
		plugins.push_back(std::move(p));
	}
	std::sort(plugins.begin(), plugins.end(), [](const Plugin &a, const Plugin &b) { return a.id < b.id; });
	return plugins;
}

const Plugin *baseline_for(const Plugin &p, const std::vector<const Plugin *> &candidates)
{
	const Plugin *same_compiler = nullptr, *any = nullptr;
	for (const Plugin *c : candidates) {
		if (!c->is_c_base())
			continue;
		if (c->compiler_tag == p.compiler_tag)
			return c;
		if (!same_compiler && c->compiler == p.compiler)
			same_compiler = c;
		if (!any)
			any = c;
	}
	return same_compiler ? same_compiler : any;
}

} // namespace drvbench
