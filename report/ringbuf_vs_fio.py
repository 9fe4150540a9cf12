"""The ringbuf drain against fio, per round (tools/ringbuf-vs-fio writes the input directory).

    /usr/bin/python3 -m report.ringbuf_vs_fio DIR

DIR holds fio-<bs>-<fallocate>-<round>.json (fio --output-format=json) and drvbench-<round>.json
(a drvbench result with rec4k-tmpfs and rec4k-tmpfs-prealloc). Like with like
(docs/ringbuf.md): the new-file drain (rec4k-tmpfs) against fio --fallocate=none, the
preallocated drain (rec4k-tmpfs-prealloc) against fio's default (native). Prints a Markdown
table and writes DIR/summary.json. Exit 2 on missing or malformed input (one line on stderr).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import _cli

PROG = "report.ringbuf_vs_fio"
FIO_RE = re.compile(r"fio-(4k|64k)-(native|none)-(\d+)\.json$")
DRV_RE = re.compile(r"drvbench-(\d+)\.json$")
# drain workload -> the fio fallocate mode it is compared with
PAIRING = {"rec4k-tmpfs": "none", "rec4k-tmpfs-prealloc": "native"}


class InputError(Exception):
    pass


def _json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: {e}") from None


def fio_bw(path):
    """Write bandwidth in bytes/s of the single job of a fio JSON file."""
    doc = _json(path)
    try:
        return float(doc["jobs"][0]["write"]["bw_bytes"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise InputError(f"{path}: not a fio JSON result with one write job") from None


def drain_rates(path):
    """workload -> plugin -> median drain bytes/s, and the run's free page reporting state."""
    doc = _json(path)
    out = {}
    try:
        for w in doc["workloads"]:
            if w["name"] not in PAIRING:
                continue
            for r in w["results"]:
                out.setdefault(w["name"], {})[r["plugin"]] = float(r["metrics"]["drain_bytes_per_s"]["median"])
        reporting = doc["context"].get("free_page_reporting", "unavailable")
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: not a drvbench ringbuf result (drain_bytes_per_s missing)") from None
    missing = set(PAIRING) - set(out)
    if missing:
        raise InputError(f"{path}: workload(s) {', '.join(sorted(missing))} missing")
    return out, reporting


def collect(d):
    d = Path(d)
    if not d.is_dir():
        raise InputError(f"{d}: not a directory")
    fio, drv = {}, {}
    for p in sorted(d.iterdir()):
        if m := FIO_RE.search(p.name):
            fio[(m[1], m[2], int(m[3]))] = fio_bw(p)
        elif m := DRV_RE.search(p.name):
            drv[int(m[1])] = drain_rates(p)
    rounds = sorted(drv)
    if not rounds:
        raise InputError(f"{d}: no drvbench-<round>.json")
    for i in rounds:
        for bs in ("4k", "64k"):
            for fa in ("native", "none"):
                if (bs, fa, i) not in fio:
                    raise InputError(f"{d}: fio-{bs}-{fa}-{i}.json missing")
    summary = {"rounds": [], "free_page_reporting": sorted({drv[i][1] for i in rounds})}
    for i in rounds:
        rates, _ = drv[i]
        row = {"round": i, "fio": {f"{bs}-{fa}": fio[(bs, fa, i)] for bs in ("4k", "64k") for fa in ("native", "none")},
               "drain": rates, "ratio_to_fio_64k": {}, "ratio_to_fio_4k": {}}
        for wl, fa in PAIRING.items():
            for plugin, v in rates[wl].items():
                row["ratio_to_fio_64k"][f"{wl} {plugin}"] = v / fio[("64k", fa, i)]
                row["ratio_to_fio_4k"][f"{wl} {plugin}"] = v / fio[("4k", fa, i)]
        summary["rounds"].append(row)
    return summary


def table(summary):
    rows = summary["rounds"]
    head = "| | " + " | ".join(f"round {r['round']}" for r in rows) + " |"
    lines = [head, "|---|" + "---|" * len(rows)]

    def line(label, vals, fmt):
        lines.append(f"| {label} | " + " | ".join(fmt(v) for v in vals) + " |")

    gbs = lambda v: f"{v / 1e9:.2f} GB/s"  # noqa: E731
    for key in ("4k-native", "4k-none", "64k-native", "64k-none"):
        line(f"fio {key.replace('-', ' fallocate=')}", [r["fio"][key] for r in rows], gbs)
    for wl in PAIRING:
        for plugin in rows[0]["drain"][wl]:
            line(f"{wl} {plugin}", [r["drain"][wl][plugin] for r in rows], gbs)
    for wl, fa in PAIRING.items():
        for plugin in rows[0]["drain"][wl]:
            line(f"{wl} {plugin} / fio 64k fallocate={fa}",
                 [r["ratio_to_fio_64k"][f"{wl} {plugin}"] for r in rows], lambda v: f"**{v:.2f}**")
    return "\n".join(lines)


def main(argv=None):
    p = _cli.Parser(prog=PROG, description="The ringbuf drain against fio, per round.")
    p.add_argument("dir", metavar="DIR")
    args = _cli.parse(p, argv)
    if args is None:
        return 2
    try:
        summary = collect(args.dir)
    except InputError as e:
        return _cli.fail(PROG, str(e))
    print(table(summary))
    states = summary["free_page_reporting"]
    print(f"\nfree page reporting: {', '.join(states)}")
    if any(s.startswith("on") for s in states):
        print("warning: free page reporting is on: new tmpfs pages may cost host faults and the "
              "figures swing between rounds (docs/measurement.md)")
    (Path(args.dir) / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
