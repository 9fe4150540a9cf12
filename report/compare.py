"""Regression gate: compare two result files (drvbench result JSON or Google Benchmark JSON).

    /usr/bin/python3 -m report.compare BASE.json NEW.json [--threshold PCT] [--metric time|instructions]
                                       [--alpha 0.05] [--min-effect PCT] [--json]

Exit status: 0 no regression, 1 some workload/plugin is significantly slower in NEW by at
least --threshold percent, 2 bad input (one line on stderr). See report/README.md.
"""

from __future__ import annotations

import json
import sys

from . import _cli
from .analysis import AnalysisError, compare_runs, compare_summary, compare_table
from .results import ResultFileError, load

PROG = "report.compare"
JSON_FORMAT = "drvbench-compare"
JSON_VERSION = 1


def build_parser():
    p = _cli.Parser(prog=PROG, description="Compare NEW against BASE per workload and plugin; "
                    "exit 1 on a significant slowdown beyond the threshold.")
    p.add_argument("base", metavar="BASE.json")
    p.add_argument("new", metavar="NEW.json")
    p.add_argument("--threshold", type=_cli.pct, default=1.0, metavar="PCT",
                   help="a significant slowdown of at least PCT percent fails the gate (default 1)")
    _cli.add_stat_options(p)
    return p


def main(argv=None):
    args = _cli.parse(build_parser(), argv)
    if args is None:
        return 2
    try:
        base = load(args.base)
        new = load(args.new)
        rep = compare_runs(base, new, metric=args.metric, threshold_pct=args.threshold, **_cli.stat_kwargs(args))
    except (ResultFileError, AnalysisError) as e:
        return _cli.fail(PROG, str(e))
    status = 1 if rep.regressions else 0
    if args.json:
        doc = {
            "format": JSON_FORMAT, "version": JSON_VERSION,
            "base": rep.base_path, "new": rep.new_path, "metric": rep.metric,
            "threshold_pct": rep.threshold_pct, **_cli.stat_json(args),
            "rows": [r.to_dict() for r in rep.rows],
            "only_in_base": rep.only_in_base, "only_in_new": rep.only_in_new,
            "counts": rep.counts(), "regressions": len(rep.regressions), "warnings": rep.warnings,
            "summary": compare_summary(rep), "exit_status": status,
        }
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        print(compare_table(rep))
        print()
        for w in rep.warnings:
            print(f"warning: {w}")
        if rep.only_in_base:
            print("only in base: " + ", ".join(rep.only_in_base))
        if rep.only_in_new:
            print("only in new: " + ", ".join(rep.only_in_new))
        print(compare_summary(rep))
    return status


if __name__ == "__main__":
    sys.exit(main())
