"""Within-run analysis: every plugin against its baseline, per workload.

    drvbench analyze RESULT.json [--baseline PLUGIN_ID] [--metric time] [--json]
    (= /usr/bin/python3 -m report.analyze ...)

The default output is what `drvbench run` prints as its summary: per workload each plugin's
median, the paired ratio to its baseline with its interval and the verdict, under a line that
names the statistic; then the same for exact instruction counts when the file holds them (no
--metric given). Exit status: 0 analysed, 2 bad input (one line on stderr). See report/README.md.
"""

from __future__ import annotations

import json
import sys

from . import _cli, stats
from .analysis import AnalysisError, analyze_run, analyze_table
from .results import ResultFileError, load

PROG = "drvbench analyze"
JSON_FORMAT = "drvbench-analysis"
JSON_VERSION = 1


def build_parser():
    p = _cli.Parser(prog=PROG, description="Every plugin vs its baseline (default: the c-base plugin "
                    "of the same compiler) per workload of one result file.")
    p.add_argument("result", metavar="RESULT.json")
    p.add_argument("--baseline", metavar="PLUGIN_ID", help="compare every plugin against this one")
    _cli.add_stat_options(p, "metric: time (the default, plus exact instructions when the file holds them) "
                             "or one recorded in the file, e.g. instructions, task_clock_ns, iops")
    return p


def _has_exact(res, metric="instructions"):
    ms = [e.metrics.get(metric) for w in res.workloads.values() for e in w.entries.values()]
    return any(m is not None for m in ms) and all(m.exact for m in ms if m is not None)


def main(argv=None):
    args = _cli.parse(build_parser(), argv)
    if args is None:
        return 2
    try:
        res = load(args.result)
        metric = args.metric or "time"
        rows = analyze_run(res, baseline=args.baseline, metric=metric, **_cli.stat_kwargs(args))
        extra = []
        if args.metric is None and _has_exact(res):
            extra = analyze_run(res, baseline=args.baseline, metric="instructions", **_cli.stat_kwargs(args))
    except (ResultFileError, AnalysisError) as e:
        return _cli.fail(PROG, str(e))
    noisy = sum(1 for r in rows if r.a is not None and r.a.noisy)
    if args.json:
        doc = {
            "format": JSON_FORMAT, "version": JSON_VERSION, "result": res.path, "metric": metric,
            "baseline": args.baseline, **_cli.stat_json(args),
            "context": res.context, "complete": res.complete, "warnings": res.warnings,
            "rows": [r.to_dict() for r in rows], "noisy": noisy,
        }
        if extra:
            doc["instructions_rows"] = [r.to_dict() for r in extra]
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        for i, (m, rs) in enumerate([(metric, rows)] + ([("instructions", extra)] if extra else [])):
            if i:
                print()
            print(analyze_table(rs, m))
        print()
        for w in res.warnings:
            print(f"warning: {w}")
        for m, rs in [(metric, rows)] + ([("instructions", extra)] if extra else []):
            cmp = [r for r in rs if r.comparison is not None]
            by = {}
            for r in cmp:
                by[r.comparison.verdict] = by.get(r.comparison.verdict, 0) + 1
            print(f"{len(cmp)} comparisons ({m}): " +
                  ", ".join(f"{by.get(v, 0)} {v}" for v in (stats.WORSE, stats.BETTER, stats.SAME)) +
                  (f", {by[stats.TOO_FEW]} too few rounds for a verdict" if by.get(stats.TOO_FEW) else "") +
                  (f"; {noisy} sample sets noisy (cv > 5%)" if noisy and m == metric else ""))
    return 0


if __name__ == "__main__":
    sys.exit(_cli.run(main))
