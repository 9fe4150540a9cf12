"""Compiler matrix and history through the CLI: --compilers, the per-compiler summary,
--record, drvbench history and compare --history (issue: compiler matrix and regression
tracking). The matrix tests need plugins of a second compiler (tools/build-matrix)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))
PLUGINS = BIN.parent.parent / "plugins"

pytestmark = pytest.mark.skipif(not BIN.exists(), reason=f"{BIN} not built")


def drvbench(*args, cwd=None):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def compiler_tags():
    return sorted({p.stem.rsplit("-", 1)[1] for p in PLUGINS.glob("drvbench-c-base-*.so")})


def test_default_selects_the_harness_compiler(tmp_path):
    out = tmp_path / "r.json"
    r = drvbench("run", "--driver", "qrpanic", "--set", "version=2", "--reps", "2", "--warmup", "0", "--out", out)
    assert r.returncode == 0, r.stderr
    plugins = json.loads(out.read_text())["plugins"]
    # C and C++ from the harness's compiler; Rust from this build's rustc (no other compiler's
    # plugins, e.g. tools/build-matrix clang-19, join a default run).
    tags = {p["id"].rsplit("-", 1)[1] for p in plugins if not p["id"].split("-")[0] in ("rust", "kernel")}
    assert len(tags) == 1
    rust_tags = {p["id"].rsplit("-", 1)[1] for p in plugins if p["id"].split("-")[0] in ("rust", "kernel")}
    assert len(rust_tags) <= 1 and all(t.startswith("rustc") for t in rust_tags)


def test_unknown_compiler_is_refused(tmp_path):
    r = drvbench("run", "--driver", "qrpanic", "--compilers", "gcc-99", "--out", tmp_path / "r.json")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--compilers" in r.stderr and "gcc99" in r.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.skipif(len(compiler_tags()) < 2, reason="plugins of one compiler only (run tools/build-matrix)")
def test_all_compilers_in_one_run(tmp_path):
    out = tmp_path / "r.json"
    r = drvbench("run", "--driver", "qrpanic", "--set", "version=3", "--reps", "3", "--warmup", "1",
                 "--compilers", "all", "--out", out)
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    tags = {p["id"].rsplit("-", 1)[1] for p in doc["plugins"] if p["id"].split("-")[0] not in ("rust", "kernel")}
    assert tags == set(compiler_tags())
    # Every plugin is compared with the C base of its own compiler...
    # (Rust plugins, which no C compiler built, against the harness compiler's C base).
    for res in doc["workloads"][0]["results"]:
        if res["plugin"].split("-")[0] in ("rust", "kernel"):
            assert res["baseline"].startswith("c-base-") and res["baseline"].rsplit("-", 1)[1] in tags
        else:
            assert res["baseline"] == "c-base-" + res["plugin"].rsplit("-", 1)[1]
    # ...and the summary has one line per compiler with the C++/C ratio.
    assert "C++/C" in r.stdout
    for tag in tags:
        assert any(line.split()[:1] == [tag] for line in r.stdout.splitlines()), r.stdout
    # The images of every compiler's plugins agreed (the run verifies them), and the flags differ.
    flags = {p["compiler"] for p in doc["plugins"]}
    assert flags == {"gcc", "clang"} or len(flags) >= 1


def test_record_history_and_compare_history(tmp_path):
    db = tmp_path / "h.sqlite"
    for i in range(2):
        r = drvbench("run", "--driver", "qrpanic", "--set", "version=2", "--reps", "3", "--warmup", "0",
                     "--out", tmp_path / f"r{i}.json", "--record", "--history-db", db)
        assert r.returncode == 0, r.stderr
        assert "recorded" in r.stdout
    r = drvbench("history", "--db", db)
    assert r.returncode == 0, r.stderr
    assert len([line for line in r.stdout.splitlines()[1:] if line.strip()]) == 2
    # Both runs are of the same commit: nothing earlier to compare with, and no failure.
    r = drvbench("compare", "--history", "--db", db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no earlier commit" in r.stdout
    r = drvbench("compare", "--history", "--db", tmp_path / "missing.sqlite")
    assert r.returncode == 2


def test_report_subcommand(tmp_path):
    out = tmp_path / "r.json"
    assert drvbench("run", "--driver", "qrpanic", "--set", "version=2", "--reps", "3", "--warmup", "0",
                    "--out", out).returncode == 0
    r = drvbench("report", str(out), "--out", tmp_path / "rep")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "rep" / "index.html").exists() and (tmp_path / "rep" / "summary.md").exists()
