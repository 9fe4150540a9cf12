"""The report: model (roles, comparisons, merging, history), every chart's data, the CLI and
its files (HTML, Markdown, CSV, SVG/PNG)."""

import csv
import json
import math
import os
import re

import numpy as np
import pytest

from report import charts, stats
from report import report as rep
from report.model import Settings, build_model, classify
from report.results import load

from . import synth_report as S
from .synth import entry, write

FAST = Settings(n_resamples=1000)


def _load_doc(tmp_path, name, doc):
    return load(write(tmp_path / name, doc))


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """Two compilers with counters, a nullblk matrix (one cell missing), three older runs."""
    d = tmp_path_factory.mktemp("full")
    rng = np.random.default_rng(1)
    wl = S.qr_workloads(rng, tags=("gcc12", "clang19"), counters=True)
    mx, params = S.nullblk_matrix(rng, missing={("64k", 4, 32)})
    wl.update(mx)
    files = [write(d / "full.json", S.doc(wl, params, date="2025-02-01T00:00:00Z"))]
    for i in range(2):
        qr = S.qr_workloads(np.random.default_rng(10 + i), effects={
            "c-base": 1.0 + 0.05 * i, "c-hardened": 1.03, "cpp-base": 1.0 + 0.10 * i, "cpp-hardened": 1.05})
        files.append(write(d / f"hist{i}.json", S.doc(qr, date=f"2025-01-0{i + 1}T00:00:00Z", commit=str(i) * 40)))
    results = [load(f) for f in files]  # newest first on the command line: order comes from the dates
    return files, build_model(results, FAST)


# ---------------------------------------------------------------- model


def test_classify_from_metadata_and_id():
    assert classify("c-base-gcc12", {"impl": "c", "variant": "base", "compiler": "gcc", "compiler_version": "12.2.0"}) == ("c-base", "gcc12")
    assert classify("cpp-hardened-clang19", {}) == ("cpp-hardened", "clang19")
    assert classify("kernel-nullb0", {}) == (None, None)
    assert classify("qrcodegen-c", {"impl": "qrcodegen", "variant": "base"})[0] is None


def test_rows_roles_and_comparisons_match_stats(full):
    _, m = full
    assert m.compilers == ["clang19", "gcc12"] or m.compilers == ["gcc12", "clang19"]
    r = m.row("qrpanic/text-v40", "gcc12")
    assert set(r.summaries) == {"c-base", "c-hardened", "cpp-base", "cpp-hardened"}
    assert set(r.cmp) == {"lang", "lang_h", "checks_c", "checks_cpp", "total"}
    w = m.workloads["qrpanic/text-v40"]
    a = w.entries["cpp-base-gcc12"].metrics["time"].samples
    b = w.entries["c-base-gcc12"].metrics["time"].samples
    ref = stats.compare(a, b, paired=True, **FAST.kw())  # one run: rounds pair the samples
    assert r.cmp["lang"].ratio == pytest.approx(ref.ratio)
    assert r.cmp["lang"].ratio_ci == pytest.approx(ref.ratio_ci)
    assert r.cmp["lang"].verdict == ref.verdict
    # synthetic effects: checks cost ~4 % in C and ~6 % in C++ (15 samples, 1 % noise: significant)
    assert r.cmp["checks_c"].verdict == stats.SLOWER and 1.02 < r.cmp["checks_c"].ratio < 1.06
    assert r.cmp["total"].verdict == stats.SLOWER and 1.04 < r.cmp["total"].ratio < 1.08


def test_newest_run_wins_and_history(full):
    _, m = full
    assert [run.path.rsplit("/", 1)[1] for run in m.runs] == ["hist0.json", "hist1.json", "full.json"]
    assert m.current.path.endswith("full.json")
    w = m.workloads["qrpanic/text-v1"]
    assert {w.source[p] for p in w.entries} == {2}
    assert not any(r.cross_run for r in m.rows)
    hist = [h for h in m.history if h.workload == "qrpanic/text-v1" and h.compiler == "gcc12"]
    assert [h.run for h in hist] == [0, 1, 2]
    # hist1 has C++ base 10 % slower than C base (C base itself 5 % slower than in hist0)
    assert 1.03 < hist[1].lang.ratio / hist[0].lang.ratio < 1.07  # hist1: C++ base 1.10, C base 1.05


def test_cross_run_marked_and_other_subjects(tmp_path):
    rng = np.random.default_rng(3)
    s = lambda: S.noisy(rng, n=9, sigma=0.01, outlier_p=0)  # noqa: E731
    old = _load_doc(tmp_path, "a.json", S.doc({"qrpanic/x": {"c-base-gcc12": entry("c-base-gcc12", s()),
                                                               "cpp-base-gcc12": entry("cpp-base-gcc12", s(), "c-base-gcc12")}},
                                              date="2025-01-01T00:00:00Z"))
    kern = {"id": "kernel-nullb0", "file": None, "impl": None, "variant": None, "compiler": None,
            "compiler_version": None, "flags": None}
    doc = S.doc({"qrpanic/x": {"cpp-base-gcc12": entry("cpp-base-gcc12", s())}}, date="2025-01-02T00:00:00Z",
                extra_plugins=[kern])
    doc["workloads"][0]["results"].append(entry("kernel-nullb0", s()))
    new = _load_doc(tmp_path, "b.json", doc)
    m = build_model([new, old], FAST)
    r = m.row("qrpanic/x")
    assert "lang" in r.cmp and r.cross_run == {"lang"}
    assert any("different files" in w for w in m.warnings)
    assert [(o.plugin, o.baseline) for o in m.others] == [("kernel-nullb0", "c-base-gcc12")]
    assert m.others[0].comparison is not None


def test_headline_counts(full):
    _, m = full
    hs = {(h["component"], h["compiler"]): h for h in rep.headline(m)}
    qr = {p["key"]: p for p in hs[("qrpanic", "gcc12")]["parts"]}
    assert qr["checks_c"]["n"] == 3 and qr["checks_c"]["slower"] == 3
    assert 1.02 < qr["checks_c"]["geomean"] < 1.06
    assert ("nullblk", "gcc12") in hs and ("nullblk", "clang19") not in hs


# ---------------------------------------------------------------- chart data


def test_forest_data(full):
    _, m = full
    ch = charts.forest_data(m)
    rows = {(d[0], d[1], d[2]): d for d in ch.rows}
    r = m.row("qrpanic/url-v10", "clang19")
    d = rows[("qrpanic/url-v10", "clang19", "base")]
    assert d[3] == pytest.approx((r.cmp["lang"].ratio - 1) * 100, abs=1e-3)
    assert d[4] == pytest.approx((r.cmp["lang"].ratio_ci[0] - 1) * 100, abs=1e-3)
    assert d[5] == pytest.approx((r.cmp["lang"].ratio_ci[1] - 1) * 100, abs=1e-3)
    assert d[4] <= d[3] <= d[5]
    assert ("qrpanic/url-v10", "gcc12", "hardened") in rows
    assert set(ch.plot["series"]) == {"gcc12 base", "gcc12 hardened", "clang19 base", "clang19 hardened"}
    assert len(ch.plot["workloads"]) == 3 + 17
    assert "n = 9–15 samples" in ch.subtitle


def test_forest_leaves_big_matrix_to_heat_map(tmp_path):
    rng = np.random.default_rng(5)
    mx, params = S.nullblk_matrix(rng, bss=("4k", "16k", "64k", "1m"), numjobs=(1, 2, 4, 8), iodepth=(1, 4, 16, 64), n=3)
    mx.update(S.qr_workloads(rng, n=3))
    m = build_model([_load_doc(tmp_path, "m.json", S.doc(mx, params))], Settings(n_resamples=200))
    ch = charts.forest_data(m)
    assert ch.plot["workloads"] == ["nullblk/matrix/randread-bs4k-j1-qd1"][:0] + ["qrpanic/text-v1", "qrpanic/text-v40", "qrpanic/url-v10"]
    assert "64 workloads of the parameter matrix" in ch.caption


def test_decomposition_data(full):
    _, m = full
    chs = {c.plot["component"]: c for c in charts.decomposition_data(m)}
    assert set(chs) == {"qrpanic", "nullblk"}
    qr = chs["qrpanic"]
    d = next(d for d in qr.rows if d[0] == "qrpanic/text-v1" and d[1] == "gcc12" and d[2] == "cpp-hardened")
    assert d[3] == pytest.approx(m.row("qrpanic/text-v1", "gcc12").cmp["total"].ratio, rel=1e-4)
    s = next(s for s in qr.plot["summary"] if s[0] == "gcc12" and s[1] == "c-hardened")
    vals = [m.row(w, "gcc12").cmp["checks_c"].ratio for w in ("qrpanic/text-v1", "qrpanic/text-v40", "qrpanic/url-v10")]
    assert s[2] == pytest.approx(math.exp(np.mean(np.log(vals))), rel=1e-4)
    assert s[3] == pytest.approx(min(vals), rel=1e-4) and s[4] == pytest.approx(max(vals), rel=1e-4)
    step = next(st for st in qr.plot["steps"] if st["compiler"] == "gcc12")
    assert step["checks_c"] == pytest.approx(s[2], rel=1e-4)


def test_heatmap_data_grid(full):
    _, m = full
    (ch,) = charts.heatmap_data(m)
    assert ch.plot["bs"] == ["4k", "64k"]
    assert ch.plot["numjobs"] == ["1", "2", "4"] and ch.plot["iodepth"] == ["1", "8", "32"]
    assert "rw=randread" in ch.title and "runtime" not in ch.title
    grid, sig = charts.heatmap_grid(ch, "lang", "64k")
    assert grid[2][2] is None  # (64k, 4 jobs, qd 32) was not measured
    r = m.row("nullblk/matrix/randread-bs64k-j4-qd8")
    assert grid[2][1] == pytest.approx((r.cmp["lang"].ratio - 1) * 100, abs=1e-3)
    assert sig[2][1] == r.cmp["lang"].significant
    # synthetic: C++ is 1 % per job slower: numjobs rows increase
    g4, _ = charts.heatmap_grid(ch, "lang", "4k")
    assert np.mean(g4[0]) < np.mean(g4[1]) < np.mean(g4[2])


def test_heatmap_split_by_rw_and_sizes_sorted(tmp_path):
    rng = np.random.default_rng(6)
    mx, params = S.nullblk_matrix(rng, bss=("1m", "4k", "64k"), numjobs=(2, 1), iodepth=(16, 2), rws=("read", "randwrite"), n=3)
    m = build_model([_load_doc(tmp_path, "m.json", S.doc(mx, params))], Settings(n_resamples=200))
    chs = charts.heatmap_data(m)
    assert sorted(c.title.split(",")[1].split("(")[0].strip() for c in chs) == ["rw=randwrite", "rw=read"]
    assert chs[0].plot["bs"] == ["4k", "64k", "1m"]
    assert chs[0].plot["numjobs"] == ["1", "2"] and chs[0].plot["iodepth"] == ["2", "16"]


def test_latency_data(full):
    _, m = full
    ch = charts.latency_data(m)
    assert charts._lat_key("lat_p999_ns") == (99.9, "p99.9")
    assert charts._lat_key("lat_p50_ns") == (50.0, "p50")
    assert charts._lat_key("lat_max_ns") == (100.0, "max")
    assert charts._lat_key("iops") is None
    w = "nullblk/matrix/randread-bs4k-j2-qd8"
    d = next(d for d in ch.rows if d[0] == w and d[1] == "cpp-base-gcc12" and d[2] == "p99")
    samples = m.workloads[w].entries["cpp-base-gcc12"].metrics["lat_p99_ns"].samples
    assert d[6] == pytest.approx(np.median(samples), rel=1e-6)
    assert d[7] <= d[6] <= d[8]
    assert len(ch.plot["workloads"]) == charts.MAX_LATENCY_PANELS
    assert ch.plot["workloads"][0].endswith("bs4k-j1-qd1") and "bs64k" in ch.plot["workloads"][-1]
    assert not any(d[0].startswith("qrpanic") for d in ch.rows)


def test_counters_data(full):
    _, m = full
    ch = charts.counters_data(m)
    d = next(d for d in ch.rows if d[0] == "qrpanic/text-v40" and d[1] == "c-hardened-gcc12")
    e = m.workloads["qrpanic/text-v40"].entries["c-hardened-gcc12"]
    assert d[4] == pytest.approx(np.median(e.metrics["instructions"].samples) / np.median(e.metrics["cycles"].samples), rel=1e-3)
    assert d[9] is True  # exact instruction counts
    pts = charts.counter_points(ch, m.plugins)
    rel = {(l, r): v for l, r, v in pts["instructions"]}
    assert rel[("qrpanic/text-v40 (gcc12)", "c-base")] == 1.0
    assert rel[("qrpanic/text-v40 (gcc12)", "cpp-hardened")] == pytest.approx(1.06, rel=1e-3)
    assert ch.plot["panels"] == ["instructions", "ipc", "branch_misses"]


def test_no_counters_no_latency_no_compilers_for_plain_run(tmp_path):
    rng = np.random.default_rng(7)
    m = build_model([_load_doc(tmp_path, "q.json", S.doc(S.qr_workloads(rng, n=5)))], Settings(n_resamples=200))
    assert charts.counters_data(m) is None
    assert charts.latency_data(m) is None
    assert charts.compilers_data(m) is None
    assert charts.history_data(m) is None
    assert charts.heatmap_data(m) == []
    assert [c.kind for c in charts.all_charts(m)] == ["forest", "decomposition", "distributions"]


def test_compilers_and_history_data(full):
    _, m = full
    ch = charts.compilers_data(m)
    assert set(ch.plot["workloads"]) == {"qrpanic/text-v1", "qrpanic/text-v40", "qrpanic/url-v10"}
    d = next(d for d in ch.rows if d[0] == "qrpanic/text-v1" and d[1] == "clang19" and d[2] == "checks_cpp")
    assert d[3] == pytest.approx((m.row("qrpanic/text-v1", "clang19").cmp["checks_cpp"].ratio - 1) * 100, abs=1e-3)
    h = charts.history_data(m)
    assert h.plot["runs"] == [0, 1, 2]
    first = [d for d in h.rows if d[2] == "qrpanic/text-v1" and d[3] == "gcc12"]
    assert first[0][9] == 0.0
    assert 3 < first[1][9] < 7  # C base 5 % slower in the second run
    assert h.plot["labels"][0].startswith("2025-01-01")


# ---------------------------------------------------------------- files and CLI


@pytest.fixture(scope="module")
def written(full, tmp_path_factory):
    files, _ = full
    out = tmp_path_factory.mktemp("out")
    code = rep.main(files + ["--out", str(out), "--resamples", "500"])
    assert code == 0
    return out


def test_report_files(written):
    out = written
    for f in ("index.html", "summary.md", "results.csv", "comparisons.csv"):
        assert (out / f).is_file(), f
    names = sorted(p.stem for p in (out / "charts").glob("*.png"))
    assert names == sorted(p.stem for p in (out / "charts").glob("*.svg")) == sorted(p.stem for p in (out / "charts").glob("*.csv"))
    assert {"forest", "decomposition-qrpanic", "decomposition-nullblk", "heatmap-rw-randread-gcc12", "latency",
            "counters", "compilers", "history", "distributions"} == set(names)
    for n in names:
        assert (out / "charts" / f"{n}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (out / "charts" / f"{n}.svg").read_bytes()[:2000]


def test_index_html_self_contained(written):
    page = (written / "index.html").read_text()
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)=["']https?:""", page)
    imgs = re.findall(r"<img [^>]*src=\"([^\"]*)\"", page)
    assert len(imgs) == 9 and all(s.startswith("data:image/png;base64,") for s in imgs)
    # order: verdict table, then charts, then context
    assert page.index('id="verdicts"') < page.index('id="charts"') < page.index('id="context"')
    for want in ("C base", "C hardened", "C++ base", "C++ hardened", "C++ ÷ C (base)", "-fsanitize=bounds",
                 "git commit", "kernel", "Numbers behind this chart"):
        assert want in page, want


def test_summary_md_and_csv(written, full):
    _, m = full
    md = (written / "summary.md").read_text()
    assert md.startswith("# drvbench report")
    table = [l for l in md.splitlines() if l.startswith("| `")]
    assert len(table) == len(m.rows)
    with open(written / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == rep.RESULT_COLUMNS
    r = next(r for r in rows if r["workload"] == "qrpanic/text-v1" and r["plugin"] == "cpp-hardened-gcc12" and r["metric"] == "time")
    assert r["baseline"] == "c-base-gcc12" and r["role"] == "cpp-hardened" and r["compiler"] == "gcc12"
    assert float(r["ratio_to_baseline"]) == pytest.approx(m.row("qrpanic/text-v1", "gcc12").cmp["total"].ratio, rel=1e-6)
    lat = [r for r in rows if r["metric"] == "lat_p99_ns"]
    assert lat and all(r["ratio_to_baseline"] == "" for r in lat)
    with open(written / "comparisons.csv", newline="") as f:
        cmp_rows = list(csv.DictReader(f))
    assert len(cmp_rows) == sum(len(r.cmp) for r in m.rows)


def test_cli_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert rep.main([str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.json" in err
    assert rep.main(["--out", str(tmp_path / "o")]) == 2
    assert rep.main([str(bad)]) == 2
    assert not (tmp_path / "o").exists()


def test_cli_prints_index_path(tmp_path, capsys):
    rng = np.random.default_rng(8)
    f = write(tmp_path / "q.json", S.doc(S.qr_workloads(rng, n=5, names=["qrpanic/a"])))
    assert rep.main([f, "--out", str(tmp_path / "r"), "--resamples", "200"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(tmp_path / "r" / "index.html") and os.path.isfile(out)


def test_chart_titles_units_and_samples(full, tmp_path):
    """Every chart says what it shows: a title, a subtitle with n, labelled axes."""
    _, m = full
    for ch in charts.all_charts(m):
        assert ch.title and "n = " in ch.subtitle and ch.caption
        fig = charts.figure(ch, m.plugins)
        try:
            texts = [t.get_text() for t in fig.texts]
            assert ch.title in texts
            for ax in fig.axes:
                if not ax.get_visible() or ax.get_label() == "<colorbar>":
                    continue
                if ax.get_xlabel() == "" and ax.get_ylabel() == "" and not ax.get_yticklabels():
                    continue
                assert ax.get_xlabel() or ax.get_ylabel(), (ch.name, ax)
        finally:
            import matplotlib.pyplot as plt
            plt.close(fig)


def test_greyscale_distinct_role_styles():
    """Role styles differ in hatch and marker, not only in colour, and their grey levels differ."""
    st = charts.ROLE_STYLE
    assert len({s["hatch"] for s in st.values()}) == 4 and len({s["marker"] for s in st.values()}) == 4

    def grey(hexc):
        r, g, b = (int(hexc[i:i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b
    # dark base / light hardened within each language; the languages differ in hue and hatch
    assert grey(st["c-hardened"]["color"]) - grey(st["c-base"]["color"]) > 40
    assert grey(st["cpp-hardened"]["color"]) - grey(st["cpp-base"]["color"]) > 40
    assert abs(grey(st["cpp-base"]["color"]) - grey(st["c-base"]["color"])) > 20
    assert all(c in charts.OKABE_ITO.values() for c in charts.SERIES_COLOURS)


# ---------------------------------------------------------------- issue 12: one statistic, named; honest headline

def test_labels_name_the_statistic_computed(tmp_path):
    """Paired figures are labelled paired (not "ratio of medians ... Mann–Whitney U"), the forest
    caption says what it plots, and every cell's figure is the labelled statistic recomputed."""
    rng = np.random.default_rng(41)
    f = write(tmp_path / "q.json", S.doc(S.qr_workloads(rng, n=15)))
    out = tmp_path / "r"
    assert rep.main([f, "--out", str(out), "--resamples", "500"]) == 0
    page = (out / "index.html").read_text()
    md = (out / "summary.md").read_text()
    for text in (page, md):
        assert stats.PAIRED_LABEL in text
        assert "Mann–Whitney p" not in text and "ratio of medians with" not in text
    m = build_model([load(f)], Settings(n_resamples=500))
    forest = charts.forest_data(m)
    assert "difference of the" not in forest.caption and stats.PAIRED_LABEL in forest.caption
    r = m.row("qrpanic/text-v40", "gcc12")
    w = m.workloads["qrpanic/text-v40"]
    c = stats.compare(w.entries["cpp-base-gcc12"].metrics["time"].samples,
                      w.entries["c-base-gcc12"].metrics["time"].samples, paired=True, n_resamples=500)
    assert r.cmp["lang"].ratio == c.ratio and r.cmp["lang"].statistic == stats.PAIRED_LABEL
    assert f"{rep.fmt_pct(c.ratio)} {rep.fmt_ci_pct(c)}" in md


def test_two_files_cross_run_cell_is_the_ratio_of_the_shown_medians(tmp_path):
    """C base from one file, C++ base from another: the cell is the unpaired ratio of medians
    (the medians shown beside it), marked † and labelled, never a paired figure."""
    rng = np.random.default_rng(42)
    old = S.qr_workloads(rng, n=9, names=["qrpanic/url-v30"], effects={
        "c-base": 1.0, "c-hardened": 1.0, "cpp-base": 0.93, "cpp-hardened": 1.0})
    new = {"qrpanic/url-v30": {p: e for p, e in S.qr_workloads(rng, n=9, names=["qrpanic/url-v30"])[
        "qrpanic/url-v30"].items() if p.startswith("c-")}}
    fa = write(tmp_path / "a.json", S.doc(old, date="2025-01-01T00:00:00Z"))
    fb = write(tmp_path / "b.json", S.doc(new, date="2025-02-01T00:00:00Z"))
    m = build_model([load(fa), load(fb)], Settings(n_resamples=500))
    r = m.row("qrpanic/url-v30", "gcc12")
    c = r.cmp["lang"]
    assert "lang" in r.cross_run and c.ci_method != "paired"
    assert c.ratio == pytest.approx(r.summaries["cpp-base"].median / r.summaries["c-base"].median)
    assert c.ratio < 0.95
    md = rep.summary_md(m, [], "t")
    row = next(l for l in md.splitlines() if "url-v30" in l)
    assert f"{rep.fmt_pct(c.ratio)}" in row and "†" in row and "+0.0 %" not in row


def test_too_few_rounds_cell_and_smoke_headline(tmp_path):
    rng = np.random.default_rng(43)
    f = write(tmp_path / "q.json", S.doc(S.qr_workloads(rng, n=5, effects={
        "c-base": 1.0, "c-hardened": 1.4, "cpp-base": 1.0, "cpp-hardened": 1.4})))
    out = tmp_path / "r"
    assert rep.main([f, "--out", str(out), "--resamples", "300"]) == 0
    md = (out / "summary.md").read_text()
    page = (out / "index.html").read_text()
    assert "n = 5: too few rounds for a verdict at α = 0.05" in md
    assert "n = 5: too few rounds for a verdict at α = 0.05" in page
    assert "Smoke run: not for publication" in md and "5 rounds (fewer than 9)" in md
    assert "Smoke run: not for publication" in page
    # enough rounds, quiet: no smoke label; the headline states rounds and cv
    f2 = write(tmp_path / "q2.json", S.doc(S.qr_workloads(rng, n=15)))
    m = build_model([load(f2)], Settings(n_resamples=300))
    assert rep.smoke_reasons(m) == []
    text = rep.headline_text(rep.headline(m)[0])
    assert "15 rounds" in text and "cv " in text and "instructions" not in text
    # noisy: smoke
    f3 = write(tmp_path / "q3.json", S.doc(S.qr_workloads(rng, n=15, sigma=0.2)))
    assert any("cv" in x for x in rep.smoke_reasons(build_model([load(f3)], Settings(n_resamples=300))))


def test_headline_shows_instructions(full):
    _, m = full
    text = rep.headline_text(rep.headline(m)[0])
    assert "instructions" in text and "(exact" in text and "time " in text


def test_higher_is_better_in_the_report(tmp_path):
    """A metric whose higher values are better is compared with that direction in the model."""
    rng = np.random.default_rng(44)
    f = write(tmp_path / "q.json", S.doc(S.qr_workloads(rng, n=15, effects={
        "c-base": 1.0, "c-hardened": 1.0, "cpp-base": 0.8, "cpp-hardened": 1.0})))
    m = build_model([load(f)], Settings(n_resamples=300))
    assert m.row("qrpanic/text-v40", "gcc12").cmp["lang"].verdict == stats.BETTER  # less time: better


def test_distributions_chart(full, tmp_path):
    _, m = full
    ch = charts.distributions_data(m)
    assert ch.kind == "distributions" and "C vs C++" in ch.title and "split violins" in ch.caption
    n_samples = sum(int(e.metrics["time"].samples.size) for w in m.workloads.values() for e in w.entries.values())
    assert len(ch.rows) == n_samples  # every raw sample, not a summary
    fig = charts.figure(ch, m.plugins)
    try:
        labels = [ax.get_ylabel() for ax in fig.axes if ax.get_visible()]
        assert "time, µs/op" in labels, labels  # 1000-16000 ns samples: µs
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)
    # a third implementation (Rust) gets its own violin
    rng = np.random.default_rng(45)
    wl = S.qr_workloads(rng, n=9, names=["qrpanic/a"])
    wl["qrpanic/a"]["rust-base-gcc12"] = entry("rust-base-gcc12", S.noisy(rng, 9, 0.01, 1000.0, 0))
    d = S.doc(wl)
    m3 = build_model([_load_doc(tmp_path, "r.json", d)], Settings(n_resamples=200))
    ch3 = charts.distributions_data(m3)
    assert ch3.plot["impls"] == ["c", "cpp", "rust"] and "Rust" in ch3.title


def test_latency_in_the_unit_of_the_data(full):
    _, m = full
    ch = charts.latency_data(m)
    assert "Log scale" not in ch.caption
    fig = charts.figure(ch, m.plugins)
    try:
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert all(ax.get_yscale() == "linear" for ax in axes)
        assert all("(log)" not in ax.get_ylabel() for ax in axes)
        assert any("µs" in ax.get_ylabel() for ax in axes)  # 500 ns × qd × k: microseconds
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)
