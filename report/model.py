"""The report's view of one or more result files: merged workloads, the four roles
(C base, C hardened, C++ base, C++ hardened) per compiler, and the comparisons between them.

    model = build_model([load(p) for p in paths])
    model.rows        # VerdictRow per workload x compiler, with comparisons (stats.Comparison)
    model.others      # peers / kernel targets (plugins without a C/C++ role) vs C base
    model.history     # per run, per workload: language cost and C base median (>= 2 runs)

Several files: the newest run (context date, else argument order) wins per workload + plugin,
so a compiler matrix built into separate files merges, and older files form the history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from . import stats
from .analysis import _compiler_tag
from .results import ResultFileError, read_json

ROLES = ("c-base", "c-hardened", "cpp-base", "cpp-hardened")
ROLE_LABEL = {"c-base": "C base", "c-hardened": "C hardened", "cpp-base": "C++ base", "cpp-hardened": "C++ hardened"}

# key, candidate role, baseline role, label, what it measures
COMPARISONS = (
    ("lang", "cpp-base", "c-base", "C++ ÷ C (base)", "language cost"),
    ("lang_h", "cpp-hardened", "c-hardened", "C++ ÷ C (hardened)", "language cost, hardened"),
    ("checks_c", "c-hardened", "c-base", "C hardened ÷ C base", "checking cost in C"),
    ("checks_cpp", "cpp-hardened", "cpp-base", "C++ hardened ÷ C++ base", "checking cost in C++"),
    ("total", "cpp-hardened", "c-base", "C++ hardened ÷ C base", "language + checks"),
)
TABLE_COMPARISONS = ("lang", "lang_h", "checks_c", "checks_cpp")
CMP_BY_KEY = {c[0]: c for c in COMPARISONS}

PRIMARY = "time"


@dataclass
class Settings:
    alpha: float = stats.DEFAULT_ALPHA
    min_effect: float = stats.DEFAULT_MIN_EFFECT  # fraction
    confidence: float = stats.DEFAULT_CONFIDENCE
    n_resamples: int = stats.DEFAULT_RESAMPLES
    seed: int = stats.DEFAULT_SEED
    ci_method: str = "bca"

    def kw(self):
        return dict(alpha=self.alpha, min_effect=self.min_effect, confidence=self.confidence,
                    n_resamples=self.n_resamples, seed=self.seed, ci_method=self.ci_method)


@dataclass
class Run:
    index: int
    path: str
    format: str
    context: dict
    date: datetime | None
    complete: bool
    warnings: list
    plugins: dict

    @property
    def label(self):
        d = self.date.strftime("%Y-%m-%d %H:%M") if self.date else f"run {self.index + 1}"
        c = self.context.get("git_commit")
        if isinstance(c, str) and c and c != "unknown":
            d += " " + c[:8]
        return d


@dataclass
class WorkloadView:
    name: str
    component: str
    params: dict
    description: str
    entries: dict = field(default_factory=dict)  # plugin id -> results.Entry
    source: dict = field(default_factory=dict)  # plugin id -> run index


@dataclass
class VerdictRow:
    workload: str
    component: str
    compiler: str
    unit: str
    plugins: dict  # role -> plugin id
    summaries: dict  # role -> stats.Summary
    cmp: dict  # comparison key -> stats.Comparison
    cross_run: set = field(default_factory=set)  # comparison keys whose sides come from different files
    icmp: dict = field(default_factory=dict)  # comparison key -> stats.Comparison of exact instruction counts

    def n_range(self):
        ns = [s.n for s in self.summaries.values()]
        return (min(ns), max(ns)) if ns else (0, 0)


@dataclass
class OtherRow:
    workload: str
    plugin: str
    baseline: str | None
    unit: str
    summary: stats.Summary
    comparison: stats.Comparison | None


@dataclass
class HistoryPoint:
    run: int
    workload: str
    compiler: str
    c_base_median: float
    unit: str
    lang: stats.Comparison | None


@dataclass
class Model:
    runs: list
    plugins: dict  # plugin id -> info (newest file wins)
    workloads: dict  # name -> WorkloadView (first-seen order)
    rows: list
    others: list
    compilers: list
    history: list
    settings: Settings
    warnings: list = field(default_factory=list)

    @property
    def current(self):
        return self.runs[-1]

    def row(self, workload, compiler=None):
        for r in self.rows:
            if r.workload == workload and (compiler is None or r.compiler == compiler):
                return r
        return None

    def components(self):
        seen = []
        for r in self.rows:
            if r.component not in seen:
                seen.append(r.component)
        return seen


def classify(pid, info):
    """(role or None, compiler tag or None) of a plugin, from its metadata or its id
    ("cpp-hardened-clang19")."""
    impl, variant = info.get("impl"), info.get("variant")
    parts = pid.split("-", 2)
    if impl is None and variant is None and len(parts) == 3:
        impl, variant = parts[0], parts[1]
    tag = _compiler_tag(info)
    if tag is None and len(parts) == 3:
        tag = parts[2]
    role = f"{impl}-{variant}" if impl in ("c", "cpp") and variant in ("base", "hardened") else None
    return role, tag


def _parse_date(s):
    if not isinstance(s, str) or not s:
        return None
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d


def component_of(name):
    return name.split("/", 1)[0] if "/" in name else name


def _order_runs(results):
    runs = []
    for i, r in enumerate(results):
        runs.append(Run(index=i, path=r.path, format=r.format, context=r.context or {},
                        date=_parse_date((r.context or {}).get("date")), complete=r.complete,
                        warnings=list(r.warnings), plugins=r.plugins))
    order = list(range(len(results)))
    if all(r.date is not None for r in runs):
        order.sort(key=lambda i: runs[i].date)  # stable: ties keep argument order
    out_runs, out_results = [], []
    for k, i in enumerate(order):
        runs[i].index = k
        out_runs.append(runs[i])
        out_results.append(results[i])
    return out_runs, out_results


def _drivers(res):
    """workload name -> "driver" of a drvbench result file (the loader does not keep it)."""
    if res.format != "drvbench":
        return {}
    try:
        doc = read_json(res.path)
    except (ResultFileError, OSError):
        return {}
    out = {}
    for w in doc.get("workloads", []) if isinstance(doc, dict) else []:
        if isinstance(w, dict) and isinstance(w.get("name"), str) and isinstance(w.get("driver"), str) and w["driver"]:
            out[w["name"]] = w["driver"]
    return out


def _merge(runs, results):
    plugins, workloads = {}, {}
    for run, res in zip(runs, results):
        drivers = _drivers(res)
        for pid, info in res.plugins.items():
            plugins[pid] = info
        for w in res.workloads.values():
            v = workloads.get(w.name)
            if v is None:
                v = workloads[w.name] = WorkloadView(name=w.name, component=drivers.get(w.name) or component_of(w.name),
                                                     params=dict(w.params), description=w.description)
            else:
                v.params = dict(w.params) or v.params
                v.description = w.description or v.description
            for pid, e in w.entries.items():
                v.entries[pid] = e
                v.source[pid] = run.index
    return plugins, workloads


def _groups(view, plugins):
    """compiler tag -> {role: plugin id} for one workload; other plugin ids."""
    groups, others = {}, []
    for pid in view.entries:
        role, tag = classify(pid, plugins.get(pid, {}))
        if role is None or tag is None:
            others.append(pid)
            continue
        g = groups.setdefault(tag, {})
        if role in g:  # two plugins claim one role (same compiler tag): keep the first, list the other
            others.append(pid)
        else:
            g[role] = pid
    return groups, others


INSTRUCTIONS = "instructions"


def _compare(view, cand, base, settings, metric=PRIMARY):
    """Within one run the paired statistic, across files the unpaired one (stats.compare)."""
    ma = view.entries[cand].metrics.get(metric)
    mb = view.entries[base].metrics.get(metric)
    if ma is None or mb is None or ma.better != mb.better:
        return None
    # Both from one run: its rounds pair the samples (stats.compare, paired).
    same_run = view.source.get(cand) is not None and view.source.get(cand) == view.source.get(base)
    return stats.compare(ma.samples, mb.samples, exact_hint=ma.exact and mb.exact, paired=same_run,
                         better=ma.better, **settings.kw())


def _exact_instructions(view, pid):
    m = view.entries[pid].metrics.get(INSTRUCTIONS)
    return m is not None and m.exact


def _rows_for(view, plugins, settings, compilers_seen):
    rows, others = [], []
    groups, other_ids = _groups(view, plugins)
    for tag in sorted(groups, key=lambda t: (t not in compilers_seen, compilers_seen.index(t) if t in compilers_seen else 0, t)):
        if tag not in compilers_seen:
            compilers_seen.append(tag)
        g = groups[tag]
        summaries, unit = {}, ""
        for role in ROLES:
            pid = g.get(role)
            m = view.entries[pid].metrics.get(PRIMARY) if pid else None
            if m is not None:
                summaries[role] = stats.summarize(m.samples)
                unit = unit or m.unit
        row = VerdictRow(workload=view.name, component=view.component, compiler=tag, unit=unit or "ns/op",
                         plugins=dict(g), summaries=summaries, cmp={})
        for key, cand, base, _label, _what in COMPARISONS:
            if cand in summaries and base in summaries:
                c = _compare(view, g[cand], g[base], settings)
                if c is not None:
                    row.cmp[key] = c
                    if view.source.get(g[cand]) != view.source.get(g[base]):
                        row.cross_run.add(key)
                if _exact_instructions(view, g[cand]) and _exact_instructions(view, g[base]):
                    ic = _compare(view, g[cand], g[base], settings, INSTRUCTIONS)
                    if ic is not None:
                        row.icmp[key] = ic
        rows.append(row)
    # plugins without a C/C++ role (peers, kernel targets): against C base of the first compiler
    first = next((groups[t].get("c-base") for t in compilers_seen if t in groups and "c-base" in groups[t]), None)
    for pid in other_ids:
        m = view.entries[pid].metrics.get(PRIMARY)
        if m is None:
            continue
        c = _compare(view, pid, first, settings) if first else None
        others.append(OtherRow(workload=view.name, plugin=pid, baseline=first, unit=m.unit,
                               summary=stats.summarize(m.samples), comparison=c))
    return rows, others


def _history(runs, results, settings, compilers):
    """Language cost and C base median per run, for workloads present in >= 2 runs."""
    if len(results) < 2:
        return []
    counts = {}
    for res in results:
        for name in res.workloads:
            counts[name] = counts.get(name, 0) + 1
    out = []
    for run, res in zip(runs, results):
        for name, w in res.workloads.items():
            if counts[name] < 2:
                continue
            view = WorkloadView(name=name, component=component_of(name), params=w.params, description="",
                                entries=dict(w.entries), source={p: run.index for p in w.entries})
            groups, _ = _groups(view, res.plugins)
            for tag, g in groups.items():
                if "c-base" not in g:
                    continue
                m = view.entries[g["c-base"]].metrics.get(PRIMARY)
                if m is None:
                    continue
                lang = _compare(view, g["cpp-base"], g["c-base"], settings) if "cpp-base" in g else None
                out.append(HistoryPoint(run=run.index, workload=name, compiler=tag,
                                        c_base_median=float(np.median(m.samples)), unit=m.unit, lang=lang))
    return out


def build_model(results, settings=None):
    """results: list of results.Result (any order); returns a Model."""
    if not results:
        raise ValueError("no result files")
    settings = settings or Settings()
    runs, results = _order_runs(list(results))
    plugins, workloads = _merge(runs, results)
    rows, others, compilers = [], [], []
    for view in workloads.values():
        r, o = _rows_for(view, plugins, settings, compilers)
        rows.extend(r)
        others.extend(o)
    model = Model(runs=runs, plugins=plugins, workloads=workloads, rows=rows, others=others,
                  compilers=compilers, history=_history(runs, results, settings, compilers), settings=settings)
    for run in runs:
        model.warnings.extend(run.warnings)
    if any(r.cross_run for r in rows):
        model.warnings.append("some ratios compare plugins measured in different files (marked †); "
                              "ratios are most trustworthy within one run")
    return model


# ---------------------------------------------------------------- small helpers shared by charts and pages


def geomean(xs):
    xs = [x for x in xs if x is not None and math.isfinite(x) and x > 0]
    if not xs:
        return float("nan")
    return float(math.exp(sum(math.log(x) for x in xs) / len(xs)))


def pct(ratio):
    return (ratio - 1.0) * 100.0


def sample_note(ns):
    """'n = 9 samples per plugin' or 'n = 9–15 samples per plugin'."""
    ns = [n for n in ns if n]
    if not ns:
        return "no samples"
    lo, hi = min(ns), max(ns)
    return f"n = {lo} samples per plugin" if lo == hi else f"n = {lo}–{hi} samples per plugin"
