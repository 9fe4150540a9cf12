"""report.ringbuf_vs_fio on synthetic fio and drvbench files: the pairing (new file against
fio --fallocate=none, preallocated against fio's default), the ratios, and bad input."""

import json

import pytest

from report import ringbuf_vs_fio as rvf

FIO = {("4k", "native"): 0.9e9, ("4k", "none"): 1.0e9, ("64k", "native"): 8.0e9, ("64k", "none"): 4.0e9}


def write_round(d, i, new_file, prealloc, scale=1.0, reporting="off (order 11)"):
    for (bs, fa), bw in FIO.items():
        (d / f"fio-{bs}-{fa}-{i}.json").write_text(json.dumps({"jobs": [{"write": {"bw_bytes": bw * scale}}]}))

    def result(v):
        return {"plugin": "c-base-gcc12", "metrics": {"drain_bytes_per_s": {"median": v}}}
    doc = {"context": {"free_page_reporting": reporting},
           "workloads": [{"name": "rec4k-tmpfs", "results": [result(new_file)]},
                         {"name": "rec4k-tmpfs-prealloc", "results": [result(prealloc)]}]}
    (d / f"drvbench-{i}.json").write_text(json.dumps(doc))


def test_pairs_like_with_like(tmp_path, capsys):
    write_round(tmp_path, 1, 3.2e9, 4.8e9)
    write_round(tmp_path, 2, 3.6e9, 4.0e9, scale=0.5, reporting="on (order 9)")
    assert rvf.main([str(tmp_path)]) == 0
    s = json.loads((tmp_path / "summary.json").read_text())
    r1, r2 = s["rounds"]
    # the new file against fio without preallocation, the preallocated one against fio's default
    assert r1["ratio_to_fio_64k"]["rec4k-tmpfs c-base-gcc12"] == pytest.approx(3.2 / 4.0)
    assert r1["ratio_to_fio_64k"]["rec4k-tmpfs-prealloc c-base-gcc12"] == pytest.approx(4.8 / 8.0)
    assert r1["ratio_to_fio_4k"]["rec4k-tmpfs c-base-gcc12"] == pytest.approx(3.2)
    # each round against its own fio figures
    assert r2["ratio_to_fio_64k"]["rec4k-tmpfs c-base-gcc12"] == pytest.approx(3.6 / 2.0)
    out = capsys.readouterr().out
    assert "| rec4k-tmpfs c-base-gcc12 / fio 64k fallocate=none | **0.80** | **1.80** |" in out
    assert "warning: free page reporting is on" in out


@pytest.mark.parametrize("remove,needle", [
    ("fio-64k-none-1.json", "fio-64k-none-1.json missing"),
    ("drvbench-1.json", "no drvbench-<round>.json"),
])
def test_missing_input_exit_2(tmp_path, capsys, remove, needle):
    write_round(tmp_path, 1, 3.2e9, 4.8e9)
    (tmp_path / remove).unlink()
    assert rvf.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_malformed_drvbench_file_exit_2(tmp_path, capsys):
    write_round(tmp_path, 1, 3.2e9, 4.8e9)
    (tmp_path / "drvbench-1.json").write_text(json.dumps({"context": {}, "workloads": []}))
    assert rvf.main([str(tmp_path)]) == 2
    assert "rec4k-tmpfs" in capsys.readouterr().err
