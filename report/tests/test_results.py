"""Loader: both formats into one model, and one clear line for every broken or hostile file."""

import copy
import json

import numpy as np
import pytest

from report.results import GBENCH_PLUGIN, ResultFileError, load, parse
from report.tests import synth

IDS = ["c-base-gcc12", "cpp-base-gcc12", "c-base-clang19"]


def good_doc():
    rng = np.random.default_rng(1)
    doc = synth.drvbench_doc({"qrpanic-v40": {p: synth.noisy(rng, 5) for p in IDS},
                              "qrpanic-v1": {p: synth.noisy(rng, 5) for p in IDS}})
    doc["workloads"][0]["results"][0]["metrics"] = {
        "instructions": {"unit": "instructions/op", "samples": [123456, 123456], "exact": True},
        "cycles": {"samples": [1.0, 2.0]}}
    return doc


def test_drvbench_model(tmp_path):
    r = load(synth.write(tmp_path / "r.json", good_doc()))
    assert r.format == "drvbench" and r.complete
    assert list(r.workloads) == ["qrpanic-v40", "qrpanic-v1"]
    w = r.workloads["qrpanic-v40"]
    assert list(w.entries) == IDS and w.baseline == "c-base-gcc12"
    e = w.entries["c-base-gcc12"]
    assert e.metrics["time"].unit == "ns/op" and e.metrics["time"].samples.shape == (5,)
    ins = e.metrics["instructions"]
    assert ins.exact and ins.unit == "instructions/op" and ins.samples.tolist() == [123456, 123456]
    assert e.metrics["cycles"].unit == "cycles/op" and not e.metrics["cycles"].exact
    assert w.entries["c-base-clang19"].baseline == "c-base-clang19"
    assert r.metric_names() == ["cycles", "instructions", "time"]
    assert r.plugins["cpp-base-gcc12"]["compiler"] == "gcc"


def test_incomplete_run_warns(tmp_path):
    doc = good_doc()
    doc["complete"] = False
    r = load(synth.write(tmp_path / "r.json", doc))
    assert not r.complete and "incomplete" in r.warnings[0]


def test_gbench_model(tmp_path):
    doc = synth.gbench_doc({"qrpanic/c-base-gcc12/text/v40": [1000, 1010, 990],
                            "qrpanic/cpp-base-gcc12/text/v40": [1020, 1030, 1010]}, unit="us")
    doc["benchmarks"][0]["INSTRUCTIONS"] = 5000.0  # a counter in only one repetition: not a sample set
    r = load(synth.write(tmp_path / "g.json", doc))
    assert r.format == "gbench"
    w = r.workloads["qrpanic/text/v40"]
    assert set(w.entries) == {"c-base-gcc12", "cpp-base-gcc12"}
    t = w.entries["c-base-gcc12"].metrics["time"].samples
    assert np.allclose(t, [1000, 1010, 990])  # us -> ns; aggregates ignored
    assert np.allclose(w.entries["c-base-gcc12"].metrics["cpu_time"].samples, [990, 999.9, 980.1])
    assert "instructions" not in w.entries["c-base-gcc12"].metrics
    assert r.plugins["c-base-gcc12"]["flags"] == "-O2"


def test_gbench_generic_names_and_counters(tmp_path):
    doc = synth.gbench_doc({"BM_Foo/8/16": [5.0, 6.0], "BM_Bar": [1.0, 1.0]}, unit="ms", drvbench_bench=False)
    for b in doc["benchmarks"]:
        if b["run_type"] == "iteration":
            b["instructions"] = 42.0
    r = load(synth.write(tmp_path / "g.json", doc))
    assert set(r.workloads) == {"BM_Foo/8/16", "BM_Bar"}
    e = r.workloads["BM_Foo/8/16"].entries[GBENCH_PLUGIN]
    assert np.allclose(e.metrics["time"].samples, [5.0, 6.0])  # written in ms, read back in ns
    assert e.metrics["instructions"].samples.tolist() == [42.0, 42.0]


def test_gbench_old_format_without_run_type_and_errors(tmp_path):
    doc = {"context": {}, "benchmarks": [
        {"name": "BM_A", "iterations": 10, "real_time": 3, "cpu_time": 3, "time_unit": "ns"},
        {"name": "BM_A", "iterations": 10, "real_time": 4, "cpu_time": 4, "time_unit": "ns"},
        {"name": "BM_A_mean", "aggregate_name": "mean", "iterations": 2, "real_time": 3.5, "cpu_time": 3.5},
        {"name": "BM_B", "run_name": "BM_B", "run_type": "iteration", "error_occurred": True,
         "error_message": "boom", "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"}]}
    r = load(synth.write(tmp_path / "g.json", doc))
    assert list(r.workloads) == ["BM_A"]
    assert r.workloads["BM_A"].entries[GBENCH_PLUGIN].metrics["time"].samples.tolist() == [3, 4]
    assert any("boom" in w for w in r.warnings)


# ------------------------------------------------------------ broken and hostile files


def mutate(fn):
    d = good_doc()
    fn(d)
    return d


def _set(path, value):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = value
    return f


def _del(path):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f


R0 = ["workloads", 0, "results", 0]
BROKEN_DOCS = {
    "top-level array": ([1, 2], "$: expected a JSON object"),
    "top-level string": ("hello", "$: expected a JSON object"),
    "no schema or benchmarks": ({"foo": 1}, "neither a drvbench result file"),
    "wrong schema": (mutate(_set(["schema"], "other")), "$.schema: unknown schema"),
    "schema not a string": (mutate(_set(["schema"], 5)), "$.schema: unknown schema 5"),
    "future schema version": (mutate(_set(["schema_version"], 3)), "unsupported schema_version 3"),
    "schema version string": (mutate(_set(["schema_version"], "1")), "$.schema_version: expected an integer"),
    "missing complete": (mutate(_del(["complete"])), "$: missing key \"complete\""),
    "complete not bool": (mutate(_set(["complete"], 1)), "$.complete: expected true or false"),
    "context array": (mutate(_set(["context"], [])), "$.context: expected an object"),
    "plugins object": (mutate(_set(["plugins"], {})), "$.plugins: expected an array"),
    "plugin id missing": (mutate(_del(["plugins", 1, "id"])), "$.plugins[1]: missing key \"id\""),
    "plugin id empty": (mutate(_set(["plugins", 1, "id"], " ")), "$.plugins[1].id: expected a non-empty string"),
    "plugin listed twice": (mutate(lambda d: d["plugins"].append(dict(d["plugins"][0]))), "listed twice"),
    "plugin flags wrong type": (mutate(_set(["plugins", 0, "flags"], ["-O2"])), "$.plugins[0].flags: expected a string"),
    "workloads null": (mutate(_set(["workloads"], None)), "$.workloads: expected an array, got null"),
    "workload name int": (mutate(_set(["workloads", 1, "name"], 3)), "$.workloads[1].name: expected a string"),
    "workload twice": (mutate(_set(["workloads", 1, "name"], "qrpanic-v40")), "appears twice"),
    "workload baseline unknown": (mutate(_set(["workloads", 0, "baseline"], "x")), "$.workloads[0].baseline"),
    "results missing": (mutate(_del(["workloads", 0, "results"])), "$.workloads[0]: missing key \"results\""),
    "result plugin unknown": (mutate(_set(R0 + ["plugin"], "rust-base-gcc12")), "is not listed in $.plugins"),
    "result plugin twice": (mutate(_set(["workloads", 0, "results", 1, "plugin"], "c-base-gcc12")), "two results"),
    "samples missing": (mutate(_del(R0 + ["samples"])), "$.workloads[0].results[0]: missing key \"samples\""),
    "samples empty": (mutate(_set(R0 + ["samples"], [])), ".samples: no samples"),
    "samples string": (mutate(_set(R0 + ["samples"], "1,2,3")), ".samples: expected an array, got string"),
    "sample string": (mutate(_set(R0 + ["samples", 2], "5")), ".samples[2]: sample is not a number"),
    "sample bool": (mutate(_set(R0 + ["samples", 1], True)), ".samples[1]: sample is not a number: true"),
    "sample null": (mutate(_set(R0 + ["samples", 0], None)), ".samples[0]: sample is not a number: null"),
    "sample nested": (mutate(_set(R0 + ["samples", 0], [1])), ".samples[0]: sample is not a number"),
    "sample negative": (mutate(_set(R0 + ["samples", 3], -1.5)), ".samples[3]: sample is negative"),
    "sample huge": (mutate(_set(R0 + ["samples", 0], 10 ** 400)), "$.workloads[0].results[0].samples"),
    "median wrong type": (mutate(_set(R0 + ["median"], "fast")), ".median: expected a number"),
    "unit int": (mutate(_set(R0 + ["unit"], 1)), ".unit: expected a string"),
    "metrics array": (mutate(_set(R0 + ["metrics"], [])), ".metrics: expected an object"),
    "metric no samples": (mutate(_del(R0 + ["metrics", "instructions", "samples"])), "missing key \"samples\""),
    "metric exact string": (mutate(_set(R0 + ["metrics", "instructions", "exact"], "yes")), ".exact: expected true"),
    "metric named time": (mutate(_set(R0 + ["metrics", "time"], {"samples": [1]})), "not \"time\""),
    "metric negative": (mutate(_set(R0 + ["metrics", "cycles", "samples"], [1, -2])), "samples[1]: sample is negative"),
    "gb benchmarks object": ({"benchmarks": {}}, "$.benchmarks: expected an array"),
    "gb empty": ({"benchmarks": []}, "no benchmark results"),
    "gb bad unit": ({"benchmarks": [{"name": "a", "real_time": 1, "cpu_time": 1, "time_unit": "ps"}]}, "unknown time unit"),
    "gb no real_time": ({"benchmarks": [{"name": "a", "cpu_time": 1}]}, "missing key \"real_time\""),
    "gb negative time": ({"benchmarks": [{"name": "a", "real_time": -1, "cpu_time": 1}]}, "real_time: expected a number >= 0"),
    "gb bad run_type": ({"benchmarks": [{"name": "a", "run_type": "x", "real_time": 1, "cpu_time": 1}]}, "run_type"),
    "gb name missing": ({"benchmarks": [{"real_time": 1, "cpu_time": 1}]}, "missing key \"name\""),
    "gb repetitions float": ({"benchmarks": [{"name": "a", "real_time": 1, "cpu_time": 1, "repetitions": 1.5}]},
                             "repetitions: expected an integer"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_DOCS))
def test_broken_documents(tmp_path, case):
    doc, expect = BROKEN_DOCS[case]
    p = synth.write(tmp_path / "bad.json", doc)
    with pytest.raises(ResultFileError) as ei:
        load(p)
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith(p + ": ")
    assert expect in msg, msg


def _good_text():
    return json.dumps(good_doc())


RAW_FILES = {
    "empty": (b"", "file is empty"),
    "whitespace": (b"  \n\t ", "file is empty"),
    "truncated": (_good_text()[:700].encode(), "truncated"),
    "truncated at 1 byte": (b"{", "not valid JSON"),
    "garbage": (b"\x00\x01\x02 binary junk", "not valid JSON"),
    "latin-1": ("{\"schema\": \"drvbench-r\u00e9sult\"}".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
    "random bytes": (bytes(np.random.default_rng(3).integers(0, 256, 4000, dtype=np.uint8)), ""),
    "NaN sample": (_good_text().replace("\"samples\": [", "\"samples\": [NaN, ", 1).encode(), "NaN"),
    "Infinity": (b"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": Infinity, \"cpu_time\": 1}]}", "Infinity"),
    "overflow float": (b"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1e999, \"cpu_time\": 1}]}",
                       "real_time: expected a finite number"),
    "huge integer": (b"{\"schema_version\": " + b"9" * 5000 + b"}", "not valid result JSON"),
    "deep nesting": (b"[" * 100000 + b"]" * 100000, "nesting too deep"),
    "deep nesting in context": (("{\"schema\": \"drvbench-result\", \"context\": " + "{\"a\": " * 50000 + "1"
                                 + "}" * 50000 + "}").encode(), "nesting too deep"),
    "duplicate key": (b"{\"schema\": \"drvbench-result\", \"schema\": \"drvbench-result\"}", "duplicate key"),
    "trailing junk": ((_good_text() + " {}").encode(), "Extra data"),
    "utf-16": (_good_text().encode("utf-16"), "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(RAW_FILES))
def test_hostile_raw_files(tmp_path, case):
    raw, expect = RAW_FILES[case]
    p = tmp_path / "bad.json"
    p.write_bytes(raw)
    with pytest.raises(ResultFileError) as ei:
        load(str(p))
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith(str(p) + ": ")
    assert expect in msg, msg


def test_utf8_bom_accepted(tmp_path):
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + _good_text().encode())
    assert load(str(p)).format == "drvbench"


def test_unreadable_paths(tmp_path):
    with pytest.raises(ResultFileError, match="cannot read"):
        load(str(tmp_path / "missing.json"))
    with pytest.raises(ResultFileError, match="is a directory"):
        load(str(tmp_path))


def test_newlines_in_values_stay_on_one_line(tmp_path):
    d = good_doc()
    d["schema"] = "evil\nline two"
    with pytest.raises(ResultFileError) as ei:
        load(synth.write(tmp_path / "x.json", d))
    assert "\n" not in str(ei.value)


def test_fuzzed_mutations_never_escape(tmp_path):
    """Random structural damage to a good document: load() either succeeds or raises ResultFileError."""
    rng = np.random.default_rng(12)
    junk = [None, True, -1, 1e308, "x", [], {}, [[[]]], {"a": {"b": []}}, 2 ** 70, -0.0]
    base = good_doc()

    def nodes(o, path=()):
        yield path
        if isinstance(o, dict):
            for k, v in o.items():
                yield from nodes(v, path + (k,))
        elif isinstance(o, list):
            for i, v in enumerate(o):
                yield from nodes(v, path + (i,))

    paths = list(nodes(base))[1:]
    for _ in range(300):
        d = copy.deepcopy(base)
        path = paths[rng.integers(len(paths))]
        o = d
        for k in path[:-1]:
            o = o[k]
        if rng.random() < 0.3 and isinstance(o, dict):
            del o[path[-1]]
        else:
            o[path[-1]] = copy.deepcopy(junk[rng.integers(len(junk))])
        try:
            parse(d, "fuzz.json")
        except ResultFileError as e:
            assert "\n" not in str(e)
