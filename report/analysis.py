"""Analysis over loaded results: within one run (analyze_run) and across two runs (compare_runs).

Both return rows; table_* and *_json render them for the CLIs (report.analyze, report.compare).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import stats
from .results import Result

METRICS_HELP = "time (ns/op) or any metric recorded in the files, e.g. instructions"


class AnalysisError(Exception):
    """The inputs cannot be analysed as asked (nothing in common, unknown baseline...). One line."""


@dataclass
class Row:
    workload: str
    plugin: str
    baseline: str | None  # plugin id compared against (analyze_run) or None
    metric: str
    unit: str
    a: stats.Summary | None  # candidate (analyze: the plugin; compare: NEW)
    b: stats.Summary | None  # baseline (analyze: the baseline plugin; compare: BASE)
    comparison: stats.Comparison | None = None
    note: str = ""  # why there is no comparison ("baseline", "not in base", ...)
    regression: bool = False  # compare_runs: slower beyond the threshold

    @property
    def verdict(self):
        if self.comparison is not None:
            return self.comparison.verdict
        return self.note or stats.NA

    def to_dict(self):
        return {
            "workload": self.workload,
            "plugin": self.plugin,
            "baseline": self.baseline,
            "metric": self.metric,
            "unit": self.unit,
            "candidate": self.a.to_dict() if self.a else None,
            "reference": self.b.to_dict() if self.b else None,
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "verdict": self.verdict,
            "note": self.note,
            "regression": self.regression,
        }


def _stat_kwargs(alpha, min_effect_pct, confidence, n_resamples, seed, ci_method):
    return dict(alpha=alpha, min_effect=min_effect_pct / 100.0, confidence=confidence,
                n_resamples=n_resamples, seed=seed, ci_method=ci_method)


# ---------------------------------------------------------------- within one run


def _compiler_tag(info):
    comp = info.get("compiler")
    ver = info.get("compiler_version")
    if isinstance(comp, str) and isinstance(ver, str):
        return comp + ver.split(".", 1)[0]
    return None


def _is_c_base(pid, info):
    if info.get("impl") is not None or info.get("variant") is not None:
        return info.get("impl") == "c" and info.get("variant") == "base"
    return pid.startswith("c-base-")


def default_baseline(result: Result, plugin_id, candidates):
    """The c-base plugin of the same compiler (by compiler + major version, as the harness
    names plugins), else any c-base plugin, among candidates; None if there is none."""
    bases = sorted(c for c in candidates if _is_c_base(c, result.plugins.get(c, {})))
    if not bases:
        return None
    tag = _compiler_tag(result.plugins.get(plugin_id, {}))
    for c in bases:
        if tag is not None and _compiler_tag(result.plugins.get(c, {})) == tag:
            return c
    suffix = plugin_id.rsplit("-", 1)[-1]
    for c in bases:
        if c.rsplit("-", 1)[-1] == suffix:
            return c
    return bases[0]


def analyze_run(result: Result, baseline=None, metric="time", *, alpha=stats.DEFAULT_ALPHA,
                min_effect_pct=stats.DEFAULT_MIN_EFFECT * 100, confidence=stats.DEFAULT_CONFIDENCE,
                n_resamples=stats.DEFAULT_RESAMPLES, seed=stats.DEFAULT_SEED, ci_method="bca", paired=True):
    """Every plugin vs its baseline, per workload.

    Baseline per entry: the `baseline` argument if given; else the entry's "baseline" from the
    file (the c-base plugin of its compiler, as the harness records it); else the workload's;
    else derived (c-base of the same compiler, else any c-base). The baseline's own row has
    no comparison and note "baseline".
    """
    kw = _stat_kwargs(alpha, min_effect_pct, confidence, n_resamples, seed, ci_method)
    if baseline is not None and not any(baseline in w.entries for w in result.workloads.values()):
        known = sorted({p for w in result.workloads.values() for p in w.entries})
        raise AnalysisError(f"baseline plugin '{baseline}' has no results in {result.path}"
                            f" (plugins: {', '.join(known) or 'none'})")
    if not any(metric in e.metrics for w in result.workloads.values() for e in w.entries.values()):
        raise AnalysisError(f"metric '{metric}' is not recorded in {result.path}"
                            f" (available: {', '.join(result.metric_names()) or 'none'})")
    rows = []
    for w in result.workloads.values():
        for pid, e in w.entries.items():
            m = e.metrics.get(metric)
            bid = baseline or e.baseline or w.baseline or default_baseline(result, pid, list(w.entries))
            row = Row(workload=w.name, plugin=pid, baseline=bid, metric=metric,
                      unit=m.unit if m else "", a=stats.summarize(m.samples) if m else None, b=None)
            rows.append(row)
            if m is None:
                row.note = f"no {metric} samples"
                continue
            if bid is None:
                row.note = "no baseline"
                continue
            if bid == pid:
                row.note = "baseline"
                continue
            be = w.entries.get(bid)
            bm = be.metrics.get(metric) if be else None
            if bm is None:
                row.note = f"baseline {bid} not measured"
                continue
            row.b = stats.summarize(bm.samples)
            # Same run: rounds pair the samples (see stats.compare, paired).
            row.comparison = stats.compare(m.samples, bm.samples, exact_hint=m.exact and bm.exact,
                                           paired=paired, **kw)
    return rows


# ---------------------------------------------------------------- across two runs


@dataclass
class CompareReport:
    base_path: str
    new_path: str
    metric: str
    threshold_pct: float
    rows: list
    only_in_base: list = field(default_factory=list)  # "workload / plugin"
    only_in_new: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def regressions(self):
        return [r for r in self.rows if r.regression]

    def counts(self):
        c = {stats.SLOWER: 0, stats.FASTER: 0, stats.SAME: 0, "not compared": 0, "noisy": 0}
        for r in self.rows:
            if r.comparison is None or r.comparison.verdict == stats.NA:
                c["not compared"] += 1
                continue
            c[r.comparison.verdict] += 1
            c["noisy"] += r.comparison.noisy
        return c


def compare_runs(base_result: Result, new_result: Result, metric="time", threshold_pct=1.0, *,
                 alpha=stats.DEFAULT_ALPHA, min_effect_pct=stats.DEFAULT_MIN_EFFECT * 100,
                 confidence=stats.DEFAULT_CONFIDENCE, n_resamples=stats.DEFAULT_RESAMPLES,
                 seed=stats.DEFAULT_SEED, ci_method="bca") -> CompareReport:
    """Same workload + plugin id in both files: NEW (candidate) against BASE (reference).

    A row is a regression when its verdict is "slower" and median(NEW)/median(BASE) - 1 is at
    least threshold_pct percent.
    """
    if threshold_pct < 0:
        raise AnalysisError("threshold must be >= 0")
    kw = _stat_kwargs(alpha, min_effect_pct, confidence, n_resamples, seed, ci_method)
    base_keys = [(w.name, p) for w in base_result.workloads.values() for p in w.entries]
    new_keys = [(w.name, p) for w in new_result.workloads.values() for p in w.entries]
    base_set, new_set = set(base_keys), set(new_keys)
    common = [k for k in new_keys if k in base_set]
    if not common:
        hint = ""
        if base_result.format != new_result.format:
            hint = (f" ({base_result.format} vs {new_result.format} file: names must match,"
                    f" e.g. base has '{_key_str(base_keys[0]) if base_keys else '-'}',"
                    f" new has '{_key_str(new_keys[0]) if new_keys else '-'}')")
        raise AnalysisError(f"no workload/plugin in common between {base_result.path} and {new_result.path}{hint}")
    have = [k for k in common
            if metric in base_result.workloads[k[0]].entries[k[1]].metrics
            and metric in new_result.workloads[k[0]].entries[k[1]].metrics]
    if not have:
        avail = sorted(set(base_result.metric_names()) & set(new_result.metric_names()))
        raise AnalysisError(f"metric '{metric}' is not recorded in both {base_result.path} and {new_result.path}"
                            f" (in both: {', '.join(avail) or 'none'})")
    rep = CompareReport(base_path=base_result.path, new_path=new_result.path, metric=metric,
                        threshold_pct=threshold_pct, rows=[],
                        only_in_base=[_key_str(k) for k in base_keys if k not in new_set],
                        only_in_new=[_key_str(k) for k in new_keys if k not in base_set])
    rep.warnings = list(base_result.warnings) + list(new_result.warnings)
    for wname, pid in common:
        bm = base_result.workloads[wname].entries[pid].metrics.get(metric)
        nm = new_result.workloads[wname].entries[pid].metrics.get(metric)
        row = Row(workload=wname, plugin=pid, baseline=None, metric=metric,
                  unit=(nm or bm).unit if (nm or bm) else "",
                  a=stats.summarize(nm.samples) if nm else None, b=stats.summarize(bm.samples) if bm else None)
        rep.rows.append(row)
        if bm is None or nm is None:
            row.note = f"no {metric} in {'base' if bm is None else 'new'}"
            continue
        if bm.unit != nm.unit:
            row.note = f"unit differs ({bm.unit} vs {nm.unit})"
            continue
        c = stats.compare(nm.samples, bm.samples, exact_hint=nm.exact and bm.exact, **kw)
        row.comparison = c
        row.regression = c.verdict == stats.SLOWER and (c.ratio - 1.0) * 100.0 >= threshold_pct - 1e-9
    return rep


def _key_str(k):
    return f"{k[0]} / {k[1]}"


# ---------------------------------------------------------------- rendering


def fmt_value(x, unit):
    if x is None or not math.isfinite(x):
        return "-"
    if unit.startswith("ns"):
        for scale, suffix in ((1e9, "s"), (1e6, "ms"), (1e3, "us")):
            if x >= scale:
                return f"{x / scale:.3f} {suffix}"
        return f"{x:.1f} ns"
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if x >= scale:
            return f"{x / scale:.3f}{suffix}"
    return f"{x:.4g}"


def fmt_ratio(c: stats.Comparison | None):
    if c is None or not math.isfinite(c.ratio):
        return "-"
    if c.exact:
        return f"{c.ratio:.4f} (exact)"
    lo, hi = c.ratio_ci
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{c.ratio:.4f}"
    return f"{c.ratio:.4f} [{lo:.4f}, {hi:.4f}]"


def fmt_p(c: stats.Comparison | None):
    if c is None or c.p_value is None:
        return "-"
    return f"{c.p_value:.2g}" if c.p_value >= 1e-4 else "<1e-4"


def _notes(r: Row):
    out = []
    c = r.comparison
    if c is not None:
        if c.noisy:
            out.append(f"noisy cv {max(c.cv_a, c.cv_b) * 100:.1f}%")
        for w in c.warnings:
            if not w.startswith("noisy"):
                out.append(w)
    elif r.a is not None and r.a.noisy:
        out.append(f"noisy cv {r.a.cv * 100:.1f}%")
    if r.regression:
        out.insert(0, "REGRESSION")
    return "; ".join(out)


def render_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)] if rows else [len(h) for h in header]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in rows:
        lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def compare_table(rep: CompareReport):
    conf = next((r.comparison.confidence for r in rep.rows if r.comparison), stats.DEFAULT_CONFIDENCE)
    header = ["workload", "plugin", "base median", "new median", f"ratio [{conf * 100:g}% CI]", "p", "verdict", "notes"]
    body = []
    for r in rep.rows:
        body.append([r.workload, r.plugin, fmt_value(r.b.median if r.b else None, r.unit),
                     fmt_value(r.a.median if r.a else None, r.unit), fmt_ratio(r.comparison),
                     fmt_p(r.comparison), r.verdict, _notes(r)])
    return render_table(header, body)


def compare_summary(rep: CompareReport):
    c = rep.counts()
    n = len(rep.rows)
    parts = [f"{n} compared ({rep.metric})", f"{c[stats.SLOWER]} slower", f"{c[stats.FASTER]} faster",
             f"{c[stats.SAME]} no significant difference"]
    if c["not compared"]:
        parts.append(f"{c['not compared']} not comparable")
    if c["noisy"]:
        parts.append(f"{c['noisy']} noisy")
    if rep.only_in_base or rep.only_in_new:
        parts.append(f"{len(rep.only_in_base)} only in base, {len(rep.only_in_new)} only in new")
    reg = len(rep.regressions)
    verdict = (f"FAIL: {reg} regression{'s' if reg != 1 else ''} >= {rep.threshold_pct:g}%" if reg
               else f"OK: no regression >= {rep.threshold_pct:g}%")
    return ", ".join(parts) + ". " + verdict


def analyze_table(rows):
    conf = next((r.comparison.confidence for r in rows if r.comparison), stats.DEFAULT_CONFIDENCE)
    header = ["workload", "plugin", "baseline", "median", "cv", f"ratio [{conf * 100:g}% CI]", "p", "verdict", "notes"]
    body = []
    for r in rows:
        body.append([r.workload, r.plugin, r.baseline or "-", fmt_value(r.a.median if r.a else None, r.unit),
                     f"{r.a.cv * 100:.1f}%" if r.a else "-", fmt_ratio(r.comparison), fmt_p(r.comparison),
                     r.verdict, _notes(r)])
    return render_table(header, body)
