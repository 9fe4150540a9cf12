"""Within-run analysis: every plugin against its baseline, per workload.

    /usr/bin/python3 -m report.analyze RESULT.json [--baseline PLUGIN_ID] [--metric time] [--json]

Exit status: 0 analysed, 2 bad input (one line on stderr). See report/README.md.
"""

from __future__ import annotations

import json
import sys

from . import _cli
from .analysis import AnalysisError, analyze_run, analyze_table
from .results import ResultFileError, load

PROG = "report.analyze"
JSON_FORMAT = "drvbench-analysis"
JSON_VERSION = 1


def build_parser():
    p = _cli.Parser(prog=PROG, description="Every plugin vs its baseline (default: the c-base plugin "
                    "of the same compiler) per workload of one result file.")
    p.add_argument("result", metavar="RESULT.json")
    p.add_argument("--baseline", metavar="PLUGIN_ID", help="compare every plugin against this one")
    _cli.add_stat_options(p)
    return p


def main(argv=None):
    args = _cli.parse(build_parser(), argv)
    if args is None:
        return 2
    try:
        res = load(args.result)
        rows = analyze_run(res, baseline=args.baseline, metric=args.metric, **_cli.stat_kwargs(args))
    except (ResultFileError, AnalysisError) as e:
        return _cli.fail(PROG, str(e))
    noisy = sum(1 for r in rows if r.a is not None and r.a.noisy)
    if args.json:
        doc = {
            "format": JSON_FORMAT, "version": JSON_VERSION, "result": res.path, "metric": args.metric,
            "baseline": args.baseline, **_cli.stat_json(args),
            "context": res.context, "complete": res.complete, "warnings": res.warnings,
            "rows": [r.to_dict() for r in rows], "noisy": noisy,
        }
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        print(analyze_table(rows))
        print()
        for w in res.warnings:
            print(f"warning: {w}")
        cmp = [r for r in rows if r.comparison is not None]
        by = {}
        for r in cmp:
            by[r.comparison.verdict] = by.get(r.comparison.verdict, 0) + 1
        print(f"{len(cmp)} comparisons ({args.metric}): " +
              ", ".join(f"{by.get(v, 0)} {v}" for v in ("slower", "faster", "no significant difference")) +
              (f"; {noisy} sample sets noisy (cv > 5%)" if noisy else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
