"""What `drvbench run` prints: its own per-plugin lines carry no comparison (median, min, cv,
rounds), the comparison is `drvbench analyze FILE`'s output (one figure for one comparison
everywhere), a note instead when python3/numpy are missing, a warning before measuring when
the rounds asked for can never give a verdict, and after Ctrl-C the rounds actually taken."""
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))

pytestmark = pytest.mark.skipif(not BIN.exists(), reason=f"{BIN} not built")

QUICK = ("--driver", "qrpanic", "--set", "version=3", "--set", "run.min_sample_ms=1", "--warmup", "0")


def drvbench(*args, env=None, timeout=300):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def analyze_or_skip(out):
    a = drvbench("analyze", out)
    if a.returncode != 0 and "schema_version" in a.stderr:
        pytest.skip("report/ in this tree does not read result schema 2 yet: " + a.stderr.strip())
    assert a.returncode == 0, a.stderr
    return a.stdout


def test_summary_is_analyze_output(tmp_path):
    out = tmp_path / "r.json"
    r = drvbench("run", *QUICK, "--reps", "6", "--out", out)
    assert r.returncode == 0, r.stderr
    assert analyze_or_skip(out).strip() in r.stdout
    # run's own lines: no ratio column (the paired ratio is analyze's, with its interval)
    header = [l for l in r.stdout.splitlines() if l.strip().startswith("plugin")]
    assert header and all("ratio" not in l for l in header), r.stdout


def test_instructions_table_shown(tmp_path):
    import shutil
    if not shutil.which("valgrind"):
        pytest.skip("valgrind not installed")
    out = tmp_path / "r.json"
    r = drvbench("run", *QUICK, "--reps", "6", "--impl", "c,cpp", "--variant", "base", "--instructions",
                 "--instructions-reps", "1", "--instructions-iters", "1", "--out", out)
    assert r.returncode == 0, r.stderr
    text = analyze_or_skip(out)
    assert text.strip() in r.stdout
    # the instruction table: analyze's own, or analyze --metric instructions after it
    if "instructions" not in text:
        a = drvbench("analyze", out, "--metric", "instructions")
        assert a.returncode == 0, a.stderr
        assert a.stdout.strip() in r.stdout


def test_note_without_numpy(tmp_path):
    # A numpy that cannot be imported, first on PYTHONPATH: the statistics cannot run.
    fake = tmp_path / "py" / "numpy"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no numpy here')\n")
    out = tmp_path / "r.json"
    r = drvbench("run", *QUICK, "--reps", "6", "--out", out, env={"PYTHONPATH": str(tmp_path / "py")})
    assert r.returncode == 0, r.stderr
    assert out.exists()
    (note,) = [l for l in (r.stdout + r.stderr).splitlines() if "drvbench analyze" in l]
    assert str(out) in note


@pytest.mark.parametrize("reps,warned", [(5, True), (1, True), (6, False)])
def test_too_few_rounds_warned_before_measuring(tmp_path, reps, warned):
    out = tmp_path / "r.json"
    r = drvbench("run", *QUICK, "--reps", reps, "--out", out, "-q")
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stderr.splitlines() if "too few rounds" in l]
    if warned:
        (line,) = lines
        assert f"n = {reps}" in line and "--reps 6" in line and "0.05" in line
    else:
        assert not lines


def test_interrupt_summary_reports_rounds_taken(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.Popen([str(BIN), "run", "--driver", "qrpanic", "--set", "version=4",
                             "--set", "run.min_sample_ms=5", "--reps", "100000", "--warmup", "0",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    (w,) = json.loads(out.read_text())["workloads"]
    n = len(w["results"][0]["samples"])
    assert n < 100000
    (title,) = [l for l in stdout.splitlines() if l.startswith("qrpanic-cli (")]
    # the rounds taken, and the asked-for count only as such
    assert re.search(rf"\(qrpanic, {n} rounds? of 100000 asked x \d+ iters", title), title
