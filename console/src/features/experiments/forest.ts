import type { MetricRow } from "./api/experiments";

export type ForestRow = {
  metric: string;
  arm: string;
  role: string;
  lift: number; // relative to control (0.1 = +10%)
  low: number;
  high: number;
  p: number | null;
  pAdjusted: number | null;
  d: number | null;
  significant: boolean;
  better: boolean | null; // the lift goes the good way (lower is better for some metrics)
};

/** Rows of a forest plot: each treatment arm's lift on each metric with its 95% CI, relative to
 * the control mean (so metrics of different scales share one axis). */
export function forestRows(rows: MetricRow[], control: string, lowerIsBetter: string[]): ForestRow[] {
  const means = new Map(rows.filter((r) => r.arm === control).map((r) => [r.metric, r.mean ?? null]));
  return rows
    .filter((r) => r.arm !== control && r.abs_lift != null && r.ci_low != null && r.ci_high != null)
    .flatMap((r) => {
      const base = means.get(r.metric);
      if (!base) return [];
      const scale = Math.abs(base);
      const lift = (r.abs_lift ?? 0) / scale;
      const significant = (r.p_adjusted ?? r.p_value ?? 1) < 0.05;
      const lower = lowerIsBetter.includes(r.metric);
      return [{
        metric: r.metric,
        arm: r.arm,
        role: r.role,
        lift,
        low: (r.ci_low ?? 0) / scale,
        high: (r.ci_high ?? 0) / scale,
        p: r.p_value ?? null,
        pAdjusted: r.p_adjusted ?? null,
        d: r.cohens_d ?? null,
        significant,
        better: significant ? (lift > 0) !== lower : null,
      }];
    });
}
