// Workload and suite files: TOML parsing and strict validation against the driver's schema.
#include "workload.hpp"

#include "driver.hpp"
#include "errors.hpp"
#include "fsutil.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <toml++/toml.h>

namespace fs = std::filesystem;

namespace drvbench {

static std::string quote(const std::string &s)
{
	// Bytes that are not UTF-8 are shown as U+FFFD rather than thrown about (fuzz finding).
	return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

static bool is_utf8(const std::string &s)
{
	try {
		(void)nlohmann::json(s).dump();
		return true;
	} catch (const nlohmann::json::type_error &) {
		return false;
	}
}

// Debian's toml++ 3.3 reaches __builtin_unreachable() on some non-ASCII code points where it
// expects whitespace (upstream tomlplusplus#190, fixed later; found by fuzz/workload_parser).
// Workload files are ASCII in practice: refuse invalid UTF-8 and those code points up front,
// with the position, instead of handing them to the parser.
static void check_toml_text(const std::string &path, const std::string &text)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < text.size();) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		uint32_t cp = c;
		size_t len = 1;
		if (c >= 0x80) {
			len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
			bool ok = len > 0 && c < 0xf5 && i + len <= text.size();
			cp = ok ? (c & (0x7f >> len)) : 0;
			for (size_t k = 1; ok && k < len; k++) {
				unsigned char cc = static_cast<unsigned char>(text[i + k]);
				ok = (cc & 0xc0) == 0x80;
				cp = (cp << 6) | (cc & 0x3f);
			}
			if (!ok)
				throw UsageError(path + ":" + std::to_string(line) + ":" + std::to_string(col), "",
						 "not valid UTF-8");
			// The code points whose 1018-wide block toml++'s whitespace table does not list.
			uint32_t block = cp > 0xa0 && cp < 0xfeff && cp != 0x3000 ? (cp - 0xa0) / 0x3fa : 1;
			bool parser_trap = block == 0 || block == 11 || block == 63;
			if (parser_trap) {
				char buf[16];
				snprintf(buf, sizeof buf, "U+%04X", cp);
				throw UsageError(path + ":" + std::to_string(line) + ":" + std::to_string(col), "",
						 std::string("character ") + buf +
							 " is not supported in workload files (use ASCII)");
			}
		}
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += len;
	}
}

static std::string fmt_double(double d)
{
	std::ostringstream ss;
	ss.precision(15);
	ss << d;
	return ss.str();
}

std::string ParamSpec::expectation() const
{
	switch (type) {
	case ParamType::Int:
		if (min == INT64_MIN && max == INT64_MAX)
			return "an integer";
		if (max == INT64_MAX)
			return "an integer >= " + std::to_string(min);
		return "an integer in " + std::to_string(min) + ".." + std::to_string(max);
	case ParamType::Float:
		return "a number in " + fmt_double(fmin) + ".." + fmt_double(fmax);
	case ParamType::Bool:
		return "a boolean (true or false)";
	case ParamType::String:
		return "a string";
	case ParamType::Size: {
		std::string s = "a size in bytes (an integer, or with a k/m/g suffix: \"4k\", \"1m\")";
		if (min != INT64_MIN && max != INT64_MAX)
			s += " in " + std::to_string(min) + ".." + std::to_string(max);
		else if (min != INT64_MIN)
			s += " >= " + std::to_string(min);
		return s;
	}
	case ParamType::Enum: {
		std::string s = "one of ";
		for (size_t i = 0; i < choices.size(); i++)
			s += (i ? ", " : "") + quote(choices[i]);
		return s;
	}
	}
	return "?";
}

const std::vector<ParamSpec> &run_schema()
{
	static const std::vector<ParamSpec> s = [] {
		std::vector<ParamSpec> v(4);
		v[0].name = "warmup";
		v[0].type = ParamType::Int;
		v[0].def = int64_t{3};
		v[0].min = 0;
		v[0].max = 10000;
		v[0].help = "rounds run and discarded before measuring";
		v[1].name = "reps";
		v[1].type = ParamType::Int;
		v[1].def = int64_t{15};
		v[1].min = 1;
		v[1].max = 100000;
		v[1].help = "measured rounds (one sample per plugin per round)";
		v[2].name = "min_sample_ms";
		v[2].type = ParamType::Float;
		v[2].def = 20.0;
		v[2].fmin = 0.001;
		v[2].fmax = 60000;
		v[2].help = "minimum duration of one sample; sets iterations per sample";
		v[3].name = "layouts";
		v[3].type = ParamType::Int;
		v[3].def = int64_t{16};
		v[3].min = 1;
		v[3].max = 256;
		v[3].help = "code layouts per plugin: each timed round runs each plugin from one of this many "
			    "loaded copies of its .so (1: the plugin as loaded)";
		return v;
	}();
	return s;
}

static const ParamSpec *find_spec(const std::vector<ParamSpec> &schema, const std::string &name)
{
	for (const auto &s : schema)
		if (s.name == name)
			return &s;
	return nullptr;
}

static std::string names_of(const std::vector<ParamSpec> &schema)
{
	std::vector<std::string> v;
	for (const auto &s : schema)
		v.push_back(s.name);
	return join(v);
}

// ---- values -----------------------------------------------------------------------------

static std::string describe_node(const toml::node &n)
{
	if (auto i = n.as_integer())
		return std::to_string(i->get());
	if (auto f = n.as_floating_point())
		return "a float (" + fmt_double(f->get()) + ")";
	if (auto s = n.as_string())
		return "a string (" + quote(s->get()) + ")";
	if (auto b = n.as_boolean())
		return std::string("a boolean (") + (b->get() ? "true" : "false") + ")";
	if (n.is_table())
		return "a table";
	if (n.is_array())
		return "an array";
	return "a date/time";
}

static ParamValue check_range(const ParamSpec &s, ParamValue v, const std::string &where, const std::string &key,
			      const std::string &got)
{
	auto bad = [&] { return UsageError(where, key, "expected " + s.expectation() + ", got " + got); };
	switch (s.type) {
	case ParamType::Int:
	case ParamType::Size: {
		int64_t i = std::get<int64_t>(v);
		if (i < s.min || i > s.max)
			throw bad();
		break;
	}
	case ParamType::Float: {
		double d = std::get<double>(v);
		if (!std::isfinite(d) || d < s.fmin || d > s.fmax)
			throw bad();
		break;
	}
	case ParamType::Enum: {
		const auto &str = std::get<std::string>(v);
		bool ok = false;
		for (const auto &c : s.choices)
			ok = ok || c == str;
		if (!ok)
			throw bad();
		break;
	}
	default:
		break;
	}
	return v;
}

static ParamValue from_toml(const ParamSpec &s, const toml::node &n, const std::string &where, const std::string &key)
{
	std::string got = describe_node(n);
	auto bad = [&] { return UsageError(where, key, "expected " + s.expectation() + ", got " + got); };
	switch (s.type) {
	case ParamType::Int:
		if (auto i = n.as_integer())
			return check_range(s, int64_t{i->get()}, where, key, got);
		throw bad();
	case ParamType::Float:
		if (auto i = n.as_integer())
			return check_range(s, static_cast<double>(i->get()), where, key, got);
		if (auto f = n.as_floating_point())
			return check_range(s, f->get(), where, key, fmt_double(f->get()));
		throw bad();
	case ParamType::Bool:
		if (auto b = n.as_boolean())
			return b->get();
		throw bad();
	case ParamType::String:
		if (auto str = n.as_string())
			return str->get();
		throw bad();
	case ParamType::Enum:
		if (auto str = n.as_string())
			return check_range(s, str->get(), where, key, quote(str->get()));
		throw bad();
	case ParamType::Size:
		if (auto i = n.as_integer())
			return check_range(s, int64_t{i->get()}, where, key, got);
		if (auto str = n.as_string())
			if (auto v = parse_size(str->get()))
				return check_range(s, *v, where, key, got);
		throw bad();
	}
	throw bad();
}

static ParamValue from_text(const ParamSpec &s, const std::string &t, const std::string &where, const std::string &key)
{
	std::string got = quote(t);
	auto bad = [&] { return UsageError(where, key, "expected " + s.expectation() + ", got " + got); };
	switch (s.type) {
	case ParamType::Int: {
		int64_t i = 0;
		auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
		if (ec != std::errc() || p != t.data() + t.size() || t.empty())
			throw bad();
		return check_range(s, i, where, key, t);
	}
	case ParamType::Float: {
		char *end = nullptr;
		errno = 0;
		double d = std::strtod(t.c_str(), &end);
		if (t.empty() || *end != '\0' || errno)
			throw bad();
		return check_range(s, d, where, key, t);
	}
	case ParamType::Bool:
		if (t == "true")
			return true;
		if (t == "false")
			return false;
		throw bad();
	case ParamType::String:
		// Parameters go into the JSON result file, which holds text: refuse bytes that are
		// not UTF-8 here rather than fail when the run is over (fuzz finding 10).
		if (!is_utf8(t))
			throw UsageError(where, key, "expected UTF-8 text, got " + got);
		return t;
	case ParamType::Enum:
		return check_range(s, t, where, key, got);
	case ParamType::Size:
		if (auto v = parse_size(t))
			return check_range(s, *v, where, key, got);
		throw bad();
	}
	throw bad();
}

std::optional<int64_t> parse_size(const std::string &t)
{
	uint64_t n = 0;
	auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
	if (ec != std::errc() || p == t.data())
		return std::nullopt;
	std::string suf(p, t.data() + t.size());
	for (auto &c : suf)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	int shift = 0;
	if (!suf.empty() && std::string("kmgt").find(suf[0]) != std::string::npos) {
		shift = 10 * (1 + static_cast<int>(std::string("kmgt").find(suf[0])));
		suf.erase(0, 1);
		if (suf == "ib" || suf == "b")
			suf.clear();
	} else if (suf == "b") {
		suf.clear();
	}
	if (!suf.empty() || n > (static_cast<uint64_t>(INT64_MAX) >> shift))
		return std::nullopt;
	return static_cast<int64_t>(n << shift);
}

nlohmann::json to_json(const ParamValue &v)
{
	return std::visit([](const auto &x) { return nlohmann::json(x); }, v);
}

std::string to_string(const ParamValue &v)
{
	if (auto s = std::get_if<std::string>(&v))
		return *s;
	return to_json(v).dump();
}

int64_t get_int(const ParamMap &m, const std::string &k)
{
	return std::get<int64_t>(m.at(k));
}

std::string get_str(const ParamMap &m, const std::string &k)
{
	return std::get<std::string>(m.at(k));
}

static ParamMap defaults_of(const std::vector<ParamSpec> &schema)
{
	ParamMap m;
	for (const auto &s : schema)
		m[s.name] = s.def;
	return m;
}

void apply_run_map(Workload &w, const ParamMap &run)
{
	for (const auto &[k, v] : run) {
		if (k == "warmup")
			w.run.warmup = std::get<int64_t>(v);
		else if (k == "reps")
			w.run.reps = std::get<int64_t>(v);
		else if (k == "min_sample_ms")
			w.run.min_sample_ms = std::get<double>(v);
		else if (k == "layouts")
			w.run.layouts = std::get<int64_t>(v);
	}
}

// ---- files ------------------------------------------------------------------------------

static toml::table parse_toml(const std::string &path)
{
	std::string text = read_file(path);
	check_toml_text(path, text);
	try {
		return toml::parse(text, path);
	} catch (const toml::parse_error &e) {
		const auto &b = e.source().begin;
		throw UsageError(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column), "",
				 std::string(e.description()));
	}
}

static std::string req_string(const toml::table &t, const std::string &key, const std::string &path,
			      const std::string &what)
{
	const toml::node *n = t.get(key);
	if (!n)
		throw UsageError(path, key, "missing (expected " + what + ")");
	auto s = n->as_string();
	if (!s)
		throw UsageError(path, key, "expected " + what + ", got " + describe_node(*n));
	if (s->get().empty())
		throw UsageError(path, key, "must not be empty");
	return s->get();
}

static ParamMap read_table(const toml::node &n, const std::vector<ParamSpec> &schema, const std::string &path,
			   const std::string &prefix, const std::string &unknown_hint)
{
	auto t = n.as_table();
	if (!t)
		throw UsageError(path, prefix, "expected a table, got " + describe_node(n));
	ParamMap m;
	for (auto &&[k, v] : *t) {
		std::string key = std::string(k.str());
		std::string dotted = prefix + "." + key;
		const ParamSpec *s = find_spec(schema, key);
		if (!s)
			throw UsageError(path, dotted, "unknown key (" + unknown_hint + ": " + names_of(schema) + ")");
		m[key] = from_toml(*s, v, path, dotted);
	}
	return m;
}

static void check_name(const std::string &name, const std::string &path)
{
	for (char c : name)
		if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
			throw UsageError(path, "name",
					 "expected letters, digits, '-', '_' or '.', got " + quote(name));
}

Workload load_workload(const std::string &path)
{
	toml::table t = parse_toml(path);
	for (auto &&[k, v] : t) {
		std::string key(k.str());
		if (key != "driver" && key != "name" && key != "description" && key != "params" && key != "run")
			throw UsageError(path, key, "unknown key (expected driver, name, description, params, run)");
	}
	std::string have = join(driver_names());
	std::string driver = req_string(t, "driver", path, "a string naming a driver: " + have);
	const Driver *d = find_driver(driver);
	if (!d)
		throw UsageError(path, "driver", "unknown driver " + quote(driver) + " (have: " + have + ")");

	Workload w;
	w.driver = driver;
	w.file = path;
	w.name = req_string(t, "name", path, "a string");
	check_name(w.name, path);
	if (const toml::node *n = t.get("description")) {
		auto s = n->as_string();
		if (!s)
			throw UsageError(path, "description", "expected a string, got " + describe_node(*n));
		w.description = s->get();
	}
	w.params = defaults_of(d->params());
	if (const toml::node *n = t.get("params"))
		for (auto &[k, v] : read_table(*n, d->params(), path, "params", "parameters of " + driver))
			w.params[k] = v;
	if (const toml::node *n = t.get("run"))
		apply_run_map(w, read_table(*n, run_schema(), path, "run", "run settings"));
	return w;
}

Suite load_suite(const std::string &path)
{
	toml::table t = parse_toml(path);
	for (auto &&[k, v] : t) {
		std::string key(k.str());
		if (key != "name" && key != "description" && key != "workloads" && key != "run")
			throw UsageError(path, key, "unknown key (expected name, description, workloads, run)");
	}
	Suite s;
	s.file = path;
	s.name = req_string(t, "name", path, "a string");
	if (const toml::node *n = t.get("description")) {
		auto d = n->as_string();
		if (!d)
			throw UsageError(path, "description", "expected a string, got " + describe_node(*n));
		s.description = d->get();
	}
	const toml::node *wl = t.get("workloads");
	if (!wl)
		throw UsageError(path, "workloads", "missing (expected an array of workload paths relative to the workloads directory)");
	auto arr = wl->as_array();
	if (!arr)
		throw UsageError(path, "workloads", "expected an array of strings, got " + describe_node(*wl));
	if (arr->empty())
		throw UsageError(path, "workloads", "must not be empty");
	for (size_t i = 0; i < arr->size(); i++) {
		auto str = (*arr)[i].as_string();
		std::string key = "workloads[" + std::to_string(i) + "]";
		if (!str)
			throw UsageError(path, key, "expected a string, got " + describe_node((*arr)[i]));
		s.members.push_back(str->get());
	}
	if (const toml::node *n = t.get("run"))
		s.run = read_table(*n, run_schema(), path, "run", "run settings");
	return s;
}

Workload default_workload(const Driver &d)
{
	Workload w;
	w.name = d.name() + "-cli";
	w.driver = d.name();
	w.description = "defaults of the " + d.name() + " driver, from the command line";
	w.params = defaults_of(d.params());
	return w;
}

// ---- overrides --------------------------------------------------------------------------

static std::string known_keys(const std::vector<const Driver *> &drivers)
{
	std::string s;
	for (const Driver *d : drivers)
		s += "parameters of " + d->name() + ": " + names_of(d->params()) + "; ";
	return s + "run: " + names_of(run_schema());
}

Override parse_set(const std::string &arg, const std::vector<const Driver *> &drivers, const std::string &where)
{
	auto eq = arg.find('=');
	if (eq == std::string::npos || eq == 0)
		throw UsageError(where, quote(arg), "expected key=value (e.g. version=20, run.reps=5)");
	std::string key = arg.substr(0, eq), text = arg.substr(eq + 1);
	std::string section, name = key;
	if (key.rfind("params.", 0) == 0) {
		section = "params";
		name = key.substr(7);
	} else if (key.rfind("run.", 0) == 0) {
		section = "run";
		name = key.substr(4);
	}
	if (section != "run")
		for (const Driver *d : drivers)
			if (const ParamSpec *s = find_spec(d->params(), name)) {
				from_text(*s, text, where, "params." + name); // validate early
				return {where, "params." + name, text};
			}
	if (section != "params")
		if (const ParamSpec *s = find_spec(run_schema(), name)) {
			from_text(*s, text, where, "run." + name);
			return {where, "run." + name, text};
		}
	throw UsageError(where, key, "unknown key (" + known_keys(drivers) + ")");
}

void apply_overrides(Workload &w, const std::vector<Override> &ovs)
{
	const Driver *d = find_driver(w.driver);
	for (const auto &o : ovs) {
		if (o.key.rfind("params.", 0) == 0) {
			std::string name = o.key.substr(7);
			if (const ParamSpec *s = d ? find_spec(d->params(), name) : nullptr)
				w.params[name] = from_text(*s, o.text, o.where, o.key);
		} else if (o.key.rfind("run.", 0) == 0) {
			std::string name = o.key.substr(4);
			if (const ParamSpec *s = find_spec(run_schema(), name))
				apply_run_map(w, {{name, from_text(*s, o.text, o.where, o.key)}});
		}
	}
}

std::string resolve_workloads_dir(const std::string &explicit_dir)
{
	std::error_code ec;
	if (!explicit_dir.empty()) {
		if (!fs::is_directory(explicit_dir, ec))
			throw UsageError("--workloads", "", "no such directory: " + explicit_dir);
		return explicit_dir;
	}
	fs::path exe = fs::read_symlink("/proc/self/exe", ec);
	if (!ec) {
		fs::path cand = exe.parent_path().parent_path().parent_path() / "workloads";
		if (fs::is_directory(cand, ec))
			return cand.string();
	}
	return DRVBENCH_SOURCE_DIR "/workloads";
}

} // namespace drvbench
