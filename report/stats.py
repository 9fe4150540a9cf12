"""Two-sample statistics for benchmark results. Every comparison knows the metric's direction
(better="lower" for time, instructions, latencies; "higher" for IOPS, bandwidth, records/s):
the ratio is always median(A)/median(B) of the values as recorded, and the verdict says
"worse" or "better" by that direction. docs/measurement.md documents every figure once.

compare(a, b) takes a candidate sample set A and a baseline sample set B and reports, in one
of two ways (never mixed; statistic_label(c) names the one used):

* paired=True (both sides from the rounds of one run): the median of the per-round ratios
  a[i]/b[i], a percentile bootstrap interval over rounds, the Wilcoxon signed-rank test on the
  log ratios (see _compare_paired);
* otherwise (samples from different runs): the following.

* ratio of medians A/B, with a bootstrap confidence interval (default 95 %, 10 000 resamples,
  each side resampled independently, seeded numpy Generator, vectorised). Method "bca"
  (default; bias-corrected and accelerated, acceleration from the two-sample jackknife,
  falling back to percentile when the bootstrap distribution is degenerate) or "percentile".
* Mann-Whitney U two-sided p-value (scipy.stats.mannwhitneyu), as Google Benchmark's
  tools/compare.py does; that tool recommends >= 9 repetitions, and we warn below that.
* relative difference of means (mean(A) - mean(B)) / mean(B) with a Fieller interval for the
  ratio of means mean(A)/mean(B) (independent samples, Welch-Satterthwaite degrees of freedom
  computed from the difference, t quantile), minus 1. Fieller accounts for the uncertainty of
  the denominator, which the simple "Welch interval divided by mean(B)" ignores; the interval is
  unbounded when mean(B) is not significantly different from zero (never the case for timings).
  The approximation left is the Welch df, which is that of the difference A - rho*B at rho=1.
* verdict: "worse" / "better" / "no significant difference". A difference is significant when
  p < alpha AND the bootstrap CI of the ratio excludes 1.0 AND |ratio - 1| >= min_effect.
  "too few rounds" when no outcome of the test could give p < alpha with these sample sizes
  (min_p_value; two-sided exact Wilcoxon: 2^(1-n), so n <= 5 rounds never reach 0.05).
* exact metrics: when every sample on each side is identical (e.g. callgrind instruction
  counts), no test is run: the verdict is by min_effect alone and the result is marked exact.
  A metric declared exact (exact_hint) also counts as constant when its samples differ by at
  most EXACT_REL_TOL of their median: a count of millions of instructions can differ by one
  when a clock read or a kernel-set io_uring flag takes the other branch once.
* coefficient of variation (stddev/mean, sample stddev) of each side and a "noisy" flag when
  either exceeds cv_warn (default 5 %).

Power, for calibration (lognormal noise sigma plus 5 % slow outliers, 3 % shift, measured over
200 seeded trials; see tests/test_stats.py):

    samples/side   sigma 1.5 %   sigma 2 %   sigma 2.5 %
    15             97.5 %        79 %        64 %
    30                                       89 %
    40                                       97.5 %

The median's efficiency (64 % of the mean's on normal noise) and the triple condition limit
power; take more samples when shifts of a few percent on a noisy machine matter. The false
positive rate stays well under alpha (A/A: ~1-3 %).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats as _ss

WORSE = "worse"
BETTER = "better"
SLOWER, FASTER = WORSE, BETTER  # old names of the two verdicts
SAME = "no significant difference"
TOO_FEW = "too few rounds"
NA = "n/a"
LOWER, HIGHER = "lower", "higher"

DEFAULT_ALPHA = 0.05
DEFAULT_MIN_EFFECT = 0.01
DEFAULT_CONFIDENCE = 0.95
DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 0
CV_WARN = 0.05
MIN_RECOMMENDED_SAMPLES = 9

_CHUNK_ELEMS = 1 << 21  # bootstrap index matrix size per chunk (16 MiB of int64)


@dataclass
class Summary:
    n: int
    median: float
    mean: float
    min: float
    max: float
    stddev: float
    cv: float
    noisy: bool

    def to_dict(self):
        return asdict(self)


def summarize(x, cv_warn=CV_WARN) -> Summary:
    """Descriptive statistics of one sample set; cv uses the sample stddev (ddof=1)."""
    x = _as_samples(x)
    n = x.size
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    cv = sd / mean if mean > 0 else 0.0
    return Summary(n=n, median=float(np.median(x)), mean=mean, min=float(x.min()), max=float(x.max()),
                   stddev=sd, cv=cv, noisy=cv > cv_warn)


def cv(x):
    """Coefficient of variation (sample stddev / mean)."""
    return summarize(x).cv


EXACT_REL_TOL = 1e-6


def is_constant(x, rel_tol=0.0):
    x = _as_samples(x)
    if rel_tol == 0.0:
        return bool(np.all(x == x[0]))
    return bool(np.max(x) - np.min(x) <= rel_tol * abs(float(np.median(x))))


def min_p_value(n_a, n_b=None, paired=True):
    """Smallest two-sided p the test can give with these sample sizes, whatever the data:
    paired (exact Wilcoxon signed-rank on n rounds): all n signs alike, 2 * 2^-n = 2^(1-n);
    unpaired (exact Mann-Whitney U): complete separation, 2 / C(n_a + n_b, n_a)."""
    if paired:
        return min(1.0, 2.0 ** (1 - n_a))
    return min(1.0, 2.0 / math.comb(n_a + n_b, n_a))


def min_rounds_for_verdict(alpha=DEFAULT_ALPHA):
    """Fewest rounds with which the paired test can reach p < alpha (6 at alpha 0.05): the
    rule drvbench run warns with before a run whose --reps cannot give a verdict."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    n = 1
    while min_p_value(n) >= alpha:
        n += 1
    return n


def statistic_label(c):
    """What c's ratio, interval and p are, in the words every table and caption uses."""
    if c is None:
        return ""
    if c.ci_method == "paired":
        return PAIRED_LABEL
    if c.ci_method == "exact":
        return EXACT_LABEL
    return f"ratio of medians, {'BCa' if c.ci_method == 'bca' else c.ci_method} bootstrap interval, Mann–Whitney U test"


PAIRED_LABEL = "median of per-round ratios, percentile bootstrap interval over rounds, Wilcoxon signed-rank test"
UNPAIRED_LABEL = "ratio of medians, BCa bootstrap interval, Mann–Whitney U test"
EXACT_LABEL = "ratio of exact counts, no test"


def verdict_text(c):
    """The verdict as a cell says it: "worse", "better", "no significant difference", or
    "n = 5: too few rounds for a verdict at α = 0.05"."""
    if c is None:
        return NA
    if c.verdict == TOO_FEW:
        n = f"{c.n_a}" if c.n_a == c.n_b else f"{c.n_a}/{c.n_b}"
        what = "rounds" if c.ci_method == "paired" else "samples"
        return f"n = {n}: too few {what} for a verdict at α = {c.alpha:g}"
    return c.verdict


def _verdict(ratio, significant, better):
    if not significant:
        return SAME
    return WORSE if (ratio > 1) == (better == LOWER) else BETTER


@dataclass
class Comparison:
    n_a: int
    n_b: int
    median_a: float
    median_b: float
    ratio: float  # median(A) / median(B)
    ratio_ci: tuple  # (low, high) bootstrap CI of the ratio of medians
    ci_method: str  # "bca", "percentile", "exact" or "none"
    p_value: float | None  # Mann-Whitney U two-sided; None when exact or not testable
    mean_rel: float  # (mean(A) - mean(B)) / mean(B)
    mean_rel_ci: tuple  # Fieller interval of mean(A)/mean(B) - 1
    exact: bool
    significant: bool
    verdict: str
    cv_a: float
    cv_b: float
    noisy: bool
    alpha: float
    min_effect: float
    confidence: float
    better: str = LOWER  # the metric's direction: "lower" or "higher" is better
    warnings: list = field(default_factory=list)

    @property
    def statistic(self):
        return statistic_label(self)

    @property
    def worse_pct(self):
        """How much worse the candidate is, in percent of the reference (negative: better)."""
        if not math.isfinite(self.ratio):
            return float("nan")
        return (self.ratio - 1.0) * 100.0 if self.better == LOWER else (1.0 - self.ratio) * 100.0

    @property
    def change_pct(self):
        return (self.ratio - 1.0) * 100.0 if math.isfinite(self.ratio) else float("nan")

    def to_dict(self):
        d = asdict(self)
        d["ratio_ci"] = list(self.ratio_ci)
        d["mean_rel_ci"] = list(self.mean_rel_ci)
        d["change_pct"] = self.change_pct
        d["statistic"] = self.statistic
        d["verdict_text"] = verdict_text(self)
        return {k: _json_float(v) for k, v in d.items()}


def _json_float(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list):
        return [_json_float(x) for x in v]
    return v


def _as_samples(x):
    a = np.asarray(x, dtype=np.float64).ravel()
    if a.size == 0:
        raise ValueError("empty sample set")
    if not np.all(np.isfinite(a)):
        raise ValueError("sample set contains NaN or infinity")
    return a


# ---------------------------------------------------------------- bootstrap


BOOTSTRAP_DIRECT_MAX = 1000  # larger sets: the resample median drawn from its order-statistic law


def bootstrap_medians(x, n_resamples, rng):
    """Medians of n_resamples bootstrap resamples of x.

    Up to BOOTSTRAP_DIRECT_MAX samples: by resampling (vectorised, chunked for memory), O(R n).
    Above: each resample's median is drawn from its exact distribution (_bootstrap_medians_order),
    O(n log n + R), so that compare and analyze stay near-linear in the number of samples.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size > BOOTSTRAP_DIRECT_MAX:
        return _bootstrap_medians_order(np.sort(x), n_resamples, rng)
    return _bootstrap_medians_direct(x, n_resamples, rng)


def _bootstrap_medians_order(xs, n_resamples, rng):
    """Medians of n_resamples bootstrap resamples of the sorted sample xs, without resampling.

    A resample draws n indices floor(n U_i) with U_i uniform on (0, 1); its k-th smallest index is
    floor(n U_(k)), and U_(k) ~ Beta(k, n - k + 1). For even n the median also needs U_(k+1): given
    U_(k) = u, the other n - k uniforms are uniform on (u, 1), so U_(k+1) = u + (1 - u) Beta(1, n - k).
    Same distribution as resampling, two random numbers per resample instead of n.
    """
    n = xs.size

    def at(u):
        return xs[np.minimum((u * n).astype(np.int64), n - 1)]

    k = (n + 1) // 2
    u = rng.beta(k, n - k + 1, size=n_resamples)
    if n % 2:
        return at(u)
    v = u + (1.0 - u) * rng.beta(1, n - k, size=n_resamples)
    return (at(u) + at(v)) / 2


def _bootstrap_medians_direct(x, n_resamples, rng):
    n = x.size
    out = np.empty(n_resamples)
    step = max(1, _CHUNK_ELEMS // n)
    for s in range(0, n_resamples, step):
        k = min(step, n_resamples - s)
        idx = rng.integers(0, n, size=(k, n))
        out[s:s + k] = np.median(x[idx], axis=1)
    return out


def _jackknife_medians(x):
    """Leave-one-out medians of x, O(n log n)."""
    xs = np.sort(x)
    n = xs.size
    if n < 2:
        return np.array([xs[0]])
    L = n - 1
    i = np.arange(n)[:, None]  # removed position (in sorted order)

    def rem(k):  # element k of the sorted array with position i removed
        k = np.asarray(k)
        return np.where(k < i, xs[np.minimum(k, n - 1)], xs[np.minimum(k + 1, n - 1)])

    if L % 2:
        med = rem(np.array([L // 2]))[:, 0]
    else:
        med = (rem(np.array([L // 2 - 1]))[:, 0] + rem(np.array([L // 2]))[:, 0]) / 2
    order = np.argsort(x, kind="stable")
    out = np.empty(n)
    out[order] = med
    return out


def ratio_of_medians_ci(a, b, confidence=DEFAULT_CONFIDENCE, n_resamples=DEFAULT_RESAMPLES,
                        seed=DEFAULT_SEED, method="bca"):
    """Bootstrap CI of median(a)/median(b); returns (low, high, method_used)."""
    a = _as_samples(a)
    b = _as_samples(b)
    if method not in ("bca", "percentile"):
        raise ValueError(f"unknown CI method {method!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    ma = bootstrap_medians(a, n_resamples, rng)
    mb = bootstrap_medians(b, n_resamples, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(ma) - np.log(mb)  # log scale: BCa is transformation-respecting, this is just tidier
    r = r[~np.isnan(r)]
    if r.size == 0:
        return float("nan"), float("nan"), "none"
    tail = (1 - confidence) / 2
    levels = np.array([tail, 1 - tail])
    used = "percentile"
    if method == "bca":
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = float(np.log(np.median(a)) - np.log(np.median(b)))  # -inf for a zero median
        q = _bca_levels(a, b, r, theta, levels)
        if q is not None:
            levels, used = q, "bca"
    if np.all(np.isfinite(r)):
        lo, hi = np.quantile(r, levels)
    else:  # resample medians of 0 (log -inf): no interpolation across infinities, widen outwards
        lo = np.quantile(r, levels[0], method="lower")
        hi = np.quantile(r, levels[1], method="higher")
    with np.errstate(over="ignore"):
        return float(np.exp(lo)), float(np.exp(hi)), used


def _bca_levels(a, b, r, theta, levels):
    if not math.isfinite(theta):
        return None
    R = r.size
    prop = (np.count_nonzero(r < theta) + 0.5 * np.count_nonzero(r == theta)) / R
    prop = min(max(prop, 1.0 / R), 1.0 - 1.0 / R)
    z0 = _ss.norm.ppf(prop)
    # Two-sample jackknife acceleration (Efron & Tibshirani 1993, 14.3 and 15.6).
    with np.errstate(divide="ignore", invalid="ignore"):
        ja = np.log(_jackknife_medians(a))
        jb = -np.log(_jackknife_medians(b))
    num = den = 0.0
    for j in (ja, jb):
        if j.size < 2 or not np.all(np.isfinite(j)):
            return None
        u = (j.size - 1) * (j.mean() - j)
        num += np.sum(u ** 3) / j.size ** 3
        den += np.sum(u ** 2) / j.size ** 2
    acc = num / (6 * den ** 1.5) if den > 0 else 0.0
    z = _ss.norm.ppf(levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = _ss.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
    if not np.all(np.isfinite(q)) or q[0] >= q[1]:
        return None
    return q


# ---------------------------------------------------------------- tests and intervals


def mann_whitney_p(a, b):
    """Two-sided Mann-Whitney U p-value; None when the test is undefined (all values tied)."""
    a = _as_samples(a)
    b = _as_samples(b)
    if np.all(a == a[0]) and np.all(b == a[0]):
        return 1.0
    p = float(_ss.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    return p if math.isfinite(p) else None


def mean_ratio_fieller(a, b, confidence=DEFAULT_CONFIDENCE):
    """Fieller interval for mean(a)/mean(b) with Welch df; returns (ratio, low, high).

    Unbounded (-inf, inf) when mean(b) is not significantly non-zero; NaN when a side has
    fewer than 2 samples.
    """
    a = _as_samples(a)
    b = _as_samples(b)
    ma, mb = float(np.mean(a)), float(np.mean(b))
    rho = ma / mb if mb != 0 else float("nan")
    if a.size < 2 or b.size < 2:
        return rho, float("nan"), float("nan")
    va = float(np.var(a, ddof=1)) / a.size
    vb = float(np.var(b, ddof=1)) / b.size
    if va == 0 and vb == 0:
        return rho, rho, rho
    df = (va + vb) ** 2 / ((va ** 2 / (a.size - 1) if va else 0.0) + (vb ** 2 / (b.size - 1) if vb else 0.0))
    t = float(_ss.t.ppf(0.5 + confidence / 2, df))
    t2 = t * t
    # (ma - rho*mb)^2 = t^2 (va + rho^2 vb)  ->  A rho^2 - 2 B rho + C = 0
    A = mb * mb - t2 * vb
    B = ma * mb
    C = ma * ma - t2 * va
    if A <= 0:
        return rho, float("-inf"), float("inf")
    disc = B * B - A * C
    if disc < 0:
        return rho, float("-inf"), float("inf")
    s = math.sqrt(disc)
    return rho, (B - s) / A, (B + s) / A


# ---------------------------------------------------------------- the comparison


def paired_ratio_ci(a, b, confidence=DEFAULT_CONFIDENCE, n_resamples=DEFAULT_RESAMPLES, seed=DEFAULT_SEED):
    """Median of the per-round ratios a[i]/b[i] and a percentile bootstrap CI over rounds."""
    r = np.asarray(a, dtype=float) / np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    n = len(r)
    if n > BOOTSTRAP_DIRECT_MAX:  # same distribution, O(R) (see bootstrap_medians)
        meds = _bootstrap_medians_order(np.sort(r), n_resamples, rng)
    else:
        meds = np.empty(n_resamples)
        chunk = max(1, 2_000_000 // max(n, 1))
        for start in range(0, n_resamples, chunk):
            k = min(chunk, n_resamples - start)
            idx = rng.integers(0, n, size=(k, n))
            meds[start:start + k] = np.median(r[idx], axis=1)
    tail = (1 - confidence) / 2
    return float(np.median(r)), float(np.quantile(meds, tail)), float(np.quantile(meds, 1 - tail))


def _compare_paired(a, b, sa, sb, base, *, alpha, min_effect, confidence, n_resamples, seed, warnings, better):
    """Rounds as pairs: the harness measures every plugin once per round, in shuffled order, so
    a[i] and b[i] saw the same machine state. Per-round ratios cancel drift that is slow next to
    a round (other load, frequency), which unpaired statistics count as noise."""
    nan = float("nan")
    ratio, lo, hi = paired_ratio_ci(a, b, confidence, n_resamples, seed)
    logr = np.log(a / b)
    p = None
    if np.any(logr != 0):
        p = float(_ss.wilcoxon(logr, alternative="two-sided").pvalue)
    r = a / b
    m = float(np.mean(r))
    if len(r) > 1:
        half = float(_ss.t.ppf(0.5 + confidence / 2, len(r) - 1) * np.std(r, ddof=1) / math.sqrt(len(r)))
    else:
        half = nan
    ci_excludes_1 = (lo > 1.0) or (hi < 1.0)
    significant = p is not None and p < alpha and ci_excludes_1 and abs(ratio - 1.0) >= min_effect
    verdict = _verdict(ratio, significant, better)
    if min_p_value(len(r)) >= alpha:
        verdict = TOO_FEW
    return Comparison(ratio=ratio, ratio_ci=(lo, hi), ci_method="paired", p_value=p, mean_rel=m - 1.0,
                      mean_rel_ci=(m - half - 1.0, m + half - 1.0), exact=False, significant=significant,
                      verdict=verdict, **base)


def _finite_ratios(a, b):
    with np.errstate(over="ignore", under="ignore"):
        r = a / b
    return bool(np.all(np.isfinite(r)) and np.all(r > 0))


def compare(a, b, *, alpha=DEFAULT_ALPHA, min_effect=DEFAULT_MIN_EFFECT, confidence=DEFAULT_CONFIDENCE,
            n_resamples=DEFAULT_RESAMPLES, seed=DEFAULT_SEED, ci_method="bca", cv_warn=CV_WARN,
            exact_hint=False, paired=False, better=LOWER) -> Comparison:
    """Compare candidate samples a against baseline samples b.

    better: "lower" (time, instructions: the default) or "higher" (IOPS, bandwidth, rates):
    decides whether a ratio above 1 is "worse" or "better".

    exact_hint: the metric is declared deterministic (e.g. "exact": true in a result file), so
    constant sides are taken as exact even with a single sample.
    paired: a[i] and b[i] were measured in the same round of one run (drvbench interleaves
    plugins per round): the ratio is the median of per-round ratios with a bootstrap CI over
    rounds, p from the Wilcoxon signed-rank test on log ratios, and the mean difference from a
    t interval on the ratios. Used only when both sides have the same number of samples.
    With fewer rounds than min_rounds_for_verdict(alpha) the verdict is "too few rounds".
    """
    if better not in (LOWER, HIGHER):
        raise ValueError('better must be "lower" or "higher"')
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if min_effect < 0:
        raise ValueError("min_effect must be >= 0")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1)")
    if n_resamples < 100:
        raise ValueError("n_resamples must be >= 100")
    a = _as_samples(a)
    b = _as_samples(b)
    sa, sb = summarize(a, cv_warn), summarize(b, cv_warn)
    warnings = []
    nan = float("nan")
    base = dict(n_a=sa.n, n_b=sb.n, median_a=sa.median, median_b=sb.median, cv_a=sa.cv, cv_b=sb.cv,
                noisy=sa.noisy or sb.noisy, alpha=alpha, min_effect=min_effect, confidence=confidence,
                warnings=warnings, better=better)
    if sa.noisy or sb.noisy:
        warnings.append(f"noisy: cv {max(sa.cv, sb.cv) * 100:.1f}% > {cv_warn * 100:g}%")

    if sb.median <= 0 or sb.mean <= 0:
        warnings.append("baseline median is 0: no ratio")
        return Comparison(ratio=nan, ratio_ci=(nan, nan), ci_method="none", p_value=None, mean_rel=nan,
                          mean_rel_ci=(nan, nan), exact=False, significant=False, verdict=NA, **base)

    ratio = sa.median / sb.median
    mean_rel = sa.mean / sb.mean - 1.0
    if not (math.isfinite(ratio) and math.isfinite(mean_rel)):
        warnings.append(f"ratio out of range (medians {sa.median:.3g} / {sb.median:.3g}): no ratio")
        return Comparison(ratio=nan, ratio_ci=(nan, nan), ci_method="none", p_value=None, mean_rel=nan,
                          mean_rel_ci=(nan, nan), exact=False, significant=False, verdict=NA, **base)
    tol = EXACT_REL_TOL if exact_hint else 0.0
    const_a, const_b = is_constant(a, tol), is_constant(b, tol)
    if const_a and const_b and (exact_hint or (sa.n >= 2 and sb.n >= 2)):
        significant = abs(ratio - 1.0) >= min_effect and ratio != 1.0
        verdict = _verdict(ratio, significant, better)
        return Comparison(ratio=ratio, ratio_ci=(ratio, ratio), ci_method="exact", p_value=None,
                          mean_rel=mean_rel, mean_rel_ci=(mean_rel, mean_rel), exact=True,
                          significant=significant, verdict=verdict, **base)

    if sa.n < 2 or sb.n < 2:
        warnings.append("too few samples for a test (need >= 2 per side)")
        return Comparison(ratio=ratio, ratio_ci=(nan, nan), ci_method="paired" if paired else "none", p_value=None,
                          mean_rel=mean_rel, mean_rel_ci=(nan, nan), exact=False, significant=False,
                          verdict=TOO_FEW, **base)
    if min(sa.n, sb.n) < MIN_RECOMMENDED_SAMPLES:
        warnings.append(f"few samples ({min(sa.n, sb.n)} < {MIN_RECOMMENDED_SAMPLES}): low power")

    if paired and sa.n == sb.n and np.all(a > 0) and np.all(b > 0) and _finite_ratios(a, b):
        return _compare_paired(a, b, sa, sb, base, alpha=alpha, min_effect=min_effect, confidence=confidence,
                               n_resamples=n_resamples, seed=seed, warnings=warnings, better=better)
    lo, hi, used = ratio_of_medians_ci(a, b, confidence, n_resamples, seed, ci_method)
    p = mann_whitney_p(a, b)
    _, flo, fhi = mean_ratio_fieller(a, b, confidence)
    ci_excludes_1 = (lo > 1.0) or (hi < 1.0)
    significant = (p is not None and p < alpha and ci_excludes_1 and abs(ratio - 1.0) >= min_effect)
    verdict = _verdict(ratio, significant, better)
    if min_p_value(sa.n, sb.n, paired=False) >= alpha:
        verdict = TOO_FEW
    return Comparison(ratio=ratio, ratio_ci=(lo, hi), ci_method=used, p_value=p, mean_rel=mean_rel,
                      mean_rel_ci=(flo - 1.0, fhi - 1.0), exact=False, significant=significant,
                      verdict=verdict, **base)
