// Plugin loader; see plugins.hpp.
#include "plugins.hpp"

#include "errors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/mman.h>
#include <sys/resource.h>
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

std::string compiler_tag(const std::string &compiler, const std::string &version)
{
	// gcc and clang: the major version. rustc is major 1 for good: major.minor.
	size_t end = version.find('.');
	if (compiler == "rustc" && end != std::string::npos)
		end = version.find_first_not_of("0123456789", end + 1);
	return compiler + version.substr(0, end);
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
	p.compiler_tag = compiler_tag(p.compiler, p.compiler_version);
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

Plugin load_layout_copy(const Plugin &p)
{
	// The copy lives in a memfd (its own inode, so the loader maps it anew; no temporary file
	// to clean up, and no trouble with a /tmp mounted noexec). The memfd stays open: the loader
	// knows objects by path too, and a closed fd's number, hence "/proc/self/fd/N", comes back.
	static const bool raised = [] { // copies of many plugins may need more than 1024 fds
		struct rlimit rl {};
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		return true;
	}();
	(void)raised;
	auto fail = [&](const std::string &why) {
		return RuntimeError("layout copy of " + p.file + ": " + why);
	};
	std::ifstream in(p.file, std::ios::binary);
	std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	if (!in.good() && !in.eof())
		throw fail("cannot read it");
	int fd = memfd_create("drvbench-layout", MFD_CLOEXEC);
	if (fd < 0)
		throw fail(std::string("memfd_create: ") + std::strerror(errno));
	size_t done = 0;
	while (done < bytes.size()) {
		ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
		if (n <= 0) {
			int e = errno;
			close(fd);
			throw fail(std::string("write: ") + std::strerror(e));
		}
		done += static_cast<size_t>(n);
	}
	Plugin copy;
	try {
		copy = load_one("/proc/self/fd/" + std::to_string(fd)); // the checks every plugin gets
	} catch (const UsageError &e) {
		close(fd);
		throw fail(e.message());
	}
	if (copy.impl != p.impl || copy.variant != p.variant || copy.compiler_tag != p.compiler_tag)
		throw fail("the copy does not load as " + p.id);
	Plugin view = p;
	view.meta = copy.meta;
	return view;
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
	const Plugin *same_compiler = nullptr, *default_compiler = nullptr, *any = nullptr;
	for (const Plugin *c : candidates) {
		if (!c->is_c_base())
			continue;
		if (c->compiler_tag == p.compiler_tag)
			return c;
		if (!same_compiler && c->compiler == p.compiler)
			same_compiler = c;
		if (!default_compiler && c->compiler_tag == DRVBENCH_DEFAULT_COMPILER_TAG)
			default_compiler = c;
		if (!any)
			any = c;
	}
	return same_compiler ? same_compiler : default_compiler ? default_compiler : any;
}

} // namespace drvbench
