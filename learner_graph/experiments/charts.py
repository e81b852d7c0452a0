"""A PNG of an experiment's results for a product manager: the decision metrics' lifts with their
95% intervals, n and p per arm, the sample-ratio check and the written summary."""

from __future__ import annotations

import io
import math
import textwrap

from learner_graph.experiments.results import MetricRow, Results
from learner_graph.experiments.stats import format_p

WRAP = 95  # characters per line of the summary under the plot


def lift_chart(results: Results) -> bytes:
    """Absolute lift vs control (the metric's own unit) per decision metric and treatment arm.

    Absolute, not relative: a relative lift is undefined for a zero or negative control mean
    (`ability_gain` often is), while the absolute interval always contains its estimate. With no
    comparison yet the chart still shows the arm counts and the summary.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; imported lazily so the API starts fast
    from matplotlib import pyplot as plt

    rows = chart_rows(results)
    summary = [textwrap.fill(line, WRAP) for line in results.summary]
    summary_lines = sum(line.count("\n") + 1 for line in summary)
    height = 1.6 + 0.5 * max(len(rows), 1) + 0.22 * summary_lines
    figure, axis = plt.subplots(figsize=(9, height))
    arms = sorted({r.arm for r in rows})
    for y, row in enumerate(rows):
        low, high, lift = float(row.ci_low or 0.0), float(row.ci_high or 0.0), float(row.abs_lift or 0.0)
        error = [[max(lift - low, 0.0)], [max(high - lift, 0.0)]]
        axis.errorbar(lift, y, xerr=error, fmt="o", color=f"C{arms.index(row.arm)}", capsize=3)
        axis.annotate(
            f"n={row.n}, p={format_p(row.p_adjusted)}", (high, y), xytext=(6, -3), textcoords="offset points"
        )
    if not rows:
        axis.text(
            0.5,
            0.5,
            "no comparison yet: each arm needs two exposed learners",
            ha="center",
            va="center",
            transform=axis.transAxes,
        )
    axis.axvline(0, color="grey", linewidth=1)
    axis.set_yticks(range(len(rows)), [f"{r.metric} ({r.role}), {r.arm}" for r in rows])
    axis.invert_yaxis()
    axis.set_xlabel("lift vs control, difference of per-learner means (95% CI; p adjusted)")
    counts = ", ".join(f"{a.name} {a.exposed_users}" for a in results.arms)
    srm = "  SAMPLE RATIO MISMATCH" if results.srm_warning else ""
    axis.set_title(
        f"experiment {results.key} ({results.status}): exposed learners {counts}{srm}", fontsize=10
    )
    figure.text(0.01, 0.01, "\n".join(summary), fontsize=8, va="bottom", ha="left")
    figure.tight_layout(rect=(0, 0.22 * summary_lines / height + 0.02, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def chart_rows(results: Results) -> list[MetricRow]:
    """The treatment rows worth plotting: the primary metrics (every metric when none is primary),
    each with a finite lift and interval."""
    compared = [
        r
        for r in results.metrics
        if r.arm != results.control and all(_finite(v) for v in (r.abs_lift, r.ci_low, r.ci_high))
    ]
    primary = [r for r in compared if r.role == "primary"]
    return primary or compared


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
