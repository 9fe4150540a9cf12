"""`perf record` on drvbench resolves the plugins' symbols: in a normal run, where timed rounds
run on layout copies of the plugins (run.layouts), and in the profiling mode (`run --profile
SECONDS`: one plugin, one workload, no layouts). Uses the software event cpu-clock, which works
without a PMU; skipped where perf is missing or not permitted."""
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))

pytestmark = pytest.mark.skipif(not BIN.exists(), reason=f"{BIN} not built")


def perf_or_skip():
    perf = shutil.which("perf")
    if not perf:
        pytest.skip("perf is not installed (linux-perf)")
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([perf, "record", "-e", "cpu-clock", "-o", f"{d}/p.data", "--", "true"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip("perf record -e cpu-clock does not work here: " + r.stderr.strip().splitlines()[-1])
    return perf


def record(tmp_path, *args):
    perf = perf_or_skip()
    data = tmp_path / "perf.data"
    r = subprocess.run([perf, "record", "-e", "cpu-clock", "-g", "-o", str(data), "--", str(BIN), *map(str, args)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rep = subprocess.run([perf, "report", "-i", str(data), "--stdio", "--no-children", "--sort", "dso,sym"],
                         capture_output=True, text=True, timeout=300)
    assert rep.returncode == 0, rep.stderr
    rows = []
    for line in rep.stdout.splitlines():
        m = re.match(r"\s+([\d.]+)%\s+(\S.*?)\s+\[\.\]\s+(\S+)", line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3)))
    return rows, r


def plugin_rows(rows):
    """Rows whose object is a plugin (or a layout copy of one)."""
    return [(p, dso, sym) for p, dso, sym in rows if "drvbench-" in dso or "memfd" in dso]


def test_run_with_layouts_resolves_symbols(tmp_path):
    rows, _ = record(tmp_path, "run", "--driver", "qrpanic", "--impl", "c", "--variant", "base",
                     "--set", "version=20", "--set", "run.min_sample_ms=20", "--set", "run.layouts=4",
                     "--reps", "12", "--warmup", "0", "-q", "--out", tmp_path / "r.json")
    ours = plugin_rows(rows)
    share = sum(p for p, _, _ in ours)
    assert share > 30, rows[:10]
    unresolved = sum(p for p, _, sym in ours if sym.startswith("0x"))
    assert unresolved < 0.05 * share, [r for r in ours if r[2].startswith("0x")][:5]
    assert not [r for r in ours if "memfd" in r[1]], ours[:5]
    assert [r for r in ours if ".layout" in r[1]], "the layout copies were sampled by name"
    assert any(sym.startswith("qr") for _, _, sym in ours), ours[:10]


def test_profile_mode_resolves_symbols(tmp_path):
    rows, r = record(tmp_path, "run", "--driver", "qrpanic", "--impl", "c", "--variant", "base",
                     "--set", "version=20", "--profile", "2")
    assert "profiled" in r.stdout and "c-base-" in r.stdout
    assert not list(tmp_path.glob("results")), "--profile writes no result file"
    ours = plugin_rows(rows)
    assert sum(p for p, _, _ in ours) > 50, rows[:10]
    assert all(not sym.startswith("0x") for p, _, sym in ours if p > 1), ours[:10]
    # one plugin, no layout copies (other plugins show only load and exit code: _init, dtors)
    busy = {dso for p, dso, _ in ours if p >= 1}
    assert len(busy) == 1 and ".layout" not in busy.pop(), ours[:10]


def test_profile_needs_one_plugin_and_one_workload(tmp_path):
    r = subprocess.run([str(BIN), "run", "--driver", "qrpanic", "--profile", "1"], capture_output=True, text=True)
    assert r.returncode == 2 and "--profile" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    r = subprocess.run([str(BIN), "run", "--driver", "qrpanic", "--impl", "c", "--variant", "base",
                        "--profile", "0"], capture_output=True, text=True)
    assert r.returncode == 2 and "--profile" in r.stderr, r.stderr
