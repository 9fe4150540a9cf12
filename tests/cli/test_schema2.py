"""Result files, schema 2: every metric of every component says which way is better
("better": "lower" | "higher", next to its unit), at entry level for the primary metric and in
every object under "metrics"; and the per-entry "ratio" is the paired point estimate (the median
of per-round ratios to the baseline), not the ratio of medians."""
import json
import os
import statistics
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))

pytestmark = pytest.mark.skipif(not BIN.exists(), reason=f"{BIN} not built")

# Every metric a component runner or the harness emits, with its direction. A metric missing
# here fails the test: whoever adds one declares (and checks) its direction.
EXPECTED = {
    # primary metrics
    "ns/op": "lower", "ns/io": "lower", "ns/record": "lower",
    # nullblk (harness/drivers/nullblk_driver.cpp)
    "iops": "higher", "bw_bytes_s": "higher", "lat_mean_ns": "lower", "lat_p50_ns": "lower",
    "lat_p99_ns": "lower", "lat_p999_ns": "lower", "lat_max_ns": "lower", "cpu_ns_per_io": "lower",
    "ios": "higher", "reads": "higher", "writes": "higher", "busy": "lower", "errors": "lower",
    "short_ios": "lower",
    # ringbuf (harness/drivers/ringbuf_driver.cpp)
    "records_per_s": "higher", "accepted_per_s": "higher", "persisted_per_s": "higher",
    "drain_bytes_per_s": "higher", "produced": "higher", "dropped": "lower", "waits": "lower",
    "lat_p50": "lower", "lat_p99": "lower", "lat_p999": "lower", "chunks_per_submit": "higher",
    "submits": "lower", "short_writes": "lower", "file_bytes": "higher",
    # perf counters (harness/counters.cpp) and callgrind (harness/callgrind.cpp)
    "cycles": "lower", "hw_instructions": "lower", "branches": "lower", "branch_misses": "lower",
    "cache_references": "lower", "cache_misses": "lower", "task_clock_ns": "lower",
    "context_switches": "lower", "instructions": "lower",
}


def run(tmp_path, *args):
    out = tmp_path / "r.json"
    r = subprocess.run([str(BIN), "run", *map(str, args), "--out", str(out), "-q"], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == 2
    return doc


def check_directions(doc):
    seen = set()
    for w in doc["workloads"]:
        for e in w["results"]:
            assert e["better"] == EXPECTED[e["unit"]], (w["name"], e["plugin"], e["unit"])
            seen.add(e["unit"])
            for name, m in e.get("metrics", {}).items():
                assert name in EXPECTED, f"metric {name} has no expected direction in this test"
                assert m["better"] == EXPECTED[name], (name, m["better"])
                seen.add(name)
    return seen


def test_qrpanic_directions_and_paired_ratio(tmp_path):
    doc = run(tmp_path, "--driver", "qrpanic", "--set", "version=3", "--set", "run.min_sample_ms=1",
              "--reps", "7", "--warmup", "0")
    seen = check_directions(doc)
    assert "ns/op" in seen
    (w,) = doc["workloads"]
    res = {e["plugin"]: e for e in w["results"]}
    base = res[w["baseline"]]
    for e in w["results"]:
        if e["baseline"] != w["baseline"]:
            continue
        paired = statistics.median(x / b for x, b in zip(e["samples"], base["samples"]))
        assert e["ratio"] == pytest.approx(paired, rel=1e-12)


def test_nullblk_directions(tmp_path):
    doc = run(tmp_path, "--driver", "nullblk", "--set", "runtime=0.05", "--reps", "1", "--warmup", "0",
              "--impl", "c,kernel", "--set", "targets=/dev/null")
    seen = check_directions(doc)
    assert {"ns/io", "iops", "bw_bytes_s", "lat_p99_ns", "short_ios", "errors"} <= seen


def test_ringbuf_directions(tmp_path):
    doc = run(tmp_path, "--driver", "ringbuf", "--set", "runtime=0.05", "--reps", "1", "--warmup", "0",
              "--impl", "c")
    seen = check_directions(doc)
    assert {"ns/record", "records_per_s", "accepted_per_s", "drain_bytes_per_s", "lat_p99"} <= seen


def test_instructions_direction(tmp_path):
    import shutil
    if not shutil.which("valgrind"):
        pytest.skip("valgrind not installed")
    doc = run(tmp_path, "--driver", "qrpanic", "--set", "version=2", "--set", "run.min_sample_ms=1",
              "--reps", "1", "--warmup", "0", "--impl", "c", "--variant", "base", "--instructions",
              "--instructions-reps", "1", "--instructions-iters", "1")
    assert "instructions" in check_directions(doc)
