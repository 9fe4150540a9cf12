# SPDX-License-Identifier: MIT
"""qrpanic round trip through a real decoder: `drvbench qr encode` -> PNG -> zbarimg.

For every impl x variant the CLI has (c/cpp x base/hardened, those without a
plugin are skipped), payloads hitting versions across 1..40 (all 40 for the base
variants, a spread for hardened) are encoded in text mode and URL mode and
decoded with `zbarimg --raw -q -Sbinary`:
  - text mode: the decoded bytes are the payload;
  - URL mode: the decoded bytes are URL + digits, and the digits decoded back
    (17 digits -> 7 little-endian bytes, a shorter tail via the digit table)
    are the payload.

Environment: DRVBENCH_BIN (default <repo>/build/bin/drvbench), DRVBENCH_ZBAR_JOBS
(parallel encode+decode jobs, default: CPU count).
"""
import os
import random
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DRVBENCH = Path(os.environ.get("DRVBENCH_BIN", REPO / "build" / "bin" / "drvbench"))
ZBARIMG = shutil.which("zbarimg")

pytestmark = [
    pytest.mark.skipif(not DRVBENCH.is_file() or not os.access(DRVBENCH, os.X_OK),
                       reason=f"drvbench CLI not built: {DRVBENCH} (set DRVBENCH_BIN)"),
    pytest.mark.skipif(ZBARIMG is None, reason="zbarimg not installed (apt install zbar-tools)"),
]

# ---- capacity model (ISO/IEC 18004, ECC level L), as in tests/qrpanic/qr_support.cc ----
DATA_CODEWORDS_L = [0, 19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523,
                    589, 647, 721, 795, 861, 932, 1006, 1094, 1174, 1276, 1370, 1468, 1531,
                    1631, 1735, 1843, 1955, 2071, 2191, 2306, 2434, 2566, 2702, 2812, 2956]
TAIL_DIGITS = [0, 3, 5, 8, 10, 13, 15, 17]
DIGITS_TO_TAIL_BYTES = {d: n for n, d in enumerate(TAIL_DIGITS)}


def numeric_digits(n):
    return 17 * (n // 7) + TAIL_DIGITS[n % 7]


def fits(v, url, n):
    blen = 8 if v <= 9 else 16
    if url is None:
        return 4 + blen + 8 * n <= 8 * DATA_CODEWORDS_L[v]
    nlen = 10 if v <= 9 else 12 if v <= 26 else 14
    d = numeric_digits(n)
    bits = 4 + blen + 8 * len(url) + 4 + nlen + 10 * (d // 3) + [0, 4, 7][d % 3]
    return bits <= 8 * DATA_CODEWORDS_L[v]


def capacity(v, url):
    """Largest payload fitting version v, -1 if none (URL too long)."""
    if v < 1 or not fits(v, url, 0):
        return -1
    lo, hi = 0, 4096
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(v, url, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def bytes_to_digits(b):
    out = []
    for off in range(0, len(b), 7):
        chunk = b[off:off + 7]
        out.append(str(int.from_bytes(chunk, "little")).zfill(TAIL_DIGITS[len(chunk)]))
    return "".join(out)


def digits_to_bytes(s):
    out = bytearray()
    for off in range(0, len(s), 17):
        chunk = s[off:off + 17]
        n = DIGITS_TO_TAIL_BYTES[len(chunk)]  # KeyError: a tail length the encoder never emits
        out += int(chunk).to_bytes(n, "little")
    return bytes(out)


def test_digit_codec_round_trips():
    rng = random.Random(7)
    for n in list(range(0, 30)) + [700, 701]:
        b = bytes(rng.randrange(256) for _ in range(n))
        s = bytes_to_digits(b)
        assert len(s) == numeric_digits(n)
        assert digits_to_bytes(s) == b
    assert bytes_to_digits(b"\xff" * 7) == "72057594037927935"
    assert bytes_to_digits(b"\x01") == "001"


# ---- cases ----
SHORT_URL = "https://k.io/"  # fits version 1 next to a numeric segment
LONG_URL = "https://panic.example.org/report?a=x86_64&v=6.15.0&z="
KMSG = [
    "BUG: kernel NULL pointer dereference, address: 0000000000000008",
    "Oops: 0000 [#1] PREEMPT SMP NOPTI",
    "CPU: 1 PID: 4242 Comm: kworker/1:2 Tainted: G        W          6.15.0 #1",
    "RIP: 0010:drm_atomic_helper_commit_planes+0x5c/0x2a0",
    "Call Trace:", " <TASK>", " commit_tail+0xce/0x1a0",
    "Kernel panic - not syncing: Fatal exception",
]


def kmsg(rng, n):
    s = ""
    while len(s) < n:
        s += "[%5d.%06d] %s\n" % (rng.randrange(100000), rng.randrange(1000000), rng.choice(KMSG))
    return s[:n].encode()


def url_for(v):
    return SHORT_URL if v <= 4 else LONG_URL


def make_cases(impl, variant, versions, seed):
    rng = random.Random(seed)
    cases = []
    for v in versions:
        # text mode: alternate printable kmsg and random binary payloads
        lo, hi = capacity(v - 1, None) + 1, capacity(v, None)
        n = hi if v % 3 == 0 else rng.randint(lo, hi)
        payload = kmsg(rng, n) if v % 2 else bytes(rng.randrange(256) for _ in range(n))
        cases.append(dict(impl=impl, variant=variant, version=v, url=None, payload=payload))
        url = url_for(v)
        lo, hi = max(capacity(v - 1, url) + 1, 0), capacity(v, url)
        assert hi >= lo, (v, url)
        n = hi if v % 3 == 1 else rng.randint(lo, hi)
        payload = bytes(rng.randrange(256) for _ in range(n))
        cases.append(dict(impl=impl, variant=variant, version=v, url=url, payload=payload))
    return cases


ALL_VERSIONS = list(range(1, 41))
SPREAD = [1, 2, 5, 7, 9, 10, 14, 20, 26, 27, 33, 40]
# The peer plugins (<plugins>/peers/, docs/design-notes.md "Peers"): libqrencode draws its own
# mask, so decoding is how its output is checked; qrcodegen is also byte-compared in runs.
COMBOS = [("c", "base", ALL_VERSIONS), ("cpp", "base", ALL_VERSIONS),
          ("c", "hardened", SPREAD), ("cpp", "hardened", SPREAD),
          ("qrcodegen", "base", SPREAD), ("libqrencode", "base", SPREAD)]


def encode(tmp, case, tag):
    png = tmp / f"{tag}.png"
    cmd = [str(DRVBENCH), "qr", "encode", "--impl", case["impl"], "--variant", case["variant"],
           "--format", "png", "--out", str(png)]
    if case.get("as_text"):
        cmd += ["--text", case["payload"].decode()]
    else:
        data = tmp / f"{tag}.bin"
        data.write_bytes(case["payload"])
        cmd += ["--data", str(data)]
    if case["url"] is not None:
        cmd += ["--url", case["url"]]
    return subprocess.run(cmd, capture_output=True, timeout=60), png


def decode(png):
    r = subprocess.run([ZBARIMG, "--raw", "-q", "-Sbinary", str(png)], capture_output=True,
                       timeout=60)
    return r.returncode, r.stdout


def no_such_plugin(res):
    err = (res.stderr + res.stdout).decode(errors="replace").lower()
    return res.returncode != 0 and "no qrpanic plugin" in err


def run_case(tmp, case, tag):
    """Returns (status, message): status in ok / skip / fail."""
    label = (f"{case['impl']}/{case['variant']} v{case['version']} "
             f"{'url' + str(len(case['url'])) if case['url'] is not None else 'text'} "
             f"len={len(case['payload'])}")
    res, png = encode(tmp, case, tag)
    if no_such_plugin(res):
        return "skip", f"{case['impl']}/{case['variant']}: no plugin"
    if res.returncode != 0:
        return "fail", f"{label}: encode rc={res.returncode}: {res.stderr.decode(errors='replace')}"
    m = re.search(r"version (\d+)", res.stdout.decode(errors="replace"))
    if m and int(m.group(1)) != case["version"]:
        return "fail", f"{label}: encoded as version {m.group(1)}"
    rc, out = decode(png)
    if rc != 0:
        return "fail", f"{label}: zbarimg rc={rc} (no symbol decoded)"
    if out.endswith(b"\n") and not case["payload"].endswith(b"\n") and case["url"] is None \
            and out[:-1] == case["payload"]:
        out = out[:-1]  # zbarimg builds that terminate --raw output with a newline
    if case["url"] is None:
        if out != case["payload"]:
            return "fail", f"{label}: decoded {out[:40]!r}... != payload {case['payload'][:40]!r}..."
        return "ok", label
    url = case["url"].encode()
    if not out.startswith(url):
        return "fail", f"{label}: decoded {out[:60]!r} does not start with the URL"
    digits = out[len(url):].rstrip(b"\n").decode(errors="replace")
    if digits != bytes_to_digits(case["payload"]):
        return "fail", f"{label}: digits differ from the payload's encoding"
    if not digits.isdigit() and digits:
        return "fail", f"{label}: non-digit characters after the URL"
    if digits_to_bytes(digits) != case["payload"]:
        return "fail", f"{label}: digits decode to different bytes"
    return "ok", label


def run_all(tmp_path, cases):
    jobs = int(os.environ.get("DRVBENCH_ZBAR_JOBS", os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        results = list(ex.map(lambda ic: run_case(tmp_path, ic[1], f"c{ic[0]}"),
                              enumerate(cases)))
    return results


@pytest.mark.parametrize("impl,variant,versions", COMBOS,
                         ids=[f"{i}-{v}" for i, v, _ in COMBOS])
def test_zbar_round_trip(tmp_path, impl, variant, versions):
    # Probe once so a missing plugin skips cleanly instead of failing 80 times.
    probe = dict(impl=impl, variant=variant, version=1, url=None, payload=b"probe", as_text=True)
    status, msg = run_case(tmp_path, probe, "probe")
    if status == "skip":
        pytest.skip(msg)
    assert status == "ok", msg

    cases = make_cases(impl, variant, versions,
                       seed={"c": 11, "cpp": 13, "qrcodegen": 17, "libqrencode": 19}[impl] * 100 + len(variant))
    results = run_all(tmp_path, cases)
    fails = [m for s, m in results if s == "fail"]
    assert not fails, f"{len(fails)} of {len(cases)} round trips failed:\n" + "\n".join(fails[:20])
    covered = {(c["version"], c["url"] is not None) for c in cases}
    for v in versions:
        assert (v, False) in covered and (v, True) in covered
