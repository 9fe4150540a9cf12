"""Ctrl-C during `drvbench run` stops cleanly: exit 130 and a valid result file marked
incomplete that keeps every whole round measured so far (the same number of samples for every
plugin, so rounds still pair them)."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))

pytestmark = pytest.mark.skipif(not BIN.exists(), reason=f"{BIN} not built")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_keeps_whole_rounds(tmp_path, sig):
    out = tmp_path / "r.json"
    proc = subprocess.Popen([str(BIN), "run", "--driver", "qrpanic", "--set", "version=4",
                             "--set", "run.min_sample_ms=5", "--reps", "100000", "--warmup", "0",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    doc = json.loads(out.read_text())
    assert doc["complete"] is False
    (w,) = doc["workloads"]
    assert w["interrupted"] is True
    counts = {len(r["samples"]) for r in w["results"]}
    assert len(counts) == 1 and counts.pop() >= 1
    assert not list(tmp_path.glob("*.tmp*")), "a temporary file was left behind"
