"""History of drvbench runs, per git commit and compiler, in SQLite.

Why SQLite: one file under results/, readable with any sqlite3 client, and its transactions
make a run either wholly recorded or not at all: a process killed while recording leaves the
previous history intact (tested in report/tests/test_history.py).

    python3 -m report.history record RESULT.json [--db results/history.sqlite]
    python3 -m report.history list [--db ...]
    python3 -m report.history check [--db ...] [--metric time] [--threshold PCT] [stat options]

`check` takes the newest recorded run and compares every (workload, plugin, metric) with the
newest earlier run of a *different* git commit that has the same plugin (same impl, variant and
compiler version): exit 1 when any got significantly worse by the threshold, else 0; 2 on
bad input. Plugin ids carry the compiler's major version (c-base-gcc12), and the full compiler
version is part of the key, so a compiler upgrade starts a new series instead of being
compared with the old compiler.

--db must be a drvbench history (tables runs and measurements with their columns), a missing
path or an empty file (record only): any other file is refused with exit 2 and left untouched
(read in read-only mode, never switched to WAL). Stored sample rows that are not a non-empty
array of numbers in 0..1e18 make `check` exit 2 naming the run and row; --alpha must be in
(0, 1), --threshold and --min-effect finite and >= 0, --metric recorded in the newest run.
"""
import json
import math
import os
import sqlite3
import stat
import sys
import time
import urllib.parse

from . import _cli, stats
from .results import MAX_SAMPLE_VALUE, MAX_SAMPLES, ResultFileError, infer_better, load

DEFAULT_DB = os.path.join("results", "history.sqlite")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    date TEXT,
    git_commit TEXT NOT NULL,
    git_dirty INTEGER,
    host TEXT,
    complete INTEGER NOT NULL,
    result_file TEXT
);
CREATE TABLE IF NOT EXISTS measurements (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    workload TEXT NOT NULL,
    plugin TEXT NOT NULL,
    impl TEXT,
    variant TEXT,
    compiler TEXT,
    compiler_version TEXT,
    metric TEXT NOT NULL,
    unit TEXT,
    exact INTEGER NOT NULL,
    median REAL NOT NULL,
    samples TEXT NOT NULL,
    PRIMARY KEY (run_id, workload, plugin, metric)
);
CREATE INDEX IF NOT EXISTS measurements_key
    ON measurements (workload, plugin, compiler_version, metric);
"""


class HistoryError(Exception):
    pass


# The columns of our tables: a database with other tables, or these without their columns, is
# not a drvbench history and is left untouched.
_TABLES = {"runs": {"id", "recorded_at", "date", "git_commit", "git_dirty", "host", "complete", "result_file"},
           "measurements": {"run_id", "workload", "plugin", "impl", "variant", "compiler", "compiler_version",
                            "metric", "unit", "exact", "median", "samples"}}


def _check_ours(path):
    """Raises HistoryError unless path is a drvbench history database; reads it without writing."""
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    try:
        ro = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            tables = {name: {c[1] for c in ro.execute(f"PRAGMA table_info(\"{name}\")")}
                      for (name,) in ro.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                                " AND name NOT LIKE 'sqlite%'")}
        finally:
            ro.close()
    except sqlite3.DatabaseError as e:
        raise HistoryError(f"{path}: not a drvbench history database ({e})") from None
    if set(tables) != set(_TABLES) or any(not _TABLES[t] <= tables[t] for t in _TABLES):
        names = ", ".join(sorted(tables)[:8]) or "none"
        raise HistoryError(f"{path}: not a drvbench history database (its tables: {names}); left untouched")


def connect(path, create=True):
    """Opens the history database at path: an existing one only if it is ours; a new one (path
    missing or an empty file) only when create."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise HistoryError(f"{path}: {e.strerror or e}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise HistoryError(f"{path}: not a regular file")
    if st is not None and st.st_size > 0:
        _check_ours(path)
    elif not create:
        raise HistoryError(f"{path}: no history yet (record a run with drvbench run --record)")
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    try:
        db = sqlite3.connect(path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(SCHEMA)
    except sqlite3.DatabaseError as e:
        raise HistoryError(f"{path}: not a drvbench history database ({e})") from None
    return db


def record(db, result_path):
    """Records one result file as one run, in one transaction. Returns the run id."""
    r = load(result_path)
    if r.format != "drvbench":
        raise HistoryError(f"{result_path}: only drvbench result files can be recorded")
    ctx = r.context
    delay = float(os.environ.get("DRVBENCH_HISTORY_TEST_DELAY", "0"))  # tests: widen the window
    with db:  # commit on success, roll back on any exception or never commit if killed
        cur = db.execute(
            "INSERT INTO runs (recorded_at, date, git_commit, git_dirty, host, complete, result_file)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), ctx.get("date"),
             str(ctx.get("git_commit") or "unknown"),
             None if ctx.get("git_dirty") is None else int(bool(ctx.get("git_dirty"))),
             ctx.get("host"), int(bool(r.complete)), os.path.abspath(result_path)))
        run_id = cur.lastrowid
        for wname, w in r.workloads.items():
            for pid, e in w.entries.items():
                info = r.plugins.get(pid, {})
                for mname, m in e.metrics.items():
                    samples = [float(x) for x in m.samples]
                    if not samples:
                        continue
                    db.execute(
                        "INSERT INTO measurements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (run_id, wname, pid, info.get("impl"), info.get("variant"), info.get("compiler"),
                         info.get("compiler_version"), mname, m.unit, int(bool(m.exact)),
                         float(sorted(samples)[len(samples) // 2]), json.dumps(samples)))
                    if delay:
                        time.sleep(delay)
    return run_id


def runs(db):
    return db.execute(
        "SELECT r.id, r.date, r.git_commit, r.git_dirty, r.complete, r.host,"
        " (SELECT COUNT(DISTINCT workload) FROM measurements m WHERE m.run_id = r.id),"
        " (SELECT GROUP_CONCAT(DISTINCT compiler || ' ' || compiler_version) FROM measurements m"
        "  WHERE m.run_id = r.id)"
        " FROM runs r ORDER BY r.id").fetchall()


def _samples(text, run_id, wl, plugin, metric):
    """A stored sample row as a list of floats, or HistoryError naming the row."""
    try:
        v = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        v = None
    ok = (isinstance(v, list) and 0 < len(v) <= MAX_SAMPLES
          and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v))
    if ok:
        try:
            v = [float(x) for x in v]
        except OverflowError:
            ok = False
    if not ok or not all(0 <= x <= MAX_SAMPLE_VALUE for x in v):
        raise HistoryError(f"run {run_id}, {wl} / {plugin} / {metric}: stored samples are not a non-empty "
                           f"array of numbers in 0..{MAX_SAMPLE_VALUE:g}")
    return v


def check(db, metric="time", threshold_pct=1.0, **stat_kwargs):
    """Newest run against the newest earlier run of another commit, per series."""
    newest = db.execute("SELECT id, git_commit FROM runs WHERE complete = 1 ORDER BY id DESC LIMIT 1").fetchone()
    if newest is None:
        raise HistoryError("no complete run recorded yet")
    new_id, new_commit = newest
    have = [m for (m,) in db.execute("SELECT DISTINCT metric FROM measurements WHERE run_id = ? ORDER BY metric",
                                     (new_id,))]
    if metric not in have:
        raise HistoryError(f"metric '{_clean(metric)}' is not recorded in run {new_id}"
                           f" (recorded: {', '.join(map(_clean, have)) or 'none'})")
    rows = []
    for wl, plugin, cver, unit, exact, samples in db.execute(
            "SELECT workload, plugin, compiler_version, unit, exact, samples FROM measurements"
            " WHERE run_id = ? AND metric = ? ORDER BY workload, plugin", (new_id, metric)):
        prev = db.execute(
            "SELECT m.samples, r.git_commit, r.id FROM measurements m JOIN runs r ON r.id = m.run_id"
            " WHERE r.id < ? AND r.complete = 1 AND r.git_commit != ? AND m.workload = ? AND m.plugin = ?"
            " AND m.compiler_version IS ? AND m.metric = ? ORDER BY r.id DESC LIMIT 1",
            (new_id, new_commit, wl, plugin, cver, metric)).fetchone()
        if prev is None:
            continue
        c = stats.compare(_samples(samples, new_id, wl, plugin, metric), _samples(prev[0], prev[2], wl, plugin, metric),
                          exact_hint=bool(exact), better=infer_better(metric), **stat_kwargs)
        regression = c.verdict == stats.WORSE and math.isfinite(c.ratio) and c.worse_pct >= threshold_pct
        rows.append(dict(workload=wl, plugin=plugin, compiler_version=cver, unit=unit, base_commit=prev[1],
                         base_run=prev[2], comparison=c, regression=regression))
    return new_id, new_commit, rows


def _clean(s, limit=80):
    s = " ".join(str(s).split())
    return s if len(s) <= limit else s[:limit] + "..."


def _fmt(v):
    return "-" if v is None or not math.isfinite(v) else f"{v:.4g}"


def main(argv=None):
    ap = _cli.Parser(prog="drvbench history", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("record", "list", "check"):
        p = sub.add_parser(name)
        p.add_argument("--db", default=DEFAULT_DB, help=f"history database (default {DEFAULT_DB})")
        if name == "record":
            p.add_argument("result", help="drvbench result file")
        if name == "check":
            p.add_argument("--metric", default="time")
            p.add_argument("--threshold", type=_cli.pct, default=1.0, help="regression gate in percent (default 1)")
            p.add_argument("--alpha", type=_cli.prob, default=stats.DEFAULT_ALPHA)
            p.add_argument("--min-effect", type=_cli.pct, default=stats.DEFAULT_MIN_EFFECT * 100,
                           help="smallest difference called a difference, percent")
    try:
        args = ap.parse_args(argv)
    except _cli.UsageExit as e:
        print(_cli.line(e), file=sys.stderr)
        return 2
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        db = connect(args.db, create=args.cmd == "record")
        if args.cmd == "record":
            run_id = record(db, args.result)
            print(f"recorded {args.result} as run {run_id} in {args.db}")
            return 0
        if args.cmd == "list":
            print(f"{'RUN':>4}  {'DATE':20}  {'COMMIT':12}  {'WORKLOADS':>9}  COMPILERS")
            for rid, date, commit, dirty, complete, host, nw, comps in runs(db):
                flag = ("+dirty" if dirty else "") + ("" if complete else " incomplete")
                print(f"{rid:>4}  {str(date or '-'):20}  {commit[:12]:12}  {nw:>9}  {comps or '-'}{flag}")
            return 0
        try:
            new_id, commit, rows = check(db, args.metric, args.threshold, alpha=args.alpha,
                                         min_effect=args.min_effect / 100)
        except HistoryError as e:
            raise HistoryError(f"{args.db}: {e}") from None
        if not rows:
            print(f"run {new_id} ({commit[:12]}): no earlier commit with the same plugins and metric to compare")
            return 0
        print(f"run {new_id} ({commit[:12]}) vs the previous commit, metric {args.metric}")
        print(f"{'WORKLOAD':28} {'PLUGIN':22} {'BASE':>10} {'NEW':>10} {'RATIO':>7}  VERDICT")
        for r in rows:
            c = r["comparison"]
            mark = "  REGRESSION" if r["regression"] else ""
            print(f"{r['workload'][:28]:28} {r['plugin'][:22]:22} {_fmt(c.median_b):>10} {_fmt(c.median_a):>10} "
                  f"{_fmt(c.ratio):>7}  {c.verdict} (vs {r['base_commit'][:12]}){mark}")
        bad = sum(r["regression"] for r in rows)
        print(f"{bad} regression(s) beyond {args.threshold:g}% in {len(rows)} comparisons")
        return 1 if bad else 0
    except (HistoryError, ResultFileError) as e:
        print(_cli.line(f"drvbench history: {e}"), file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as e:
        print(_cli.line(f"drvbench history: {args.db}: {e}"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
