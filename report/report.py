"""The drvbench report: one self-contained HTML page, charts (SVG + PNG + CSV each), a Markdown
summary and a CSV of every figure, from one or more result files.

    /usr/bin/python3 -m report.report RESULTS.json... --out DIR [--title TEXT] [stat options]

Writes DIR/index.html (verdict table, charts embedded as data: URIs, context; no scripts, no
network), DIR/summary.md, DIR/results.csv, DIR/comparisons.csv and DIR/charts/NAME.{svg,png,csv}.
Prints the path of index.html. Exit 0, or 2 for bad input (one line on stderr).

Several files: the newest run (context date) wins per workload + plugin (so separate files of
a compiler matrix merge), and runs sharing workloads make the history chart.
"""

from __future__ import annotations

import base64
import csv
import errno
import html
import math
import os
import shutil
import sys
import tempfile

import numpy as np

from . import _cli, charts, stats
from .analysis import fmt_value
from .model import (CMP_BY_KEY, ROLE_LABEL, ROLES, TABLE_COMPARISONS, Settings, build_model, classify, geomean,
                    pct)
from .results import ResultFileError, load

PROG = "drvbench report"

VERDICT_SYMBOL = {stats.WORSE: "▲", stats.BETTER: "▼", stats.SAME: "≈", stats.TOO_FEW: "", stats.NA: "–"}
VERDICT_CLASS = {stats.WORSE: "slower", stats.BETTER: "faster", stats.SAME: "same", stats.TOO_FEW: "few", stats.NA: "na"}

# The smoke-run rule (docs/measurement.md, "Honest headline"): a headline resting on fewer
# rounds than this, or on sample sets whose median cv exceeds SMOKE_CV, is a smoke run.
SMOKE_MIN_ROUNDS = stats.MIN_RECOMMENDED_SAMPLES
SMOKE_CV = stats.CV_WARN


# ---------------------------------------------------------------- formatting


def fmt_pct(ratio):
    if ratio is None or not math.isfinite(ratio):
        return "–"
    return f"{pct(ratio):+.1f} %"


def fmt_ci_pct(c):
    if c is None:
        return ""
    if c.exact:
        return "exact"
    lo, hi = c.ratio_ci
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "no CI"
    return f"[{pct(lo):+.1f}, {pct(hi):+.1f}]"


def fmt_p(c):
    if c is None or c.p_value is None:
        return ""
    return f"p={c.p_value:.2g}" if c.p_value >= 1e-4 else "p<1e-4"


def verdict_word(c):
    if c is None:
        return ""
    if c.verdict == stats.NA:  # why: "n/a: baseline median is 0", "n/a: ratio out of range (...)"
        why = next((w.rsplit(": no ratio", 1)[0] for w in c.warnings if w.endswith(": no ratio")), "")
        return f"n/a: {why}" if why else "n/a"
    if c.verdict == stats.TOO_FEW:
        return stats.verdict_text(c)
    return {stats.WORSE: "worse", stats.BETTER: "better", stats.SAME: "n.s.", stats.NA: "n/a"}[c.verdict]


def _md_cmp(c, cross=False):
    """A comparison as a summary.md table cell."""
    if c is None:
        return "–"
    if c.verdict == stats.NA:
        return _md(verdict_word(c))
    return f"{fmt_pct(c.ratio)} {fmt_ci_pct(c)} {_mark(c)}{' †' if cross else ''}"


def _e(s):
    return html.escape(str(s), quote=True)


# ---------------------------------------------------------------- headline


def headline(model):
    """One entry per component and compiler: per comparison the geometric mean of the ratios,
    the verdict counts, the rounds and cv behind them, and the exact instruction ratio when the
    files hold instruction counts."""
    out = []
    for comp in model.components():
        for tag in model.compilers:
            rows = [r for r in model.rows if r.component == comp and r.compiler == tag]
            if not rows:
                continue
            parts = []
            for key in ("lang", "checks_c", "checks_cpp"):
                cs = [r.cmp[key] for r in rows if key in r.cmp]
                if not cs:
                    continue
                n = {v: sum(c.verdict == v for c in cs) for v in (stats.WORSE, stats.BETTER, stats.TOO_FEW)}
                ics = [r.icmp[key] for r in rows if key in r.icmp]
                cvs = [x for c in cs for x in (c.cv_a, c.cv_b)]
                parts.append(dict(key=key, label=CMP_BY_KEY[key][4], geomean=geomean([c.ratio for c in cs]), n=len(cs),
                                  slower=n[stats.WORSE], faster=n[stats.BETTER], few=n[stats.TOO_FEW],
                                  same=len(cs) - n[stats.WORSE] - n[stats.BETTER] - n[stats.TOO_FEW],
                                  rounds=(min(min(c.n_a, c.n_b) for c in cs), max(max(c.n_a, c.n_b) for c in cs)),
                                  cv=(min(cvs), float(np.median(cvs)), max(cvs)),
                                  statistics=sorted({c.statistic for c in cs}),
                                  instructions=geomean([c.ratio for c in ics]) if ics else None, n_instructions=len(ics)))
            if parts:
                out.append(dict(component=comp, compiler=tag, parts=parts))
    return out


def smoke_reasons(model, heads=None):
    """Why the headline is a smoke run (empty: it is not): fewer than SMOKE_MIN_ROUNDS rounds,
    or a median cv above SMOKE_CV, in any comparison the headline rests on."""
    heads = headline(model) if heads is None else heads
    rounds = [p["rounds"][0] for h in heads for p in h["parts"]]
    cvs = [p["cv"][1] for h in heads for p in h["parts"]]
    out = []
    if rounds and min(rounds) < SMOKE_MIN_ROUNDS:
        out.append(f"{min(rounds)} rounds (fewer than {SMOKE_MIN_ROUNDS})")
    if cvs and max(cvs) > SMOKE_CV:
        out.append(f"median cv {max(cvs) * 100:.0f} % (above {SMOKE_CV * 100:g} %)")
    return out


def _rounds_text(p):
    lo, hi = p["rounds"]
    return f"{lo} rounds" if lo == hi else f"{lo}–{hi} rounds"


def _cv_text(p):
    lo, med, hi = p["cv"]
    return f"cv {lo * 100:.1f}–{hi * 100:.1f} % (median {med * 100:.1f} %)"


def headline_part_text(p):
    counts = f"{p['slower']} worse, {p['faster']} better, {p['same']} no significant difference"
    if p["few"]:
        counts += f", {p['few']} too few rounds for a verdict"
    t = (f"{p['label']}: time {fmt_pct(p['geomean'])} (geometric mean of {p['n']}; {counts}; "
         f"{_rounds_text(p)}, {_cv_text(p)})")
    if p["instructions"] is not None:
        t += f", instructions {fmt_pct(p['instructions'])} (exact, geometric mean of {p['n_instructions']})"
    return t


def headline_text(h):
    return f"{h['component']} ({h['compiler']}): " + "; ".join(headline_part_text(p) for p in h["parts"])


# ---------------------------------------------------------------- CSV


RESULT_COLUMNS = ["workload", "component", "plugin", "role", "compiler", "metric", "unit", "n", "median", "mean",
                  "min", "max", "stddev", "cv", "exact", "baseline", "ratio_to_baseline", "ci_low", "ci_high",
                  "p_value", "verdict", "source"]

COMPARISON_COLUMNS = ["workload", "component", "compiler", "comparison", "candidate", "reference", "unit",
                      "median_candidate", "median_reference", "ratio", "ci_low", "ci_high", "diff_pct", "p_value",
                      "verdict", "exact", "noisy", "n_candidate", "n_reference", "cross_run", "statistic"]


def results_rows(model):
    """Every workload x plugin x metric: descriptive figures; for the primary metric also the
    comparison against the plugin's C base (as in the verdict table)."""
    vs_base = {}
    for r in model.rows:
        for role, key in (("c-hardened", "checks_c"), ("cpp-base", "lang"), ("cpp-hardened", "total")):
            if key in r.cmp:
                vs_base[(r.workload, r.plugins[role])] = (r.plugins["c-base"], r.cmp[key])
    for o in model.others:
        if o.comparison is not None:
            vs_base[(o.workload, o.plugin)] = (o.baseline, o.comparison)
    out = []
    for w in model.workloads.values():
        for pid, e in w.entries.items():
            role, tag = classify(pid, model.plugins.get(pid, {}))
            for mname, m in e.metrics.items():
                s = stats.summarize(m.samples)
                row = [w.name, w.component, pid, role or "", tag or "", mname, m.unit, s.n, s.median, s.mean, s.min,
                       s.max, s.stddev, s.cv, m.exact]
                b = vs_base.get((w.name, pid)) if mname == "time" else None
                if b:
                    c = b[1]
                    row += [b[0], c.ratio, c.ratio_ci[0], c.ratio_ci[1], c.p_value, c.verdict]
                else:
                    row += [None] * 6
                row.append(model.runs[w.source[pid]].path)
                out.append(row)
    return out


def comparison_rows(model):
    out = []
    for r in model.rows:
        for key, cand, base, label, _ in [CMP_BY_KEY[k] for k in ("lang", "lang_h", "checks_c", "checks_cpp", "total")]:
            c = r.cmp.get(key)
            if c is None:
                continue
            out.append([r.workload, r.component, r.compiler, key, r.plugins[cand], r.plugins[base], r.unit,
                        c.median_a, c.median_b, c.ratio, c.ratio_ci[0], c.ratio_ci[1], pct(c.ratio), c.p_value,
                        c.verdict, c.exact, c.noisy, c.n_a, c.n_b, key in r.cross_run, c.statistic])
    return out


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if not math.isfinite(v) else repr(round(v, 9))
    return v


def write_csv(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([_csv_value(v) for v in r])


# ---------------------------------------------------------------- Markdown


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#"})


def _md(s):
    """Text from a result file as Markdown text: HTML escaped (as index.html does), Markdown markup
    and table separators backslash-escaped, on one line."""
    s = " ".join(str(s).split())
    return html.escape(s, quote=False).translate(_MD_SPECIAL)


def _md_code(s):
    """A name as a code span, or as escaped text (_md) when it holds a backtick, a table separator,
    a line break or HTML-special characters."""
    s = str(s)
    if any(c in s for c in "`|\r\n<>&"):
        return _md(s)
    return f"`{s}`"


def summary_md(model, chart_files, title):
    cur = model.current
    L = [f"# {_md(title)}", ""]
    heads = headline(model)
    smoke = smoke_reasons(model, heads)
    if smoke:
        L += [f"**Smoke run: not for publication** ({'; '.join(smoke)}).", ""]
    for h in heads:
        L.append(f"- **{_md(h['component'])} ({_md(h['compiler'])})**: " + "; ".join(headline_part_text(p) for p in h["parts"]))
    L += ["", legend_text(model), ""]
    head = ["workload", "compiler"] + [ROLE_LABEL[r] for r in ROLES] + [CMP_BY_KEY[k][3] for k in TABLE_COMPARISONS]
    L.append("| " + " | ".join(head) + " |")
    L.append("|" + "|".join(["---", "---"] + ["---:"] * (len(head) - 2)) + "|")
    for r in model.rows:
        cells = [_md_code(r.workload), _md(r.compiler)]
        for role in ROLES:
            s = r.summaries.get(role)
            cells.append(fmt_value(s.median, r.unit) if s else "–")
        for key in TABLE_COMPARISONS:
            cells.append(_md_cmp(r.cmp.get(key), key in r.cross_run))
        L.append("| " + " | ".join(cells) + " |")
    if model.others:
        L += ["", "Other subjects (peers, kernel targets) against C base:", "",
              "| workload | plugin | median | vs C base |", "|---|---|---:|---:|"]
        for o in model.others:
            c = o.comparison
            L.append(f"| {_md_code(o.workload)} | {_md(o.plugin)} | {fmt_value(o.summary.median, o.unit)} | "
                     f"{_md_cmp(c)} |")
    ctx = cur.context
    L += ["", f"Run: {_md(ctx.get('date', '?'))} on {_md(ctx.get('host', ctx.get('host_name', '?')))} "
              f"({_md(ctx.get('cpu_model', '?'))}, {_md(ctx.get('cpus', ctx.get('num_cpus', '?')))} CPUs), kernel "
              f"{_md(str(ctx.get('kernel', '?')).split(' ')[0])}, commit {_md(str(ctx.get('git_commit', '?'))[:12])}"
              f"{' (dirty)' if ctx.get('git_dirty') else ''}; {len(model.runs)} result file(s)."]
    for w in model.warnings:
        L.append(f"> warning: {_md(w)}")
    if chart_files:
        L += ["", "Charts: " + ", ".join(f"[{n}](charts/{n}.svg)" for n in chart_files) + "."]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- HTML


CSS = """
:root { --fg:#1a1a1a; --muted:#555; --line:#d0d0d0; --slower:#fbe3d1; --faster:#d6e9f5; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1240px; padding: 18px 22px 60px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #222; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.headline { background: #f5f5f5; border-left: 4px solid #333; padding: 8px 12px; margin: 10px 0 14px; }
.headline li { margin: 2px 0; }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; vertical-align: top; }
th { background: #eee; text-align: left; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.verdict td.r { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums; }
td.slower { background: var(--slower); } td.faster { background: var(--faster); }
li.smoke { color: #8a1c00; }
.ci { color: var(--muted); font-size: 11px; display: block; }
.v { font-weight: 600; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 8px; border: 1px solid var(--line); }
figure { margin: 14px 0 26px; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; display: block; }
figcaption { color: #333; font-size: 13px; margin-top: 6px; max-width: 1000px; }
figcaption .files a { margin-right: 8px; }
details { margin: 6px 0; } summary { cursor: pointer; color: #0050a0; }
details table { margin-top: 6px; }
.warn { background: #fff4d6; border: 1px solid #e6c200; padding: 6px 10px; margin: 8px 0; }
code { font-size: 12px; }
.wide { overflow-x: auto; max-width: 100%; }
table.verdict td:first-child code { word-break: break-word; }
.ctx td:first-child { white-space: nowrap; font-weight: 600; }
.flags { font-family: "DejaVu Sans Mono", monospace; font-size: 11.5px; word-break: break-all; }
.toc a { margin-right: 12px; }
@media print { details { display: none; } }
"""


def _ratio_cell(c, cross):
    if c is None:
        return '<td class="r">–</td>'
    cls = VERDICT_CLASS[c.verdict]
    mark = VERDICT_SYMBOL[c.verdict]
    title = f"{c.statistic}: {c.ratio:.4f}; {c.confidence * 100:g}% interval {c.ratio_ci[0]:.4f}–{c.ratio_ci[1]:.4f}; " \
            f"{fmt_p(c) or 'no test'}; n={c.n_a}/{c.n_b}; {stats.verdict_text(c)}"
    return (f'<td class="r {cls}" title="{_e(title)}"><span class="v">{_e(fmt_pct(c.ratio))} {mark}</span>'
            f'{" †" if cross else ""}<span class="ci">{_e(fmt_ci_pct(c))}<br>{_e(fmt_p(c))} {_e(verdict_word(c))}</span></td>')


def _mark(c):
    return VERDICT_SYMBOL[c.verdict] if c.verdict != stats.TOO_FEW else f"({stats.verdict_text(c)})"


def _unpaired_label(s):
    return f"ratio of medians, {'BCa' if s.ci_method == 'bca' else 'percentile'} bootstrap interval, Mann–Whitney U test"


def legend_text(model):
    """What every ratio cell is: the statistic by where its two sides come from."""
    s = model.settings
    return (f"Time per operation. Each cell: ratio − 1 of candidate to reference, its {s.confidence * 100:g} % interval, "
            f"p and verdict. Both sides from one run (no mark): {stats.PAIRED_LABEL}. † = the sides come from "
            f"different result files: {_unpaired_label(s)}. "
            f"▲ worse / ▼ better = significant (p < {s.alpha:g}, interval excludes 0, |difference| ≥ "
            f"{s.min_effect * 100:g} %); ≈ = no significant difference; with fewer than "
            f"{stats.min_rounds_for_verdict(s.alpha)} rounds the test cannot reach p < {s.alpha:g} and the cell says so.")


def verdict_table_html(model):
    multi = len(model.compilers) > 1
    head = ["workload"] + (["compiler"] if multi else []) + [f"{ROLE_LABEL[r]}<br><small>median</small>" for r in ROLES]
    head += [f"{_e(CMP_BY_KEY[k][3])}<br><small>{_e(CMP_BY_KEY[k][4])}</small>" for k in TABLE_COMPARISONS]
    out = ['<div class="wide"><table class="verdict"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    for r in model.rows:
        cells = [f"<td><code>{_e(r.workload)}</code></td>"]
        if multi:
            cells.append(f"<td>{_e(r.compiler)}</td>")
        for role in ROLES:
            s = r.summaries.get(role)
            if s is None:
                cells.append('<td class="num">–</td>')
            else:
                cells.append(f'<td class="num" title="{_e(r.plugins[role])}: n={s.n}, cv={s.cv * 100:.1f}%">'
                             f'{_e(fmt_value(s.median, r.unit))}<span class="ci">n={s.n}{", noisy" if s.noisy else ""}</span></td>')
        for key in TABLE_COMPARISONS:
            cells.append(_ratio_cell(r.cmp.get(key), key in r.cross_run))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    legend = (f'<p class="legend sub">{_e(legend_text(model))} '
              f'<span class="slower">▲ worse</span><span class="faster">▼ better</span><span>≈ n.s. = no significant '
              f'difference</span></p>')
    return legend + "\n".join(out)


def others_table_html(model):
    if not model.others:
        return ""
    rows = []
    for o in model.others:
        c = o.comparison
        rows.append(f"<tr><td><code>{_e(o.workload)}</code></td><td>{_e(o.plugin)}</td>"
                    f'<td class="num">{_e(fmt_value(o.summary.median, o.unit))}</td><td>{_e(o.baseline or "–")}</td>'
                    f"{_ratio_cell(c, False)}</tr>")
    return ("<h3>Other subjects (peers, kernel targets)</h3><table class=\"verdict\"><thead><tr><th>workload</th>"
            "<th>plugin</th><th>median</th><th>against</th><th>vs C base</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _data_table_html(chart, limit=400):
    rows = chart.rows[:limit]
    body = "".join("<tr>" + "".join(f'<td class="num">{_e(_fmt_cell(v))}</td>' if isinstance(v, (int, float))
                                    and not isinstance(v, bool) else f"<td>{_e(_fmt_cell(v))}</td>" for v in r)
                   + "</tr>" for r in rows)
    more = f"<p class=\"sub\">{len(chart.rows) - limit} more rows in {chart.name}.csv</p>" if len(chart.rows) > limit else ""
    return ("<table><thead><tr>" + "".join(f"<th>{_e(c)}</th>" for c in chart.columns) + "</tr></thead><tbody>"
            + body + "</tbody></table>" + more)


def _fmt_cell(v):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _data_uri(path, mime):
    with open(path, "rb") as f:
        return f"data:{mime};base64," + base64.b64encode(f.read()).decode("ascii")


def chart_html(chart, paths, embed="png"):
    src = _data_uri(paths["png"], "image/png") if embed == "png" else _data_uri(paths["svg"], "image/svg+xml")
    return (f'<figure id="{_e(chart.name)}" class="chart"><img src="{src}" alt="{_e(chart.title)}" '
            f'data-chart="{_e(chart.name)}">'
            f"<figcaption><b>{_e(chart.title)}.</b> {_e(chart.caption)} <i>{_e(chart.subtitle)}.</i>"
            f'<span class="files"> Files: <a href="charts/{_e(chart.name)}.svg">SVG</a>'
            f'<a href="charts/{_e(chart.name)}.png">PNG</a><a href="charts/{_e(chart.name)}.csv">CSV</a></span>'
            f"<details><summary>Numbers behind this chart ({len(chart.rows)} rows)</summary>"
            f"{_data_table_html(chart)}</details></figcaption></figure>")


def context_html(model):
    out = []
    for run in reversed(model.runs):
        ctx = run.context
        items = [("file", run.path), ("format", run.format + ("" if run.complete else " (incomplete run)")),
                 ("date", ctx.get("date")), ("host", ctx.get("host", ctx.get("host_name"))),
                 ("CPU", f"{ctx.get('cpu_model', '?')} × {ctx.get('cpus', ctx.get('num_cpus', '?'))}"),
                 ("kernel", ctx.get("kernel")),
                 ("git commit", f"{ctx.get('git_commit', '?')}{' (dirty)' if ctx.get('git_dirty') else ''}"),
                 ("drvbench", ctx.get("drvbench_version")), ("harness compiler", ctx.get("harness_compiler")),
                 ("pinned CPU", ctx.get("pinned_cpu")), ("clock", ctx.get("clock")), ("seed", ctx.get("seed")),
                 ("command line", " ".join(ctx["command_line"]) if isinstance(ctx.get("command_line"), list) else None)]
        rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in items if v not in (None, ""))
        out.append(f"<h3>{_e(run.label)}{' — newest' if run is model.current and len(model.runs) > 1 else ''}</h3>"
                   f'<table class="ctx">{rows}</table>')
        prow = []
        for pid, info in run.plugins.items():
            comp = " ".join(x for x in (info.get("compiler"), info.get("compiler_version")) if isinstance(x, str))
            prow.append(f"<tr><td><code>{_e(pid)}</code></td><td>{_e(info.get('impl', ''))}</td>"
                        f"<td>{_e(info.get('variant', ''))}</td><td>{_e(comp)}</td>"
                        f'<td class="flags">{_e(info.get("flags", ""))}</td><td>{_e(info.get("file", ""))}</td></tr>')
        if prow:
            out.append("<table><thead><tr><th>plugin</th><th>impl</th><th>variant</th><th>compiler</th>"
                       "<th>flags</th><th>file</th></tr></thead><tbody>" + "".join(prow) + "</tbody></table>")
    return "\n".join(out)


def settings_html(model):
    s = model.settings
    return (f'<p class="sub">Statistics (docs/measurement.md): within one run {_e(stats.PAIRED_LABEL)}; across '
            f"result files (†) {_e(_unpaired_label(s))}; {s.confidence * 100:g} % intervals, {s.n_resamples} "
            f"resamples, seed {s.seed}; two-sided, α = {s.alpha:g}; minimum effect {s.min_effect * 100:g} %. Every "
            f"plugin is compared with the C base plugin of the same compiler, measured interleaved in the same run.</p>")


def index_html(model, chart_entries, title):
    cur = model.current
    ctx = cur.context
    heads = headline(model)
    hl = "".join(f"<li>{_e(headline_text(h))}</li>" for h in heads)
    smoke = smoke_reasons(model, heads)
    if smoke:
        hl = f'<li class="smoke"><b>Smoke run: not for publication</b> ({_e("; ".join(smoke))}).</li>' + hl
    warn = "".join(f'<div class="warn">warning: {_e(w)}</div>' for w in model.warnings)
    toc = " ".join(f'<a href="#{_e(c.name)}">{_e(c.title.split(":")[0])}</a>' for c, _ in chart_entries)
    charts_html = "\n".join(chart_html(c, p) for c, p in chart_entries) or '<p class="sub">No chart applies to these inputs.</p>'
    sub = (f"{_e(ctx.get('date', ''))} · {_e(ctx.get('host', ctx.get('host_name', '')))} · "
           f"commit {_e(str(ctx.get('git_commit', '?'))[:12])} · {len(model.rows)} workload rows · "
           f"{len(model.runs)} result file(s)")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{_e(title)}</title><style>{CSS}</style></head>
<body>
<h1>{_e(title)}</h1>
<p class="sub">{sub}</p>
<ul class="headline">{hl or '<li>No C/C++ pair to compare in these inputs.</li>'}</ul>
{warn}
<h2 id="verdicts">Verdicts</h2>
{verdict_table_html(model)}
{others_table_html(model)}
{settings_html(model)}
<h2 id="charts">Charts</h2>
<p class="toc">{toc}</p>
{charts_html}
<h2 id="context">Context</h2>
{context_html(model)}
<p class="sub">Figures: <a href="results.csv">results.csv</a> (every workload × plugin × metric),
<a href="comparisons.csv">comparisons.csv</a> (every ratio in the table), <a href="summary.md">summary.md</a>.</p>
</body></html>
"""


# ---------------------------------------------------------------- entry points


REPORT_FILES = ("results.csv", "comparisons.csv", "summary.md", "index.html")  # and charts/


def write_report(results, out_dir, settings=None, title="drvbench report"):
    """Build the model and write every file; returns (index.html path, model, charts).

    The report is built in a temporary directory beside out_dir and only then moved into place
    (renames only), so a failure part-way (a full filesystem, a chart that cannot be drawn)
    leaves an earlier report in out_dir as it was. Other files in out_dir are kept."""
    model = build_model(results, settings)
    out_dir = os.path.abspath(out_dir)
    if os.path.lexists(out_dir) and not os.path.isdir(out_dir):
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a directory", out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir)}.tmp-", dir=parent)
    try:
        chart_dir = os.path.join(tmp, "charts")
        os.mkdir(chart_dir)
        entries = []
        for ch in charts.all_charts(model):
            entries.append((ch, charts.render(ch, chart_dir, model.plugins)))
        _write(os.path.join(tmp, "index.html"), index_html(model, entries, title))
        _write(os.path.join(tmp, "summary.md"), summary_md(model, [c.name for c, _ in entries], title))
        write_csv(os.path.join(tmp, "results.csv"), RESULT_COLUMNS, results_rows(model))
        write_csv(os.path.join(tmp, "comparisons.csv"), COMPARISON_COLUMNS, comparison_rows(model))
        _install(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return os.path.join(out_dir, "index.html"), model, [c for c, _ in entries]


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _install(tmp, out_dir):
    """Moves the report built in tmp to out_dir by renames. A new out_dir is tmp renamed; in an
    existing one the new charts replace the old (charts of the earlier report that this one does
    not draw are removed: they would look current), then the files, index.html last."""
    if not os.path.lexists(out_dir):
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)
        os.rename(tmp, out_dir)
        return
    new_charts, old_charts = os.path.join(tmp, "charts"), os.path.join(out_dir, "charts")
    if not os.path.isdir(old_charts):
        os.mkdir(old_charts)
    new = set(os.listdir(new_charts))
    for f in new:
        os.replace(os.path.join(new_charts, f), os.path.join(old_charts, f))
    for f in os.listdir(old_charts):
        if f.endswith((".svg", ".png", ".csv")) and f not in new:
            os.unlink(os.path.join(old_charts, f))
    for f in REPORT_FILES:
        os.replace(os.path.join(tmp, f), os.path.join(out_dir, f))


def build_parser():
    p = _cli.Parser(prog=PROG, description="Write the drvbench report (HTML, charts, Markdown, CSV) "
                    "for one or more result files.")
    p.add_argument("results", nargs="+", metavar="RESULTS.json")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created)")
    p.add_argument("--title", default="drvbench report", help="page title")
    p.add_argument("--alpha", type=_cli.prob, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--min-effect", type=_cli.pct, default=1.0, metavar="PCT",
                   help="smallest |difference| in percent that counts (default 1)")
    p.add_argument("--confidence", type=_cli.prob, default=0.95, help="interval confidence (default 0.95)")
    p.add_argument("--resamples", type=_cli.resamples, default=10000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=_cli.seed, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--ci-method", choices=("bca", "percentile"), default="bca")
    return p


def main(argv=None):
    args = _cli.parse(build_parser(), argv)
    if args is None:
        return 2
    settings = Settings(alpha=args.alpha, min_effect=args.min_effect / 100.0, confidence=args.confidence,
                        n_resamples=args.resamples, seed=args.seed, ci_method=args.ci_method)
    try:
        results = [load(p) for p in args.results]
    except ResultFileError as e:
        return _cli.fail(PROG, str(e))
    try:
        index, model, _ = write_report(results, args.out, settings, args.title)
    except OSError as e:
        return _cli.fail(PROG, f"{args.out}: cannot write the report: {e.strerror or e}")
    for w in model.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(os.path.abspath(index))
    return 0


if __name__ == "__main__":
    sys.exit(_cli.run(main))
