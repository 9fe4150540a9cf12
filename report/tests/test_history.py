"""History store (report/history.py): record, list, check against the previous commit, and
survival of a run killed while it is being recorded."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np

from report import history
from report.tests import synth

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _doc(commit, scale_cpp=1.0, seed=0, compiler_version="12.2.0"):
    rng = np.random.default_rng(seed)
    doc = synth.drvbench_doc({"text-v40": {
        "c-base-gcc12": synth.noisy(rng, n=15, sigma=0.005, outlier_p=0),
        "cpp-base-gcc12": synth.noisy(rng, n=15, sigma=0.005, scale=1000.0 * scale_cpp, outlier_p=0),
    }})
    doc["context"]["git_commit"] = commit
    for p in doc["plugins"]:
        p["compiler_version"] = compiler_version
    return doc


def _record(tmp_path, db, doc, name):
    path = tmp_path / name
    synth.write(path, doc)
    return history.record(db, str(path))


def test_record_list_and_no_regression(tmp_path):
    db = history.connect(str(tmp_path / "h.sqlite"))
    _record(tmp_path, db, _doc("a" * 40, seed=1), "1.json")
    _record(tmp_path, db, _doc("b" * 40, seed=2), "2.json")
    assert [r[2] for r in history.runs(db)] == ["a" * 40, "b" * 40]
    new_id, commit, rows = history.check(db)
    assert commit == "b" * 40 and len(rows) == 2
    assert not any(r["regression"] for r in rows)
    assert all(r["base_commit"] == "a" * 40 for r in rows)


def test_injected_regression_is_found(tmp_path):
    db = history.connect(str(tmp_path / "h.sqlite"))
    _record(tmp_path, db, _doc("a" * 40, seed=1), "1.json")
    _record(tmp_path, db, _doc("b" * 40, scale_cpp=1.05, seed=2), "2.json")
    _, _, rows = history.check(db, threshold_pct=1.0)
    bad = [r for r in rows if r["regression"]]
    assert [r["plugin"] for r in bad] == ["cpp-base-gcc12"]


def test_same_commit_and_other_compiler_are_not_baselines(tmp_path):
    db = history.connect(str(tmp_path / "h.sqlite"))
    _record(tmp_path, db, _doc("a" * 40, seed=1), "1.json")
    # A re-run of the same commit is not "the previous commit"...
    _record(tmp_path, db, _doc("b" * 40, seed=2), "2.json")
    _record(tmp_path, db, _doc("b" * 40, scale_cpp=1.05, seed=3), "3.json")
    _, _, rows = history.check(db)
    assert all(r["base_commit"] == "a" * 40 for r in rows)
    # ...and a new compiler version starts its own series.
    _record(tmp_path, db, _doc("c" * 40, seed=4, compiler_version="12.3.0"), "4.json")
    assert history.check(db)[2] == []


def test_cli_exit_codes(tmp_path):
    dbp = str(tmp_path / "h.sqlite")
    for i, (commit, scale) in enumerate([("a" * 40, 1.0), ("b" * 40, 1.05)]):
        synth.write(tmp_path / f"{i}.json", _doc(commit, scale_cpp=scale, seed=i))
        assert history.main(["record", "--db", dbp, str(tmp_path / f"{i}.json")]) == 0
    assert history.main(["list", "--db", dbp]) == 0
    assert history.main(["check", "--db", dbp]) == 1
    assert history.main(["check", "--db", dbp, "--threshold", "10"]) == 0
    assert history.main(["check", "--db", str(tmp_path / "none.sqlite")]) == 2
    (tmp_path / "junk.json").write_text("{not json")
    assert history.main(["record", "--db", dbp, str(tmp_path / "junk.json")]) == 2
    (tmp_path / "bad.sqlite").write_bytes(b"this is not sqlite" * 100)
    assert history.main(["list", "--db", str(tmp_path / "bad.sqlite")]) == 2


def test_killed_while_recording_leaves_history_intact(tmp_path):
    dbp = str(tmp_path / "h.sqlite")
    db = history.connect(dbp)
    _record(tmp_path, db, _doc("a" * 40, seed=1), "1.json")
    db.close()
    # A big result file recorded slowly, killed in the middle of its transaction.
    rng = np.random.default_rng(5)
    big = synth.drvbench_doc({f"w{i}": {"c-base-gcc12": synth.noisy(rng, n=9)} for i in range(50)})
    synth.write(tmp_path / "big.json", big)
    env = dict(os.environ, DRVBENCH_HISTORY_TEST_DELAY="0.05", PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "report.history", "record", "--db", dbp,
                             str(tmp_path / "big.json")], env=env, cwd=ROOT)
    time.sleep(1.0)
    assert proc.poll() is None, "recording finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    db = sqlite3.connect(dbp)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(DISTINCT run_id) FROM measurements").fetchone()[0] == 1
    db.close()
    # And the store keeps working afterwards.
    db = history.connect(dbp)
    _record(tmp_path, db, _doc("b" * 40, seed=2), "2.json")
    assert len(history.runs(db)) == 2
