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
    assert "OK: no regression" in out and "workload" in out.splitlines()[0]
    assert compare_cli.main([files["base"], files["slow"], *FAST]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "FAIL: 2 regressions" in out
    line = next(l for l in out.splitlines() if "cpp-base-gcc12" in l and "qrpanic-v40" in l)
    assert "slower" in line
    assert compare_cli.main([files["base"], files["fast"], *FAST]) == 0
    assert "faster" in capsys.readouterr().out
    # threshold above the 5 % slowdown: slower, but not a gate failure
    assert compare_cli.main([files["base"], files["slow"], "--threshold", "8", *FAST]) == 0
    out = capsys.readouterr().out
    assert "slower" in out and "REGRESSION" not in out


def test_compare_instructions_metric(files, capsys):
    assert compare_cli.main([files["base"], files["same"], "--metric", "instructions"]) == 0
    capsys.readouterr()
    assert compare_cli.main([files["base"], files["slow"], "--metric", "instructions", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    rows = [r for r in doc["rows"] if r["plugin"] == "cpp-base-gcc12"]
    assert all(r["comparison"]["exact"] and r["verdict"] == "slower" and r["regression"] for r in rows)
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
    assert compare_cli.main([b, n, *FAST]) == 1
    out = capsys.readouterr().out
    assert "qrpanic/text/v40" in out and "REGRESSION" in out
    assert compare_cli.main([b, b, *FAST]) == 0
    capsys.readouterr()
    assert compare_cli.main([b, n, "--metric", "cpu_time", *FAST]) == 1


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
    assert "c-base-gcc12" in row and "slower" in row
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
    assert by[("qrpanic-v40", "cpp-base-gcc12")].comparison.verdict == stats.SLOWER
    assert by[("qrpanic-v1", "c-hardened-gcc12")].comparison.verdict == stats.SAME


def test_compare_runs_api(files):
    rep = analysis.compare_runs(load(files["base"]), load(files["slow"]), threshold_pct=1.0, n_resamples=1000)
    assert [f"{r.workload}/{r.plugin}" for r in rep.regressions] == ["qrpanic-v40/cpp-base-gcc12",
                                                                     "qrpanic-v1/cpp-base-gcc12"]
    assert rep.counts()[stats.SLOWER] == 2
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
