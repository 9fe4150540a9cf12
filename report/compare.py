"""Regression gate: compare two result files (drvbench result JSON or Google Benchmark JSON).

    drvbench compare BASE.json NEW.json [--threshold PCT] [--metric time|instructions|...]
                     [--noise-band PCT] [--alpha 0.05] [--min-effect PCT] [--json]
    (= /usr/bin/python3 -m report.compare ...)

Rows match on driver, workload name, resolved parameters and plugin id. Without --metric the
gate is exact instruction counts when both files hold them (time is reported, does not gate),
else time with the cross-run noise band (docs/measurement.md, "The regression gate").
Exit status: 0 no regression, 1 some row is significantly worse in NEW by at least the gate's
percentage, 2 bad input or nothing comparable (one line on stderr). See report/README.md.
"""

from __future__ import annotations

import json
import sys

from . import _cli
from .analysis import (TIME_NOISE_BAND_PCT, AnalysisError, compare_runs, compare_summary, compare_table,
                       default_gate_metric)
from .results import ResultFileError, load

PROG = "drvbench compare"
JSON_FORMAT = "drvbench-compare"
JSON_VERSION = 1


def build_parser():
    p = _cli.Parser(prog=PROG, description="Compare NEW against BASE per workload (same driver, name and "
                    "parameters) and plugin; exit 1 when a row is significantly worse beyond the gate.")
    p.add_argument("base", metavar="BASE.json")
    p.add_argument("new", metavar="NEW.json")
    p.add_argument("--threshold", type=_cli.pct, default=1.0, metavar="PCT",
                   help="a row significantly worse by at least PCT percent fails the gate (default 1)")
    p.add_argument("--noise-band", type=_cli.pct, default=None, metavar="PCT",
                   help=f"for measured (not exact) metrics, a regression must also be worse by at least PCT "
                        f"percent, the cross-run drift of identical code (default {TIME_NOISE_BAND_PCT:g}; 0: none)")
    _cli.add_stat_options(p, "metric that gates: default instructions when both files hold exact counts (time "
                             "is then reported beside it), else time; or one recorded in both files")
    return p


def main(argv=None):
    args = _cli.parse(build_parser(), argv)
    if args is None:
        return 2
    try:
        base = load(args.base)
        new = load(args.new)
        metric = args.metric or default_gate_metric(base, new)
        kw = dict(threshold_pct=args.threshold, noise_band_pct=args.noise_band, **_cli.stat_kwargs(args))
        rep = compare_runs(base, new, metric=metric, **kw)
        also = None  # time, reported beside an instructions gate chosen by default
        if args.metric is None and metric != "time":
            try:
                also = compare_runs(base, new, metric="time", gate=False, **kw)
            except AnalysisError:
                also = None
    except (ResultFileError, AnalysisError) as e:
        return _cli.fail(PROG, str(e))
    status = 1 if rep.regressions else 0
    if args.json:
        doc = {
            "format": JSON_FORMAT, "version": JSON_VERSION,
            "base": rep.base_path, "new": rep.new_path, "metric": rep.metric,
            "threshold_pct": rep.threshold_pct, "noise_band_pct": rep.noise_band_pct, "gate_pct": rep.gate_pct,
            **_cli.stat_json(args),
            "rows": [r.to_dict() for r in rep.rows],
            "only_in_base": rep.only_in_base, "only_in_new": rep.only_in_new, "params_differ": rep.params_differ,
            "counts": rep.counts(), "regressions": len(rep.regressions), "warnings": rep.warnings,
            "summary": compare_summary(rep), "exit_status": status,
        }
        if also is not None:
            doc["reported"] = {"metric": also.metric, "gate": False, "rows": [r.to_dict() for r in also.rows],
                               "counts": also.counts()}
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        if also is not None:
            print(compare_table(also))
            print()
        print(compare_table(rep))
        print()
        for w in rep.warnings:
            print(f"warning: {w}")
        if rep.only_in_base:
            print("only in base: " + ", ".join(rep.only_in_base))
        if rep.only_in_new:
            print("only in new: " + ", ".join(rep.only_in_new))
        for d in rep.params_differ:
            print(f"not compared: {d}")
        print(compare_summary(rep))
    return status


if __name__ == "__main__":
    sys.exit(_cli.run(main))
