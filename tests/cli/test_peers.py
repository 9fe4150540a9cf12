"""Peer plugins (<plugins>/peers/: qrcodegen C with mask 0, libqrencode) measured in the
interleaved run beside ours: left out unless --impl names them, recorded as peers in the
result file, qrcodegen's images compared bit for bit with c-base's, libqrencode's (its own
mask) compared by width with the reason recorded. Decoding with zbarimg:
tests/qrpanic/test_qr_zbar.py."""
import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))
PEERS = BIN.parent.parent / "plugins" / "peers"

pytestmark = pytest.mark.skipif(not BIN.exists(), reason=f"{BIN} not built")


def need_peers():
    have = {p.name.split("-")[1] for p in PEERS.glob("drvbench-*.so")} if PEERS.is_dir() else set()
    if not {"qrcodegen", "libqrencode"} <= have:
        pytest.skip(f"peer plugins not built in {PEERS} (libqrcodegen-dev, libqrencode-dev)")


def run(tmp_path, *args):
    out = tmp_path / "r.json"
    r = subprocess.run([str(BIN), "run", "--driver", "qrpanic", "--set", "run.min_sample_ms=1", "--reps", "2",
                        "--warmup", "0", "-q", "--out", str(out), *map(str, args)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text())


def test_list_shows_peers():
    need_peers()
    r = subprocess.run([str(BIN), "list"], capture_output=True, text=True)
    assert r.returncode == 0
    assert "peers/drvbench-qrcodegen-base-" in r.stdout and "peers/drvbench-libqrencode-base-" in r.stdout


def test_default_run_leaves_peers_out(tmp_path):
    need_peers()
    doc = run(tmp_path, "--set", "version=3")
    assert not [p for p in doc["plugins"] if "peer" in p]
    assert {p["impl"] for p in doc["plugins"]} <= {"c", "cpp", "rust", "kernel-rust"}


@pytest.mark.parametrize("mode", ["text", "url"])
def test_peers_measured_and_checked(tmp_path, mode):
    need_peers()
    doc = run(tmp_path, "--set", f"mode={mode}", "--set", "version=12", "--impl", "c,qrcodegen,libqrencode",
              "--variant", "base")
    peers = {p["impl"]: p for p in doc["plugins"] if "peer" in p}
    assert set(peers) == {"qrcodegen", "libqrencode"}
    assert peers["qrcodegen"]["peer"]["unmatched"] is None
    assert "mask" in peers["libqrencode"]["peer"]["unmatched"]
    assert peers["qrcodegen"]["peer"]["version"] and "library:" in peers["qrcodegen"]["flags"]
    (w,) = doc["workloads"]
    assert w["derived"]["qr_version"] == 12
    # qrcodegen passed the byte comparison; libqrencode only the width, with the reason
    assert list(w["derived"]["images_not_compared"]) == [peers["libqrencode"]["id"]]
    ids = {e["plugin"] for e in w["results"]}
    assert {peers["qrcodegen"]["id"], peers["libqrencode"]["id"]} <= ids
    for e in w["results"]:
        assert len(e["samples"]) == 2 and e["baseline"].startswith("c-base-") and e["ratio"] > 0
