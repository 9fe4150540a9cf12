"""Hostile input, round two (issue 17): the C++ harness against files that are not what they
seem (FIFOs, device nodes, huge files, symlink loops), parameters at their extremes and crafted
ringbuf streams. Every case ends in a clear exit 2 naming the file or key (or, for a damaged
stream, exit 1 from `ringbuf verify`), never a hang, a clobbered node, an OOM or a leftover file.

Device nodes are made with mknod in a temp dir (root only; skipped otherwise): the real /dev is
never touched. Run: DRVBENCH_BIN=build/bin/drvbench /usr/bin/python3 -m pytest -q tests/hostile
"""
import os
import signal
import socket
import stat
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))
PLUGINS = BIN.parent.parent / "plugins"

pytestmark = pytest.mark.skipif(
    not BIN.exists(), reason=f"drvbench binary not found at {BIN} (build it, or set DRVBENCH_BIN)")

# A hang is a failure: every command gets this long, far more than a refusal takes.
HANG = 60


def drvbench(*args, timeout=HANG, **kw):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw)


def usage_error(r, *needles):
    """Exit 2, one line on stderr, naming every needle (file, key)."""
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert r.stderr.count("\n") == 1, r.stderr[:3000]
    assert len(r.stderr) < 2500, f"{len(r.stderr)} bytes of error line"
    for n in needles:
        assert str(n) in r.stderr, r.stderr


def mkfifo(p):
    os.mkfifo(p)
    return p


def mkchr(p, major, minor):
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    return p


def is_fifo(p):
    return stat.S_ISFIFO(os.lstat(p).st_mode)


def is_chr(p):
    return stat.S_ISCHR(os.lstat(p).st_mode)


QR = ("qr", "encode", "--impl", "c", "--text", "hello", "--format", "txt")


# ---- files: --out (defect 1) ---------------------------------------------------------------

def test_out_fifo_without_reader_is_refused_not_replaced(tmp_path):
    f = mkfifo(tmp_path / "fifo")
    r = drvbench(*QR, "--out", f)
    usage_error(r, f, "no reader")
    assert is_fifo(f), "the FIFO was replaced"


def test_out_fifo_with_reader_is_written_through(tmp_path):
    f = mkfifo(tmp_path / "fifo")
    got = []

    def reader():
        fd = os.open(f, os.O_RDONLY)  # blocks until drvbench opens it for writing
        data = b""
        while chunk := os.read(fd, 65536):
            data += chunk
        os.close(fd)
        got.append(data)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(0.2)
    r = drvbench(*QR, "--out", f)
    t.join(HANG)
    assert r.returncode == 0, r.stderr
    assert is_fifo(f), "the FIFO was replaced"
    assert got and b"\n" in got[0] and len(got[0]) > 100


def test_out_char_device_is_written_through_qr(tmp_path):
    null = mkchr(tmp_path / "null", 1, 3)
    r = drvbench(*QR, "--out", null)
    assert r.returncode == 0, r.stderr
    assert is_chr(null), "the device node was replaced by a regular file"
    assert [p.name for p in tmp_path.iterdir()] == ["null"]  # no temp file left


def test_out_char_device_is_written_through_run(tmp_path):
    null = mkchr(tmp_path / "null", 1, 3)
    r = drvbench("run", "--driver", "qrpanic", "--set", "version=1", "--reps", "1", "--warmup", "0",
                 "--impl", "c", "--variant", "base", "--out", null, "--quiet", timeout=300)
    assert r.returncode == 0, r.stderr
    assert is_chr(null), "the device node was replaced by a regular file"


@pytest.mark.parametrize("kind", ["directory", "socket"])
def test_out_directory_or_socket_refused(tmp_path, kind):
    p = tmp_path / "target"
    if kind == "directory":
        p.mkdir()
    else:
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(p))
    r = drvbench(*QR, "--out", p)
    usage_error(r, "--out", kind)
    assert (p.is_dir() if kind == "directory" else stat.S_ISSOCK(os.lstat(p).st_mode))


def test_out_block_device_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    p = tmp_path / "blk"
    os.mknod(p, 0o600 | stat.S_IFBLK, os.makedev(7, 200))  # a loop device number; never opened
    r = drvbench(*QR, "--out", p)
    usage_error(r, "--out", "block device")
    assert stat.S_ISBLK(os.lstat(p).st_mode)


def test_out_empty_is_refused(tmp_path):
    usage_error(drvbench(*QR, "--out", "", cwd=tmp_path), "--out", "empty")
    r = drvbench("run", "--driver", "qrpanic", "--set", "version=1", "--out", "", cwd=tmp_path)
    usage_error(r, "--out", "empty")
    assert list(tmp_path.iterdir()) == []


# ---- files: inputs that are not regular files (defect 5) -----------------------------------

@pytest.fixture
def zero(tmp_path):
    return mkchr(tmp_path / "zero", 1, 5)


def test_run_char_device_workload(zero):
    usage_error(drvbench("run", zero), zero, "character device")


def test_run_fifo_workload(tmp_path):
    f = mkfifo(tmp_path / "w.toml")
    usage_error(drvbench("run", f), f, "FIFO")


def test_run_fifo_suite(tmp_path):
    f = mkfifo(tmp_path / "s.toml")
    usage_error(drvbench("run", "--suite", f), f, "FIFO")


def test_qr_data_char_device(zero):
    usage_error(drvbench("qr", "encode", "--impl", "c", "--data", zero, "--out", zero.parent / "x.txt"), zero)


def test_qr_data_fifo(tmp_path):
    f = mkfifo(tmp_path / "payload")
    usage_error(drvbench("qr", "encode", "--impl", "c", "--data", f, "--out", tmp_path / "x.txt"), f, "FIFO")


def test_ringbuf_verify_fifo(tmp_path):
    f = mkfifo(tmp_path / "stream.dat")
    usage_error(drvbench("ringbuf", "verify", f), f, "FIFO")


def test_plugin_dir_fifo(tmp_path):
    d = tmp_path / "plugins"
    d.mkdir()
    for so in PLUGINS.glob("*.so"):
        os.symlink(so, d / so.name)
    f = mkfifo(d / "zz-fifo.so")
    usage_error(drvbench("--plugins", d, "list"), f, "FIFO")


def test_huge_workload_file(tmp_path):
    p = tmp_path / "huge.toml"
    with open(p, "wb") as fh:
        fh.truncate(64 << 20)  # sparse
    usage_error(drvbench("run", p), p, "more than")


def test_huge_qr_payload(tmp_path):
    p = tmp_path / "payload"
    with open(p, "wb") as fh:
        fh.truncate(64 << 20)
    usage_error(drvbench("qr", "encode", "--impl", "c", "--data", p, "--out", tmp_path / "x.txt"), p)


def test_list_symlink_loop_in_workloads(tmp_path):
    w = tmp_path / "workloads"
    (w / "suites").mkdir(parents=True)
    (w / "ok.toml").write_text('driver = "qrpanic"\nname = "ok"\n')
    os.symlink(w / "b.toml", w / "a.toml")
    os.symlink(w / "a.toml", w / "b.toml")
    os.symlink(w / "loopdir", w / "loopdir")
    r = drvbench("--workloads", w, "list")
    assert r.returncode == 0, r.stderr
    assert "ok.toml" in r.stdout


# ---- parameters at their extremes (defects 6, 9, 13) ---------------------------------------

def test_nullblk_buffers_beyond_memory():
    r = drvbench("run", "--driver", "nullblk", "--set", "iodepth=4096", "--set", "bs=16m")
    usage_error(r, "params.iodepth", "params.bs", "MemAvailable")


def test_ringbuf_rings_beyond_memory():
    r = drvbench("run", "--driver", "ringbuf", "--set", "producers=64", "--set", "ring_size=1073741824")
    usage_error(r, "params.producers", "params.ring_size", "MemAvailable")


def test_ringbuf_records_beyond_sink(tmp_path):
    r = drvbench("run", "--driver", "ringbuf", "--set", "records=9223372036854775807", "--set", "policy=drop",
                 "--set", f"sink_dir={tmp_path}", "--out", tmp_path / "r.json", timeout=20)
    usage_error(r, "params.records", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_ringbuf_runtime_beyond_sink(tmp_path):
    r = drvbench("run", "--driver", "ringbuf", "--set", "runtime=3600", "--set", f"sink_dir={tmp_path}",
                 "--out", tmp_path / "r.json", timeout=20)
    usage_error(r, "params.runtime", str(tmp_path))


def test_ringbuf_ring_size_takes_size_suffix(tmp_path):
    r = drvbench("run", "--driver", "ringbuf", "--set", "ring_size=64k", "--set", "records=2000", "--set",
                 "sink=devnull", "--reps", "1", "--warmup", "0", "--impl", "c", "--variant", "base",
                 "--out", tmp_path / "r.json", "--quiet", timeout=300)
    assert r.returncode == 0, r.stderr
    assert '"ring_size": 65536' in (tmp_path / "r.json").read_text()


def test_qrpanic_empty_url():
    usage_error(drvbench("run", "--driver", "qrpanic", "--set", "mode=url", "--set", "url="), "params.url")


def test_cpu_not_allowed():
    cpu = len(os.sched_getaffinity(0)) + 3
    while cpu in os.sched_getaffinity(0):
        cpu += 1
    usage_error(drvbench("run", "--driver", "qrpanic", "--set", "version=1", "--cpu", cpu), "--cpu", str(cpu))


def test_nullblk_runtime_too_short():
    usage_error(drvbench("run", "--driver", "nullblk", "--set", "runtime=1e-9"), "params.runtime")


def test_verify_produced_negative(tmp_path):
    p = tmp_path / "s.dat"
    p.write_bytes(b"")
    usage_error(drvbench("ringbuf", "verify", p, "--produced", "-1"), "--produced")


def test_huge_key_is_not_echoed_whole():
    key = "k" * 100000  # one argv string may not exceed 128 KiB
    r = drvbench("run", "--driver", "qrpanic", "--set", f"{key}=1")
    usage_error(r, "kkkk")


# ---- streams (defects 7, 9) -----------------------------------------------------------------

def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        t.append(c)
    return t


_T = _crc32c_table()


def crc32c(data, crc=0):
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def chunk(producer, first_seq, nr_records, recs):
    hdr = struct.pack("<IHHIIQII", 0x43425244, 1, producer, len(recs), nr_records, first_seq, 0, 0)
    crc = crc32c(recs, crc32c(hdr))
    return struct.pack("<IHHIIQII", 0x43425244, 1, producer, len(recs), nr_records, first_seq, crc, 0) + recs


def lost(seq, count):
    return struct.pack("<IHHQQ", 24, 2, 0, seq, count)


def test_lost_marker_counting_2_64_minus_1_does_not_verify(tmp_path):
    p = tmp_path / "s.dat"
    p.write_bytes(chunk(0, 0, 0, lost(0, 2**64 - 1)))
    r = drvbench("ringbuf", "verify", p)
    assert r.returncode == 1, r.stdout
    assert "beyond 2^63" in r.stdout


def test_lost_marker_plausible_verifies(tmp_path):
    p = tmp_path / "s.dat"
    p.write_bytes(chunk(0, 0, 0, lost(0, 1000)))
    r = drvbench("ringbuf", "verify", p, "--produced", "1000")
    assert r.returncode == 0, r.stdout


def test_crafted_resync_stream_fails_cleanly(tmp_path):
    # The counter-based linearity test is tests/ringbuf (RingbufReader.CraftedResyncIsLinear);
    # here the CLI on the same shape, 4 MiB, must end with exit 1 (HANG is a guard, not a bound).
    size = 4 << 20
    buf = bytearray(b"\xab" * size)
    for o in range(32, size - 32 + 1, 32):
        buf[o:o + 32] = struct.pack("<IHHIIQII", 0x43425244, 1, 0, (size - o - 32) & ~7, 0, 0, 0x12345678, 0)
    p = tmp_path / "crafted.dat"
    p.write_bytes(bytes(buf))
    r = drvbench("ringbuf", "verify", p)
    assert r.returncode == 1, r.stdout[-2000:]
    assert "FAILED" in r.stdout


# ---- ringbuf sink files (defect 2) ------------------------------------------------------------

def test_killed_ringbuf_run_leaves_no_sink_file(tmp_path):
    sink = tmp_path / "sink"
    sink.mkdir()
    proc = subprocess.Popen([str(BIN), "run", "--driver", "ringbuf", "--set", f"sink_dir={sink}", "--set",
                             "runtime=0.5", "--reps", "20", "--warmup", "0", "--impl", "c", "--variant", "base",
                             "--out", tmp_path / "r.json", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # Kill it while a job runs: when one of its descriptors points into the sink directory
        # (a named file before the fix, "#inode (deleted)" with O_TMPFILE).
        deadline = time.monotonic() + 60
        in_job = False
        while not in_job and time.monotonic() < deadline and proc.poll() is None:
            try:
                fds = os.listdir(f"/proc/{proc.pid}/fd")
            except FileNotFoundError:
                break
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{proc.pid}/fd/{fd}").startswith(str(sink)):
                        in_job = True
                except OSError:
                    pass
            time.sleep(0.01)
        assert in_job and proc.poll() is None, "no sink file seen open before the run ended"
        proc.send_signal(signal.SIGKILL)
        proc.wait(HANG)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert os.listdir(sink) == [], "a sink file was left behind"


def test_mismatched_plugin_is_dropped_like_a_crashing_one(tmp_path):
    import shutil
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler")
    src = tmp_path / "fake.c"
    src.write_text(r"""
#include <drvbench/plugin.h>
#include <string.h>
static uint8_t gen(const char *url, uint8_t *d, size_t n, size_t ds, uint8_t *t, size_t ts)
{ (void)url; (void)n; (void)ds; (void)t; (void)ts; memset(d, 0, 63); return 21; }
static size_t mds(uint8_t v, size_t u) { return v == 1 && u == 0 ? 16 : 0; }
static const struct drvbench_qrpanic_ops ops = { gen, mds };
static const struct drvbench_plugin p = { DRVBENCH_ABI_VERSION, "fake", "base", "gcc", "12.2.0", "", &ops, 0, 0 };
DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void) { return &p; }
""")
    d = tmp_path / "plugins"
    d.mkdir()
    subprocess.run([cc, "-shared", "-fPIC", "-I", REPO / "include", "-o", d / "fake.so", src], check=True)
    # The fake says gcc 12: its reference must be the gcc 12 c-base (not clang-19's from build-matrix).
    base = sorted(PLUGINS.glob("drvbench-c-base-gcc12.so"))
    if not base:
        pytest.skip("no gcc 12 c-base plugin")
    shutil.copy(base[0], d / base[0].name)
    out = tmp_path / "r.json"
    r = drvbench("--plugins", d, "run", "--driver", "qrpanic", "--set", "version=1", "--reps", "1",
                 "--warmup", "0", "--out", out, "--quiet", timeout=300)
    assert r.returncode == 1, r.stderr
    assert "fake-base-gcc12" in r.stderr
    import json
    doc = json.loads(out.read_text())
    w = doc["workloads"][0]
    assert [f["plugin"] for f in w["failed_plugins"]] == ["fake-base-gcc12"]
    assert "output check" in w["failed_plugins"][0]["error"]
    assert any(k.startswith("c-base") for k in json.dumps(w["plugins"] if "plugins" in w else w)[:100000].split('"'))
