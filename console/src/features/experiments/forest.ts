import type { MetricRow } from "./api/experiments";

export type ForestRow = {
  arm: string;
  lift: number; // treatment mean − control mean, in the metric's own unit
  low: number;
  high: number;
  relLift: number | null; // the API's relative lift (null when the control mean is not positive)
  p: number | null;
  pAdjusted: number | null;
  d: number | null;
  significant: boolean;
  better: boolean | null; // the lift goes the good way (lower is better for some metrics)
};

/** One metric's block of the forest plot: its treatment arms on one axis of its own. */
export type ForestMetric = {
  metric: string;
  role: string;
  extent: number; // the axis runs from −extent to +extent in the metric's unit
  rows: ForestRow[];
};

const MARGIN = 1.1; // room beyond the widest interval

/** Forest plot blocks: per metric, each treatment arm's absolute lift with its 95% CI, on a scale
 * of the metric's own (so a wide interval on one metric cannot squash a narrow one on another). */
export function forestMetrics(rows: MetricRow[], control: string, lowerIsBetter: string[]): ForestMetric[] {
  const blocks = new Map<string, ForestMetric>();
  for (const r of rows) {
    if (r.arm === control || r.abs_lift == null || r.ci_low == null || r.ci_high == null) continue;
    const significant = (r.p_adjusted ?? r.p_value ?? 1) < 0.05;
    const row: ForestRow = {
      arm: r.arm,
      lift: r.abs_lift,
      low: r.ci_low,
      high: r.ci_high,
      relLift: r.rel_lift ?? null,
      p: r.p_value ?? null,
      pAdjusted: r.p_adjusted ?? null,
      d: r.cohens_d ?? null,
      significant,
      better: significant ? (r.abs_lift > 0) !== lowerIsBetter.includes(r.metric) : null,
    };
    const block = blocks.get(r.metric) ?? { metric: r.metric, role: r.role, extent: 0, rows: [] };
    block.rows.push(row);
    block.extent = Math.max(block.extent, Math.abs(row.low), Math.abs(row.high), Math.abs(row.lift));
    blocks.set(r.metric, block);
  }
  return [...blocks.values()].map((b) => ({ ...b, extent: b.extent > 0 ? b.extent * MARGIN : 1 }));
}

/** Where a value sits on its metric's axis, from 0 (−extent) to 1 (+extent). */
export function axisFraction(value: number, extent: number): number {
  return (value + extent) / (2 * extent);
}
