"""Charts of a report Model: each chart is first data (a Chart: title, caption, the table of
numbers behind it, and what is needed to draw it), then a matplotlib figure (Agg) saved as SVG
and PNG.

    for chart in all_charts(model):
        paths = render(chart, out_dir)      # {"svg": ..., "png": ..., "csv": ...}

Readability rules kept by every chart: a title that says what is shown, units on the axes,
the baseline marked (a line at C base / 0 %), the number of samples in the subtitle, and the
Okabe-Ito palette with hatching or distinct markers so that greyscale prints and colour-blind
readers can tell every series apart.
"""

from __future__ import annotations

import csv
import math
import os
import re
import textwrap
import warnings
from dataclasses import dataclass, field

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402

from . import stats  # noqa: E402
from .model import CMP_BY_KEY, ROLE_LABEL, ROLES, classify, geomean, pct, sample_note  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "skyblue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "*"]
LINESTYLES = ["-", "--", ":", "-."]

# Roles: dark/light pairs per language plus a distinct hatch, so greyscale separates all four.
ROLE_STYLE = {
    "c-base": dict(color="#0072B2", hatch="", marker="o", ls="-"),
    "c-hardened": dict(color="#56B4E9", hatch="///", marker="s", ls="--"),
    "cpp-base": dict(color="#D55E00", hatch="...", marker="^", ls="-."),
    "cpp-hardened": dict(color="#E69F00", hatch="xxx", marker="D", ls=":"),
}
OTHER_STYLE = dict(color="#000000", hatch="\\\\\\", marker="v", ls="-")

BASELINE_COLOUR = "#444444"
MAX_FOREST_ROWS = 60  # beyond this, workloads already in a heat map are left out of the forest plot
MAX_BAR_WORKLOADS = 24
MAX_LATENCY_PANELS = 6
HEATMAP_KEYS = ("numjobs", "iodepth", "bs")

_RC = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "figure.titlesize": 11,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.35,
    "grid.linewidth": 0.5, "hatch.linewidth": 0.6, "svg.hashsalt": "drvbench", "svg.fonttype": "path",
    "figure.dpi": 100, "savefig.dpi": 150,
}


@dataclass
class Chart:
    name: str  # file stem, unique within a report
    kind: str  # forest, decomposition, heatmap, latency, counters, compilers, history
    title: str
    subtitle: str  # samples and method
    caption: str  # how to read it
    columns: list
    rows: list  # the numbers behind the chart (also written as NAME.csv)
    plot: dict = field(default_factory=dict)


# ---------------------------------------------------------------- helpers


def _slug(s):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", s).strip("-").lower() or "chart"


def _r(x, nd=4):
    if x is None:
        return None
    try:
        if not math.isfinite(x):
            return None
    except TypeError:
        return x
    return round(float(x), nd)


def _ci_pct(c):
    lo, hi = c.ratio_ci
    return (pct(lo) if math.isfinite(lo) else float("nan"), pct(hi) if math.isfinite(hi) else float("nan"))


def _no_ratio(c):
    """No comparison, or one without a ratio (zero baseline median, ratio out of range): not drawn."""
    return c is None or not math.isfinite(c.ratio)


def _verdict_mark(c):
    if c is None:
        return ""
    return {stats.WORSE: "worse", stats.BETTER: "better", stats.TOO_FEW: "too few rounds",
            stats.NA: "n/a"}.get(c.verdict, "n.s.")


def stat_words(cs):
    """The statistic behind a set of comparisons, as captions name it: within one run the paired
    one, across result files the unpaired one; both named when a chart mixes them."""
    cs = [c for c in cs if c is not None]
    kinds = {("paired" if c.ci_method == "paired" else "exact" if c.exact else "unpaired") for c in cs}
    words = {"paired": stats.PAIRED_LABEL + " (both sides from one run)",
             "unpaired": stats.statistic_label(next((c for c in cs if c.ci_method not in ("paired", "exact")), None))
             + " (sides from different result files)" if "unpaired" in kinds else "",
             "exact": stats.EXACT_LABEL}
    return "; ".join(words[k] for k in ("paired", "unpaired", "exact") if k in kinds) or stats.PAIRED_LABEL


def _series_style(i):
    return dict(color=SERIES_COLOURS[i % len(SERIES_COLOURS)], marker=MARKERS[i % len(MARKERS)],
                ls=LINESTYLES[(i // len(SERIES_COLOURS)) % len(LINESTYLES)])


def _unit_scale(unit, values):
    """(divisor, display unit) for ns-based units, chosen from the largest value."""
    vmax = max([v for v in values if v is not None and math.isfinite(v)] or [0])
    if unit.startswith("ns"):
        rest = unit[2:]
        for div, u in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
            if vmax >= div * 1.0:
                return div, u + rest
    return 1.0, unit


def _size_bytes(v):
    if isinstance(v, (int, float)):
        return float(v)
    m = re.fullmatch(r"\s*([0-9.]+)\s*([kKmMgG]?)[iI]?[bB]?\s*", str(v))
    if not m:
        return float("inf")
    return float(m.group(1)) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[m.group(2).lower()]


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("inf")


def _param_str(v):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _heatmap_workloads(model):
    return {w.name for w in model.workloads.values() if all(k in w.params for k in HEATMAP_KEYS)}


# ---------------------------------------------------------------- forest plot


def forest_data(model):
    """(C++ − C)/C of the median, with the CI, per workload, for base and hardened, per compiler."""
    skip = set()
    rows_in = [r for r in model.rows if "lang" in r.cmp or "lang_h" in r.cmp]
    if not rows_in:
        return None
    hm = _heatmap_workloads(model)
    workloads = list(dict.fromkeys(r.workload for r in rows_in))
    if len(workloads) > MAX_FOREST_ROWS and hm:
        skip = hm
        workloads = [w for w in workloads if w not in hm]
        if not workloads:
            return None
    series, data, ns, cs = [], [], [], []
    for r in rows_in:
        if r.workload in skip:
            continue
        for key, variant in (("lang", "base"), ("lang_h", "hardened")):
            c = r.cmp.get(key)
            if _no_ratio(c):
                continue
            s = f"{r.compiler} {variant}"
            if s not in series:
                series.append(s)
            lo, hi = _ci_pct(c)
            data.append([r.workload, r.compiler, variant, _r(pct(c.ratio), 3), _r(lo, 3), _r(hi, 3),
                         c.n_a, c.n_b, _r(c.p_value, 6), c.verdict, c.exact])
            ns += [c.n_a, c.n_b]
            cs.append(c)
    conf = model.settings.confidence * 100
    caption = (f"Each point is the C++/C time ratio minus 1, in %: the {stat_words(cs)}, with its {conf:g} % "
               f"interval. Left of 0 %: C++ is faster; right: slower. The shaded band is ±{model.settings.min_effect * 100:g} %, "
               f"the smallest difference the verdicts call a difference. Base compares C base with C++ base; "
               f"hardened compares the hardened builds.")
    if skip:
        caption += f" {len(skip)} workloads of the parameter matrix are in the heat maps instead."
    return Chart(name="forest", kind="forest",
                 title="C++ vs C per workload: C++/C time ratio − 1",
                 subtitle=f"{conf:g} % bootstrap interval; {sample_note(ns)}",
                 caption=caption,
                 columns=["workload", "compiler", "variant", "diff_pct", "ci_low_pct", "ci_high_pct",
                          "n_cpp", "n_c", "p_value", "verdict", "exact"],
                 rows=data, plot={"workloads": workloads, "series": series, "min_effect_pct": model.settings.min_effect * 100})


def _draw_forest(ch):
    wl = ch.plot["workloads"]
    series = ch.plot["series"]
    h = max(2.6, 0.32 * len(wl) * max(1, min(len(series), 3) * 0.6) + 1.4)
    fig, ax = plt.subplots(figsize=(9.6, h))
    band = ch.plot["min_effect_pct"]
    if band > 0:
        ax.axvspan(-band, band, color="#000000", alpha=0.07, lw=0, label=f"±{band:g} % (min effect)")
    ax.axvline(0, color=BASELINE_COLOUR, lw=1.2, zorder=1)
    k = len(series)
    step = 0.7 / max(k, 1)
    ypos = {w: len(wl) - 1 - i for i, w in enumerate(wl)}
    for si, s in enumerate(series):
        comp, variant = s.rsplit(" ", 1)
        st = _series_style(si)
        pts = [r for r in ch.rows if r[1] == comp and r[2] == variant]
        y = [ypos[r[0]] + (k - 1) / 2 * step - si * step for r in pts]
        x = [r[3] for r in pts]
        lo = [max(r[3] - r[4], 0) if r[4] is not None else 0 for r in pts]  # >= 0: rounding, huge ratios
        hi = [max(r[5] - r[3], 0) if r[5] is not None else 0 for r in pts]
        face = st["color"] if variant == "base" else "white"
        ax.errorbar(x, y, xerr=[lo, hi], fmt=st["marker"], color=st["color"], mfc=face, mec=st["color"],
                    ms=6, capsize=3, lw=1.3, label=f"{comp}, {variant}: C++ {variant} vs C {variant}", zorder=3)
    ax.set_yticks(range(len(wl)))
    ax.set_yticklabels(list(reversed(wl)))
    ax.set_ylim(-0.7, len(wl) - 0.3)
    ax.set_xlabel("C++/C time ratio − 1, %   (← C++ faster | C++ slower →)")
    ax.text(0, 1.0, " C baseline (0 %)", transform=ax.get_xaxis_transform(), ha="left", va="bottom",
            fontsize=8, color=BASELINE_COLOUR)
    ax.grid(axis="y", alpha=0)
    handles, labels = ax.get_legend_handles_labels()
    ncol = 2
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False)
    fig._bottom_in = 0.12 + 0.22 * math.ceil(len(labels) / ncol)
    return fig


# ---------------------------------------------------------------- decomposition


def decomposition_data(model):
    """Per component and compiler: C hardened, C++ base, C++ hardened relative to C base, per
    workload and as the geometric mean over workloads."""
    charts = []
    for comp in model.components():
        rows = [r for r in model.rows if r.component == comp and "c-base" in r.summaries]
        rows = [r for r in rows if any(k in r.cmp for k in ("checks_c", "lang", "total"))]
        if not rows:
            continue
        data, ns = [], []
        compilers = list(dict.fromkeys(r.compiler for r in rows))
        for r in rows:
            for role, key in (("c-hardened", "checks_c"), ("cpp-base", "lang"), ("cpp-hardened", "total")):
                c = r.cmp.get(key)
                if _no_ratio(c):
                    continue
                lo, hi = c.ratio_ci
                data.append([r.workload, r.compiler, role, _r(c.ratio, 5), _r(lo, 5), _r(hi, 5), c.n_a, c.n_b, c.verdict])
                ns += [c.n_a, c.n_b]
        summary = []
        for tag in compilers:
            for role in ("c-hardened", "cpp-base", "cpp-hardened"):
                vals = [d[3] for d in data if d[1] == tag and d[2] == role]
                if vals and math.isfinite(geomean(vals)):  # not when every ratio is 0
                    summary.append([tag, role, _r(geomean(vals), 5), _r(min(vals), 5), _r(max(vals), 5), len(vals)])
        # the steps: language and checks
        steps = []
        for tag in compilers:
            def gm(key):
                return geomean([r.cmp[key].ratio for r in rows if r.compiler == tag and key in r.cmp])
            steps.append({"compiler": tag, "language": gm("lang"), "checks_c": gm("checks_c"),
                          "checks_cpp": gm("checks_cpp"), "total": gm("total")})
        conf = model.settings.confidence * 100
        workloads = list(dict.fromkeys(r.workload for r in rows))
        charts.append(Chart(
            name=f"decomposition-{_slug(comp)}", kind="decomposition",
            title=f"{comp}: cost decomposition, time relative to C base",
            subtitle=f"{conf:g} % bootstrap interval; {sample_note(ns)}",
            caption=(f"Bars start at C base (= 1, the line) and end at each build's time ratio to it: the "
                     f"{stat_words([r.cmp.get(k) for r in rows for k in ('checks_c', 'lang', 'total')])}. "
                     "C base → C hardened is what the checks cost in C; C base → C++ base is what the language "
                     "costs; C++ base → C++ hardened adds the checks in C++. The top row is the geometric mean "
                     "over the component's workloads (whiskers: smallest to largest workload)."),
            columns=["workload", "compiler", "build", "ratio_to_c_base", "ci_low", "ci_high", "n_build", "n_c_base", "verdict"],
            rows=data,
            plot={"component": comp, "compilers": compilers, "workloads": workloads, "summary": summary, "steps": steps}))
    return charts


def _draw_decomposition(ch):
    comps = ch.plot["compilers"]
    wl = ch.plot["workloads"]
    if len(wl) > MAX_BAR_WORKLOADS:
        wl = []  # geometric mean only
    labels = ["geometric mean"] + wl
    roles = ("c-hardened", "cpp-base", "cpp-hardened")
    h = max(2.4, (0.5 + 0.5 * len(labels)) * 0.9 + 1.2)
    fig, axes = plt.subplots(1, len(comps), figsize=(min(9.6, 4.2 * len(comps) + 1.5) if len(comps) > 1 else 9.6, h),
                             squeeze=False, sharey=True)
    bar_h = 0.8 / len(roles)
    for ax, tag in zip(axes[0], comps):
        n = len(labels)
        for ri, role in enumerate(roles):
            st = ROLE_STYLE[role]
            ys, xs, lo, hi = [], [], [], []
            for li, lab in enumerate(labels):
                y = n - 1 - li + (1 - ri) * bar_h
                if li == 0:
                    s = next((s for s in ch.plot["summary"] if s[0] == tag and s[1] == role), None)
                    if s is None:
                        continue
                    v, a, b = s[2], s[3], s[4]
                else:
                    d = next((d for d in ch.rows if d[0] == lab and d[1] == tag and d[2] == role), None)
                    if d is None:
                        continue
                    v, a, b = d[3], d[4], d[5]
                ys.append(y)
                xs.append(v)
                lo.append(max(v - a, 0) if a is not None else 0)  # >= 0: geomean and rounding of huge ratios
                hi.append(max(b - v, 0) if b is not None else 0)
            if not ys:
                continue
            ax.barh(ys, [x - 1 for x in xs], left=1.0, height=bar_h * 0.92, color=st["color"], hatch=st["hatch"],
                    edgecolor="#222222", lw=0.5, label=ROLE_LABEL[role], zorder=2)
            ax.errorbar(xs, ys, xerr=[lo, hi], fmt="none", ecolor="#222222", elinewidth=0.9, capsize=2, zorder=3)
        ax.axvline(1.0, color=BASELINE_COLOUR, lw=1.3, zorder=4)
        ax.axhline(n - 1.5, color="#888888", lw=0.6, ls=":")
        ax.text(1.0, 1.0, " C base = 1", transform=ax.get_xaxis_transform(), ha="left", va="bottom", fontsize=8)
        ax.set_yticks(range(n))
        ax.set_yticklabels(list(reversed(labels)))
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlabel("time ratio to C base (×)")
        ax.grid(axis="y", alpha=0)
        if len(comps) > 1:
            ax.set_title(tag, fontsize=9)
    handles, labs = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labs, loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig._bottom_in = 0.35
    return fig


# ---------------------------------------------------------------- heat map (rnull-matrix)


def heatmap_data(model):
    """Workloads with numjobs, iodepth and bs params: (C++ − C)/C per cell, one chart per
    combination of the other params (rw, ...) and compiler; panels per bs and comparison."""
    names = _heatmap_workloads(model)
    if not names:
        return []
    groups = {}
    values = {}
    for n in names:
        for k, v in model.workloads[n].params.items():
            values.setdefault(k, set()).add(_param_str(v))
    split = [k for k in sorted(values) if k not in HEATMAP_KEYS and (k == "rw" or len(values[k]) > 1)]
    for r in model.rows:
        if r.workload not in names:
            continue
        params = model.workloads[r.workload].params
        rest = tuple((k, _param_str(params[k])) for k in split if k in params)
        groups.setdefault((rest, r.compiler), []).append(r)
    charts = []
    for (rest, tag), rows in groups.items():
        data, ns = [], []
        for r in rows:
            p = model.workloads[r.workload].params
            for key in ("lang", "lang_h"):
                c = r.cmp.get(key)
                if _no_ratio(c):
                    continue
                lo, hi = _ci_pct(c)
                data.append([r.workload, _param_str(p["bs"]), _param_str(p["numjobs"]), _param_str(p["iodepth"]),
                             key, _r(pct(c.ratio), 3), _r(lo, 3), _r(hi, 3), c.significant, c.verdict, c.n_a, c.n_b])
                ns += [c.n_a, c.n_b]
        if not data:
            continue
        bss = sorted({d[1] for d in data}, key=_size_bytes)
        nj = sorted({d[2] for d in data}, key=_num)
        iod = sorted({d[3] for d in data}, key=_num)
        keys = [k for k in ("lang", "lang_h") if any(d[4] == k for d in data)]
        label = ", ".join(f"{k}={v}" for k, v in rest) or "all"
        conf = model.settings.confidence * 100
        charts.append(Chart(
            name=f"heatmap-{_slug(label)}-{_slug(tag)}", kind="heatmap",
            title=f"Parameter matrix, {label} ({tag}): C++/C time ratio − 1",
            subtitle=f"per numjobs × iodepth, one panel per block size; * = significant (p < {model.settings.alpha:g}, "
                     f"{conf:g} % CI excludes 0, |diff| ≥ {model.settings.min_effect * 100:g} %); {sample_note(ns)}",
            caption=(f"Each cell is one workload of the matrix: the C++/C time ratio minus 1 in % "
                     f"({stat_words([r.cmp.get(k) for r in rows for k in keys])}; 0 % = the C baseline, white). "
                     "Purple: C++ faster; orange: C++ slower; the number in the cell is the value, so the map "
                     "reads in greyscale too. Empty cells were not measured."),
            columns=["workload", "bs", "numjobs", "iodepth", "comparison", "diff_pct", "ci_low_pct", "ci_high_pct",
                     "significant", "verdict", "n_cpp", "n_c"],
            rows=data, plot={"bs": bss, "numjobs": nj, "iodepth": iod, "keys": keys}))
    return charts


def heatmap_grid(ch, key, bs):
    """2-d list [numjobs][iodepth] of diff_pct (None where not measured), and significance."""
    nj, iod = ch.plot["numjobs"], ch.plot["iodepth"]
    grid = [[None] * len(iod) for _ in nj]
    sig = [[False] * len(iod) for _ in nj]
    for d in ch.rows:
        if d[4] == key and d[1] == bs:
            i, j = nj.index(d[2]), iod.index(d[3])
            grid[i][j] = d[5]
            sig[i][j] = bool(d[8])
    return grid, sig


def _draw_heatmap(ch):
    import numpy as np
    bss, keys = ch.plot["bs"], ch.plot["keys"]
    nj, iod = ch.plot["numjobs"], ch.plot["iodepth"]
    vals = [abs(d[5]) for d in ch.rows if d[5] is not None]
    vmax = max(2.0, max(vals) if vals else 2.0)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-vmax, vmax=vmax)
    cmap = plt.get_cmap("PuOr_r").copy()
    cmap.set_bad("#f2f2f2")
    cw = max(2.2, 0.55 * len(iod) + 1.0)
    chh = max(1.8, 0.45 * len(nj) + 1.0)
    fig, axes = plt.subplots(len(keys), len(bss), figsize=(min(11, cw * len(bss) + 1.6), chh * len(keys) + 0.9),
                             squeeze=False)
    im = None
    for ki, key in enumerate(keys):
        for bi, bs in enumerate(bss):
            ax = axes[ki][bi]
            grid, sig = heatmap_grid(ch, key, bs)
            arr = np.array([[np.nan if v is None else v for v in row] for row in grid], dtype=float)
            im = ax.imshow(np.ma.masked_invalid(arr), cmap=cmap, norm=norm, aspect="auto", origin="lower")
            for i in range(len(nj)):
                for j in range(len(iod)):
                    v = grid[i][j]
                    if v is None:
                        ax.text(j, i, "–", ha="center", va="center", fontsize=7, color="#777777")
                        continue
                    dark = abs(v) > 0.6 * vmax
                    ax.text(j, i, f"{v:+.1f}{'*' if sig[i][j] else ''}", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black", fontweight="bold" if sig[i][j] else "normal")
            ax.set_xticks(range(len(iod)))
            ax.set_xticklabels(iod)
            ax.set_yticks(range(len(nj)))
            ax.set_yticklabels(nj)
            ax.grid(False)
            ax.set_xlabel("iodepth")
            if bi == 0:
                ax.set_ylabel(f"{CMP_BY_KEY[key][3]}\nnumjobs")
            ax.set_title(f"bs = {bs}", fontsize=9)
    fig._right = 0.86

    def colorbar(f):
        top = max(a.get_position().y1 for a in axes.ravel())
        bottom = min(a.get_position().y0 for a in axes.ravel())
        cax = f.add_axes([0.89, bottom, 0.02, top - bottom])
        cax.grid(False)
        cb = f.colorbar(im, cax=cax)
        cb.set_label("(C++ − C) / C, %   (0 = C baseline)")
    fig._after_layout = colorbar
    return fig


# ---------------------------------------------------------------- latency percentiles


_LAT_RE = re.compile(r"^lat_(p(\d+)|max|min|mean|avg)_?(ns|us|ms)?$")


def _lat_key(name):
    m = _LAT_RE.match(name)
    if not m:
        return None
    if m.group(2):
        digits = m.group(2)
        # p50 -> 50, p99 -> 99, p999 -> 99.9, p9999 -> 99.99
        q = float(digits) if len(digits) <= 2 else float(digits[:2] + "." + digits[2:])
        label = "p" + (f"{q:g}")
        return q, label
    if m.group(1) == "max":
        return 100.0, "max"
    if m.group(1) == "min":
        return 0.0, "min"
    return None  # mean/avg: not a percentile


def latency_data(model):
    """Per workload with lat_* metrics: the median over samples of each percentile, per plugin."""
    data, ns, workloads, plugins_seen = [], [], [], []
    unit_of = {}
    for w in model.workloads.values():
        have = False
        for pid, e in w.entries.items():
            for mname, m in e.metrics.items():
                k = _lat_key(mname)
                if k is None:
                    continue
                have = True
                data.append([w.name, pid, k[1], k[0], mname, m.unit, _r(float(np.median(m.samples)), 3),
                             _r(float(m.samples.min()), 3), _r(float(m.samples.max()), 3), int(m.samples.size)])
                ns.append(int(m.samples.size))
                unit_of[w.name] = m.unit
                if pid not in plugins_seen:
                    plugins_seen.append(pid)
        if have:
            workloads.append(w.name)
    if not data:
        return None
    if len(workloads) > MAX_LATENCY_PANELS:  # spread the panels over the list (e.g. every block size)
        step = (len(workloads) - 1) / (MAX_LATENCY_PANELS - 1)
        shown = [workloads[round(i * step)] for i in range(MAX_LATENCY_PANELS)]
    else:
        shown = workloads
    caption = ("Completion latency per percentile, per plugin: the median over the run's samples (each sample is "
               "one job), with whiskers from the smallest to the largest sample. Linear axis in the unit of the "
               "data; lower is better.")
    if len(workloads) > len(shown):
        caption += (f" {len(shown)} of {len(workloads)} workloads are drawn, spread over the list; every one is in "
                    f"the table and CSV.")
    return Chart(name="latency", kind="latency", title="Completion latency percentiles per plugin",
                 subtitle=sample_note(ns), caption=caption,
                 columns=["workload", "plugin", "percentile", "q", "metric", "unit", "median", "min", "max", "n"],
                 rows=data, plot={"workloads": shown, "plugins": plugins_seen})


def _plugin_style(model_plugins, pid, idx):
    from .model import classify
    role, _ = classify(pid, model_plugins.get(pid, {}) if model_plugins else {})
    if role:
        return ROLE_STYLE[role]
    return _series_style(idx + 4)


def _draw_latency(ch, plugins_info=None):
    wl = ch.plot["workloads"]
    ncols = min(3, len(wl))
    nrows = math.ceil(len(wl) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(9.6, 2.7 * nrows + 0.8), squeeze=False)
    handles = {}
    for i, w in enumerate(wl):
        ax = axes[i // ncols][i % ncols]
        rows = [r for r in ch.rows if r[0] == w]
        qs = sorted({(r[3], r[2]) for r in rows})
        xpos = {q: k for k, q in enumerate(qs)}
        # the unit of the data: chosen from the typical value (the medians), not the largest maximum
        div, unit = _unit_scale(rows[0][5] if rows else "ns", [float(np.median([r[6] for r in rows]))] if rows else [])
        for pi, pid in enumerate(ch.plot["plugins"]):
            pr = sorted([r for r in rows if r[1] == pid], key=lambda r: r[3])
            if not pr:
                continue
            st = _plugin_style(plugins_info, pid, pi)
            x = [xpos[(r[3], r[2])] + (pi - (len(ch.plot["plugins"]) - 1) / 2) * 0.06 for r in pr]
            y = [r[6] / div for r in pr]
            lo = [(r[6] - r[7]) / div for r in pr]
            hi = [(r[8] - r[6]) / div for r in pr]
            h = ax.errorbar(x, y, yerr=[lo, hi], color=st["color"], marker=st["marker"], ls=st["ls"], ms=5,
                            capsize=2, lw=1.2, label=pid)
            handles.setdefault(pid, h)
        ax.set_xticks(range(len(qs)))
        ax.set_xticklabels([q[1] for q in qs])
        ax.set_ylim(bottom=0)
        ax.set_title(w, fontsize=8.5)
        ax.set_xlabel("percentile")
        ax.set_ylabel(f"latency, {unit}")
    for j in range(len(wl), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    fig.legend(list(handles.values()), list(handles.keys()), loc="lower center", ncol=min(4, len(handles)),
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig._bottom_in = 0.12 + 0.22 * math.ceil(len(handles) / 4)
    return fig


# ---------------------------------------------------------------- counters per operation


_COUNTER_ALIASES = {
    "instructions": ("instructions", "instr", "inst_retired"),
    "cycles": ("cycles", "cpu_cycles"),
    "branches": ("branches", "branch_instructions"),
    "branch_misses": ("branch_misses", "branch-misses", "branch_mispredicts"),
}


def _counter(entry, key):
    for name in _COUNTER_ALIASES[key]:
        m = entry.metrics.get(name)
        if m is not None:
            return m
    return None


def counters_data(model):
    """instructions/op, IPC (instructions/cycles) and branch misses/op per workload and plugin,
    where the result files have them."""
    import numpy as np
    data, ns, workloads, plugins = [], [], [], []
    for w in model.workloads.values():
        any_here = False
        for pid, e in w.entries.items():
            vals = {}
            for key in _COUNTER_ALIASES:
                m = _counter(e, key)
                if m is not None:
                    vals[key] = (float(np.median(m.samples)), m.unit, int(m.samples.size), m.exact)
            if not ({"instructions", "branch_misses"} & vals.keys()):
                continue
            any_here = True
            if pid not in plugins:
                plugins.append(pid)
            ins = vals.get("instructions")
            cyc = vals.get("cycles")
            ipc = ins[0] / cyc[0] if ins and cyc and cyc[0] > 0 else None
            bm = vals.get("branch_misses")
            br = vals.get("branches")
            data.append([w.name, pid, _r(ins[0], 2) if ins else None, _r(cyc[0], 2) if cyc else None, _r(ipc, 4),
                         _r(br[0], 2) if br else None, _r(bm[0], 3) if bm else None,
                         _r(bm[0] / br[0] * 100, 4) if bm and br and br[0] > 0 else None,
                         max(v[2] for v in vals.values()), bool(ins and ins[3])])
            ns.append(max(v[2] for v in vals.values()))
        if any_here:
            workloads.append(w.name)
    if not data:
        return None
    panels = [p for p, col in (("instructions", 2), ("ipc", 4), ("branch_misses", 6)) if any(r[col] is not None for r in data)]
    return Chart(name="counters", kind="counters", title="Hardware counters per operation",
                 subtitle=f"median over samples; {sample_note(ns)}",
                 caption=("Per operation, per plugin: instructions retired, instructions per cycle and branch "
                          "misses, from perf counters (or callgrind, where the counts are exact). The dashed "
                          "line in each group marks the C base plugin's value."),
                 columns=["workload", "plugin", "instructions_per_op", "cycles_per_op", "ipc", "branches_per_op",
                          "branch_misses_per_op", "branch_miss_pct", "n", "exact"],
                 rows=data, plot={"workloads": workloads[:MAX_BAR_WORKLOADS], "plugins": plugins, "panels": panels})


def counter_points(ch, plugins_info=None):
    """Per panel: (label, role, x) with instructions and branch misses relative to the C base plugin
    of the same compiler and workload (C base = 1), IPC absolute."""
    from .model import classify
    col = {"instructions": 2, "ipc": 4, "branch_misses": 6}
    info = plugins_info or {}
    by = {}
    for r in ch.rows:
        role, tag = classify(r[1], info.get(r[1], {}))
        if role is None or r[0] not in ch.plot["workloads"]:
            continue
        by.setdefault((r[0], tag), {})[role] = r
    multi = len({k[1] for k in by}) > 1
    out = {}
    for p in ch.plot["panels"]:
        c = col[p]
        pts = []
        for (w, tag), roles in by.items():
            label = f"{w} ({tag})" if multi else w
            base = roles.get("c-base")
            for role, r in roles.items():
                v = r[c]
                if v is None:
                    continue
                if p != "ipc":
                    if base is None or not base[c]:
                        continue
                    v = v / base[c]
                pts.append((label, role, v))
        out[p] = pts
    return out


def _draw_counters(ch, plugins_info=None):
    panels = ch.plot["panels"]
    pts = counter_points(ch, plugins_info)
    labels = list(dict.fromkeys(l for p in panels for (l, _, _) in pts[p]))
    xlab = {"instructions": "instructions per op\nrelative to C base (×)", "ipc": "instructions per cycle (IPC)",
            "branch_misses": "branch misses per op\nrelative to C base (×)"}
    h = max(2.6, 0.36 * len(labels) + 1.2)
    fig, axes = plt.subplots(1, len(panels), figsize=(9.6, h), squeeze=False, sharey=True)
    ypos = {l: len(labels) - 1 - i for i, l in enumerate(labels)}
    step = 0.16
    for ax, p in zip(axes[0], panels):
        for ri, role in enumerate(ROLES):
            st = ROLE_STYLE[role]
            sel = [(l, v) for (l, r, v) in pts[p] if r == role]
            if not sel:
                continue
            y = [ypos[l] + (1.5 - ri) * step for l, _ in sel]
            ax.plot([v for _, v in sel], y, ls="none", marker=st["marker"], color=st["color"], mec="#222222",
                    mew=0.6, ms=6.5, label=ROLE_LABEL[role], zorder=3)
        if p != "ipc":
            ax.axvline(1.0, color=BASELINE_COLOUR, lw=1.2, zorder=1)
            ax.text(1.0, 1.0, " C base = 1", transform=ax.get_xaxis_transform(), ha="left", va="bottom", fontsize=8)
        ax.set_xlabel(xlab[p])
        ax.grid(axis="y", alpha=0)
        for yy in range(len(labels) - 1):
            ax.axhline(yy + 0.5, color="#dddddd", lw=0.6, zorder=0)
    axes[0][0].set_yticks(range(len(labels)))
    axes[0][0].set_yticklabels(list(reversed(labels)))
    axes[0][0].set_ylim(-0.6, len(labels) - 0.4)
    handles, labs = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labs, loc="lower center", ncol=4, frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig._bottom_in = 0.35
    return fig


# ---------------------------------------------------------------- per compiler


def compilers_data(model):
    if len(model.compilers) < 2:
        return None
    data, ns, cs = [], [], []
    per_wl = {}
    for r in model.rows:
        per_wl.setdefault(r.workload, set()).add(r.compiler)
    for r in model.rows:
        if len(per_wl[r.workload]) < 2:  # only workloads measured with more than one compiler
            continue
        for key in ("lang", "checks_c", "checks_cpp"):
            c = r.cmp.get(key)
            if _no_ratio(c):
                continue
            lo, hi = _ci_pct(c)
            data.append([r.workload, r.compiler, key, _r(pct(c.ratio), 3), _r(lo, 3), _r(hi, 3), c.verdict,
                         c.n_a, c.n_b])
            ns += [c.n_a, c.n_b]
            cs.append(c)
    # C base speed per compiler, relative to the first compiler's C base (no CI: different plugins)
    first = model.compilers[0]
    speed = []
    for w in dict.fromkeys(r.workload for r in model.rows):
        ref = model.row(w, first)
        if ref is None or "c-base" not in ref.summaries:
            continue
        for tag in model.compilers:
            r = model.row(w, tag)
            if r is not None and "c-base" in r.summaries and ref.summaries["c-base"].median > 0:
                speed.append([w, tag, _r(pct(r.summaries["c-base"].median / ref.summaries["c-base"].median), 3)])
    if not data:
        return None
    workloads = list(dict.fromkeys(d[0] for d in data))[:MAX_FOREST_ROWS]
    return Chart(name="compilers", kind="compilers", title="Per compiler: what the language and the checks cost",
                 subtitle=f"{model.settings.confidence * 100:g} % bootstrap interval; {sample_note(ns)}",
                 caption=(f"Each panel is one comparison within a compiler's plugins, as the candidate/reference "
                          f"time ratio − 1 in % ({stat_words(cs)}), per workload; one marker shape per compiler. 0 % is the "
                          "reference build. Whether a cost depends on the compiler shows as markers that disagree."),
                 columns=["workload", "compiler", "comparison", "diff_pct", "ci_low_pct", "ci_high_pct", "verdict",
                          "n_candidate", "n_reference"],
                 rows=data, plot={"workloads": workloads, "compilers": list(model.compilers), "speed": speed})


def _draw_compilers(ch):
    wl, comps = ch.plot["workloads"], ch.plot["compilers"]
    keys = [k for k in ("lang", "checks_c", "checks_cpp") if any(r[2] == k for r in ch.rows)]
    h = max(2.8, 0.3 * len(wl) + 1.6)
    fig, axes = plt.subplots(1, len(keys), figsize=(9.6, h), squeeze=False, sharey=True)
    ypos = {w: len(wl) - 1 - i for i, w in enumerate(wl)}
    step = 0.6 / max(1, len(comps))
    for ax, key in zip(axes[0], keys):
        ax.axvline(0, color=BASELINE_COLOUR, lw=1.2)
        for ci, tag in enumerate(comps):
            st = _series_style(ci)
            pts = [r for r in ch.rows if r[1] == tag and r[2] == key and r[0] in ypos]
            if not pts:
                continue
            y = [ypos[r[0]] + (len(comps) - 1) / 2 * step - ci * step for r in pts]
            x = [r[3] for r in pts]
            lo = [max(r[3] - r[4], 0) if r[4] is not None else 0 for r in pts]
            hi = [max(r[5] - r[3], 0) if r[5] is not None else 0 for r in pts]
            ax.errorbar(x, y, xerr=[lo, hi], fmt=st["marker"], color=st["color"], ms=5, capsize=2, lw=1.1,
                        label=tag)
        _, cand, base, label, what = CMP_BY_KEY[key]
        ax.set_title(f"{what}\n{label}", fontsize=9)
        ax.set_xlabel("time ratio − 1, %")
        ax.grid(axis="y", alpha=0)
    axes[0][0].set_yticks(range(len(wl)))
    axes[0][0].set_yticklabels(list(reversed(wl)))
    axes[0][0].set_ylim(-0.7, len(wl) - 0.3)
    handles, labs = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labs, loc="lower center", ncol=min(6, len(labs)), frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig._bottom_in = 0.12 + 0.22 * math.ceil(len(labs) / 6)
    return fig


# ---------------------------------------------------------------- history


def history_data(model):
    if len(model.runs) < 2 or not model.history:
        return None
    data, ns = [], []
    first_median = {}
    for hp in sorted(model.history, key=lambda h: h.run):
        key = (hp.workload, hp.compiler)
        first_median.setdefault(key, hp.c_base_median)
        c = None if _no_ratio(hp.lang) else hp.lang
        lo, hi = _ci_pct(c) if c else (None, None)
        data.append([model.runs[hp.run].label, hp.run, hp.workload, hp.compiler,
                     _r(pct(c.ratio), 3) if c else None, _r(lo, 3), _r(hi, 3),
                     _r(hp.c_base_median, 3), hp.unit,
                     _r(pct(hp.c_base_median / first_median[key]), 3) if first_median[key] > 0 else None,
                     c.verdict if c else None])
        if c:
            ns += [c.n_a, c.n_b]
    series = list(dict.fromkeys((d[2], d[3]) for d in data))
    runs_seen = sorted({d[1] for d in data})
    if len(runs_seen) < 2:
        return None
    return Chart(name="history", kind="history", title="History: language cost and C base time across runs",
                 subtitle=f"{len(runs_seen)} runs; {sample_note(ns)}",
                 caption=(f"Top: the C++ base/C base time ratio − 1 of each run, within that run ({stats.PAIRED_LABEL}), "
                          "with its interval; a trend away from 0 % is a change in what the language costs. Bottom: "
                          "the C base median divided by that of the first run that has it, − 1 (0 % = the first run; "
                          "a ratio of medians across runs, no interval), which separates a machine or compiler "
                          "change from a change in the comparison."),
                 columns=["run", "run_index", "workload", "compiler", "lang_diff_pct", "ci_low_pct", "ci_high_pct",
                          "c_base_median", "unit", "c_base_vs_first_pct", "verdict"],
                 rows=data, plot={"series": series, "runs": runs_seen,
                                  "labels": [model.runs[i].label for i in runs_seen]})


def _draw_history(ch):
    series, runs = ch.plot["series"], ch.plot["runs"]
    fig, axes = plt.subplots(2, 1, figsize=(9.6, 6.2), sharex=True)
    xpos = {r: i for i, r in enumerate(runs)}
    for si, (w, tag) in enumerate(series):
        st = _series_style(si)
        pts = [d for d in ch.rows if d[2] == w and d[3] == tag]
        lab = w if len({s[1] for s in series}) == 1 else f"{w} ({tag})"
        top = [d for d in pts if d[4] is not None]
        if top:
            x = [xpos[d[1]] + (si - (len(series) - 1) / 2) * 0.015 for d in top]
            axes[0].errorbar(x, [d[4] for d in top],
                             yerr=[[d[4] - d[5] if d[5] is not None else 0 for d in top],
                                   [d[6] - d[4] if d[6] is not None else 0 for d in top]],
                             color=st["color"], marker=st["marker"], ls=st["ls"], ms=5, capsize=2, lw=1.1, label=lab)
        bot = [d for d in pts if d[9] is not None]
        axes[1].plot([xpos[d[1]] for d in bot], [d[9] for d in bot], color=st["color"], marker=st["marker"],
                     ls=st["ls"], ms=5, lw=1.1)
    for ax in axes:
        ax.axhline(0, color=BASELINE_COLOUR, lw=1.2)
    axes[0].set_ylabel("C++/C time ratio − 1, %\n(0 = C baseline)")
    axes[1].set_ylabel("C base median vs\nfirst run, %")
    axes[1].set_xticks(range(len(runs)))
    axes[1].set_xticklabels(ch.plot["labels"], rotation=20, ha="right")
    axes[1].set_xlabel("run (date, commit)")
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)
    return fig


# ---------------------------------------------------------------- distributions (split violins)

MAX_DIST_PANELS = 12
IMPL_ORDER = ("c", "cpp", "rust")
IMPL_LABEL = {"c": "C", "cpp": "C++", "rust": "Rust"}
IMPL_COLOUR = {"c": "#0072B2", "cpp": "#D55E00", "rust": "#009E73"}


def _impl_variant(pid, info):
    impl, variant = info.get("impl"), info.get("variant")
    parts = pid.split("-", 2)
    if impl is None and len(parts) == 3:
        impl, variant = parts[0], parts[1]
    _, tag = classify(pid, info)
    return impl or pid, variant or "", tag or ""


def distributions_data(model):
    """The raw time samples of every plugin per workload, grouped by variant and compiler, one
    density per implementation (C, C++, and any other impl in the files)."""
    data, workloads, groups, impls, ns = [], [], [], [], []
    for w in model.workloads.values():
        have = False
        for pid, e in w.entries.items():
            m = e.metrics.get("time")
            if m is None:
                continue
            impl, variant, tag = _impl_variant(pid, model.plugins.get(pid, {}))
            g = f"{variant} {tag}".strip() or pid
            for i, x in enumerate(m.samples):
                data.append([w.name, pid, impl, variant, tag, i, _r(float(x), 3), m.unit])
            ns.append(int(m.samples.size))
            have = True
            if g not in groups:
                groups.append(g)
            if impl not in impls:
                impls.append(impl)
        if have:
            workloads.append(w.name)
    if not data or len(impls) < 2:
        return None
    impls.sort(key=lambda i: (IMPL_ORDER.index(i) if i in IMPL_ORDER else len(IMPL_ORDER), i))
    if len(workloads) > MAX_DIST_PANELS:
        step = (len(workloads) - 1) / (MAX_DIST_PANELS - 1)
        shown = [workloads[round(i * step)] for i in range(MAX_DIST_PANELS)]
    else:
        shown = workloads
    names = [IMPL_LABEL.get(i, i) for i in impls]
    how = (f"split violins: {names[0]} on the left half, {names[1]} on the right" if len(impls) == 2
           else "one violin per implementation, side by side")
    caption = (f"Every timed sample of every plugin (one per round), per workload, as a kernel density estimate "
               f"({how}); the line across each is its median. Groups are variant and compiler; the y axis is time "
               f"per operation in the unit of the data, linear. A wide or two-humped shape is a noisy or drifting "
               f"run: read the ratios in the table with that in mind.")
    if len(workloads) > len(shown):
        caption += f" {len(shown)} of {len(workloads)} workloads are drawn, spread over the list; all are in the CSV."
    return Chart(name="distributions", kind="distributions", title="Distributions of the time samples: "
                 + " vs ".join(names), subtitle=sample_note(ns), caption=caption,
                 columns=["workload", "plugin", "impl", "variant", "compiler", "round", "value", "unit"],
                 rows=data, plot={"workloads": shown, "groups": groups, "impls": impls})


def _half_violin(ax, values, pos, width, side, colour, hatch=""):
    """A violin at pos; side -1 keeps the left half, +1 the right half, 0 both."""
    vals = np.asarray(values, dtype=float)
    if vals.size < 2 or np.all(vals == vals[0]):
        ax.plot([pos - width / 2 * (side <= 0), pos + width / 2 * (side >= 0)], [vals[0]] * 2, color=colour, lw=2)
        return
    parts = ax.violinplot([vals], positions=[pos], widths=width, showextrema=False, showmedians=False)
    for body in parts["bodies"]:
        verts = body.get_paths()[0].vertices
        if side < 0:
            verts[:, 0] = np.minimum(verts[:, 0], pos)
        elif side > 0:
            verts[:, 0] = np.maximum(verts[:, 0], pos)
        body.set_facecolor(colour)
        body.set_edgecolor("#222222")
        body.set_alpha(0.75)
        body.set_linewidth(0.6)
        if hatch:
            body.set_hatch(hatch)
    med = float(np.median(vals))
    x0 = pos - width / 2 if side <= 0 else pos
    x1 = pos + width / 2 if side >= 0 else pos
    ax.plot([x0, x1], [med, med], color="#000000", lw=1.4, zorder=4)


def _draw_distributions(ch):
    wl, groups, impls = ch.plot["workloads"], ch.plot["groups"], ch.plot["impls"]
    ncols = min(3, len(wl))
    nrows = math.ceil(len(wl) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(9.6, 2.8 * nrows + 0.8), squeeze=False)
    split = len(impls) == 2
    hatches = ["", "///", "...", "xxx"]
    for i, w in enumerate(wl):
        ax = axes[i // ncols][i % ncols]
        rows = [r for r in ch.rows if r[0] == w]
        unit = rows[0][7] if rows else "ns/op"
        div, shown_unit = _unit_scale(unit, [float(np.median([r[6] for r in rows]))] if rows else [])
        gs = [g for g in groups if any((f"{r[3]} {r[4]}".strip() or r[1]) == g for r in rows)]
        for gi, g in enumerate(gs):
            for ii, impl in enumerate(impls):
                vals = [r[6] / div for r in rows if r[2] == impl and (f"{r[3]} {r[4]}".strip() or r[1]) == g]
                if not vals:
                    continue
                colour = IMPL_COLOUR.get(impl, SERIES_COLOURS[(ii + 3) % len(SERIES_COLOURS)])
                if split:
                    _half_violin(ax, vals, gi, 0.8, -1 if ii == 0 else 1, colour, hatches[ii])
                else:
                    w_ = 0.8 / len(impls)
                    _half_violin(ax, vals, gi - 0.4 + w_ * (ii + 0.5), w_, 0, colour, hatches[ii % len(hatches)])
        ax.set_xticks(range(len(gs)))
        ax.set_xticklabels(gs, fontsize=7.5)
        ax.set_xlim(-0.6, len(gs) - 0.4)
        ax.set_title(w, fontsize=8.5)
        ax.set_ylabel(f"time, {shown_unit}")
        ax.set_xlabel("variant, compiler")
    for j in range(len(wl), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=IMPL_COLOUR.get(im, SERIES_COLOURS[(k + 3) % len(SERIES_COLOURS)]), edgecolor="#222222",
                     hatch=hatches[k % len(hatches)], label=IMPL_LABEL.get(im, im) + (
                         (" (left half)" if k == 0 else " (right half)") if split else ""))
               for k, im in enumerate(impls)]
    fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig._bottom_in = 0.4
    return fig


# ---------------------------------------------------------------- all charts, rendering


def all_charts(model):
    out = []
    f = forest_data(model)
    if f:
        out.append(f)
    out.extend(decomposition_data(model))
    out.extend(heatmap_data(model))
    for fn in (distributions_data, latency_data, counters_data, compilers_data, history_data):
        c = fn(model)
        if c:
            out.append(c)
    return out


def figure(chart, plugins_info=None):
    """The matplotlib Figure of a chart, with its title and subtitle."""
    with plt.rc_context(_RC):
        draw = {"forest": _draw_forest, "decomposition": _draw_decomposition, "heatmap": _draw_heatmap,
                "compilers": _draw_compilers, "history": _draw_history,
                "distributions": _draw_distributions}.get(chart.kind)
        if draw is not None:
            fig = draw(chart)
        elif chart.kind == "latency":
            fig = _draw_latency(chart, plugins_info)
        elif chart.kind == "counters":
            fig = _draw_counters(chart, plugins_info)
        else:
            raise ValueError(f"unknown chart kind {chart.kind}")
        w, h = fig.get_size_inches()
        sub = textwrap.fill(chart.subtitle, width=max(60, int(w * 14)))
        top_in = 0.42 + 0.16 * (sub.count("\n") + 1)
        bottom_in = getattr(fig, "_bottom_in", 0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.tight_layout(rect=(0, bottom_in / h, getattr(fig, "_right", 1.0), 1 - top_in / h))
        after = getattr(fig, "_after_layout", None)
        if after is not None:
            after(fig)
        fig.text(0.5, 1 - 0.06 / h, chart.title, ha="center", va="top", fontsize=11, fontweight="bold")
        fig.text(0.5, 1 - 0.34 / h, sub, ha="center", va="top", fontsize=8, color="#333333", linespacing=1.3)
    return fig


def write_csv(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def render(chart, out_dir, plugins_info=None):
    """Write NAME.svg, NAME.png and NAME.csv into out_dir; returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    fig = figure(chart, plugins_info)
    paths = {ext: os.path.join(out_dir, f"{chart.name}.{ext}") for ext in ("svg", "png", "csv")}
    with plt.rc_context(_RC):
        fig.savefig(paths["svg"], format="svg", bbox_inches="tight", metadata={"Date": None})
        fig.savefig(paths["png"], format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    write_csv(paths["csv"], chart.columns, chart.rows)
    return paths
