"""Load drvbench result files and Google Benchmark JSON into one model.

Model (both formats):

    Result
      .path, .format ("drvbench" | "gbench"), .context (dict), .complete (bool),
      .plugins   {plugin id: dict (file, impl, variant, compiler, compiler_version, flags, ...)}
      .workloads {workload name: Workload}
    Workload
      .name, .baseline (plugin id or None), .params (dict), .entries {plugin id: Entry}
    Entry
      .plugin, .baseline (plugin id or None), .metrics {metric name: Metric}
    Metric
      .name, .unit, .samples (1-d float64 numpy array, finite, >= 0), .exact (bool)

Metric names: "time" (ns/op; drvbench "samples", Google Benchmark real_time), then whatever
a drvbench entry's optional "metrics" object holds ("instructions", "cycles", ...), and for
Google Benchmark "cpu_time" plus numeric per-iteration counters (e.g. "instructions").

Every problem with a file raises ResultFileError whose message is one line:
"FILE: $.json.path: what is wrong". Nothing else escapes load().

Google Benchmark names: drvbench's micro-benchmarks are named
"<component>/<implementation>/<case...>" (harness/bench); when the file's context says it
came from drvbench-bench (a "plugin_dir" or "plugin:*" key) the second segment is taken as the
plugin id and the rest as the workload ("qrpanic/c-base-gcc12/text/v40" -> workload
"qrpanic/text/v40", plugin "c-base-gcc12"). Any other Google Benchmark file maps each
run_name to workload run_name, plugin "gbench".
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field

import numpy as np

SCHEMA = "drvbench-result"
SCHEMA_VERSION = 1

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_SAMPLES = 10_000_000  # per sample set
MAX_SAMPLE_VALUE = 1e300  # finite but absurd values are corruption

GBENCH_PLUGIN = "gbench"
_TIME_UNITS_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Google Benchmark fields that are not per-iteration user counters.
_GB_FIELDS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type",
    "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
    "time_unit", "aggregate_name", "aggregate_unit", "error_occurred", "error_message",
    "label", "bytes_per_second", "items_per_second", "big_o", "rms", "complexity_n",
}


class ResultFileError(Exception):
    """A result file is unreadable, malformed or not of a supported schema. str() is one line."""

    def __init__(self, path, where, what):
        self.path = str(path)
        self.where = where
        self.what = what
        super().__init__(f"{_clean(self.path)}: {where}: {_clean(what)}" if where else
                         f"{_clean(self.path)}: {_clean(what)}")


def _clean(s, limit=300):
    s = str(s).replace("\r", "\\r").replace("\n", "\\n")
    return s if len(s) <= limit else s[:limit] + "..."


def _show(v):
    """Short description of a JSON value for error messages."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _clean(repr(v), 40)
    if isinstance(v, str):
        return "string " + _clean(json.dumps(v), 60)
    if isinstance(v, list):
        return f"an array of {len(v)}"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


@dataclass
class Metric:
    name: str
    unit: str
    samples: np.ndarray
    exact: bool = False


@dataclass
class Entry:
    plugin: str
    baseline: str | None = None
    metrics: dict = field(default_factory=dict)


@dataclass
class Workload:
    name: str
    baseline: str | None = None
    params: dict = field(default_factory=dict)
    description: str = ""
    entries: dict = field(default_factory=dict)


@dataclass
class Result:
    path: str
    format: str
    context: dict = field(default_factory=dict)
    complete: bool = True
    plugins: dict = field(default_factory=dict)
    workloads: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def metric_names(self):
        names = set()
        for w in self.workloads.values():
            for e in w.entries.values():
                names.update(e.metrics)
        return sorted(names)


# ---------------------------------------------------------------- JSON reading


class _Dup(Exception):
    pass


def _no_dup_pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise _Dup(k)
        d[k] = v
    return d


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def read_json(path):
    """Parse a file as strict JSON (UTF-8, no NaN/Infinity, no duplicate keys)."""
    p = str(path)
    try:
        size = os.path.getsize(p)
        if size > MAX_FILE_BYTES:
            raise ResultFileError(p, "", f"file is {size} bytes, larger than the {MAX_FILE_BYTES} accepted")
        with open(p, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except ResultFileError:
        raise
    except IsADirectoryError:
        raise ResultFileError(p, "", "is a directory, not a result file") from None
    except OSError as e:
        raise ResultFileError(p, "", f"cannot read: {e.strerror or e}") from None
    if not raw.strip():
        raise ResultFileError(p, "", "file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ResultFileError(p, "", f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_dup_pairs)
    except json.JSONDecodeError as e:
        ends_early = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        hint = " (file truncated?)" if ends_early else ""
        raise ResultFileError(p, "", f"not valid JSON at line {e.lineno} column {e.colno}: {e.msg}{hint}") from None
    except _Dup as e:
        raise ResultFileError(p, "", f"not valid result JSON: duplicate key {json.dumps(str(e.args[0]))[:80]}") from None
    except RecursionError:
        raise ResultFileError(p, "", "not valid result JSON: nesting too deep") from None
    except ValueError as e:  # NaN/Infinity constants, integers with too many digits
        raise ResultFileError(p, "", f"not valid result JSON: {e}") from None


# ---------------------------------------------------------------- validation helpers


class _V:
    """Validation context for one file."""

    def __init__(self, path):
        self.path = str(path)

    def fail(self, where, what):
        raise ResultFileError(self.path, where, what)

    def obj(self, v, where):
        if not isinstance(v, dict):
            self.fail(where, f"expected an object, got {_show(v)}")
        return v

    def arr(self, v, where):
        if not isinstance(v, list):
            self.fail(where, f"expected an array, got {_show(v)}")
        return v

    def key(self, o, k, where):
        if k not in o:
            self.fail(where, f"missing key \"{k}\"")
        return o[k]

    def string(self, v, where, nonempty=True):
        if not isinstance(v, str):
            self.fail(where, f"expected a string, got {_show(v)}")
        if nonempty and not v.strip():
            self.fail(where, "expected a non-empty string")
        return v

    def opt_string(self, v, where):
        return None if v is None else self.string(v, where)

    def boolean(self, v, where):
        if not isinstance(v, bool):
            self.fail(where, f"expected true or false, got {_show(v)}")
        return v

    def number(self, v, where, minimum=None):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(where, f"expected a number, got {_show(v)}")
        try:
            x = float(v)
        except OverflowError:
            self.fail(where, "number out of range")
        if not math.isfinite(x) or abs(x) > MAX_SAMPLE_VALUE:
            self.fail(where, f"expected a finite number, got {_show(v)}")
        if minimum is not None and x < minimum:
            self.fail(where, f"expected a number >= {minimum:g}, got {_show(v)}")
        return x

    def integer(self, v, where, minimum=None, maximum=None):
        if isinstance(v, bool) or not isinstance(v, int):
            if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
                v = int(v)
            else:
                self.fail(where, f"expected an integer, got {_show(v)}")
        if minimum is not None and v < minimum:
            self.fail(where, f"expected an integer >= {minimum}, got {_show(v)}")
        if maximum is not None and v > maximum:
            self.fail(where, f"expected an integer <= {maximum}, got {_show(v)}")
        return v

    def samples(self, v, where):
        self.arr(v, where)
        if not v:
            self.fail(where, "no samples (empty array)")
        if len(v) > MAX_SAMPLES:
            self.fail(where, f"{len(v)} samples, more than the {MAX_SAMPLES} accepted")
        for i, x in enumerate(v):
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                self.fail(f"{where}[{i}]", f"sample is not a number: {_show(x)}")
        try:
            a = np.asarray(v, dtype=np.float64)
        except (OverflowError, ValueError):
            self.fail(where, "a sample is out of range")
        bad = ~np.isfinite(a) | (np.abs(a) > MAX_SAMPLE_VALUE)
        if bad.any():
            i = int(np.argmax(bad))
            self.fail(f"{where}[{i}]", f"sample is not finite: {_show(v[i])}")
        if (a < 0).any():
            i = int(np.argmax(a < 0))
            self.fail(f"{where}[{i}]", f"sample is negative: {_show(v[i])}")
        return a


# ---------------------------------------------------------------- drvbench format


def _load_drvbench(doc, v: _V):
    sv = v.key(doc, "schema_version", "$")
    sv = v.integer(sv, "$.schema_version")
    if sv not in (SCHEMA_VERSION, 2):  # 2: "better" per metric, paired "ratio" (harness side of issue 12)
        v.fail("$.schema_version", f"unsupported schema_version {sv} (this report/ reads {SCHEMA_VERSION} and 2)")
    res = Result(path=v.path, format="drvbench")
    res.complete = v.boolean(v.key(doc, "complete", "$"), "$.complete")
    if not res.complete:
        res.warnings.append(f"{v.path}: run is incomplete (complete=false); results may be partial")
    res.context = v.obj(v.key(doc, "context", "$"), "$.context")

    plugins = v.arr(v.key(doc, "plugins", "$"), "$.plugins")
    for i, p in enumerate(plugins):
        w = f"$.plugins[{i}]"
        v.obj(p, w)
        pid = v.string(v.key(p, "id", w), w + ".id")
        if pid in res.plugins:
            v.fail(w + ".id", f"plugin id \"{_clean(pid, 80)}\" listed twice")
        for k in ("file", "impl", "variant", "compiler", "compiler_version", "flags"):
            if k in p and p[k] is not None and not isinstance(p[k], str):
                v.fail(f"{w}.{k}", f"expected a string, got {_show(p[k])}")
        if "components" in p:
            comps = v.arr(p["components"], w + ".components")
            for j, c in enumerate(comps):
                v.string(c, f"{w}.components[{j}]")
        res.plugins[pid] = dict(p)

    workloads = v.arr(v.key(doc, "workloads", "$"), "$.workloads")
    for i, wl in enumerate(workloads):
        w = f"$.workloads[{i}]"
        v.obj(wl, w)
        name = v.string(v.key(wl, "name", w), w + ".name")
        if name in res.workloads:
            v.fail(w + ".name", f"workload \"{_clean(name, 80)}\" appears twice")
        wk = Workload(name=name)
        if "description" in wl and wl["description"] is not None:
            wk.description = v.string(wl["description"], w + ".description", nonempty=False)
        if "params" in wl and wl["params"] is not None:
            wk.params = v.obj(wl["params"], w + ".params")
        if "run" in wl and wl["run"] is not None:
            v.obj(wl["run"], w + ".run")
        wk.baseline = v.opt_string(wl.get("baseline"), w + ".baseline")
        if wk.baseline is not None and wk.baseline not in res.plugins:
            v.fail(w + ".baseline", f"baseline \"{_clean(wk.baseline, 80)}\" is not a listed plugin")
        results = v.arr(v.key(wl, "results", w), w + ".results")
        for j, r in enumerate(results):
            rw = f"{w}.results[{j}]"
            v.obj(r, rw)
            pid = v.string(v.key(r, "plugin", rw), rw + ".plugin")
            if pid not in res.plugins:
                v.fail(rw + ".plugin", f"plugin \"{_clean(pid, 80)}\" is not listed in $.plugins")
            if pid in wk.entries:
                v.fail(rw + ".plugin", f"plugin \"{_clean(pid, 80)}\" has two results in this workload")
            unit = r.get("unit", "ns/op")
            unit = v.string(unit, rw + ".unit")
            e = Entry(plugin=pid)
            e.baseline = v.opt_string(r.get("baseline"), rw + ".baseline")
            if e.baseline is not None and e.baseline not in res.plugins:
                v.fail(rw + ".baseline", f"baseline \"{_clean(e.baseline, 80)}\" is not a listed plugin")
            e.metrics["time"] = Metric("time", unit, v.samples(v.key(r, "samples", rw), rw + ".samples"))
            for k in ("median", "mean", "min", "max", "stddev", "cv", "ratio"):
                if k in r and r[k] is not None:
                    v.number(r[k], f"{rw}.{k}")
            if "metrics" in r and r["metrics"] is not None:
                ms = v.obj(r["metrics"], rw + ".metrics")
                for mname, m in ms.items():
                    mw = f"{rw}.metrics.{_clean(mname, 40)}"
                    if not mname or mname == "time":
                        v.fail(mw, "metric name must be non-empty and not \"time\"")
                    v.obj(m, mw)
                    munit = v.string(m.get("unit", mname + "/op"), mw + ".unit")
                    exact = v.boolean(m.get("exact", False), mw + ".exact")
                    e.metrics[mname] = Metric(mname, munit, v.samples(v.key(m, "samples", mw), mw + ".samples"), exact)
            wk.entries[pid] = e
        res.workloads[name] = wk
    return res


# ---------------------------------------------------------------- Google Benchmark format


def _gb_split(run_name, drvbench_bench):
    parts = run_name.split("/")
    if drvbench_bench and len(parts) >= 3 and parts[1]:
        return "/".join([parts[0]] + parts[2:]), parts[1]
    return run_name, GBENCH_PLUGIN


def _load_gbench(doc, v: _V):
    res = Result(path=v.path, format="gbench")
    ctx = doc.get("context", {})
    res.context = v.obj(ctx, "$.context") if ctx is not None else {}
    drvbench_bench = any(isinstance(k, str) and (k == "plugin_dir" or k.startswith("plugin:")) for k in res.context)
    benches = v.arr(v.key(doc, "benchmarks", "$"), "$.benchmarks")
    groups = {}  # run_name -> {metric: [values]}, units
    order = []
    for i, b in enumerate(benches):
        w = f"$.benchmarks[{i}]"
        v.obj(b, w)
        name = v.string(v.key(b, "name", w), w + ".name")
        run_name = v.string(b.get("run_name", name), w + ".run_name")
        run_type = b.get("run_type")
        if run_type is None:
            run_type = "aggregate" if "aggregate_name" in b else "iteration"
        run_type = v.string(run_type, w + ".run_type")
        if run_type not in ("iteration", "aggregate"):
            v.fail(w + ".run_type", f"expected \"iteration\" or \"aggregate\", got {_show(run_type)}")
        if run_type == "aggregate":
            continue
        if "error_occurred" in b and v.boolean(b["error_occurred"], w + ".error_occurred"):
            msg = b.get("error_message", "")
            res.warnings.append(f"{v.path}: {run_name}: benchmark reported an error"
                                f"{': ' + _clean(msg, 100) if isinstance(msg, str) and msg else ''}; skipped")
            continue
        for k in ("repetitions", "repetition_index", "threads", "iterations"):
            if k in b:
                v.integer(b[k], f"{w}.{k}", minimum=0)
        unit = v.string(b.get("time_unit", "ns"), w + ".time_unit")
        if unit not in _TIME_UNITS_NS:
            v.fail(w + ".time_unit", f"unknown time unit {_show(unit)} (expected ns, us, ms or s)")
        scale = _TIME_UNITS_NS[unit]
        real = v.number(v.key(b, "real_time", w), w + ".real_time", minimum=0) * scale
        cpu = v.number(v.key(b, "cpu_time", w), w + ".cpu_time", minimum=0) * scale
        g = groups.get(run_name)
        if g is None:
            g = groups[run_name] = {"time": [], "cpu_time": []}
            order.append(run_name)
        g["time"].append(real)
        g["cpu_time"].append(cpu)
        for k, x in b.items():
            if k in _GB_FIELDS or isinstance(x, (bool, str, list, dict)) or x is None:
                continue
            val = v.number(x, f"{w}.{_clean(k, 40)}", minimum=0)
            g.setdefault(k.lower(), []).append(val)
    for run_name in order:
        g = groups[run_name]
        n = len(g["time"])
        wname, pid = _gb_split(run_name, drvbench_bench)
        wk = res.workloads.setdefault(wname, Workload(name=wname))
        if pid in wk.entries:
            v.fail("$.benchmarks", f"benchmark \"{_clean(run_name, 80)}\" maps to workload \"{_clean(wname, 80)}\" "
                                   f"plugin \"{_clean(pid, 80)}\" twice")
        e = Entry(plugin=pid)
        for k, vals in g.items():
            if len(vals) != n:
                continue  # a counter not present in every repetition is not a sample set
            unit = "ns/op" if k in ("time", "cpu_time") else k + "/op"
            e.metrics[k] = Metric(k, unit, np.asarray(vals, dtype=np.float64))
        wk.entries[pid] = e
        info = {"id": pid}
        flags = res.context.get("plugin:" + pid)
        if isinstance(flags, str):
            info["flags"] = flags
        res.plugins.setdefault(pid, info)
    if not res.workloads:
        v.fail("$.benchmarks", "no benchmark results (no iteration entries)")
    return res


# ---------------------------------------------------------------- entry point


def parse(doc, path="<memory>"):
    """Validate an already-parsed JSON document and build the model."""
    v = _V(path)
    if not isinstance(doc, dict):
        v.fail("$", f"expected a JSON object at the top level, got {_show(doc)}")
    if "schema" in doc:
        schema = doc["schema"]
        if schema != SCHEMA:
            v.fail("$.schema", f"unknown schema {_show(schema)} (expected \"{SCHEMA}\")")
        return _load_drvbench(doc, v)
    if "benchmarks" in doc:
        return _load_gbench(doc, v)
    v.fail("$", "neither a drvbench result file (no \"schema\") nor Google Benchmark JSON (no \"benchmarks\")")


def load(path):
    """Load a drvbench result file or Google Benchmark JSON. Raises ResultFileError only."""
    doc = read_json(path)
    try:
        return parse(doc, str(path))
    except ResultFileError:
        raise
    except RecursionError:
        raise ResultFileError(path, "", "nesting too deep") from None
    except Exception as e:  # defensive: a validator bug must still give one line, not a traceback
        raise ResultFileError(path, "", f"cannot interpret file: {type(e).__name__}: {e}") from None
