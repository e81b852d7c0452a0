"""The statistics of results, vectorised with pandas and scipy (never a loop over users).

Each treatment arm is compared with control per metric: Welch's t-test (unequal variances),
the 95% confidence interval of the difference of means with Welch-Satterthwaite degrees of
freedom, Cohen's d with the pooled standard deviation, and Holm's step-down correction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

SRM_ALPHA = 0.001  # the usual threshold: a smaller p almost always means broken assignment or logging
CONFIDENCE = 0.95
RELATIVE_LIFT_RULE = (
    "relative lift is reported only when the control mean is positive: divided by a zero or "
    "negative mean its sign and size mean nothing (read abs_lift instead)"
)
SCIENTIFIC_BELOW = 1e-4  # p-values this small are written in scientific notation


def format_p(value: float | None) -> str:
    """A p-value as every report writes it: 4 decimals, scientific under 1e-4 ("1.5e-12").

    The console's `pValue` (console/src/utils/format.ts) follows the same rule.
    """
    if value is None:
        return "n/a"
    return f"{value:.1e}" if value < SCIENTIFIC_BELOW else f"{value:.4f}"


@dataclass(frozen=True)
class SampleRatio:
    chi2: float
    p_value: float
    mismatch: bool


def sample_ratio_test(observed: dict[str, int], weights: dict[str, float]) -> SampleRatio:
    """Chi-square goodness of fit of the exposed users per arm against the arm weights."""
    arms = list(weights)
    counts = np.array([observed.get(arm, 0) for arm in arms], dtype=float)
    total = counts.sum()
    if total == 0 or len(arms) < 2:
        return SampleRatio(0.0, 1.0, False)
    expected = total * np.array([weights[a] for a in arms]) / sum(weights.values())
    chi2, p_value = sps.chisquare(counts, expected)
    return SampleRatio(float(chi2), float(p_value), bool(p_value < SRM_ALPHA))


def summarise(users: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """n, mean, std (ddof 1) and variance per (metric, arm); missing values (no attempts) are skipped."""
    long = users.melt(id_vars=["arm"], value_vars=metrics, var_name="metric").dropna(subset=["value"])
    long["value"] = long["value"].astype(float)
    grouped = long.groupby(["metric", "arm"])["value"].agg(n="count", mean="mean", std="std", var="var")
    return grouped.reset_index()


def compare(users: pd.DataFrame, *, control: str, metrics: list[str]) -> pd.DataFrame:
    """One row per (metric, arm): its summary and, for treatments, the comparison with control."""
    table = summarise(users, metrics)
    base = table[table["arm"] == control][["metric", "n", "mean", "var"]]
    table = table.merge(base, on="metric", how="left", suffixes=("", "_c"))
    n1, m1, v1 = table["n"].astype(float), table["mean"], table["var"]
    n0, m0, v0 = table["n_c"].astype(float), table["mean_c"], table["var_c"]
    with np.errstate(divide="ignore", invalid="ignore"):
        se2 = v1 / n1 + v0 / n0
        se = np.sqrt(se2)
        df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
        diff = m1 - m0
        t_crit = sps.t.ppf(0.5 + CONFIDENCE / 2, df)
        pooled = np.sqrt(((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2))
        table["abs_lift"] = diff
        table["rel_lift"] = np.where(m0 > 0, diff / m0, np.nan)  # see RELATIVE_LIFT_RULE
        table["ci_low"] = diff - t_crit * se
        table["ci_high"] = diff + t_crit * se
        table["p_value"] = 2 * sps.t.sf(np.abs(diff / se), df)
        table["cohens_d"] = diff / pooled
    comparison = ["abs_lift", "rel_lift", "ci_low", "ci_high", "p_value", "cohens_d"]
    table.loc[table["arm"] == control, comparison] = np.nan
    return table.drop(columns=["n_c", "mean_c", "var_c", "var"])


def holm(p_values: pd.Series) -> pd.Series:
    """Holm-Bonferroni adjusted p-values (NaN stays NaN and does not count as a test)."""
    valid = p_values.dropna().sort_values()
    m = len(valid)
    if m == 0:
        return p_values.astype(float)
    scaled = valid.to_numpy() * (m - np.arange(m))
    adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    result = pd.Series(np.nan, index=p_values.index, dtype=float)
    result.loc[valid.index] = adjusted
    return result


CUPED_COLUMNS = ("cuped_covariate", "cuped_mean", "cuped_abs_lift", "cuped_ci_low", "cuped_ci_high",
                 "cuped_p_value", "cuped_variance_reduction")


def cuped_adjust(y: pd.Series, x: pd.Series) -> pd.Series | None:
    """CUPED (Deng, Xu, Kohavi & Walker 2013): y − θ·(x − mean x), θ = cov(x, y) / var(x).

    `x` is a covariate measured before exposure, so the treatment cannot move it and the adjusted
    values keep each arm's expected mean while losing the variance `x` explains (a share ρ²). θ and
    the mean are estimated on the users with both values, pooled over every arm (the paper's choice:
    one θ for all arms keeps the adjustment from depending on the assignment). A user without `x`
    (no pre-period) keeps `y` unchanged. None when fewer than 3 users have both or `x` does not vary.
    """
    y, x = y.astype(float), x.astype(float)
    both = y.notna() & x.notna()
    if both.sum() < 3 or x[both].var() == 0:
        return None
    theta = np.cov(x[both], y[both])[0, 1] / x[both].var()
    centre = x[both].mean()
    return y - theta * (x.fillna(centre) - centre)


def cuped(users: pd.DataFrame, *, control: str, covariates: dict[str, str]) -> pd.DataFrame:
    """Per (metric, arm) with a pre-period covariate: the CUPED-adjusted comparison (`CUPED_COLUMNS`).

    The adjusted values go through `compare`'s own Welch test; `cuped_variance_reduction` is how much
    smaller the variance of the difference of means is than the raw one's (1 − SE²_adjusted / SE²_raw):
    the share of users the same precision needs less.
    """
    adjusted = {m: cuped_adjust(users[m], users[x]) for m, x in covariates.items()}
    kept = {m: a for m, a in adjusted.items() if a is not None}
    if not kept:
        return pd.DataFrame(columns=["metric", "arm", *CUPED_COLUMNS])
    frame = pd.DataFrame({"arm": users["arm"], **kept})
    raw = summarise(users, list(kept))
    table = compare(frame, control=control, metrics=list(kept))
    table = table.merge(raw[["metric", "arm", "std"]], on=["metric", "arm"], suffixes=("", "_raw"))
    base = table[table["arm"] == control][["metric", "n", "std", "std_raw"]]
    table = table.merge(base, on="metric", suffixes=("", "_c"))
    n1, n0 = table["n"].astype(float), table["n_c"].astype(float)
    se2 = table["std"] ** 2 / n1 + table["std_c"] ** 2 / n0
    se2_raw = table["std_raw"] ** 2 / n1 + table["std_raw_c"] ** 2 / n0
    # pandas divides Series without numpy's warnings: no spread in either arm gives NaN (0/0), not a warning
    table["cuped_variance_reduction"] = np.where(table["arm"] != control, 1 - se2 / se2_raw, np.nan)
    table["cuped_covariate"] = table["metric"].map(covariates)
    renamed = {c: f"cuped_{c}" for c in ("mean", "abs_lift", "ci_low", "ci_high", "p_value")}
    return table.rename(columns=renamed)[["metric", "arm", *CUPED_COLUMNS]]


def sample_size_per_arm(sd: float, diff: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Users per arm for a two-sided test at `alpha` to detect `diff` with `power`, two equal arms of
    standard deviation `sd`: 2·(z₁₋α/₂ + z_power)²·sd² / diff² (the normal approximation), rounded up."""
    z = sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)
    return int(np.ceil(2 * (z * sd / diff) ** 2))
