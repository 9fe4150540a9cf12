"""End-to-end tests of the ringbuf runner and `drvbench ringbuf verify`: refusals (exit 2, one
line naming the key), a short verified run on every plugin, and the reader on intact, torn and
bit-flipped files.

Run: /usr/bin/python3 -m pytest tests/cli   (DRVBENCH_BIN=<build>/bin/drvbench to pick a build)
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))

pytestmark = pytest.mark.skipif(
    not BIN.exists(), reason=f"drvbench binary not found at {BIN} (build it, or set DRVBENCH_BIN)")


def drvbench(*args, timeout=300):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("sets,key", [
    (["ring_size=5000"], "params.ring_size"),
    (["producers=0"], "params.producers"),
    (["record_size=5000", "ring_size=4096"], "params.record_size"),
    (["record_size=abc"], "params.record_size"),
    (["max_chunk=100"], "params.max_chunk"),
    (["sink=devnull", "preallocate=4096"], "params.preallocate"),
])
def test_refusals_exit_2_one_line(tmp_path, sets, key):
    out = tmp_path / "r.json"
    args = ["run", "--driver", "ringbuf", "--out", out]
    for s in sets:
        args += ["--set", s]
    r = drvbench(*args)
    assert r.returncode == 2, r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip() and "perf counters" not in l]
    assert len(lines) == 1 and key in lines[0], r.stderr
    assert not out.exists()


def test_short_run_every_plugin_verified(tmp_path):
    out = tmp_path / "r.json"
    r = drvbench("run", "--driver", "ringbuf", "--set", "runtime=0.05", "--set", "record_size=16-512",
                 "--reps", "1", "--warmup", "0", "-q", "--out", out)
    assert r.returncode == 0, r.stderr
    j = json.loads(out.read_text())
    w = j["workloads"][0]
    assert w["derived"]["deterministic_run"]["byte_identical"] is True
    impls = {x["plugin"].split("-")[0] for x in w["results"]}
    assert {"c", "cpp"} <= impls
    for x in w["results"]:
        m = x["metrics"]
        assert m["produced"]["median"] > 0
        # block policy: nothing dropped, so every offered record went into the ring
        assert m["dropped"]["median"] == 0
        assert m["accepted_per_s"]["median"] == pytest.approx(m["records_per_s"]["median"])


def test_preallocated_sink_keeps_its_size_and_verifies(tmp_path):
    # 1 GiB reserved, a few MiB written: the file must end where the drain stopped (KEEP_SIZE),
    # or the reader would find the reserved zeros after the last chunk.
    out = tmp_path / "r.json"
    r = drvbench("run", "--driver", "ringbuf", "--impl", "c,cpp", "--variant", "base", "--set", "records=2000",
                 "--set", f"sink_dir={tmp_path}", "--set", "preallocate=1073741824",
                 "--reps", "1", "--warmup", "0", "-q", "--out", out)
    assert r.returncode == 0, r.stderr
    w = json.loads(out.read_text())["workloads"][0]
    assert w["derived"]["sink_preallocated_bytes"] == 1 << 30
    for x in w["results"]:
        assert 0 < x["metrics"]["file_bytes"]["median"] < 1 << 24
    assert not list(tmp_path.glob("*.dat"))


def test_preallocate_failure_is_a_clear_error(tmp_path):
    # More than any file system here can hold.
    r = drvbench("run", "--driver", "ringbuf", "--impl", "c", "--variant", "base", "--set", f"sink_dir={tmp_path}",
                 "--set", "preallocate=9223372036854775807", "--reps", "1", "--warmup", "0", "-q",
                 "--out", tmp_path / "r.json")
    # Refused before the run: more than the sink's free space (issue 17).
    assert r.returncode == 2, r.stderr
    assert "params.preallocate" in r.stderr and "free space" in r.stderr, r.stderr
    assert not list(tmp_path.glob("*.dat"))


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
def test_instructions_per_record_are_exact(tmp_path):
    # The counted path (single-threaded, /dev/null sink) repeats: rounds and runs give the same
    # samples, and a 4 KiB record costs more than a 64-byte one (the payload fill and the CRC).
    def counts(out, size):
        r = drvbench("run", "--driver", "ringbuf", "--impl", "c,cpp", "--variant", "base", "--set",
                     f"record_size={size}", "--set", "ring_size=65536", "--set", "max_chunk=8192",
                     "--set", "runtime=0.02", "--reps", "1", "--warmup", "0", "--instructions",
                     "--instructions-reps", "2", "-q",
                     "--out", out)
        assert r.returncode == 0, r.stderr
        doc = json.loads(out.read_text())
        assert "ringbuf" in doc["context"]["instructions"]["jobs"]
        return {x["plugin"]: x["metrics"]["instructions"] for x in doc["workloads"][0]["results"]}
    a, b = counts(tmp_path / "a.json", 64), counts(tmp_path / "b.json", 64)
    big = counts(tmp_path / "c.json", 4096)
    assert set(a) == set(b) and {p.split("-")[0] for p in a} >= {"c", "cpp"}
    for p in a:
        assert a[p]["exact"] is True and len(a[p]["samples"]) == 2
        # every sample starts on a new ring with the same records: the same count, give or take
        # one instruction in a million (a clock read or an io_uring flag branching once)
        assert a[p]["samples"] == pytest.approx(b[p]["samples"], rel=1e-6), p
        assert a[p]["samples"] == pytest.approx([a[p]["median"]] * 2, rel=1e-6), p
        assert 50 < a[p]["median"] < big[p]["median"], p


def write_sample(path):
    # Build a valid two-chunk stream in Python (the format of docs/ringbuf.md), CRC-32C included.
    import struct

    def crc32c(data, crc=0):
        crc ^= 0xFFFFFFFF
        for b in data:
            crc ^= b
            for _ in range(8):
                crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        return crc ^ 0xFFFFFFFF

    out = b""
    seq = 0
    for chunk in range(2):
        recs = b""
        n = 0
        for i in range(5):
            payload = bytes((seq + k) & 0xFF for k in range(13))
            pad = (-(16 + len(payload))) % 8
            recs += struct.pack("<IHHQ", 16 + len(payload) + pad, 1, pad, seq) + payload + b"\0" * pad
            seq += 1
            n += 1
        hdr = struct.pack("<IHHIIQII", 0x43425244, 1, 0, len(recs), n, seq - n, 0, 0)
        crc = crc32c(recs, crc32c(hdr))
        hdr = struct.pack("<IHHIIQII", 0x43425244, 1, 0, len(recs), n, seq - n, crc, 0)
        out += hdr + recs
    path.write_bytes(out)
    return out


def test_verify_intact_torn_flipped(tmp_path):
    f = tmp_path / "s.dat"
    data = write_sample(f)
    r = drvbench("ringbuf", "verify", f, "--produced", "10")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verified" in r.stdout
    r = drvbench("ringbuf", "verify", f, "--produced", "11")
    assert r.returncode == 1
    # torn tail
    f.write_bytes(data[:-5])
    r = drvbench("ringbuf", "verify", f)
    assert r.returncode == 1 and "torn tail" in r.stdout
    # every single flipped bit is found, and never crashes the reader
    for bit in range(0, len(data) * 8, 3):
        g = bytearray(data)
        g[bit // 8] ^= 1 << (bit % 8)
        f.write_bytes(bytes(g))
        r = drvbench("ringbuf", "verify", f, "--produced", "10", "--json")
        assert r.returncode == 1, f"bit {bit}"
        assert json.loads(r.stdout)["ok"] is False


def test_verify_missing_file_exit_2(tmp_path):
    r = drvbench("ringbuf", "verify", tmp_path / "nope.dat")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1


TOOL = REPO / "tools" / "ringbuf-vs-fio"


@pytest.mark.skipif(shutil.which("fio") is None, reason="fio not installed")
def test_ringbuf_vs_fio_one_small_round(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([str(TOOL), "--rounds", "1", "--warmup-rounds", "1", "--size", "32m", "--dir", str(tmp_path), "--out", str(out),
                        "--", "--impl", "c", "--variant", "base", "--reps", "1", "--warmup", "0",
                        "--set", "runtime=0.05"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    (row,) = s["rounds"]  # the warm-up round is kept apart and not analysed
    assert (out / "warmup" / "drvbench-1.json").exists()
    assert set(row["fio"]) == {"4k-native", "4k-none", "64k-native", "64k-none"}
    assert all(v > 0 for v in row["fio"].values())
    assert row["ratio_to_fio_64k"]["rec4k-tmpfs c-base-gcc12"] > 0
    assert "rec4k-tmpfs-prealloc c-base-gcc12 / fio 64k fallocate=native" in r.stdout
    assert not list(tmp_path.glob("*.dat"))  # fio's and the drain's files are gone


@pytest.mark.parametrize("args,needle", [
    (["--rounds", "0"], "--rounds"),
    (["--warmup-rounds", "x"], "--warmup-rounds"),
    (["--dir", "/nonexistent"], "--dir"),
    (["--bogus"], "unknown argument"),
])
def test_ringbuf_vs_fio_bad_arguments(args, needle):
    r = subprocess.run([str(TOOL), *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and needle in r.stderr, r.stderr
