"""Synthetic drvbench result documents and Google Benchmark JSON for the tests."""

import json

import numpy as np


def noisy(rng, n=15, sigma=0.02, scale=1000.0, outlier_p=0.05, outlier=(1.1, 1.5)):
    """Lognormal noise around scale, with occasional slow outliers (a preempted sample)."""
    x = scale * np.exp(rng.normal(0.0, sigma, n))
    hit = rng.random(n) < outlier_p
    x[hit] *= rng.uniform(outlier[0], outlier[1], hit.sum())
    return x


def plugin(pid):
    impl, variant, tag = pid.split("-", 2)
    comp = tag.rstrip("0123456789")
    return {"id": pid, "file": f"plugins/drvbench-{pid}.so", "impl": impl, "variant": variant,
            "compiler": comp, "compiler_version": tag[len(comp):] + ".2.0", "flags": "-O2",
            "components": ["qrpanic"]}


def entry(pid, samples, baseline=None, metrics=None):
    s = [float(x) for x in samples]
    e = {"plugin": pid, "unit": "ns/op", "samples": s, "median": float(np.median(s)),
         "mean": float(np.mean(s)), "min": min(s), "max": max(s),
         "stddev": float(np.std(s, ddof=1)) if len(s) > 1 else 0.0, "cv": 0.0,
         "baseline": baseline, "ratio": None}
    if metrics:
        e["metrics"] = metrics
    return e


def drvbench_doc(workloads, plugins=None, complete=True):
    """workloads: {name: {plugin id: samples or entry dict}}; baseline c-base of the same compiler."""
    pids = plugins or sorted({p for w in workloads.values() for p in w})
    wl = []
    for name, ents in workloads.items():
        results = []
        for pid, v in ents.items():
            tag = pid.split("-", 2)[2]
            base = f"c-base-{tag}" if f"c-base-{tag}" in ents else None
            results.append(v if isinstance(v, dict) else entry(pid, v, base))
        wl.append({"name": name, "driver": "qrpanic", "description": "synthetic", "file": None,
                   "params": {"version": 40}, "run": {"warmup": 1, "reps": 15, "iters": 100, "min_sample_ms": 5},
                   "derived": {}, "baseline": "c-base-gcc12" if "c-base-gcc12" in ents else None,
                   "results": results})
    return {"schema": "drvbench-result", "schema_version": 1, "complete": complete,
            "context": {"date": "2025-01-01T00:00:00Z", "host": "test", "cpu_model": "synthetic", "cpus": 2,
                        "kernel": "6.1", "git_commit": "0" * 40, "git_dirty": False},
            "plugins": [plugin(p) for p in pids], "workloads": wl}


def gbench_doc(runs, unit="ns", drvbench_bench=True, aggregates=True):
    """runs: {run_name: samples (in ns)}; iteration entries per repetition plus aggregates."""
    scale = {"ns": 1.0, "us": 1e-3, "ms": 1e-6, "s": 1e-9}[unit]
    ctx = {"date": "2025-01-01T00:00:00+00:00", "host_name": "test", "executable": "drvbench-bench",
           "num_cpus": 2, "mhz_per_cpu": 2000, "cpu_scaling_enabled": False, "caches": [],
           "library_build_type": "release"}
    if drvbench_bench:
        ctx["plugin_dir"] = "build/plugins"
        ctx["plugin:c-base-gcc12"] = "-O2"
    benches = []
    for fi, (name, samples) in enumerate(runs.items()):
        n = len(samples)
        for i, x in enumerate(samples):
            benches.append({"name": name, "family_index": fi, "per_family_instance_index": 0, "run_name": name,
                            "run_type": "iteration", "repetitions": n, "repetition_index": i, "threads": 1,
                            "iterations": 1000, "real_time": x * scale, "cpu_time": x * scale * 0.99,
                            "time_unit": unit})
        if aggregates:
            for agg, val in (("mean", float(np.mean(samples))), ("median", float(np.median(samples))),
                             ("stddev", float(np.std(samples))), ("cv", 0.01)):
                benches.append({"name": f"{name}_{agg}", "family_index": fi, "per_family_instance_index": 0,
                                "run_name": name, "run_type": "aggregate", "repetitions": n, "threads": 1,
                                "aggregate_name": agg, "aggregate_unit": "time" if agg != "cv" else "percentage",
                                "iterations": n, "real_time": val * scale, "cpu_time": val * scale,
                                "time_unit": unit})
    return {"context": ctx, "benchmarks": benches}


def write(path, doc):
    path.write_text(json.dumps(doc))
    return str(path)


def to_v2(doc, better=None):
    """The document as schema_version 2: "better" next to every "unit" (entry and metrics).
    better: {metric name: "lower" | "higher"}; the primary metric is "time"; names not given
    are "lower" unless in HIGHER."""
    better = better or {}
    doc["schema_version"] = 2
    for w in doc["workloads"]:
        for r in w["results"]:
            r["better"] = better.get("time", "lower")
            for name, m in (r.get("metrics") or {}).items():
                m["better"] = better.get(name, "higher" if name in HIGHER else "lower")
    return doc


HIGHER = {"iops", "bw_bytes_s", "records_per_s", "accepted_per_s", "persisted_per_s"}
