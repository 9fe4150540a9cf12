"""End-to-end tests of the nullblk runner (drvbench run with driver "nullblk"): a short run
per completion mode writes every metric, verify passes on sound data and fails the run on a
corrupted read, bad device attributes exit 2 with one line naming file and key, kernel
targets run through io_uring on /dev/null and on a tmpfs file, and the C and C++ plugins
run the same job. Each run is a fraction of a second.

Run: /usr/bin/python3 -m pytest tests/cli/test_nullblk.py   (DRVBENCH_BIN=<build>/bin/drvbench)
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))

pytestmark = pytest.mark.skipif(
    not BIN.exists(), reason=f"drvbench binary not found at {BIN} (build it, or set DRVBENCH_BIN)")

METRICS = ("iops", "bw_bytes_s", "lat_p50_ns", "lat_p99_ns", "lat_p999_ns", "lat_max_ns", "lat_mean_ns",
           "cpu_ns_per_io", "busy", "errors", "ios", "reads", "writes")
FAST = ("--reps", "1", "--warmup", "0")


def drvbench(*args, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=e)


def errlines(r):
    """stderr without the harness's notes that are not about the input (perf counters)."""
    return [l for l in r.stderr.splitlines() if l and "perf counters" not in l and "noisy" not in l]


def run_job(tmp_path, *sets, impl="c", variant="base", env=None, name="out.json"):
    out = tmp_path / name
    args = ["run", "--driver", "nullblk", *FAST, "--out", out, "-q"]
    if impl:
        args += ["--impl", impl]
    if variant:
        args += ["--variant", variant]
    for s in sets:
        args += ["--set", s]
    r = drvbench(*args, env=env)
    doc = json.loads(out.read_text()) if out.exists() else None
    return r, doc


def results(doc):
    (w,) = doc["workloads"]
    return w, {r["plugin"]: r for r in w["results"]}


def have_plugin(impl, variant="base"):
    r = drvbench("list")
    return any(l.split()[0].startswith(f"{impl}-{variant}-") and "nullblk" in l
               for l in r.stdout.splitlines() if l.strip())


def write_workload(tmp_path, params, name="wl"):
    params = {"runtime": 0.1, **params}
    body = "".join(f"{k} = {v}\n" for k, v in params.items())
    p = tmp_path / f"{name}.toml"
    p.write_text(f'driver = "nullblk"\nname = "{name}"\n[params]\n{body}')
    return p


def tmpfs_dir():
    d = Path("/dev/shm")
    return d if d.is_dir() and os.access(d, os.W_OK) else None


# ---- completion modes and metrics ----------------------------------------------------

@pytest.mark.parametrize("irqmode", ["none", "softirq", "timer"])
def test_irqmode_run_writes_metrics(tmp_path, irqmode):
    r, doc = run_job(tmp_path, "runtime=0.15", f"irqmode={irqmode}", "completion_nsec=20000")
    assert r.returncode == 0, r.stderr
    w, res = results(doc)
    assert w["driver"] == "nullblk" and w["params"]["irqmode"] == irqmode
    (c,) = [v for k, v in res.items() if k.startswith("c-base-")]
    assert c["unit"] == "ns/io" and c["median"] > 0
    for m in METRICS:
        assert m in c["metrics"], m
    met = {k: v["median"] for k, v in c["metrics"].items()}
    assert met["iops"] > 0 and met["ios"] > 0 and met["errors"] == 0
    assert met["lat_p50_ns"] <= met["lat_p99_ns"] <= met["lat_p999_ns"] <= met["lat_max_ns"]
    # The primary metric is wall ns per I/O: 1e9 / IOPS.
    assert abs(c["median"] * met["iops"] - 1e9) < 1e-3 * 1e9
    if irqmode == "timer":
        # Nothing completes before completion_nsec.
        assert met["lat_p50_ns"] >= 20000 * 0.98


def test_number_ios_is_exact_and_size_suffixes(tmp_path):
    r, doc = run_job(tmp_path, "runtime=0", "number_ios=5000", "numjobs=2", "bs=64k", "size=16m", "iodepth=7",
                     "iodepth_batch=3")
    assert r.returncode == 0, r.stderr
    w, res = results(doc)
    assert w["params"]["bs"] == 65536 and w["params"]["size"] == 16 << 20
    (c,) = res.values()
    assert c["metrics"]["ios"]["median"] == 10000
    assert c["metrics"]["bw_bytes_s"]["median"] == pytest.approx(c["metrics"]["iops"]["median"] * 65536)


def test_small_queue_reports_busy_and_still_completes(tmp_path):
    r, doc = run_job(tmp_path, "runtime=0", "number_ios=3000", "iodepth=32", "hw_queue_depth=4", "irqmode=softirq")
    assert r.returncode == 0, r.stderr
    (c,) = results(doc)[1].values()
    assert c["metrics"]["ios"]["median"] == 3000
    assert c["metrics"]["busy"]["median"] > 0


# ---- verify ----------------------------------------------------------------------------

VERIFY = ("memory_backed=true", "verify=true", "rw=randrw", "size=8m", "blocksize=4096", "numjobs=2", "iodepth=8")


@pytest.mark.parametrize("irqmode", ["none", "timer"])
def test_verify_passes_on_sound_data(tmp_path, irqmode):
    r, doc = run_job(tmp_path, *VERIFY, "prefill=true", "runtime=0.2", f"irqmode={irqmode}", "completion_nsec=2000")
    assert r.returncode == 0, r.stderr
    (c,) = results(doc)[1].values()
    assert c["metrics"]["errors"]["median"] == 0 and c["metrics"]["reads"]["median"] > 0


def test_verify_with_bad_blocks_counts_errors_but_passes(tmp_path):
    r, doc = run_job(tmp_path, *VERIFY, "runtime=0.2", "badblocks=0-2047")
    assert r.returncode == 0, r.stderr
    (c,) = results(doc)[1].values()
    assert c["metrics"]["errors"]["median"] > 0


def test_verify_catches_a_corrupted_read(tmp_path):
    # Test-only knob: the runner flips one byte of the 200th verified read of each job
    # before checking it.
    r, doc = run_job(tmp_path, *VERIFY, "prefill=true", "runtime=0.3",
                     env={"DRVBENCH_NULLBLK_CORRUPT_READ": "200"})
    assert r.returncode == 1, r.stderr
    lines = errlines(r)
    assert len(lines) == 1, r.stderr
    assert "verify failed" in lines[0] and "checksum mismatch" in lines[0] and "c-base-" in lines[0]
    assert "data corrupted at byte 2048" in lines[0]


def test_verify_needs_memory_backing(tmp_path):
    out = tmp_path / "o.json"
    r = drvbench("run", "--driver", "nullblk", "--impl", "c", *FAST, "--set", "verify=true", "--out", out)
    assert r.returncode == 2
    assert "params.verify" in r.stderr and "memory_backed" in r.stderr
    assert not out.exists()


# ---- bad attributes ----------------------------------------------------------------

@pytest.mark.parametrize("params,key,text", [
    ({"blocksize": 3000}, "params.blocksize", "power of two"),
    ({"hw_queue_depth": 0}, "params.hw_queue_depth", "1..4096"),
    ({"irqmode": '"bogus"'}, "params.irqmode", "\"none\", \"softirq\", \"timer\""),
    ({"size": 1000000, "blocksize": 4096}, "params.size", "not a multiple of blocksize 4096"),
    ({"bs": '"4q"'}, "params.bs", "a size in bytes"),
    ({"bs": 1024, "blocksize": 4096}, "params.bs", "not a multiple of blocksize"),
    ({"rw": '"trim"'}, "params.rw", "randread"),
    ({"runtime": 0}, "params.runtime", "number_ios"),
])
def test_bad_attribute_exits_2_with_one_line(tmp_path, params, key, text):
    wl = write_workload(tmp_path, params)
    out = tmp_path / "o.json"
    r = drvbench("run", wl, "--impl", "c", "--out", out)
    assert r.returncode == 2, r.stderr
    lines = errlines(r)
    assert len(lines) == 1, r.stderr
    assert str(wl) in lines[0] and key in lines[0] and text in lines[0], lines[0]
    assert not out.exists()


def test_driver_refusal_is_surfaced(tmp_path):
    # The schema cannot know the device's end; create() refuses and its text is shown.
    wl = write_workload(tmp_path, {"size": '"1m"', "badblocks": '"4000-4100"'})
    r = drvbench("run", wl, "--impl", "c", "--out", tmp_path / "o.json")
    assert r.returncode == 2, r.stderr
    (line,) = errlines(r)
    assert str(wl) in line and "params.badblocks" in line and "refused the device" in line and "past the end" in line


# ---- kernel targets ------------------------------------------------------------------

def test_kernel_target_dev_null(tmp_path):
    r, doc = run_job(tmp_path, "targets=/dev/null", "runtime=0.15", impl="kernel", variant=None)
    assert r.returncode == 0, r.stderr
    w, res = results(doc)
    assert list(res) == ["kernel-null"]
    k = res["kernel-null"]
    assert k["metrics"]["iops"]["median"] > 0 and k["metrics"]["errors"]["median"] == 0
    # /dev/null reads end at once: every read is short (0 bytes), none fails.
    assert k["metrics"]["short_ios"]["median"] == k["metrics"]["ios"]["median"]
    t = w["derived"]["kernel_targets"]["kernel-null"]
    assert t["path"] == "/dev/null" and t["kind"] == "character device" and "o_direct" in t
    (p,) = [p for p in doc["plugins"] if p["id"] == "kernel-null"]
    assert p["impl"] == "kernel" and p["file"] == "/dev/null" and "io_uring" in p["flags"]


@pytest.fixture
def tmpfs_file():
    d = tmpfs_dir()
    if not d:
        pytest.skip("no writable /dev/shm")
    p = d / f"drvbench-nullblk-test-{os.getpid()}"
    with open(p, "wb") as f:
        f.truncate(16 << 20)
    yield p
    p.unlink(missing_ok=True)


def test_kernel_target_tmpfs_file_with_plugins_under_one_job(tmp_path, tmpfs_file):
    r, doc = run_job(tmp_path, f"targets={tmpfs_file}", "size=16m", "rw=randrw", "runtime=0.15",
                     impl="c,kernel", variant="base")
    assert r.returncode == 0, r.stderr
    w, res = results(doc)
    kid = "kernel-" + tmpfs_file.name.replace("-", "_")
    assert kid in res and any(k.startswith("c-base-") for k in res)
    k = res[kid]["metrics"]
    assert k["errors"]["median"] == 0 and k["short_ios"]["median"] == 0
    assert k["reads"]["median"] > 0 and k["writes"]["median"] > 0
    assert w["derived"]["kernel_targets"][kid]["kind"] == "regular file"


def test_kernel_target_tmpfs_verify(tmp_path, tmpfs_file):
    r, doc = run_job(tmp_path, f"targets={tmpfs_file}", "size=16m", "rw=randrw", "verify=true", "prefill=true",
                     "runtime=0.15", impl="kernel", variant=None)
    assert r.returncode == 0, r.stderr
    (k,) = results(doc)[1].values()
    assert k["metrics"]["reads"]["median"] > 0


def test_kernel_target_too_small_or_missing_exits_2(tmp_path, tmpfs_file):
    r, _ = run_job(tmp_path, f"targets={tmpfs_file}", "size=1g", impl="kernel", variant=None)
    assert r.returncode == 2
    (line,) = errlines(r)
    assert "params.targets" in line and "smaller than size" in line and "truncate -s" in line
    r, _ = run_job(tmp_path, "targets=/dev/drvbench-no-such-device", impl="kernel", variant=None)
    assert r.returncode == 2
    (line,) = errlines(r)
    assert "params.targets" in line and "/dev/drvbench-no-such-device" in line and "not present" in line


@pytest.mark.skipif(Path("/dev/nullb0").exists(), reason="/dev/nullb0 is present here")
def test_targets_auto_reports_unavailable_targets(tmp_path):
    r, doc = run_job(tmp_path, "targets=auto", "runtime=0.1")
    assert r.returncode == 0, r.stderr
    assert "/dev/nullb0" in r.stderr and "not present" in r.stderr and "modprobe null_blk" in r.stderr
    w, res = results(doc)
    assert "/dev/nullb0" in w["derived"]["targets_unavailable"]
    assert all(not k.startswith("kernel-nullb0") for k in res)


# ---- C and C++ ---------------------------------------------------------------------

def test_c_and_cpp_run_the_same_job(tmp_path):
    if not have_plugin("cpp"):
        pytest.skip("no cpp plugin with nullblk in this build")
    r, doc = run_job(tmp_path, "runtime=0", "number_ios=4000", "memory_backed=true", "verify=true", "rw=randrw",
                     "size=4m", "blocksize=4096", "badblocks=64-127", "seed=7", impl="c,cpp", variant="base")
    assert r.returncode == 0, r.stderr
    _, res = results(doc)
    c = [v for k, v in res.items() if k.startswith("c-base-")][0]["metrics"]
    cpp = [v for k, v in res.items() if k.startswith("cpp-base-")][0]["metrics"]
    # Same seed, same job: the same reads, writes and failed I/Os on both sides.
    for m in ("ios", "reads", "writes", "errors"):
        assert c[m]["median"] == cpp[m]["median"], m
    assert c["errors"]["median"] > 0
