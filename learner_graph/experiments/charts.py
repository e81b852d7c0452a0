"""A PNG of each treatment's relative lift per metric with its 95% interval, for the results page."""

from __future__ import annotations

import io

from learner_graph.experiments.results import Results


def lift_chart(results: Results) -> bytes:
    """Relative lift vs control (%) per metric and treatment arm; intervals scaled by the control mean."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; imported lazily so the API starts fast
    from matplotlib import pyplot as plt

    control_mean = {r.metric: r.mean for r in results.metrics if r.arm == results.control}
    rows = [r for r in results.metrics if r.arm != results.control and r.abs_lift is not None]
    arms = sorted({r.arm for r in rows})
    figure, axis = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(rows), 1)))
    labels, y = [], 0
    for index, arm in enumerate(arms):
        for row in (r for r in rows if r.arm == arm):
            base = control_mean.get(row.metric) or 0.0
            if base == 0 or row.ci_low is None or row.ci_high is None:
                continue
            lift = 100 * (row.abs_lift or 0.0) / base
            low, high = 100 * row.ci_low / base, 100 * row.ci_high / base
            axis.errorbar(lift, y, xerr=[[lift - low], [high - lift]], fmt="o", color=f"C{index}", capsize=3)
            labels.append(f"{row.metric} ({arm})")
            y += 1
    axis.axvline(0, color="grey", linewidth=1)
    axis.set_yticks(range(len(labels)), labels)
    axis.invert_yaxis()
    axis.set_xlabel("lift vs control, % of control mean (95% CI)")
    axis.set_title(f"experiment {results.key}" + ("  [sample ratio mismatch]" if results.srm_warning else ""))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()
