"""Synthetic inputs for the report tests: every role, two compilers, a nullblk parameter matrix
with latency metrics, hardware counters, and several runs for the history."""

import numpy as np

from .synth import drvbench_doc, entry, noisy

ROLES = ("c-base", "c-hardened", "cpp-base", "cpp-hardened")


def _pid(role, tag):
    return f"{role}-{tag}"


def qr_workloads(rng, tags=("gcc12",), effects=None, n=15, sigma=0.01, counters=False, names=None):
    """{name: {pid: entry}} with multiplicative effects per role ({role: factor})."""
    effects = effects or {"c-base": 1.0, "c-hardened": 1.04, "cpp-base": 1.00, "cpp-hardened": 1.06}
    names = names or ["qrpanic/text-v1", "qrpanic/text-v40", "qrpanic/url-v10"]
    out = {}
    for wi, name in enumerate(names):
        scale = 1000.0 * (wi + 1) ** 2
        ents = {}
        for tag in tags:
            for role in ROLES:
                pid = _pid(role, tag)
                s = noisy(rng, n=n, sigma=sigma, scale=scale * effects[role], outlier_p=0.0)
                metrics = None
                if counters:
                    ins = scale * 3 * effects[role]
                    metrics = {
                        "instructions": {"unit": "instructions/op", "samples": [ins] * n, "exact": True},
                        "cycles": {"unit": "cycles/op", "samples": list(noisy(rng, n=n, sigma=0.01, scale=scale * 1.5, outlier_p=0))},
                        "branch_misses": {"unit": "branch-misses/op", "samples": list(noisy(rng, n=n, sigma=0.02, scale=scale / 100, outlier_p=0))},
                    }
                ents[pid] = entry(pid, s, f"c-base-{tag}", metrics)
        out[name] = ents
    return out


def nullblk_matrix(rng, tag="gcc12", bss=("4k", "64k"), numjobs=(1, 2, 4), iodepth=(1, 8, 32), rws=("randread",),
                   n=9, cpp_effect=lambda bs, nj, qd: 1.0 + 0.01 * nj, missing=()):
    """Workloads nullblk/matrix/... with params numjobs, iodepth, bs, rw and latency metrics."""
    wls, params = {}, {}
    for rw in rws:
        for bs in bss:
            for nj in numjobs:
                for qd in iodepth:
                    if (bs, nj, qd) in missing:
                        continue
                    name = f"nullblk/matrix/{rw}-bs{bs}-j{nj}-qd{qd}"
                    ents = {}
                    for role in ROLES:
                        pid = _pid(role, tag)
                        f = cpp_effect(bs, nj, qd) if role.startswith("cpp") else 1.0
                        base = 500.0 * f
                        s = noisy(rng, n=n, sigma=0.005, scale=base, outlier_p=0.0)
                        lat = {}
                        for q, k in (("lat_p50_ns", 1.0), ("lat_p99_ns", 3.0), ("lat_p999_ns", 8.0), ("lat_max_ns", 40.0)):
                            lat[q] = {"unit": "ns", "samples": list(noisy(rng, n=n, sigma=0.02, scale=base * qd * k, outlier_p=0))}
                        lat["iops"] = {"unit": "IOPS", "samples": list(1e9 / np.asarray(s))}
                        ents[pid] = entry(pid, s, f"c-base-{tag}", lat)
                    wls[name] = ents
                    params[name] = {"numjobs": nj, "iodepth": qd, "bs": bs, "rw": rw, "runtime": 1}
    return wls, params


def doc(workloads, params=None, date="2025-01-01T00:00:00Z", commit="a" * 40, extra_plugins=()):
    d = drvbench_doc(workloads)
    d["context"]["date"] = date
    d["context"]["git_commit"] = commit
    for w in d["workloads"]:
        if params and w["name"] in params:
            w["params"] = params[w["name"]]
        w["driver"] = w["name"].split("/")[0]
        base = [r["plugin"] for r in w["results"] if r["plugin"].startswith("c-base-")]
        w["baseline"] = base[0] if base else None
    for p in d["plugins"]:
        if p["variant"] == "hardened":
            p["flags"] = "-O2 -fno-strict-aliasing -fsanitize=bounds -fsanitize-trap=all -ftrivial-auto-var-init=zero"
        else:
            p["flags"] = "-O2 -fno-strict-aliasing"
    for p in extra_plugins:
        d["plugins"].append(p)
    return d
