"""End-to-end tests of the drvbench CLI: listing, a short run and its result file, every
bad-input path (exit 2, one line naming file and key, nothing written), QR image output
checked against the plugin's own generate(), and refusal of broken plugins.

Run: /usr/bin/python3 -m pytest tests/cli   (DRVBENCH_BIN=<build>/bin/drvbench to pick a build)
"""
import ctypes
import json
import re
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))
PLUGINS = BIN.parent.parent / "plugins"

pytestmark = pytest.mark.skipif(
    not BIN.exists(), reason=f"drvbench binary not found at {BIN} (build it, or set DRVBENCH_BIN)")


def drvbench(*args, cwd=None, timeout=300):
    return subprocess.run([str(BIN), *(a if isinstance(a, bytes) else str(a) for a in args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


# ---- plugin access through ctypes, to check images against generate() itself ----------

class QrOps(ctypes.Structure):
    _fields_ = [
        ("generate", ctypes.CFUNCTYPE(ctypes.c_uint8, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint8),
                                      ctypes.c_size_t, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint8),
                                      ctypes.c_size_t)),
        ("max_data_size", ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_uint8, ctypes.c_size_t)),
    ]


class PluginMeta(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_uint32), ("impl", ctypes.c_char_p), ("variant", ctypes.c_char_p),
                ("compiler", ctypes.c_char_p), ("compiler_version", ctypes.c_char_p), ("flags", ctypes.c_char_p),
                ("qrpanic", ctypes.POINTER(QrOps)), ("nullblk", ctypes.c_void_p), ("ringbuf", ctypes.c_void_p)]


def load_plugin(impl, variant="base"):
    for so in sorted(PLUGINS.glob("*.so")):
        lib = ctypes.CDLL(str(so))
        lib.drvbench_plugin.restype = ctypes.POINTER(PluginMeta)
        meta = lib.drvbench_plugin().contents
        if meta.impl.decode() == impl and meta.variant.decode() == variant and meta.qrpanic:
            return lib, meta.qrpanic.contents
    pytest.skip(f"no {impl}/{variant} qrpanic plugin in {PLUGINS}")


def generate(ops, payload: bytes, url=None):
    data = (ctypes.c_uint8 * 4071)(*payload)
    tmp = (ctypes.c_uint8 * 3706)()
    width = ops.generate(url.encode() if url else None, data, len(payload), 4071, tmp, 3706)
    return width, bytes(data)[: ((width + 7) // 8) * width]


def module_dark(image, width, x, y):
    stride = (width + 7) // 8
    return not (image[y * stride + x // 8] >> (7 - x % 8)) & 1  # set bit = light


# ---- list ----------------------------------------------------------------------------

def test_list():
    r = drvbench("list")
    assert r.returncode == 0, r.stderr
    assert "c-base-" in r.stdout
    assert "qrpanic" in r.stdout
    assert "qrpanic/text-v40.toml" in r.stdout and "qrpanic/url-v1.toml" in r.stdout
    assert "quick" in r.stdout


def test_plugins_option_before_and_after_subcommand(tmp_path):
    assert drvbench("--plugins", PLUGINS, "list").returncode == 0
    assert drvbench("list", "--plugins", PLUGINS).returncode == 0
    r = drvbench("list", "--plugins", tmp_path)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and str(tmp_path) in r.stderr


# ---- run -----------------------------------------------------------------------------

def test_run_writes_result_file(tmp_path):
    out = tmp_path / "r.json"
    r = drvbench("run", "--driver", "qrpanic", "--set", "version=5", "--set", "run.min_sample_ms=2",
                 "--reps", "3", "--warmup", "1", "--seed", "7", "--out", out, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert str(out) in r.stdout
    assert "ratio" in r.stdout and "1.000" in r.stdout
    doc = json.loads(out.read_text())
    assert doc["schema"] == "drvbench-result" and doc["schema_version"] == 1 and doc["complete"] is True
    ctx = doc["context"]
    for key in ("date", "host", "cpu_model", "cpus", "kernel", "git_commit", "git_dirty", "drvbench_version",
                "harness_compiler", "command_line", "pinned_cpu", "seed"):
        assert key in ctx, key
    assert ctx["seed"] == 7
    ids = {p["id"] for p in doc["plugins"]}
    for p in doc["plugins"]:
        for key in ("id", "file", "impl", "variant", "compiler", "compiler_version", "flags", "components"):
            assert key in p
    (w,) = doc["workloads"]
    assert w["name"] == "qrpanic-cli" and w["driver"] == "qrpanic" and w["file"] is None
    assert w["params"] == {"mode": "text", "url": w["params"]["url"], "version": 5, "payload": "kmsg", "seed": 1}
    assert w["run"]["reps"] == 3 and w["run"]["warmup"] == 1 and w["run"]["iters"] >= 1
    assert w["derived"]["qr_version"] == 5 and w["derived"]["width"] == 37
    assert w["derived"]["data_len"] > 0
    assert w["baseline"].startswith("c-base-")
    assert {res["plugin"] for res in w["results"]} == ids
    for res in w["results"]:
        assert res["unit"] == "ns/op"
        assert len(res["samples"]) == 3
        assert res["min"] <= res["median"] and res["median"] > 0
        for key in ("mean", "stddev", "cv", "ratio"):
            assert key in res
        if res["plugin"] == w["baseline"]:
            assert res["ratio"] == 1.0
        else:
            assert res["ratio"] > 0  # a functional check: timing under CI load can be anything


def test_run_url_mode_default_output_path(tmp_path):
    r = drvbench("run", "--driver", "qrpanic", "--set", "mode=url", "--set", "params.version=10",
                 "--set", "min_sample_ms=1", "--reps", "2", "--warmup", "0", "--impl", "c", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    files = list((tmp_path / "results").glob("drvbench-*.json"))
    assert len(files) == 1
    assert "ratio" not in r.stdout  # --quiet: no table
    doc = json.loads(files[0].read_text())
    (w,) = doc["workloads"]
    d = w["derived"]
    assert d["qr_version"] == 10 and d["compressed_from"] > d["data_len"] > 0
    assert {res["plugin"].split("-")[0] for res in w["results"]} == {"c"}
    # nothing but the result file (no temp files left behind)
    assert [p.name for p in (tmp_path / "results").iterdir()] == [files[0].name]


def test_run_workload_file_and_suite_run_settings(tmp_path):
    wl = tmp_path / "w.toml"
    wl.write_text('driver = "qrpanic"\nname = "tiny"\n[params]\nversion = 2\n[run]\nreps = 2\nwarmup = 0\n'
                  'min_sample_ms = 1\n')
    out = tmp_path / "o.json"
    r = drvbench("run", wl, "--out", out, "--variant", "base", "--quiet")
    assert r.returncode == 0, r.stderr
    (w,) = json.loads(out.read_text())["workloads"]
    assert w["file"] == str(wl) and w["run"]["reps"] == 2
    assert all(len(res["samples"]) == 2 for res in w["results"])
    assert all("-base-" in res["plugin"] for res in w["results"])


# ---- bad input: exit 2, one line, nothing written ------------------------------------

BAD_WORKLOADS = {
    "unknown_key": ('driver = "qrpanic"\nname = "x"\nfoo = 1\n', "foo", "unknown key"),
    "unknown_param": ('driver = "qrpanic"\nname = "x"\n[params]\nverson = 3\n', "params.verson", "unknown key"),
    "unknown_run_key": ('driver = "qrpanic"\nname = "x"\n[run]\nrepz = 3\n', "run.repz", "unknown key"),
    "wrong_type": ('driver = "qrpanic"\nname = "x"\n[params]\nversion = "3"\n', "params.version",
                   "expected an integer in 1..40, got a string"),
    "out_of_range": ('driver = "qrpanic"\nname = "x"\n[params]\nversion = 41\n', "params.version",
                     "expected an integer in 1..40, got 41"),
    "bad_enum": ('driver = "qrpanic"\nname = "x"\n[params]\nmode = "qr"\n', "params.mode", 'one of "text", "url"'),
    "reps_zero": ('driver = "qrpanic"\nname = "x"\n[run]\nreps = 0\n', "run.reps", "expected an integer"),
    "missing_driver": ('name = "x"\n', "driver", "missing"),
    "unknown_driver": ('driver = "nope"\nname = "x"\n', "driver", "unknown driver"),
    "url_too_long": ('driver = "qrpanic"\nname = "x"\n[params]\nmode = "url"\nversion = 1\n', "params.url",
                     "no room"),
}


def assert_usage_error(r, where, key=None, text=None):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1, r.stderr
    line = r.stderr.rstrip("\n")
    prefix = f"drvbench: {where}: " + (f"{key}: " if key else "")
    assert line.startswith(prefix), line
    if text:
        assert text in line, line


def assert_nothing_written(d: Path, keep=()):
    left = sorted(p.name for p in d.iterdir() if p.name not in keep)
    assert left == [], left


@pytest.mark.parametrize("case", sorted(BAD_WORKLOADS))
def test_bad_workload(tmp_path, case):
    content, key, text = BAD_WORKLOADS[case]
    wl = tmp_path / "bad.toml"
    wl.write_text(content)
    r = drvbench("run", "bad.toml", "--out", "out.json", cwd=tmp_path)
    assert_usage_error(r, "bad.toml", key, text)
    assert_nothing_written(tmp_path, keep={"bad.toml"})


def test_toml_syntax_error(tmp_path):
    (tmp_path / "syn.toml").write_text('driver = "qrpanic"\nname = "x"\n[params]\nversion = = 3\n')
    r = drvbench("run", "syn.toml", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert r.stderr.startswith("drvbench: syn.toml:4:"), r.stderr
    assert_nothing_written(tmp_path, keep={"syn.toml"})


def test_set_string_not_utf8_is_refused_before_running(tmp_path):
    # A directory name may be any bytes, but parameters are recorded in the JSON result file
    # (fuzz finding 10: the run used to fail after measuring, when the file was written).
    bad = tmp_path / "d\udc80"
    os.mkdir(os.fsencode(str(bad)))
    r = drvbench("run", "--driver", "ringbuf", "--set", b"sink_dir=" + os.fsencode(str(bad)),
                 "--set", "runtime=0.01", "--reps", "1", "--out", "out.json", cwd=tmp_path)
    assert_usage_error(r, "--set", "params.sink_dir", "expected UTF-8 text")
    assert not (tmp_path / "out.json").exists()


def test_toml_error_quoting_a_newline_stays_one_line(tmp_path):
    # toml++ echoes the source it choked on, newline included (found by the workload_parser
    # fuzz target, docs/fuzzing.md finding 9): the message escapes it.
    (tmp_path / "nl.toml").write_text('driver = "qrpanic"\n[params]\nurl = tr\nue\n')
    r = drvbench("run", "nl.toml", cwd=tmp_path)
    assert_usage_error(r, "nl.toml:3:9", text="\\n")
    assert_nothing_written(tmp_path, keep={"nl.toml"})


@pytest.mark.parametrize("path", ["missing.toml", "."])
def test_unreadable_workload(tmp_path, path):
    r = drvbench("run", path, cwd=tmp_path)
    assert_usage_error(r, path, text="cannot read")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("args,where,key,text", [
    (["--impl", "zig"], "--impl", None, "no plugin with impl 'zig' (have: c"),
    (["--variant", "fast"], "--variant", None, "no plugin with variant 'fast'"),
    (["--set", "bogus=1"], "--set", "bogus", "unknown key"),
    (["--set", "params.reps=1"], "--set", "params.reps", "unknown key"),
    (["--set", "version=abc"], "--set", "params.version", 'got "abc"'),
    (["--set", "version=0"], "--set", "params.version", "got 0"),
    (["--set", "novalue"], "--set", None, "expected key=value"),
    (["--reps", "0"], "--reps", "run.reps", "got 0"),
    (["--warmup", "x"], "--warmup", "run.warmup", 'got "x"'),
    (["--seed", "-1"], "--seed", None, "non-negative integer"),
])
def test_bad_options(tmp_path, args, where, key, text):
    r = drvbench("run", "--driver", "qrpanic", *args, cwd=tmp_path)
    assert_usage_error(r, where, key, text)
    assert_nothing_written(tmp_path)


def test_bad_driver_and_suite(tmp_path):
    assert_usage_error(drvbench("run", "--driver", "nope", cwd=tmp_path), "--driver", None, "unknown driver")
    assert_usage_error(drvbench("run", "--suite", "nope", cwd=tmp_path), "--suite", None, "no suite 'nope'")
    assert_usage_error(drvbench("run", cwd=tmp_path), "run", None, "nothing to run")
    assert_nothing_written(tmp_path)


def test_bad_suite_member(tmp_path):
    wdir = tmp_path / "wl"
    (wdir / "suites").mkdir(parents=True)
    (wdir / "suites" / "s.toml").write_text('name = "s"\nworkloads = ["nope.toml"]\n')
    r = drvbench("--workloads", wdir, "run", "--suite", "s", cwd=tmp_path)
    assert_usage_error(r, str(wdir / "suites" / "s.toml"), "workloads[0]", "no such workload file")
    (wdir / "suites" / "s.toml").write_text('name = "s"\nworkloads = ["a.toml"]\n[run]\nreps = -1\n')
    r = drvbench("--workloads", wdir, "run", "--suite", "s", cwd=tmp_path)
    assert_usage_error(r, str(wdir / "suites" / "s.toml"), "run.reps")


# ---- qr encode -----------------------------------------------------------------------

def read_pbm(path):
    raw = path.read_bytes()
    parts = raw.split(b"\n", 2)
    assert parts[0] == b"P4"
    w, h = map(int, parts[1].split())
    return w, h, parts[2]


@pytest.mark.parametrize("impl", ["c", "cpp"])
def test_qr_pbm_matches_generate(tmp_path, impl):
    _lib, ops = load_plugin(impl)
    text = "drvbench qr encode test: " + "0123456789" * 5
    out = tmp_path / "q.pbm"
    r = drvbench("qr", "encode", "--impl", impl, "--text", text, "--scale", 1, "--margin", 0, "--out", out)
    assert r.returncode == 0, r.stderr
    width, image = generate(ops, text.encode())
    assert f"width {width}" in r.stderr + r.stdout
    w, h, bits = read_pbm(out)
    assert (w, h) == (width, width)
    stride = (w + 7) // 8
    for y in range(width):
        for x in range(width):
            pbm_dark = bool((bits[y * stride + x // 8] >> (7 - x % 8)) & 1)  # PBM: 1 = black
            assert pbm_dark == module_dark(image, width, x, y), (x, y)


def test_qr_formats_dimensions(tmp_path):
    _lib, ops = load_plugin("c")
    width, image = generate(ops, b"hello", url="https://x.io/?z=")
    scale, margin = 3, 2
    side = (width + 2 * margin) * scale
    for fmt in ("pbm", "png", "txt"):
        out = tmp_path / f"q.{fmt}"
        r = drvbench("qr", "encode", "--impl", "c", "--text", "hello", "--url", "https://x.io/?z=",
                     "--scale", scale, "--margin", margin, "--out", out)
        assert r.returncode == 0, r.stderr
        if fmt == "pbm":
            assert read_pbm(out)[:2] == (side, side)
        elif fmt == "png":
            raw = out.read_bytes()
            assert raw[:8] == b"\x89PNG\r\n\x1a\n"
            w, h, depth, ctype = struct.unpack(">IIBB", raw[16:26])
            assert (w, h, depth, ctype) == (side, side, 1, 0)
            # decode IDAT (filter bytes + 1-bit rows) and check the top-left finder module
            idat = b"".join(raw[i + 8:i + 8 + struct.unpack(">I", raw[i:i + 4])[0]]
                            for i in _png_chunks(raw, b"IDAT"))
            rows = zlib.decompress(idat)
            stride = (side + 7) // 8 + 1
            px = margin * scale  # first pixel of module (0, 0): dark, so 0 in PNG
            row = rows[px * stride:(px + 1) * stride]
            assert row[0] == 0  # filter None
            assert not (row[1 + px // 8] >> (7 - px % 8)) & 1
            assert (row[1] >> 7) & 1  # margin pixel is light (1)
        else:
            lines = out.read_text().splitlines()
            assert len(lines) == width + 2 * margin
            assert all(len(line) == 2 * (width + 2 * margin) for line in lines)
            for y in range(width):
                for x in range(width):
                    cell = lines[y + margin][2 * (x + margin):2 * (x + margin) + 2]
                    assert cell == ("██" if module_dark(image, width, x, y) else "  ")


def _png_chunks(raw, kind):
    i = 8
    while i < len(raw):
        n = struct.unpack(">I", raw[i:i + 4])[0]
        if raw[i + 4:i + 8] == kind:
            yield i
        i += 12 + n


def test_qr_scans(tmp_path):
    zbar = shutil.which("zbarimg")
    if not zbar:
        pytest.skip("zbarimg not installed")
    out = tmp_path / "q.png"
    assert drvbench("qr", "encode", "--impl", "cpp", "--text", "kernel panic - not syncing", "--out", out).returncode == 0
    r = subprocess.run([zbar, "-q", "--raw", str(out)], capture_output=True, text=True)
    assert r.stdout.strip() == "kernel panic - not syncing"


def test_qr_oversize(tmp_path):
    data = tmp_path / "big.bin"
    data.write_bytes(b"x" * 3000)
    r = drvbench("qr", "encode", "--impl", "c", "--data", data, "--out", tmp_path / "q.png")
    assert_usage_error(r, str(data), None, "payload does not fit a version 40 QR code (3000 bytes, 2953 max")
    data.write_bytes(b"x" * 5000)
    r = drvbench("qr", "encode", "--impl", "c", "--data", data, "--out", tmp_path / "q.png")
    assert_usage_error(r, str(data), None, "more than the 4071-byte data buffer")
    r = drvbench("qr", "encode", "--impl", "c", "--text", "x" * 3000, "--url", "https://x.io/", "--out",
                 tmp_path / "q.png")
    assert_usage_error(r, "--text", None, "max for this URL")
    assert_nothing_written(tmp_path, keep={"big.bin"})


def test_qr_bad_options(tmp_path):
    assert_usage_error(drvbench("qr", "encode", "--impl", "zig", "--text", "x", "--out", tmp_path / "a.pbm"),
                       "--impl", None, "no qrpanic plugin with impl 'zig'")
    assert_usage_error(drvbench("qr", "encode", "--impl", "c", "--text", "x", "--out", tmp_path / "a.gif"),
                       "--out", None, "cannot infer the image format")
    assert_nothing_written(tmp_path)


# ---- broken plugins ------------------------------------------------------------------

FAKE_PLUGIN = r"""
#include <drvbench/plugin.h>
#include <string.h>
static uint8_t gen(const char *url, uint8_t *d, size_t n, size_t ds, uint8_t *t, size_t ts)
{ (void)url; (void)n; (void)ds; (void)t; (void)ts; memset(d, 0, 63); return 21; }
static size_t mds(uint8_t v, size_t u) { return v == 1 && u == 0 ? 16 : 0; }
static const struct drvbench_qrpanic_ops ops = { gen, mds };
static const struct drvbench_plugin p = { ABI, "fake", "base", "gcc", "12.2.0", "", &ops, 0, 0 };
DRVBENCH_EXPORT const struct drvbench_plugin *drvbench_plugin(void) { return NULLMETA ? 0 : &p; }
"""


def build_fake(tmp_path, name, abi="DRVBENCH_ABI_VERSION", null_meta=0, symbol=True):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler")
    src = tmp_path / f"{name}.c"
    text = FAKE_PLUGIN.replace("ABI", abi).replace("NULLMETA", str(null_meta))
    if not symbol:
        text = text.replace("drvbench_plugin(void)", "not_the_symbol(void)")
    src.write_text(text)
    so = tmp_path / "plugins" / f"{name}.so"
    so.parent.mkdir(exist_ok=True)
    subprocess.run([cc, "-shared", "-fPIC", "-I", REPO / "include", "-o", so, src], check=True)
    return so


def _abi_version():
    text = (REPO / "include" / "drvbench" / "plugin.h").read_text()
    return re.search(r"#define DRVBENCH_ABI_VERSION (\d+)u", text).group(1)


@pytest.mark.parametrize("kind,key,text", [
    ("abi", "abi_version", f"plugin has ABI version 99, this drvbench expects {_abi_version()}"),
    ("null", "drvbench_plugin", "NULL metadata"),
    ("nosym", "drvbench_plugin", "symbol not found"),
])
def test_broken_plugin_refused(tmp_path, kind, key, text):
    so = build_fake(tmp_path, "bad", abi="99u" if kind == "abi" else "DRVBENCH_ABI_VERSION",
                    null_meta=int(kind == "null"), symbol=kind != "nosym")
    r = drvbench("--plugins", so.parent, "list")
    assert_usage_error(r, str(so), key, text)


def test_mismatched_output_fails_run(tmp_path):
    so = build_fake(tmp_path, "fake")
    base = sorted(PLUGINS.glob("drvbench-c-base-*.so"))
    if not base:
        pytest.skip("no c-base plugin")
    shutil.copy(base[0], so.parent / base[0].name)
    r = drvbench("--plugins", so.parent, "run", "--driver", "qrpanic", "--set", "version=1", "--out",
                 tmp_path / "r.json")
    assert r.returncode == 1, r.stderr
    assert "fake-base-gcc12" in r.stderr and "differs" in r.stderr
    assert not (tmp_path / "r.json").exists()
