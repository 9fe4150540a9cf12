"""Measurement rigor, end to end (docs/measurement.md): machine facts and perf counters in the
result file, exact instruction counts under callgrind (deterministic), drvbench compare/analyze,
and the proofs the statistics rest on:

* calibration: a plugin doing the C encoder's work plus 3.0 % more instructions
  (tests/calibration) is flagged "slower" by instructions (exact, so every trial agrees:
  two runs must give identical counts) and, in the slow set, by time in >= 19 of 20 trials;
* A/A: two copies of the c-base plugin are equal by instructions and show "no significant
  difference" by time in >= 19 of 20 trials;
* the 95 % interval of the C++/C ratio at text-v40 (slow set; prints the widths it got).

Slow set: DRVBENCH_SLOW_TESTS=1 (20 timed trials each; minutes on a quiet machine).
DRVBENCH_TIME_METRIC picks the timed metric of the slow set: "time" (wall clock, default) or
"task_clock_ns" (the thread's CPU time from perf, immune to preemption on a loaded machine).

Run: /usr/bin/python3 -m pytest tests/cli/test_rigor.py   (DRVBENCH_BIN=<build>/bin/drvbench)
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))
BUILD = BIN.parent.parent
TEST_PLUGINS = BUILD / "test-plugins"
WL = REPO / "workloads" / "qrpanic"
SLOW = os.environ.get("DRVBENCH_SLOW_TESTS") == "1"
TIME_METRIC = os.environ.get("DRVBENCH_TIME_METRIC", "time")

pytestmark = pytest.mark.skipif(
    not BIN.exists(), reason=f"drvbench binary not found at {BIN} (build it, or set DRVBENCH_BIN)")
needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None,
                                    reason="valgrind not installed (exact instruction counts need callgrind)")
needs_perf = pytest.mark.skipif(not Path("/proc/sys/kernel/perf_event_paranoid").exists(),
                                reason="no perf_event_open on this kernel")
slow = pytest.mark.skipif(not SLOW, reason="slow timed trials: set DRVBENCH_SLOW_TESTS=1")


def drvbench(*args, env=None, timeout=600):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def run(out, *args, plugins=None, check=True):
    pre = ["--plugins", plugins] if plugins else []
    r = drvbench(*pre, "run", *args, "--out", out, "-q")
    if check:
        assert r.returncode == 0, r.stderr
        return json.loads(Path(out).read_text()), r
    return None, r


def results(doc):
    return {(w["name"], r["plugin"]): r for w in doc["workloads"] for r in w["results"]}


def analyze(path, metric):
    r = drvbench("analyze", path, "--metric", metric, "--json")
    assert r.returncode == 0, r.stderr
    return {row["plugin"]: row for row in json.loads(r.stdout)["rows"] if row["comparison"]}


def plugin_dir(name):
    d = TEST_PLUGINS / name
    if not d.is_dir():
        pytest.skip(f"{d} not built (tests/calibration)")
    return d


# ---- context, counters, noise warning ----------------------------------------------------

@needs_perf
def test_context_facts_and_counters(tmp_path):
    doc, r = run(tmp_path / "r.json", WL / "text-v1.toml", "--impl", "c,cpp", "--variant", "base",
                 "--reps", "3", "--warmup", "1", "--set", "run.min_sample_ms=2")
    ctx = doc["context"]
    for k in ("cpu_model", "kernel", "cpu_governor", "cpu_boost", "aslr", "loadavg", "perf_event_paranoid",
              "virtualization"):
        assert k in ctx, k
    names = {"cycles", "hw_instructions", "branches", "branch_misses", "cache_references", "cache_misses",
             "task_clock_ns", "context_switches"}
    counters = ctx["counters"]
    assert set(counters) == names
    assert all(v == "available" or v.startswith("unavailable: ") for v in counters.values()), counters
    unavailable = {k for k, v in counters.items() if v != "available"}
    lines = [l for l in r.stderr.splitlines() if "perf counters unavailable" in l]
    assert len(lines) == (1 if unavailable else 0), r.stderr  # said once, not per workload or sample
    for (_, _), res in results(doc).items():
        metrics = res.get("metrics", {})
        assert not (set(metrics) & unavailable), "an unavailable counter was recorded"
        for name in set(metrics) & names:
            m = metrics[name]
            assert m["unit"].endswith("/op") and len(m["samples"]) == 3
        if counters["task_clock_ns"] == "available":
            # the thread's CPU time per operation cannot exceed the wall time by more than noise
            assert 0 < metrics["task_clock_ns"]["median"] <= res["median"] * 1.5


def test_no_counters(tmp_path):
    doc, r = run(tmp_path / "r.json", WL / "text-v1.toml", "--impl", "c", "--variant", "base", "--reps", "3",
                 "--set", "run.min_sample_ms=2", "--no-counters")
    assert doc["context"]["counters"] == "disabled (--no-counters)"
    assert "perf counters" not in r.stderr
    assert all("metrics" not in res for res in results(doc).values())


def test_noise_warning_one_line_per_workload(tmp_path):
    args = [WL / "text-v1.toml", WL / "url-v1.toml", "--impl", "c,cpp", "--variant", "base", "--reps", "5",
            "--set", "run.min_sample_ms=1", "--no-counters"]
    _, r = run(tmp_path / "a.json", *args, "--noise-threshold", "0")
    warn = [l for l in r.stderr.splitlines() if "noisy" in l]
    assert len(warn) == 2 and warn[0].startswith("drvbench: warning: text-v1: noisy: "), r.stderr
    _, r = run(tmp_path / "b.json", *args, "--noise-threshold", "1000")
    assert "noisy" not in r.stderr


@pytest.mark.parametrize("args,text", [
    (["--noise-threshold", "abc"], "--noise-threshold"),
    (["--instructions", "--instructions-iters", "0"], "--instructions-iters"),
    (["--instructions-reps", "3"], "only means something with --instructions"),
    (["--instructions-child", "/tmp"], "internal option"),
])
def test_bad_rigor_options(tmp_path, args, text):
    _, r = run(tmp_path / "r.json", WL / "text-v1.toml", *args, check=False)
    assert r.returncode == 2, r.stderr
    assert text in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "r.json").exists()


# ---- exact instruction counts --------------------------------------------------------------

def test_instructions_without_valgrind(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # an empty directory: no valgrind on PATH
    r = drvbench("run", WL / "text-v1.toml", "--instructions", "--out", tmp_path / "r.json", env=env)
    assert r.returncode == 2, r.stderr
    assert "valgrind not found" in r.stderr
    assert not (tmp_path / "r.json").exists()


@needs_valgrind
def test_instructions_are_deterministic(tmp_path):
    args = [WL / "text-v1.toml", WL / "url-v10.toml", "--impl", "c,cpp", "--variant", "base", "--reps", "3",
            "--set", "run.min_sample_ms=2", "--instructions", "--instructions-iters", "3"]
    a, _ = run(tmp_path / "a.json", *args)
    b, _ = run(tmp_path / "b.json", *args)
    assert a["context"]["instructions"]["tool"] == "callgrind"
    ra, rb = results(a), results(b)
    assert set(ra) == set(rb) and len(ra) == 4
    for key in ra:
        ia, ib = ra[key]["metrics"]["instructions"], rb[key]["metrics"]["instructions"]
        assert ia["unit"] == "instructions/op" and ia["exact"] is True
        assert len(ia["samples"]) == 3 and len(set(ia["samples"])) == 1, ia["samples"]  # within a run
        assert ia["samples"] == ib["samples"], key  # across runs
        assert ia["samples"][0] > 1000
    # the time samples are the native run's, not valgrind's
    assert all(len(r["samples"]) == 3 for r in ra.values())
    r = drvbench("compare", tmp_path / "a.json", tmp_path / "b.json", "--metric", "instructions")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(exact)" in r.stdout


@needs_valgrind
def test_calibration_and_aa_by_instructions(tmp_path):
    """Exact counts do not vary, so one verdict is every trial's verdict: two runs give the
    same counts (checked), hence 20 of 20 trials flag the calibration plugin and 20 of 20
    find the A/A copies equal."""
    args = [WL / "text-v40.toml", "--reps", "3", "--set", "run.min_sample_ms=2", "--no-counters",
            "--instructions"]
    calib, aa = plugin_dir("calib"), plugin_dir("aa")
    c1, _ = run(tmp_path / "c1.json", *args, plugins=calib)
    c2, _ = run(tmp_path / "c2.json", *args, plugins=calib)
    a1, _ = run(tmp_path / "a1.json", *args, plugins=aa)
    for d1, d2 in ((c1, c2),):
        for k, r in results(d1).items():
            assert r["metrics"]["instructions"]["samples"] == results(d2)[k]["metrics"]["instructions"]["samples"]
    rows = analyze(tmp_path / "c1.json", "instructions")
    row = next(r for p, r in rows.items() if p.startswith("calib-base-"))
    assert row["verdict"] == "worse"
    assert abs(row["comparison"]["ratio"] - 1.030) < 0.001, row["comparison"]["ratio"]
    rows = analyze(tmp_path / "a1.json", "instructions")
    row = next(r for p, r in rows.items() if p.endswith("@aa"))
    assert row["verdict"] == "no significant difference" and row["comparison"]["ratio"] == 1.0
    ra = results(a1)
    base = next(r for (w, p), r in ra.items() if not p.endswith("@aa"))
    copy = next(r for (w, p), r in ra.items() if p.endswith("@aa"))
    assert base["metrics"]["instructions"]["samples"] == copy["metrics"]["instructions"]["samples"]

    # The regression gate on instructions: the calibration plugin posing as c-base is a
    # regression at 1 % and not at 5 %.
    new = json.loads((tmp_path / "c1.json").read_text())
    cb = next(p["id"] for p in new["plugins"] if p["impl"] == "c")
    for w in new["workloads"]:
        w["results"] = [r for r in w["results"] if r["plugin"] != cb]
        for r in w["results"]:
            r["plugin"] = r["baseline"] = cb
        w["baseline"] = cb
    new["plugins"] = [dict(p, id=cb, impl="c") for p in new["plugins"] if p["impl"] == "calib"]
    (tmp_path / "new.json").write_text(json.dumps(new))
    r = drvbench("compare", tmp_path / "c1.json", tmp_path / "new.json", "--metric", "instructions")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "REGRESSION" in r.stdout
    r = drvbench("compare", tmp_path / "c1.json", tmp_path / "new.json", "--metric", "instructions",
                 "--threshold", "5")
    assert r.returncode == 0, r.stdout + r.stderr


def test_compare_and_analyze_exit_codes(tmp_path):
    r = drvbench("compare", tmp_path / "missing.json", tmp_path / "missing2.json")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = drvbench("analyze", "--help")
    assert r.returncode == 0 and "drvbench analyze" in r.stdout


# ---- timed proofs (slow set) ---------------------------------------------------------------

TRIALS = 20


def timed_trials(tmp_path, plugins, reps, warmup, sample_ms, pick):
    verdicts = []
    for seed in range(1, TRIALS + 1):
        out = tmp_path / f"t{seed}.json"
        run(out, WL / "text-v40.toml", "--reps", reps, "--warmup", warmup, "--set", f"run.min_sample_ms={sample_ms}",
            "--seed", seed, plugins=plugins)
        row = next(r for p, r in analyze(out, TIME_METRIC).items() if pick(p))
        verdicts.append((row["verdict"], round(row["comparison"]["ratio"], 4)))
    print(f"{TIME_METRIC}: {verdicts}")
    return [v for v, _ in verdicts]


@slow
def test_calibration_by_time(tmp_path):
    v = timed_trials(tmp_path, plugin_dir("calib"), 81, 3, 5, lambda p: p.startswith("calib-"))
    assert v.count("worse") >= 19, v


@slow
def test_aa_by_time(tmp_path):
    v = timed_trials(tmp_path, plugin_dir("aa"), 81, 3, 5, lambda p: p.endswith("@aa"))
    assert v.count("no significant difference") >= 19, v


@slow
def test_cpp_c_ratio_interval_at_v40_defaults(tmp_path):
    out = tmp_path / "r.json"
    run(out, WL / "text-v40.toml", "--impl", "c,cpp", "--variant", "base")
    row = next(r for p, r in analyze(out, TIME_METRIC).items() if p.startswith("cpp-base-"))
    lo, hi = row["comparison"]["ratio_ci"]
    ratio = row["comparison"]["ratio"]
    half = max(ratio - lo, hi - ratio) / ratio * 100
    print(f"{TIME_METRIC}: C++/C ratio {ratio:.4f} [{lo:.4f}, {hi:.4f}], half-width {half:.2f}%")
    assert half <= 1.0, f"95% interval ±{half:.2f}% is wider than ±1% on this machine"


# ---- the cross-run gate (issue 12; docs/measurement.md, "The regression gate") -------------------

GATE_PAIRS = 20


def _pose_as_c_base(src, dst):
    """The calibration plugin's results under c-base's id, c-base's own dropped: what a commit
    that made c-base execute 3 % more instructions would have written."""
    doc = json.loads(Path(src).read_text())
    cb = next(p["id"] for p in doc["plugins"] if p.get("impl") == "c")
    for w in doc["workloads"]:
        w["results"] = [dict(r, plugin=cb, baseline=cb) for r in w["results"] if r["plugin"] != cb]
        w["baseline"] = cb
    doc["plugins"] = [dict(p, id=cb, impl="c") for p in doc["plugins"] if p.get("impl") == "calib"]
    Path(dst).write_text(json.dumps(doc))


@slow
@needs_valgrind
def test_gate_across_processes(tmp_path):
    """2 x 20 runs of one commit (c-base and the +3 % calibration plugin, text-v40, exact
    instruction counts), taken one after the other over several minutes. Run i is compared with
    run i + 20 (minutes apart) by `drvbench compare` at its defaults: A/A must pass in >= 19 of
    20; the calibration plugin posing as c-base must fail the gate in >= 19 of 20."""
    args = [WL / "text-v40.toml", "--reps", "9", "--warmup", "1", "--set", "run.min_sample_ms=2", "--no-counters",
            "--instructions", "--instructions-reps", "2"]
    calib = plugin_dir("calib")
    files = []
    for i in range(2 * GATE_PAIRS):
        out = tmp_path / f"r{i}.json"
        run(out, *args, "--seed", i + 1, plugins=calib)
        files.append(out)
    aa, caught, time_aa = [], [], []
    for i in range(GATE_PAIRS):
        base, later = files[i], files[i + GATE_PAIRS]
        r = drvbench("compare", base, later)
        aa.append(r.returncode)
        rj = json.loads(drvbench("compare", base, later, "--json").stdout)
        time_aa.append([round(x["comparison"]["ratio"], 4) for x in rj["reported"]["rows"] if x["comparison"]])
        posed = tmp_path / f"calib{i}.json"
        _pose_as_c_base(later, posed)
        r = drvbench("compare", base, posed)
        caught.append(r.returncode)
    print(f"A/A exit codes {aa}; time ratios (reported, not gating) {time_aa}; calibration exit codes {caught}")
    assert aa.count(0) >= 19, aa
    assert caught.count(1) >= 19, caught
