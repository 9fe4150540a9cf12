"""The report's index.html in headless Chromium: it loads offline, every chart is an embedded
image that renders, nothing is blocked, no script errors; a screenshot shows the charts.

Skipped when Chromium is not installed (Debian package: chromium). The screenshot is kept in
the test's temporary directory (printed with -s) for a look."""

import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

from report import report as rep

from . import synth_report as S
from .synth import write

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium)")

BASE_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


def _chromium(args, timeout=120):
    with tempfile.TemporaryDirectory() as profile:
        p = subprocess.run([CHROMIUM] + BASE_FLAGS + [f"--user-data-dir={profile}"] + args, capture_output=True,
                           text=True, timeout=timeout)
    return p


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("browser")
    rng = np.random.default_rng(11)
    wl = S.qr_workloads(rng, n=9, counters=True)
    mx, params = S.nullblk_matrix(rng, bss=("4k", "64k"), numjobs=(1, 4), iodepth=(1, 32), n=5)
    wl.update(mx)
    f = write(d / "run.json", S.doc(wl, params))
    out = d / "report"
    assert rep.main([f, "--out", str(out), "--resamples", "300"]) == 0
    return out


def test_dom_has_every_chart_as_data_image(report_dir):
    url = (report_dir / "index.html").as_uri()
    p = _chromium(["--dump-dom", url])
    assert p.returncode == 0, p.stderr[-2000:]
    dom = p.stdout
    assert "<h1>drvbench report</h1>" in dom
    imgs = re.findall(r"<img\b[^>]*>", dom)
    charts_on_disk = sorted(x[:-4] for x in os.listdir(report_dir / "charts") if x.endswith(".png"))
    assert len(imgs) == len(charts_on_disk) >= 5
    for tag in imgs:
        assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', tag), tag[:200]
    assert sorted(re.findall(r'data-chart="([^"]+)"', dom)) == charts_on_disk
    assert "<script" not in dom.lower()
    for line in p.stderr.splitlines():
        assert "Uncaught" not in line and "Refused to" not in line and "Not allowed to load" not in line, line


def test_screenshot_shows_rendered_charts(report_dir):
    shot = report_dir / "screenshot.png"
    url = (report_dir / "index.html").as_uri()
    p = _chromium([f"--screenshot={shot}", "--window-size=1280,2400", url])
    assert p.returncode == 0 and shot.is_file(), p.stderr[-2000:]
    for line in p.stderr.splitlines():
        assert "Uncaught" not in line and "Refused to" not in line, line
    import matplotlib.image as mpimg
    img = mpimg.imread(str(shot))[:, :, :3]
    assert img.shape[0] == 2400 and img.shape[1] == 1280
    px = (img * 255).astype(int)

    def count(hexc, tol=12):
        rgb = np.array([int(hexc[i:i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(px - rgb).max(axis=2) <= tol).sum())
    # the charts' Okabe-Ito colours are on the page: only rendered chart images carry them
    # (a broken image shows an icon and alt text, not hundreds of coloured pixels)
    assert count("#0072B2") > 300, "no C base blue: charts not rendered"
    assert count("#D55E00") > 300, "no C++ base vermillion: charts not rendered"
    print(f"\nscreenshot: {shot}")
