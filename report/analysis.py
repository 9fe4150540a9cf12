"""Analysis over loaded results: within one run (analyze_run) and across two runs (compare_runs).

Both return rows; table_* and *_json render them for the CLIs (drvbench analyze, drvbench compare).

Within one run every comparison is paired (stats.PAIRED_LABEL); across runs unpaired
(stats.statistic_label: ratio of medians, BCa, Mann-Whitney U). The cross-run gate
(compare_runs) is documented in docs/measurement.md, "The regression gate".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import stats
from .results import Result, infer_better

# Cross-run noise band for measured (not exact) metrics, percent. A default, not a property
# of the development VM: there 20 A/A runs over 7 minutes under concurrent load differed by up
# to 70 % (Q3 + 3 IQR 242 %), so the gate uses exact instruction counts whenever both files
# hold them; docs/measurement.md, "The regression gate".
TIME_NOISE_BAND_PCT = 10.0
GATE_METRIC = "instructions"  # gated by default when both files hold exact counts of it

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
    regression: bool = False  # compare_runs: worse beyond the gate's threshold
    better: str = stats.LOWER  # the metric's direction

    @property
    def verdict(self):
        if self.comparison is not None:
            return self.comparison.verdict
        return self.note or stats.NA

    @property
    def verdict_text(self):
        if self.comparison is not None:
            return stats.verdict_text(self.comparison)
        return self.note or stats.NA

    def to_dict(self):
        return {
            "workload": self.workload,
            "plugin": self.plugin,
            "baseline": self.baseline,
            "metric": self.metric,
            "unit": self.unit,
            "better": self.better,
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
    if metric is None:
        metric = "time"
    if not any(metric in e.metrics for w in result.workloads.values() for e in w.entries.values()):
        raise AnalysisError(f"metric '{metric}' is not recorded in {result.path}"
                            f" (available: {', '.join(result.metric_names()) or 'none'})")
    rows = []
    for w in result.workloads.values():
        for pid, e in w.entries.items():
            m = e.metrics.get(metric)
            bid = baseline or e.baseline or w.baseline or default_baseline(result, pid, list(w.entries))
            row = Row(workload=w.name, plugin=pid, baseline=bid, metric=metric,
                      unit=m.unit if m else "", a=stats.summarize(m.samples) if m else None, b=None,
                      better=m.better if m else infer_better(metric))
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
            if bm.better != m.better:
                row.note = f"direction differs from {bid} ({m.better} vs {bm.better} is better)"
                continue
            row.comparison = stats.compare(m.samples, bm.samples, exact_hint=m.exact and bm.exact,
                                           paired=paired, better=m.better, **kw)
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
    params_differ: list = field(default_factory=list)  # "workload: parameters differ (k1, k2)"
    warnings: list = field(default_factory=list)
    gate: bool = True  # False: reported beside the gate, never fails it
    noise_band_pct: float = 0.0  # the gate's band for this metric (0 for exact metrics)
    better: str = stats.LOWER

    @property
    def regressions(self):
        return [r for r in self.rows if r.regression]

    @property
    def gate_pct(self):
        return max(self.threshold_pct, self.noise_band_pct)

    def counts(self):
        c = {stats.WORSE: 0, stats.BETTER: 0, stats.SAME: 0, stats.TOO_FEW: 0, "not compared": 0, "noisy": 0}
        for r in self.rows:
            if r.comparison is None or r.comparison.verdict == stats.NA:
                c["not compared"] += 1
                continue
            c[r.comparison.verdict] += 1
            c["noisy"] += r.comparison.noisy
        return c


def _wkey(res, w):
    """What identifies a workload across files: its driver (component) and its name."""
    return (w.driver or component_of_name(w.name), w.name)


def component_of_name(name):
    return name.split("/", 1)[0] if "/" in name else name


def params_differ(pa, pb):
    """Keys whose resolved values differ between two workloads' "params" (None: a side did not
    record its parameters, as Google Benchmark files do not)."""
    if pa is None or pb is None:
        return []
    return sorted(k for k in set(pa) | set(pb) if pa.get(k, _MISSING) != pb.get(k, _MISSING))


def _params(res, w):
    return w.params if res.format == "drvbench" else None


_MISSING = object()


def default_gate_metric(base_result: Result, new_result: Result):
    """GATE_METRIC when every workload/plugin the two files share holds exact counts of it in
    both, else "time" (docs/measurement.md, "The regression gate")."""
    common = _common(base_result, new_result)
    if not common:
        return "time"
    for (wb, wn, pid) in common:
        for w in (wb, wn):
            m = w.entries[pid].metrics.get(GATE_METRIC)
            if m is None or not m.exact:
                return "time"
    return GATE_METRIC


def _common(base_result, new_result):
    """(base workload, new workload, plugin) for rows of the same driver, name, parameters and
    plugin in both files."""
    bw = {_wkey(base_result, w): w for w in base_result.workloads.values()}
    out = []
    for w in new_result.workloads.values():
        o = bw.get(_wkey(new_result, w))
        if o is None or params_differ(_params(base_result, o), _params(new_result, w)):
            continue
        out.extend((o, w, p) for p in w.entries if p in o.entries)
    return out


def compare_runs(base_result: Result, new_result: Result, metric="time", threshold_pct=1.0, *,
                 alpha=stats.DEFAULT_ALPHA, min_effect_pct=stats.DEFAULT_MIN_EFFECT * 100,
                 confidence=stats.DEFAULT_CONFIDENCE, n_resamples=stats.DEFAULT_RESAMPLES,
                 seed=stats.DEFAULT_SEED, ci_method="bca", noise_band_pct=None, gate=True) -> CompareReport:
    """Same driver + workload name + resolved parameters + plugin id in both files: NEW
    (candidate) against BASE (reference), unpaired (the runs are separate processes).

    A row is a regression when its verdict is "worse" and it is worse by at least
    max(threshold_pct, band) percent, where band is 0 for exact metrics and noise_band_pct
    (default TIME_NOISE_BAND_PCT) for measured ones. gate=False: the rows are reported, none
    is a regression. A workload whose parameters differ is listed, not compared; nothing
    comparable is an AnalysisError.
    """
    if threshold_pct < 0:
        raise AnalysisError("threshold must be >= 0")
    if noise_band_pct is not None and noise_band_pct < 0:
        raise AnalysisError("noise band must be >= 0")
    kw = _stat_kwargs(alpha, min_effect_pct, confidence, n_resamples, seed, ci_method)
    bmap = {_wkey(base_result, w): w for w in base_result.workloads.values()}
    nmap = {_wkey(new_result, w): w for w in new_result.workloads.values()}
    base_keys = [(w.name, p) for w in base_result.workloads.values() for p in w.entries]
    new_keys = [(w.name, p) for w in new_result.workloads.values() for p in w.entries]
    differ = []
    for k, w in nmap.items():
        o = bmap.get(k)
        if o is not None:
            d = params_differ(_params(base_result, o), _params(new_result, w))
            if d:
                differ.append(f"{w.name}: parameters differ ({', '.join(map(str, d))})")
    common = _common(base_result, new_result)
    common_keys = {(w.name, p) for _, w, p in common}
    if not common:
        hint = ""
        if differ:
            hint = "; " + "; ".join(differ[:5]) + (f"; {len(differ) - 5} more" if len(differ) > 5 else "")
        elif base_result.format != new_result.format:
            hint = (f" ({base_result.format} vs {new_result.format} file: names must match,"
                    f" e.g. base has '{_key_str(base_keys[0]) if base_keys else '-'}',"
                    f" new has '{_key_str(new_keys[0]) if new_keys else '-'}')")
        raise AnalysisError(f"no workload/plugin in common (same driver, name and parameters) between "
                            f"{base_result.path} and {new_result.path}{hint}")
    have = [(wb, wn, p) for wb, wn, p in common if metric in wb.entries[p].metrics and metric in wn.entries[p].metrics]
    if not have:
        avail = sorted(set(base_result.metric_names()) & set(new_result.metric_names()))
        raise AnalysisError(f"metric '{metric}' is not recorded in both {base_result.path} and {new_result.path}"
                            f" (in both: {', '.join(avail) or 'none'})")
    exact = all(wb.entries[p].metrics[metric].exact and wn.entries[p].metrics[metric].exact for wb, wn, p in have)
    band = 0.0 if exact else (TIME_NOISE_BAND_PCT if noise_band_pct is None else noise_band_pct)
    differ_names = {d.split(": parameters differ", 1)[0] for d in differ}
    rep = CompareReport(base_path=base_result.path, new_path=new_result.path, metric=metric,
                        threshold_pct=threshold_pct, rows=[], gate=gate, noise_band_pct=band,
                        only_in_base=[_key_str(k) for k in base_keys if k not in common_keys and k[0] not in differ_names
                                      and k not in set(new_keys)],
                        only_in_new=[_key_str(k) for k in new_keys if k not in common_keys and k[0] not in differ_names
                                     and k not in set(base_keys)],
                        params_differ=differ)
    rep.warnings = list(base_result.warnings) + list(new_result.warnings)
    if gate and band > 0:
        rep.warnings.append(f"{metric} is measured, not exact: it gates with a {band:g} % cross-run noise band; "
                            f"a host's speed can drift more than that between runs (docs/measurement.md); "
                            f"exact instruction counts (drvbench run --instructions) gate by default when both "
                            f"files hold them")
    for wb, wn, pid in common:
        bm = wb.entries[pid].metrics.get(metric)
        nm = wn.entries[pid].metrics.get(metric)
        m = nm or bm
        row = Row(workload=wn.name, plugin=pid, baseline=None, metric=metric, unit=m.unit if m else "",
                  a=stats.summarize(nm.samples) if nm else None, b=stats.summarize(bm.samples) if bm else None,
                  better=m.better if m else infer_better(metric))
        rep.rows.append(row)
        if bm is None or nm is None:
            row.note = f"no {metric} in {'base' if bm is None else 'new'}"
            continue
        if bm.unit != nm.unit:
            row.note = f"unit differs ({bm.unit} vs {nm.unit})"
            continue
        if bm.better != nm.better:
            row.note = f"direction differs ({bm.better} vs {nm.better} is better)"
            continue
        rep.better = nm.better
        c = stats.compare(nm.samples, bm.samples, exact_hint=nm.exact and bm.exact, better=nm.better, **kw)
        row.comparison = c
        row.regression = gate and c.verdict == stats.WORSE and c.worse_pct >= rep.gate_pct - 1e-9
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


def fmt_value_unit(x, unit):
    """fmt_value plus the unit where fmt_value does not already show it (non-time units)."""
    v = fmt_value(x, unit)
    if v == "-" or unit.startswith("ns") or not unit:
        return v
    return f"{v} {unit}"


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


def _direction(better):
    return f"{better} is better"


def _units(rows):
    units = sorted({r.unit for r in rows if r.unit})
    return units[0] if len(units) == 1 else ("units per row" if units else "-")


def min_samples_unpaired(alpha):
    """Fewest samples per side with which the two-sided Mann-Whitney U test can reach p < alpha."""
    n = 1
    while stats.min_p_value(n, n, paired=False) >= alpha:
        n += 1
    return n


def _rule(comparisons, paired=True, alpha=stats.DEFAULT_ALPHA, min_effect=stats.DEFAULT_MIN_EFFECT):
    c = next(iter(comparisons), None)
    if c is not None:
        alpha, min_effect = c.alpha, c.min_effect
    need = (f"{stats.min_rounds_for_verdict(alpha)} rounds" if paired
            else f"{min_samples_unpaired(alpha)} samples per side")
    return (f"worse/better = p < {alpha:g}, interval excludes 1 and |ratio - 1| >= {min_effect * 100:g} %; "
            f"a verdict needs >= {need}")


def compare_header(rep: CompareReport):
    """The line above the compare table: metric, direction, statistic, gate."""
    cs = [r.comparison for r in rep.rows if r.comparison is not None]
    label = next((stats.statistic_label(c) for c in cs if not c.exact), None) or \
        (stats.EXACT_LABEL if cs else stats.UNPAIRED_LABEL)
    conf = cs[0].confidence if cs else stats.DEFAULT_CONFIDENCE
    gate = (f"gate: worse by >= {rep.gate_pct:g} %" + (f" (noise band {rep.noise_band_pct:g} % for timed metrics)"
                                                        if rep.noise_band_pct else "")) if rep.gate \
        else "reported only, does not gate"
    return (f"{rep.metric} ({_units(rep.rows)}, {_direction(rep.better)}), NEW against BASE "
            f"across runs: ratio = NEW/BASE, {label}, {conf * 100:g} % interval; {_rule(cs, paired=False)}; {gate}")


def compare_table(rep: CompareReport):
    conf = next((r.comparison.confidence for r in rep.rows if r.comparison), stats.DEFAULT_CONFIDENCE)
    header = ["workload", "plugin", "base median", "new median", f"ratio [{conf * 100:g}% CI]", "p", "verdict", "notes"]
    body = []
    for r in rep.rows:
        body.append([r.workload, r.plugin, fmt_value_unit(r.b.median if r.b else None, r.unit),
                     fmt_value_unit(r.a.median if r.a else None, r.unit), fmt_ratio(r.comparison),
                     fmt_p(r.comparison), r.verdict_text, _notes(r)])
    return compare_header(rep) + "\n" + render_table(header, body)


def compare_summary(rep: CompareReport):
    c = rep.counts()
    n = len(rep.rows)
    parts = [f"{n} compared ({rep.metric})", f"{c[stats.WORSE]} worse", f"{c[stats.BETTER]} better",
             f"{c[stats.SAME]} no significant difference"]
    if c[stats.TOO_FEW]:
        parts.append(f"{c[stats.TOO_FEW]} with too few samples for a verdict")
    if c["not compared"]:
        parts.append(f"{c['not compared']} not comparable")
    if c["noisy"]:
        parts.append(f"{c['noisy']} noisy")
    if rep.only_in_base or rep.only_in_new:
        parts.append(f"{len(rep.only_in_base)} only in base, {len(rep.only_in_new)} only in new")
    if rep.params_differ:
        parts.append(f"{len(rep.params_differ)} workloads not compared (parameters differ)")
    reg = len(rep.regressions)
    verdict = (f"FAIL: {reg} regression{'s' if reg != 1 else ''} >= {rep.gate_pct:g}% ({rep.metric})" if reg
               else f"OK: no regression >= {rep.gate_pct:g}% ({rep.metric})")
    return ", ".join(parts) + ". " + verdict


def analyze_header(rows, metric):
    cs = [r.comparison for r in rows if r.comparison is not None]
    unit = _units(rows)
    better = next((r.better for r in rows), infer_better(metric))
    ns = sorted({r.a.n for r in rows if r.a is not None})
    n = (f"{ns[0]}" if len(ns) == 1 else f"{ns[0]}-{ns[-1]}") if ns else "0"
    conf = cs[0].confidence if cs else stats.DEFAULT_CONFIDENCE
    label = stats.EXACT_LABEL if cs and all(c.exact for c in cs) else stats.PAIRED_LABEL
    return (f"{metric} ({unit}, {_direction(better)}), {n} rounds: every plugin against its baseline in the same "
            f"run; ratio = plugin/baseline, {label}, {conf * 100:g} % interval; {_rule(cs)}")


def analyze_table(rows, metric=None):
    metric = metric or (rows[0].metric if rows else "time")
    conf = next((r.comparison.confidence for r in rows if r.comparison), stats.DEFAULT_CONFIDENCE)
    header = ["workload", "plugin", "baseline", "median", "cv", f"ratio [{conf * 100:g}% CI]", "p", "verdict", "notes"]
    body = []
    for r in rows:
        body.append([r.workload, r.plugin, r.baseline or "-", fmt_value_unit(r.a.median if r.a else None, r.unit),
                     f"{r.a.cv * 100:.1f}%" if r.a else "-", fmt_ratio(r.comparison), fmt_p(r.comparison),
                     r.verdict_text, _notes(r)])
    return analyze_header(rows, metric) + "\n" + render_table(header, body)
