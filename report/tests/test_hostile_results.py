"""Hostile input for the Python commands (issue 17): result files, options, history stores and
report directories. Every case must end with exit 0 (or 1 only for a real regression) or 2 with
one line on stderr, never a traceback.

Each test names the issue-17 defect it covers in its docstring.
"""

import errno
import json
import os
import sqlite3
import subprocess
import sys
import warnings

import numpy as np
import pytest

from report import analysis, analyze, charts, compare, history, report as rep, results, stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAST = ["--resamples", "200"]
PIDS = ("c-base-gcc12", "cpp-base-gcc12")


def _plugin(pid):
    impl, variant, tag = pid.split("-", 2)
    return {"id": pid, "impl": impl, "variant": variant, "compiler": "gcc", "compiler_version": "12.2.0"}


def doc(c, cpp, workload="w", commit="a" * 40, metrics=None, **ctx):
    """A minimal drvbench result: C base samples c, C++ base samples cpp (raw values, written as given)."""
    res = [{"plugin": "c-base-gcc12", "samples": c}, {"plugin": "cpp-base-gcc12", "samples": cpp,
                                                      "baseline": "c-base-gcc12"}]
    if metrics:
        for r, m in zip(res, metrics):
            r["metrics"] = m
    context = {"date": "2025-01-01T00:00:00Z", "host": "h", "git_commit": commit, **ctx}
    return {"schema": "drvbench-result", "schema_version": 1, "complete": True, "context": context,
            "plugins": [_plugin(p) for p in PIDS],
            "workloads": [{"name": workload, "baseline": "c-base-gcc12", "results": res}]}


def write(path, d):
    path.write_text(d if isinstance(d, str) else json.dumps(d))
    return str(path)


def cli(module, *args, cwd=None):
    """python3 -m report.MODULE ARGS: (exit status, stdout, stderr)."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-m", f"report.{module}", *map(str, args)], capture_output=True,
                       text=True, cwd=cwd or ROOT, env=env, timeout=600)
    return r.returncode, r.stdout, r.stderr


MODULES = {"compare": compare, "analyze": analyze, "report": rep, "history": history}


@pytest.fixture
def run(capsys):
    """In-process MODULE.main(ARGS) with numpy's RuntimeWarnings raised as errors (they would be
    stderr noise): (exit status, stdout, stderr)."""
    def go(module, *args):
        capsys.readouterr()
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            rc = MODULES[module].main([str(a) for a in args])
        out, err = capsys.readouterr()
        return rc, out, err
    return go


def assert_clean(rc, err, allowed=(0, 2)):
    assert "Traceback" not in err, err
    assert rc in allowed, (rc, err)
    if rc == 2:
        assert len(err.strip().splitlines()) == 1, err
    else:
        assert all(l.startswith("warning: ") for l in err.splitlines()), err  # no numpy RuntimeWarning noise


ONES = [10.0 + i % 3 for i in range(15)]
ZERO = [0.0] * 15
MOSTLY_ZERO = [0.0] * 8 + [1.0] * 7  # median 0, mean > 0


# ---------------------------------------------------------------- defect 3: zero medians


@pytest.mark.parametrize("base,new", [
    (ONES, ZERO), (ONES, MOSTLY_ZERO), (ZERO, ONES), (MOSTLY_ZERO, ONES), (ZERO, ZERO), (MOSTLY_ZERO, MOSTLY_ZERO),
], ids=["cand-zero", "cand-median-zero", "base-zero", "base-median-zero", "both-zero", "both-median-zero"])
def test_compare_zero_median(tmp_path, run, base, new):
    """Issue 17 defect 3: a zero median (baseline or candidate) crashed compare with math.log(0) and
    exit 1, the regression code. A zero baseline gives an n/a row naming the zero median."""
    b = write(tmp_path / "b.json", doc(base, base))
    n = write(tmp_path / "n.json", doc(new, new))
    rc, out, err = run("compare", b, n, *FAST)
    assert_clean(rc, err, allowed=(0,))
    if np.median(base) == 0:
        assert "n/a" in out and "baseline median is 0" in out
    rc, out, err = run("compare", b, n, *FAST, "--json")
    assert_clean(rc, err, allowed=(0,))
    d = json.loads(out)
    assert d["regressions"] == 0


@pytest.mark.parametrize("c,cpp", [(ONES, ZERO), (ONES, MOSTLY_ZERO), (ZERO, ONES), (MOSTLY_ZERO, ONES)],
                         ids=["cand-zero", "cand-median-zero", "base-zero", "base-median-zero"])
def test_analyze_and_report_zero_median(tmp_path, run, c, cpp):
    """Issue 17 defect 3: analyze and report on a run whose C base (the baseline) or C++ base has a
    zero median: no traceback, exit 0, the zero baseline shown as n/a."""
    f = write(tmp_path / "r.json", doc(c, cpp))
    rc, out, err = run("analyze", f, *FAST)
    assert_clean(rc, err, allowed=(0,))
    if np.median(c) == 0:
        assert "baseline median is 0" in out
    rc, out, err = run("report", f, "--out", tmp_path / "rep", *FAST)
    assert_clean(rc, err, allowed=(0,))
    page = (tmp_path / "rep" / "index.html").read_text()
    md = (tmp_path / "rep" / "summary.md").read_text()
    if np.median(c) == 0:
        assert "baseline median is 0" in page and "n/a" in md


def test_stats_zero_and_overflowing_ratio():
    """Issue 17 defect 3: stats.compare on a zero candidate median (math.log(0) before) and on a ratio
    that overflows a double (inf before; the report crashed drawing it)."""
    c = stats.compare(ZERO, ONES, n_resamples=200)
    assert c.ratio == 0.0 and c.verdict == stats.FASTER
    c = stats.compare(MOSTLY_ZERO, ONES, n_resamples=200)
    assert c.ratio == 0.0 and c.ratio_ci[0] == 0.0
    c = stats.compare(ONES, MOSTLY_ZERO, n_resamples=200)
    assert c.verdict == stats.NA and "baseline median is 0" in "; ".join(c.warnings)
    c = stats.compare([1e18, 2e18, 3e18] * 5, [1e-300, 2e-300, 3e-300] * 5, n_resamples=200)
    assert c.verdict == stats.NA and not c.significant
    assert any("out of range" in w for w in c.warnings)


def test_report_overflowing_ratio(tmp_path, run):
    """Issue 17 defect 3: report crashed on an overflowing ratio (and left a partial directory)."""
    f = write(tmp_path / "r.json", doc([1e-300, 2e-300, 3e-300] * 5, [1e17, 2e17, 3e17] * 5))
    rc, out, err = run("report", f, "--out", tmp_path / "rep", *FAST)
    assert_clean(rc, err, allowed=(0,))
    assert "out of range" in (tmp_path / "rep" / "index.html").read_text()
    rc, out, err = run("analyze", f, *FAST)
    assert_clean(rc, err, allowed=(0,))


def test_history_check_zero_median(tmp_path, run):
    """Issue 17 defect 3: `history check` with zero medians in either run."""
    db = tmp_path / "h.sqlite"
    for i, (commit, s) in enumerate((("a" * 40, ONES), ("b" * 40, ZERO), ("c" * 40, MOSTLY_ZERO), ("d" * 40, ONES))):
        f = write(tmp_path / f"{i}.json", doc(s, s, commit=commit))
        rc, out, err = run("history", "record", "--db", db, f)
        assert_clean(rc, err, allowed=(0,))
        if i:
            rc, out, err = run("history", "check", "--db", db)
            assert_clean(rc, err, allowed=(0,))


# ---------------------------------------------------------------- defect 8: time grows with samples


class _CountingRng:
    """A Generator stand-in that refuses to draw more than `limit` random numbers in all."""

    def __init__(self, seed, limit):
        self.g = np.random.default_rng(seed)
        self.limit = limit
        self.drawn = 0

    def _count(self, size):
        self.drawn += int(np.prod(size))
        assert self.drawn <= self.limit, f"drew {self.drawn} random numbers, more than {self.limit}"

    def integers(self, *a, size=None, **k):
        self._count(size)
        return self.g.integers(*a, size=size, **k)

    def beta(self, *a, size=None, **k):
        self._count(size)
        return self.g.beta(*a, size=size, **k)


@pytest.mark.parametrize("n", [100_000, 100_001])
def test_bootstrap_of_large_sets_draws_per_resample_not_per_sample(n):
    """Issue 17 defect 8: the bootstrap of the median drew n indices per resample (R * n work: 21 s
    at 10^5 samples). Above stats.BOOTSTRAP_DIRECT_MAX it draws O(1) numbers per resample."""
    x = np.random.default_rng(1).lognormal(0, 0.1, n)
    rng = _CountingRng(0, 10 * 1000)
    m = stats.bootstrap_medians(x, 1000, rng)
    assert m.shape == (1000,)
    assert np.all(np.isin(m, x) | (n % 2 == 0))
    assert abs(np.median(m) - np.median(x)) < 0.01


@pytest.mark.parametrize("n", [1001, 1000])
def test_order_statistic_bootstrap_matches_resampling(n):
    """Issue 17 defect 8: the order-statistic bootstrap used for large sets has the distribution of
    the direct resampling (two-sample Kolmogorov-Smirnov test on 20 000 resamples each)."""
    from scipy.stats import ks_2samp
    x = np.random.default_rng(3).lognormal(0, 0.2, n)
    direct = stats._bootstrap_medians_direct(x, 20_000, np.random.default_rng(4))
    fast = stats._bootstrap_medians_order(np.sort(x), 20_000, np.random.default_rng(5))
    assert ks_2samp(direct, fast).pvalue > 0.001
    assert abs(np.quantile(direct, 0.025) - np.quantile(fast, 0.025)) < 0.01


def test_loader_caps_samples(tmp_path, monkeypatch):
    """Issue 17 defect 8: the loader refuses more samples per set than results.MAX_SAMPLES (documented
    in report/README.md), with one line naming the key."""
    assert results.MAX_SAMPLES >= 100_000  # the harness writes up to run.reps = 100000 samples
    monkeypatch.setattr(results, "MAX_SAMPLES", 20)
    f = write(tmp_path / "r.json", doc(ONES * 2, ONES))
    with pytest.raises(results.ResultFileError, match=r"results\[0\]\.samples: 30 samples, more than the 20"):
        results.load(f)


# ---------------------------------------------------------------- defect 9: options


@pytest.fixture
def hist(tmp_path):
    db = tmp_path / "h.sqlite"
    for i, commit in enumerate(("a" * 40, "b" * 40)):
        f = write(tmp_path / f"{i}.json", doc(ONES, ONES, commit=commit))
        assert history.main(["record", "--db", str(db), f]) == 0
    return db


BAD_NUMBERS = ["nan", "inf", "-inf", "-1", "1e400", "abc", ""]


@pytest.mark.parametrize("opt,vals", [
    ("--alpha", BAD_NUMBERS + ["5", "0", "1"]), ("--threshold", BAD_NUMBERS),
    ("--min-effect", BAD_NUMBERS), ("--metric", ["bogus", ""]),
])
def test_history_check_bad_options(hist, capsys, opt, vals):
    """Issue 17 defect 9: `history check --alpha 5` gave a traceback, `--threshold nan` was accepted
    (gate off), `--metric bogus` exited 0. Every numeric option: exit 2 with one line."""
    for v in vals:
        capsys.readouterr()
        assert history.main(["check", "--db", str(hist), opt, v]) == 2, (opt, v)
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and opt.lstrip("-") in err, (opt, v, err)


def test_cli_subprocess(hist, tmp_path):
    """Issue 17 defects 3 and 9 through the command line: a zero median (exit 0, not 1), bad history
    options (exit 2, one line, no traceback)."""
    for args in (["--alpha", "5"], ["--threshold", "nan"], ["--metric", "bogus"]):
        rc, out, err = cli("history", "check", "--db", hist, *args)
        assert_clean(rc, err, allowed=(2,))
    b = write(tmp_path / "b.json", doc(ONES, ONES))
    n = write(tmp_path / "n.json", doc(MOSTLY_ZERO, MOSTLY_ZERO))
    for x, y in ((b, n), (n, b)):
        rc, out, err = cli("compare", x, y, *FAST)
        assert_clean(rc, err, allowed=(0,))


@pytest.mark.parametrize("module", ["compare", "analyze", "report"])
@pytest.mark.parametrize("opt,vals", [
    ("--alpha", BAD_NUMBERS + ["5", "0", "1"]), ("--min-effect", BAD_NUMBERS), ("--confidence", BAD_NUMBERS),
    ("--resamples", BAD_NUMBERS + ["5", "10000000"]), ("--seed", ["nan", "-1", "1.5", "abc"]),
    ("--threshold", BAD_NUMBERS),
])
def test_stat_options_bad_values(tmp_path, capsys, module, opt, vals):
    """Issue 17 defect 9: every numeric option of compare, analyze and report refuses nan, inf,
    negative and out-of-range values with exit 2 and one line (--seed -1 was a traceback)."""
    mod = {"compare": __import__("report.compare").compare, "analyze": __import__("report.analyze").analyze,
           "report": rep}[module]
    if opt == "--threshold" and module != "compare":
        pytest.skip("compare only")
    f = write(tmp_path / "r.json", doc(ONES, ONES))
    files = {"compare": [f, f], "analyze": [f], "report": [f, "--out", str(tmp_path / "o")]}[module]
    for v in vals:
        capsys.readouterr()
        assert mod.main(files + [opt, v]) == 2, (opt, v)
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, (opt, v, err)
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- defect 10: history store


@pytest.mark.parametrize("samples", ['[]', '"abc"', '[1e999]', 'not json', '[true]', '{"a": 1}', '[-1]',
                                     '[1, "x"]', '[[1]]', 'null', '[1e400]'])
@pytest.mark.parametrize("side", ["new", "base"])
def test_history_garbage_sample_rows(hist, capsys, samples, side):
    """Issue 17 defect 10: garbage sample rows in the store crashed `history check` with a
    traceback. Exit 2 with one line naming the database and the row."""
    db = sqlite3.connect(str(hist))
    run = db.execute("SELECT MAX(id) FROM runs" if side == "new" else "SELECT MIN(id) FROM runs").fetchone()[0]
    db.execute("UPDATE measurements SET samples = ? WHERE run_id = ? AND plugin = 'cpp-base-gcc12'", (samples, run))
    db.commit()
    db.close()
    assert history.main(["check", "--db", str(hist)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(hist) in err and "cpp-base-gcc12" in err, err


@pytest.mark.parametrize("side", ["new", "base"])
def test_history_zero_sample_row(hist, capsys, side):
    """Issue 17 defect 10: a row of zeros ([0,0,0]) is data, not garbage: n/a or a ratio, exit 0."""
    db = sqlite3.connect(str(hist))
    run = db.execute("SELECT MAX(id) FROM runs" if side == "new" else "SELECT MIN(id) FROM runs").fetchone()[0]
    db.execute("UPDATE measurements SET samples = '[0,0,0]' WHERE run_id = ?", (run,))
    db.commit()
    db.close()
    assert history.main(["check", "--db", str(hist)]) == 0
    out = capsys.readouterr().out
    assert ("n/a" in out) if side == "base" else ("better" in out)


def _foreign(path):
    db = sqlite3.connect(str(path))
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('mine')")
    db.commit()
    db.close()


@pytest.mark.parametrize("make", ["foreign", "foreign-with-runs", "text"])
@pytest.mark.parametrize("cmd", ["list", "check", "record"])
def test_history_refuses_database_not_ours(tmp_path, capsys, make, cmd):
    """Issue 17 defect 10: `history list --db other.sqlite` added drvbench's tables to an unrelated
    SQLite file and switched it to WAL. Refused with exit 2; the file's bytes are unchanged and no
    -wal/-shm file is left beside it."""
    p = tmp_path / "other.sqlite"
    if make == "text":
        p.write_bytes(b"just some text\n" * 100)
    else:
        _foreign(p)
        db = sqlite3.connect(str(p))
        if make == "foreign-with-runs":
            db.execute("CREATE TABLE runs (x)")
        db.commit()
        db.close()
    before = p.read_bytes()
    f = write(tmp_path / "r.json", doc(ONES, ONES))
    args = [cmd, "--db", str(p)] + ([f] if cmd == "record" else [])
    assert history.main(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(p) in err, err
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["other.sqlite", "r.json"]


def test_history_empty_file_is_not_history(tmp_path, capsys):
    """Issue 17 defect 10: list/check on an empty file say there is no history and leave it alone."""
    p = tmp_path / "empty.sqlite"
    p.write_bytes(b"")
    for cmd in ("list", "check"):
        assert history.main([cmd, "--db", str(p)]) == 2
    assert p.read_bytes() == b"" and os.listdir(tmp_path) == ["empty.sqlite"]


def test_history_own_database_still_opens(hist, capsys):
    """Issue 17 defect 10: the check that refuses foreign databases accepts ours."""
    assert history.main(["list", "--db", str(hist)]) == 0
    assert history.main(["check", "--db", str(hist)]) == 0


# ---------------------------------------------------------------- defect 11: report writes only on success


def _tree(d):
    out = {}
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, d)] = fh.read()
    return out


def _two_charts_doc():
    rng = np.random.default_rng(1)
    return doc(list(1000 * rng.lognormal(0, 0.01, 15)), list(1100 * rng.lognormal(0, 0.01, 15)))


@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"), RuntimeError("boom")])
def test_report_failure_keeps_old_report(tmp_path, monkeypatch, capsys, exc):
    """Issue 17 defect 11: report emptied charts/ before it had succeeded and left a partial
    directory when a write failed. A failure mid-way (the chart writer raising) leaves the earlier
    report byte for byte and no temporary directory beside it."""
    f = write(tmp_path / "r.json", _two_charts_doc())
    out = tmp_path / "out"
    assert rep.main([f, "--out", str(out)] + FAST) == 0
    (out / "mine.txt").write_text("not the report's")
    old = _tree(out)
    assert any(k.startswith("charts/") for k in old)
    calls = []
    real = charts.render

    def failing(ch, d, info):
        calls.append(ch.name)
        real(ch, d, info)
        raise exc

    monkeypatch.setattr(charts, "render", failing)
    if isinstance(exc, OSError):
        assert rep.main([f, "--out", str(out), "--title", "new"] + FAST) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    else:
        with pytest.raises(RuntimeError):
            rep.main([f, "--out", str(out), "--title", "new"] + FAST)
    assert calls
    assert _tree(out) == old
    assert sorted(os.listdir(tmp_path)) == ["out", "r.json"]


def test_report_failure_leaves_no_new_directory(tmp_path, monkeypatch, capsys):
    """Issue 17 defect 11: a report that fails leaves no directory where there was none."""
    f = write(tmp_path / "r.json", _two_charts_doc())

    def failing(*a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(charts, "render", failing)
    assert rep.main([f, "--out", str(tmp_path / "new" / "out")] + FAST) == 2
    assert sorted(os.listdir(tmp_path)) == ["r.json"] or sorted(os.listdir(tmp_path / "new")) == []


def test_report_replaces_old_report(tmp_path):
    """Issue 17 defect 11: a successful report replaces the old charts (none of them left over) and
    keeps files in the directory that are not the report's."""
    f = write(tmp_path / "r.json", _two_charts_doc())
    out = tmp_path / "out"
    assert rep.main([f, "--out", str(out)] + FAST) == 0
    (out / "charts" / "stale.svg").write_text("<svg/>")
    (out / "mine.txt").write_text("mine")
    assert rep.main([f, "--out", str(out), "--title", "second"] + FAST) == 0
    assert not (out / "charts" / "stale.svg").exists()
    assert (out / "mine.txt").read_text() == "mine"
    assert "second" in (out / "index.html").read_text()
    assert sorted(os.listdir(tmp_path)) == ["out", "r.json"]


def test_report_out_is_a_file(tmp_path, capsys):
    """Issue 17 defect 11: --out naming an existing file: exit 2, the file untouched."""
    f = write(tmp_path / "r.json", _two_charts_doc())
    p = tmp_path / "file"
    p.write_text("keep")
    assert rep.main([f, "--out", str(p)] + FAST) == 2
    assert p.read_text() == "keep"


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_report_on_full_filesystem(tmp_path):
    """Issue 17 defect 11: on a full filesystem (64 KiB tmpfs) report exits 2 with one line and
    leaves the earlier report intact."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = mnt / "out"
        out.mkdir()
        (out / "index.html").write_text("old report")
        (out / "summary.md").write_text("old summary")
        old = _tree(out)
        rc, _, err = cli("report", write(tmp_path / "r.json", _two_charts_doc()), "--out", out, *FAST)
        assert_clean(rc, err, allowed=(2,))
        assert "No space left" in err
        assert _tree(out) == old
        assert os.listdir(mnt) == ["out"]
    finally:
        subprocess.run(["umount", str(mnt)])


# ---------------------------------------------------------------- defect 13: summary.md escapes HTML


def test_summary_md_escapes_html(tmp_path):
    """Issue 17 defect 13: summary.md copied raw HTML from result files (index.html escaped it)."""
    d = _two_charts_doc()
    d["workloads"][0]["name"] = "<script>alert(1)</script>"
    d["context"].update(host="<img src=x onerror=alert(2)>", cpu_model="<b>cpu</b>", kernel="<i>k</i>",
                        git_commit="<a href=x>c</a>", date="<u>d</u>")
    d["plugins"].append({"id": "<iframe>-x-y", "impl": "peer"})
    d["workloads"][0]["results"].append({"plugin": "<iframe>-x-y", "samples": ONES})
    f = write(tmp_path / "r.json", d)
    assert rep.main([f, "--out", str(tmp_path / "o")] + FAST) == 0
    md = (tmp_path / "o" / "summary.md").read_text()
    for tag in ("<script", "<img", "<b>", "<i>", "<a ", "<u>", "<iframe"):
        assert tag not in md, tag
    assert "&lt;script&gt;" in md and "&lt;img src=x" in md


# ---------------------------------------------------------------- hostile result files


def _nest(depth):
    return "[" * depth + "]" * depth


HOSTILE = {
    "huge-values": doc([1e299] * 15, [1e299] * 15),
    "max-finite": doc([1.7e308] * 15, [1e-320] * 15),
    "tiny-values": doc([5e-324] * 15, [1e-310] * 15),
    "negative": doc(ONES, [-1.0] * 15),
    "zero": doc(ZERO, ZERO),
    "one-sample": doc([1.0], [2.0]),
    "int-huge": '{"schema":"drvbench-result","schema_version":1,"complete":true,"context":{},"plugins":[{"id":"c-base-gcc12"}],'
                '"workloads":[{"name":"w","results":[{"plugin":"c-base-gcc12","samples":[' + "9" * 5000 + ']}]}]}',
    "nan-literal": json.dumps(doc(ONES, ONES)).replace("10.0", "NaN", 1),
    "samples-string": doc("abc", ONES),
    "samples-object": doc({"a": 1}, ONES),
    "samples-nested": doc([[1.0]] * 15, ONES),
    "samples-bool": doc([True] * 15, ONES),
    "samples-null": doc([None] * 15, ONES),
    "deep-nesting": _nest(100_000),
    "deep-context": json.dumps(doc(ONES, ONES)).replace('"context": {', '"context": {"x": ' + _nest(900) + ", "),
    "metric-zero": doc(ONES, ONES, metrics=[{"errors": {"samples": [3.0, 4.0, 5.0] * 5}},
                                           {"errors": {"samples": ZERO}}]),
    "metric-hostile-name": doc(ONES, ONES, metrics=[{"<b>x</b>\n": {"samples": ONES}}, {"<b>x</b>\n": {"samples": ONES}}]),
    "wrong-top": "[1, 2, 3]",
    "empty": "",
    "binary": "\x00\x01\x02",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_result_files(tmp_path, run, name):
    """Issue 17 hostile result files (defects 3 and 9 family): huge numbers, NaN, negative, zero,
    wrong types, deep nesting. compare, analyze, report and history record + check: exit 0 or 2
    with one line, never a traceback, never exit 1 (no regression is in these files)."""
    f = write(tmp_path / "h.json", HOSTILE[name])
    good = write(tmp_path / "good.json", doc(ONES, ONES, commit="0" * 40))
    for args in (["compare", good, f], ["compare", f, good], ["compare", f, f], ["analyze", f],
                 ["report", f, "--out", tmp_path / "rep"]):
        rc, out, err = run(args[0], *args[1:], *FAST)
        assert_clean(rc, err)
    db = tmp_path / "h.sqlite"
    rc, _, err = run("history", "record", "--db", db, good)
    assert_clean(rc, err, allowed=(0,))
    rc, _, err = run("history", "record", "--db", db, f)
    assert_clean(rc, err)
    rc, _, err = run("history", "check", "--db", db)
    assert_clean(rc, err)


def test_huge_result_file_refused(tmp_path, monkeypatch):
    """Issue 17 hostile result files: a file above results.MAX_FILE_BYTES is refused before it is read."""
    monkeypatch.setattr(results, "MAX_FILE_BYTES", 1000)
    f = write(tmp_path / "r.json", doc(ONES * 10, ONES))
    with pytest.raises(results.ResultFileError, match="larger than the 1000 accepted"):
        results.load(f)


def test_compare_analysis_api_zero_rows():
    """Issue 17 defect 3: the n/a row of a zero baseline renders in the compare table."""
    r = results.parse(doc(ONES, ONES))
    z = results.parse(doc(ZERO, ZERO))
    rep_ = analysis.compare_runs(z, r, n_resamples=200)
    assert not rep_.regressions
    table = analysis.compare_table(rep_)
    assert "n/a" in table and "baseline median is 0" in table


@pytest.mark.parametrize("module,args", [
    ("compare", ["F", "F", "--metric", "K"]), ("analyze", ["F", "--metric", "K"]), ("analyze", ["F", "--baseline", "K"]),
    ("compare", ["F", "F", "--alpha", "K"]), ("report", ["F", "--out", "O", "--seed", "K"]),
    ("history", ["check", "--db", "D", "--metric", "K"]), ("history", ["check", "--db", "D", "--alpha", "K"]),
    ("compare", ["K", "F"]),
])
def test_error_lines_are_capped(tmp_path, hist, run, module, args):
    """Issue 17 defect 9: error lines echoed a 1 MB key on one line. They are capped (one line,
    at most _cli.MAX_LINE characters)."""
    f = write(tmp_path / "r.json", doc(ONES, ONES))
    key = "k" * 1_000_000
    sub = {"F": f, "O": str(tmp_path / "o"), "D": str(hist), "K": key}
    rc, out, err = run(module, *[sub.get(a, a) for a in args])
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and 20 < len(err) <= 1000, len(err)


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_result_file_not_regular(tmp_path, run, kind):
    """Issue 17 defect 5 (its Python part): a FIFO as a compare input hung forever and /dev/zero was
    read up to the size cap. Non-regular files are refused at once with exit 2 and one line."""
    if kind == "fifo":
        p = tmp_path / "fifo.json"
        os.mkfifo(p)
    elif kind == "device":
        p = "/dev/zero"
    else:
        p = tmp_path
    good = write(tmp_path / "good.json", doc(ONES, ONES))
    for args in (["compare", p, good], ["analyze", p], ["report", p, "--out", tmp_path / "o"],
                 ["history", "record", "--db", tmp_path / "h.sqlite", p]):
        rc, out, err = run(*args)
        assert rc == 2 and len(err.strip().splitlines()) == 1 and str(p) in err, err
        assert "not a regular file" in err or "directory" in err
