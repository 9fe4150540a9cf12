"""Shared CLI plumbing: one-line errors, exit status 2 for bad input."""

from __future__ import annotations

import argparse
import os
import sys


MAX_LINE = 500  # an error line echoes keys and values from the command line and files: capped


def line(s):
    """s on one line of at most MAX_LINE characters."""
    s = " ".join(str(s).split())
    return s if len(s) <= MAX_LINE else s[:MAX_LINE - 3] + "..."


class UsageExit(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one line (exit status 2)."""

    def error(self, message):
        raise UsageExit(f"{self.prog}: {message} (see --help)")


def _number(s, conv, noun, ok, expected):
    """s converted by conv if ok() accepts it, else an argparse error naming what was expected."""
    try:
        v = conv(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {noun}: {s!r}") from None
    if not ok(v):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {s!r}")
    return v


def pct(s):
    return _number(s, float, "a number", lambda v: v >= 0 and v < 1e6, "a percentage >= 0")


def prob(s):
    return _number(s, float, "a number", lambda v: 0 < v < 1, "a value in (0, 1)")


def resamples(s):
    return _number(s, int, "an integer", lambda v: 100 <= v <= 1_000_000, "100..1000000")


def seed(s):
    return _number(s, int, "an integer", lambda v: 0 <= v < 2 ** 128, "an integer in 0..2^128-1")


def parse(parser, argv):
    """parser.parse_args(argv), or None after printing the one-line usage error to stderr
    (the caller then exits with status 2)."""
    try:
        return parser.parse_args(argv)
    except UsageExit as e:
        print(line(e), file=sys.stderr)
        return None


def fail(prog, message):
    print(line(f"{prog}: error: {message}"), file=sys.stderr)
    return 2


def run(main):
    """main()'s exit status; a closed stdout (drvbench compare ... | head) ends quietly with
    status 141 (128 + SIGPIPE, as a shell tool killed by SIGPIPE), not a traceback."""
    try:
        status = main()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def add_stat_options(p, metric_help="metric: time (ns/op, the default) or one recorded in the files, e.g. instructions"):
    p.add_argument("--metric", default=None, help=metric_help)
    p.add_argument("--alpha", type=prob, default=0.05,
                   help="significance level of the test (Wilcoxon signed-rank within a run, Mann-Whitney U "
                        "across runs; default 0.05)")
    p.add_argument("--min-effect", type=pct, default=1.0, metavar="PCT",
                   help="smallest |ratio - 1| in percent that counts as a difference (default 1)")
    p.add_argument("--confidence", type=prob, default=0.95, help="confidence level of the intervals (default 0.95)")
    p.add_argument("--resamples", type=resamples, default=10000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=seed, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--ci-method", choices=("bca", "percentile"), default="bca", help="bootstrap CI method (default bca)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON instead of the table")


def stat_kwargs(args):
    return dict(alpha=args.alpha, min_effect_pct=args.min_effect, confidence=args.confidence,
                n_resamples=args.resamples, seed=args.seed, ci_method=args.ci_method)


def stat_json(args):
    """The options of add_stat_options as the --json documents record them (in this order)."""
    return {"alpha": args.alpha, "min_effect_pct": args.min_effect, "confidence": args.confidence,
            "resamples": args.resamples, "seed": args.seed, "ci_method": args.ci_method}
