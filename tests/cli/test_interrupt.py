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


# ---- a plugin that crashes or hangs fails its workload, not the run ---------------------

BAD_PLUGIN = r"""
#include <drvbench/plugin.h>
#include <stdlib.h>
static uint8_t gen(const char *url, uint8_t *d, size_t n, size_t ds, uint8_t *t, size_t ts)
{ (void)url; (void)d; (void)n; (void)ds; (void)t; (void)ts; BEHAVIOUR; return 21; }
static size_t mds(uint8_t v, size_t u) { return v == 3 && u == 0 ? 52 : 0; } /* as the real encoder */
static const struct drvbench_qrpanic_ops ops = { gen, mds };
static const struct drvbench_plugin p = { DRVBENCH_ABI_VERSION, "bad", "base", "gcc", "12.2.0", "", &ops, 0, 0 };
DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void) { return &p; }
"""


@pytest.mark.parametrize("behaviour,word", [("abort()", "crashed"), ("for (;;) {}", "hung")])
def test_crashing_or_hanging_plugin_is_isolated(tmp_path, behaviour, word):
    import shutil
    cc = shutil.which("cc") or shutil.which("gcc")
    base = sorted((BIN.parent.parent / "plugins").glob("drvbench-c-base-*.so"))
    if not cc or not base:
        pytest.skip("needs a C compiler and a c-base plugin")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    shutil.copy(base[0], plugins / base[0].name)
    src = tmp_path / "bad.c"
    src.write_text(BAD_PLUGIN.replace("BEHAVIOUR", behaviour))
    subprocess.run([cc, "-shared", "-fPIC", "-I", str(REPO / "include"), "-o", str(plugins / "bad.so"), str(src)],
                   check=True)
    out = tmp_path / "r.json"
    r = subprocess.run([str(BIN), "--plugins", str(plugins), "run", "--driver", "qrpanic", "--set", "version=3",
                        "--reps", "3", "--warmup", "0", "--compilers", "all", "--out", str(out)],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, DRVBENCH_PLUGIN_TIMEOUT="3"))
    assert r.returncode == 1, r.stderr
    assert f"plugin bad-base-gcc12 {word}" in r.stderr
    doc = json.loads(out.read_text())
    (w,) = doc["workloads"]
    assert [f["plugin"] for f in w["failed_plugins"]] == ["bad-base-gcc12"]
    assert word in w["failed_plugins"][0]["error"]
    assert [res["plugin"] for res in w["results"]] == [base[0].stem.replace("drvbench-", "")]
    assert len(w["results"][0]["samples"]) == 3
