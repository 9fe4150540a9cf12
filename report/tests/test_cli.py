"""report.compare / report.analyze: exit codes, output, JSON; analyze_run/compare_runs API."""

import json
import subprocess
import sys

import numpy as np
import pytest

from report import analysis, compare as compare_cli, analyze as analyze_cli, stats
from report.results import load
from report.tests import synth

IDS = ["c-base-gcc12", "cpp-base-gcc12", "c-hardened-gcc12", "c-base-clang19", "cpp-base-clang19"]
FAST = ["--resamples", "1000"]


def run_doc(rng, shift=None, instr_shift=1.0, sigma=0.01):
    shift = shift or {}
    wl = {}
    for name, scale in (("qrpanic-v40", 20000.0), ("qrpanic-v1", 300.0)):
        ents = {}
        for p in IDS:
            s = synth.noisy(rng, 15, sigma, scale, outlier_p=0) * shift.get(p, 1.0)
            tag = p.split("-", 2)[2]
            ins = round(scale * 3 * (instr_shift if p == "cpp-base-gcc12" else 1.0))
            ents[p] = synth.entry(p, s, f"c-base-{tag}", metrics={
                "instructions": {"unit": "instructions/op", "samples": [ins] * 3, "exact": True}})
        wl[name] = ents
    return synth.drvbench_doc(wl)


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(2024)
    base = synth.write(tmp_path / "base.json", run_doc(rng))
    same = synth.write(tmp_path / "same.json", run_doc(rng))
    slow = synth.write(tmp_path / "slow.json", run_doc(rng, {"cpp-base-gcc12": 1.05}, instr_shift=1.03))
    fast = synth.write(tmp_path / "fast.json", run_doc(rng, {"cpp-base-gcc12": 0.95}))
    return dict(base=base, same=same, slow=slow, fast=fast, dir=tmp_path)


def cli(module, *args):
    r = subprocess.run([sys.executable, "-m", f"report.{module}", *args], capture_output=True, text=True,
                       cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    return r.returncode, r.stdout, r.stderr


def test_compare_exit_codes_in_process(files, capsys):
    assert compare_cli.main([files["base"], files["same"], *FAST]) == 0
    out = capsys.readouterr().out
    assert "OK: no regression" in out and "workload" in out.splitlines()[1]
    # both files hold exact instruction counts: they gate, time is reported beside them
    assert out.splitlines()[0].startswith("time (ns/op, lower is better)") and "does not gate" in out.splitlines()[0]
    assert "OK: no regression >= 1% (instructions)" in out
    assert compare_cli.main([files["base"], files["slow"], *FAST]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "FAIL: 2 regressions" in out
    line = next(l for l in out.splitlines() if "cpp-base-gcc12" in l and "qrpanic-v40" in l)
    assert "worse" in line
    assert compare_cli.main([files["base"], files["fast"], *FAST]) == 0
    assert "better" in capsys.readouterr().out
    # threshold above the 3 % instruction increase: worse, but not a gate failure
    assert compare_cli.main([files["base"], files["slow"], "--threshold", "8", *FAST]) == 0
    out = capsys.readouterr().out
    assert "worse" in out and "REGRESSION" not in out


def test_compare_instructions_metric(files, capsys):
    assert compare_cli.main([files["base"], files["same"], "--metric", "instructions"]) == 0
    capsys.readouterr()
    assert compare_cli.main([files["base"], files["slow"], "--metric", "instructions", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    rows = [r for r in doc["rows"] if r["plugin"] == "cpp-base-gcc12"]
    assert all(r["comparison"]["exact"] and r["verdict"] == "worse" and r["regression"] for r in rows)
    assert doc["exit_status"] == 1 and doc["metric"] == "instructions"


def test_compare_json_shape(files, capsys):
    assert compare_cli.main([files["base"], files["same"], "--json", *FAST]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "drvbench-compare" and doc["version"] == 1
    assert len(doc["rows"]) == 10 and doc["regressions"] == 0
    r = doc["rows"][0]
    for k in ("workload", "plugin", "candidate", "reference", "comparison", "verdict", "regression"):
        assert k in r
    for k in ("ratio", "ratio_ci", "p_value", "mean_rel", "mean_rel_ci", "exact", "cv_a", "cv_b", "noisy"):
        assert k in r["comparison"]


def test_compare_cli_subprocess_exit_codes(files):
    code, out, err = cli("compare", files["base"], files["slow"], *FAST)
    assert code == 1 and "FAIL" in out and err == ""
    code, out, err = cli("compare", files["base"], files["same"], *FAST)
    assert code == 0
    bad = files["dir"] / "bad.json"
    bad.write_text("{\"schema\": \"drvbench-result\", \"schema_vers")
    code, out, err = cli("compare", files["base"], str(bad))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "bad.json" in err
    code, out, err = cli("compare", files["base"])
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, out, err = cli("compare", files["base"], files["same"], "--metric", "cycles")
    assert code == 2 and "metric 'cycles'" in err
    code, out, err = cli("analyze", str(bad))
    assert code == 2 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["--threshold", "-1"], ["--alpha", "0"], ["--alpha", "x"], ["--min-effect", "nan"],
                                  ["--resamples", "5"], ["--bogus"]])
def test_compare_bad_options_exit_2(files, capsys, args):
    assert compare_cli.main([files["base"], files["same"], *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1


def test_compare_gbench(tmp_path, capsys):
    rng = np.random.default_rng(8)
    names = ["qrpanic/c-base-gcc12/text/v40", "qrpanic/cpp-base-gcc12/text/v40"]
    b = synth.write(tmp_path / "b.json", synth.gbench_doc({n: synth.noisy(rng, 12, 0.01, 5000, 0) for n in names}))
    n = synth.write(tmp_path / "n.json", synth.gbench_doc({names[0]: synth.noisy(rng, 12, 0.01, 5000, 0),
                                                            names[1]: synth.noisy(rng, 12, 0.01, 5500, 0)}, unit="us"))
    assert compare_cli.main([b, n, "--noise-band", "0", *FAST]) == 1
    out = capsys.readouterr().out
    assert "qrpanic/text/v40" in out and "REGRESSION" in out
    assert compare_cli.main([b, b, *FAST]) == 0
    capsys.readouterr()
    assert compare_cli.main([b, n, "--metric", "cpu_time", "--noise-band", "0", *FAST]) == 1


def test_compare_mixed_formats(tmp_path, capsys):
    rng = np.random.default_rng(9)
    g = synth.write(tmp_path / "g.json", synth.gbench_doc({"qrpanic/c-base-gcc12/text/v40": synth.noisy(rng, 10)}))
    d = synth.write(tmp_path / "d.json", synth.drvbench_doc({"qrpanic-v40": {"c-base-gcc12": synth.noisy(rng, 10)}}))
    assert compare_cli.main([d, g]) == 2
    err = capsys.readouterr().err
    assert "no workload/plugin in common" in err and "names must match" in err
    # a drvbench file whose workload/plugin names match the Google Benchmark ones compares fine
    m = synth.write(tmp_path / "m.json", synth.drvbench_doc({"qrpanic/text/v40": {"c-base-gcc12": synth.noisy(rng, 10)}}))
    assert compare_cli.main([m, g, *FAST]) == 0


def test_analyze_cli(files, capsys):
    assert analyze_cli.main([files["slow"], *FAST]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    row = next(l for l in lines if l.startswith("qrpanic-v40") and "cpp-base-gcc12" in l)
    assert "c-base-gcc12" in row and "worse" in row
    row = next(l for l in lines if l.startswith("qrpanic-v40") and "cpp-base-clang19" in l)
    assert "c-base-clang19" in row  # baseline: c-base of the same compiler
    assert analyze_cli.main([files["slow"], "--baseline", "c-base-clang19", "--json", *FAST]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "drvbench-analysis"
    assert {r["baseline"] for r in doc["rows"]} == {"c-base-clang19"}
    assert analyze_cli.main([files["slow"], "--baseline", "nope"]) == 2
    assert "baseline plugin 'nope'" in capsys.readouterr().err
    assert analyze_cli.main([files["slow"], "--metric", "instructions"]) == 0
    assert "(exact)" in capsys.readouterr().out


def test_analyze_run_api_and_default_baseline(files):
    res = load(files["slow"])
    # drop the file's per-entry baselines: the derived default must be the same
    for w in res.workloads.values():
        w.baseline = None
        for e in w.entries.values():
            e.baseline = None
    rows = analysis.analyze_run(res, n_resamples=1000)
    by = {(r.workload, r.plugin): r for r in rows}
    assert by[("qrpanic-v40", "cpp-base-clang19")].baseline == "c-base-clang19"
    assert by[("qrpanic-v40", "c-hardened-gcc12")].baseline == "c-base-gcc12"
    assert by[("qrpanic-v40", "c-base-gcc12")].note == "baseline"
    assert by[("qrpanic-v40", "cpp-base-gcc12")].comparison.verdict == stats.WORSE
    assert by[("qrpanic-v1", "c-hardened-gcc12")].comparison.verdict == stats.SAME


def test_compare_runs_api(files):
    rep = analysis.compare_runs(load(files["base"]), load(files["slow"]), threshold_pct=1.0, n_resamples=1000,
                                noise_band_pct=0)
    assert [f"{r.workload}/{r.plugin}" for r in rep.regressions] == ["qrpanic-v40/cpp-base-gcc12",
                                                                     "qrpanic-v1/cpp-base-gcc12"]
    assert rep.counts()[stats.WORSE] == 2
    with pytest.raises(analysis.AnalysisError):
        analysis.compare_runs(load(files["base"]), load(files["slow"]), threshold_pct=-1)


def test_only_in_one_file_listed(tmp_path, capsys):
    rng = np.random.default_rng(4)
    a = synth.write(tmp_path / "a.json", synth.drvbench_doc({"w1": {"c-base-gcc12": synth.noisy(rng)},
                                                             "w2": {"c-base-gcc12": synth.noisy(rng)}}))
    b = synth.write(tmp_path / "b.json", synth.drvbench_doc({"w1": {"c-base-gcc12": synth.noisy(rng)},
                                                             "w3": {"c-base-gcc12": synth.noisy(rng)}}))
    assert compare_cli.main([a, b, *FAST]) == 0
    out = capsys.readouterr().out
    assert "only in base: w2 / c-base-gcc12" in out and "only in new: w3 / c-base-gcc12" in out


# ---------------------------------------------------------------- issue 12: direction, like with like, the gate

RATES = ("iops", "bw_bytes_s", "records_per_s")


def rates_doc(rng, factor=None, v2=True, params=None, n=15):
    """One nullblk-like workload; c-base and cpp-base with time and three rate metrics.
    factor: {(plugin, metric): multiplier}."""
    factor = factor or {}
    ents = {}
    for p in ("c-base-gcc12", "cpp-base-gcc12"):
        t = synth.noisy(rng, n, 0.005, 2000.0, outlier_p=0)
        mets = {m: {"unit": u, "samples": list(1e9 / t * k * factor.get((p, m), 1.0))}
                for m, u, k in (("iops", "IOPS", 1.0), ("bw_bytes_s", "B/s", 4096.0), ("records_per_s", "records/s", 1.0))}
        ents[p] = synth.entry(p, t * factor.get((p, "time"), 1.0), "c-base-gcc12", metrics=mets)
    doc = synth.drvbench_doc({"nullblk-cli": ents})
    doc["workloads"][0]["driver"] = "nullblk"
    doc["workloads"][0]["params"] = params or {"bs": "4k", "iodepth": 32, "backing": "none"}
    return synth.to_v2(doc) if v2 else doc


@pytest.mark.parametrize("v2", [True, False])
@pytest.mark.parametrize("metric", RATES)
def test_doubled_rate_is_not_a_regression(tmp_path, capsys, metric, v2):
    """The issue's reproduction: cpp-base IOPS doubled is better, not "slower REGRESSION"; halved
    is a regression. Schema 2 says so in the file, schema 1 by the metric's name."""
    rng = np.random.default_rng(31)
    a = synth.write(tmp_path / "a.json", rates_doc(rng, v2=v2))
    up = synth.write(tmp_path / "up.json", rates_doc(rng, {("cpp-base-gcc12", metric): 2.0}, v2=v2))
    down = synth.write(tmp_path / "down.json", rates_doc(rng, {("cpp-base-gcc12", metric): 0.5}, v2=v2))
    assert compare_cli.main([a, up, "--metric", metric, *FAST]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if "cpp-base-gcc12" in l)
    assert "better" in line and "REGRESSION" not in line and "2.0" in line
    assert "higher is better" in out.splitlines()[0]
    assert compare_cli.main([a, down, "--metric", metric, *FAST]) == 1
    line = next(l for l in capsys.readouterr().out.splitlines() if "cpp-base-gcc12" in l)
    assert "worse" in line and "REGRESSION" in line
    # within one run: cpp-base against c-base
    assert analyze_cli.main([up, "--metric", metric, *FAST]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("nullblk-cli  cpp-base"))
    assert " better" in line
    assert analyze_cli.main([down, "--metric", metric, *FAST]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("nullblk-cli  cpp-base"))
    assert " worse" in line


def test_compare_matches_parameters(tmp_path, capsys):
    """Two different nullblk-cli jobs are not compared as if the same (issue 12)."""
    rng = np.random.default_rng(32)
    a = rates_doc(rng)
    b = rates_doc(rng, {("cpp-base-gcc12", "time"): 0.41})
    b["workloads"][0]["params"] = {"bs": "4k", "iodepth": 32, "backing": "memory", "sample_s": 0.5}
    fa, fb = synth.write(tmp_path / "a.json", a), synth.write(tmp_path / "b.json", b)
    assert compare_cli.main([fa, fb, *FAST]) == 2
    err = capsys.readouterr().err
    assert err.startswith("drvbench compare: error: no workload/plugin in common")
    assert "nullblk-cli: parameters differ (backing, sample_s)" in err
    # with a second workload in common, the first is listed and not compared
    for d in (a, b):
        w = json.loads(json.dumps(d["workloads"][0]))
        w["name"] = "nullblk-other"
        w["params"] = {"bs": "64k"}
        d["workloads"].append(w)
    fa, fb = synth.write(tmp_path / "a2.json", a), synth.write(tmp_path / "b2.json", b)
    assert compare_cli.main([fa, fb, "--json", *FAST]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    assert {r["workload"] for r in doc["rows"]} == {"nullblk-other"}
    assert doc["params_differ"] == ["nullblk-cli: parameters differ (backing, sample_s)"]
    assert compare_cli.main([fa, fb, *FAST]) in (0, 1)
    assert "not compared: nullblk-cli: parameters differ (backing, sample_s)" in capsys.readouterr().out
    # same name and parameters but another driver: not the same workload
    c = json.loads(json.dumps(a))
    for w in c["workloads"]:
        w["driver"] = "ringbuf"
    assert compare_cli.main([fa, synth.write(tmp_path / "c.json", c), *FAST]) == 2


def _pair(rng, time_factor=1.0, instr_factor=1.0, drift=1.0, instructions=True):
    ents = {}
    for p in ("c-base-gcc12", "cpp-base-gcc12"):
        f = time_factor if p == "cpp-base-gcc12" else 1.0
        k = instr_factor if p == "cpp-base-gcc12" else 1.0
        mets = {"instructions": {"unit": "instructions/op", "samples": [2.5e6 * k] * 3, "exact": True}} \
            if instructions else None
        ents[p] = synth.entry(p, synth.noisy(rng, 15, 0.01, 1e5 * drift * f, outlier_p=0), "c-base-gcc12", mets)
    return synth.to_v2(synth.drvbench_doc({"qrpanic/text-v40": ents}))


def test_gate_defaults(tmp_path, capsys):
    """Default gate: exact instructions when both files hold them (time reported, not gating);
    time-only files gate with the cross-run noise band (docs/measurement.md)."""
    rng = np.random.default_rng(33)
    w = lambda name, doc: synth.write(tmp_path / name, doc)  # noqa: E731
    base = w("base.json", _pair(rng))
    # A/A across processes: the host ran 6 % slower for the second file; identical code passes
    drift = w("drift.json", _pair(rng, drift=1.06))
    assert compare_cli.main([base, drift, "--json", *FAST]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["metric"] == "instructions" and doc["gate_pct"] == 1
    assert doc["reported"]["metric"] == "time" and doc["reported"]["counts"]["worse"] == 2
    # +3 % instructions: caught, though time did not move
    calib = w("calib.json", _pair(rng, instr_factor=1.03))
    assert compare_cli.main([base, calib, *FAST]) == 1
    out = capsys.readouterr().out
    assert "FAIL: 1 regression >= 1% (instructions)" in out
    # time only: the band
    tb = w("tb.json", _pair(rng, instructions=False))
    tdrift = w("tdrift.json", _pair(rng, drift=1.06, instructions=False))
    tslow = w("tslow.json", _pair(rng, time_factor=1.25, instructions=False))
    assert compare_cli.main([tb, tdrift, *FAST]) == 0
    out = capsys.readouterr().out
    assert f"noise band {analysis.TIME_NOISE_BAND_PCT:g} %" in out and "OK: no regression" in out
    assert compare_cli.main([tb, tslow, *FAST]) == 1
    assert compare_cli.main([tb, tdrift, "--noise-band", "0", *FAST]) == 1  # without the band A/A fails
    capsys.readouterr()
    assert compare_cli.main([base, drift, "--metric", "time", *FAST]) == 0  # asked for: time gates, with the band
    assert "(time)" in capsys.readouterr().out.splitlines()[-1]


def test_prog_names_and_broken_pipe(files):
    code, out, err = cli("compare", files["base"])
    assert code == 2 and err.startswith("drvbench compare: ")
    code, out, err = cli("analyze", files["base"], "--bogus")
    assert code == 2 and err.startswith("drvbench analyze: ")
    code, out, err = cli("report", files["base"])
    assert code == 2 and err.startswith("drvbench report: ")
    # a reader that stops early: no traceback
    p = subprocess.Popen(f"{sys.executable} -m report.compare {files['base']} {files['slow']} --resamples 1000 | head -1",
                         shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    out, err = p.communicate(timeout=120)
    assert len(out.splitlines()) == 1 and "Traceback" not in err and "BrokenPipe" not in err, err


def test_analyze_default_output_is_the_run_summary(files, capsys):
    """Header naming the statistic, medians, paired ratio with interval, verdict; then the
    exact instructions table (the file holds them)."""
    assert analyze_cli.main([files["slow"], *FAST]) == 0
    out = capsys.readouterr().out
    heads = [l for l in out.splitlines() if "every plugin against its baseline" in l]
    assert len(heads) == 2 and heads[0].startswith("time (ns/op, lower is better), 15 rounds")
    assert stats.PAIRED_LABEL in heads[0] and "95 % interval" in heads[0]
    assert heads[1].startswith("instructions (instructions/op, lower is better)") and stats.EXACT_LABEL in heads[1]
    assert "comparisons (instructions)" in out
    assert analyze_cli.main([files["slow"], "--metric", "time", *FAST]) == 0
    assert "instructions (" not in capsys.readouterr().out


def test_analyze_too_few_rounds_text(tmp_path, capsys):
    rng = np.random.default_rng(34)
    b = synth.noisy(rng, 5, 0.01, 1000, 0)
    f = synth.write(tmp_path / "r.json", synth.drvbench_doc({"w": {
        "c-base-gcc12": list(b), "cpp-base-gcc12": list(b * 1.4)}}))
    assert analyze_cli.main([f, *FAST]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.split()[:2] == ["w", "cpp-base-gcc12"])
    assert "n = 5: too few rounds for a verdict at α = 0.05" in line and "≈" not in line
