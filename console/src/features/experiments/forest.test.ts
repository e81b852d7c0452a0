import { describe, expect, it } from "vitest";

import type { MetricRow } from "./api/experiments";
import { forestRows } from "./forest";

const row = (metric: string, arm: string, mean: number, extra: Partial<MetricRow> = {}): MetricRow => ({
  metric, role: "primary", arm, n: 100, mean, std: 1, ...extra,
});

describe("forestRows", () => {
  it("scales lifts and intervals by the control mean and marks direction", () => {
    const rows = [
      row("attempts", "control", 10),
      row("attempts", "easy", 12, { abs_lift: 2, ci_low: 1, ci_high: 3, p_value: 0.001, p_adjusted: 0.002 }),
      row("dismissals", "control", 2, { role: "guardrail" }),
      row("dismissals", "easy", 3, { role: "guardrail", abs_lift: 1, ci_low: 0.5, ci_high: 1.5, p_value: 0.01, p_adjusted: 0.02 }),
      row("accuracy", "control", 0.6),
      row("accuracy", "easy", 0.61, { abs_lift: 0.01, ci_low: -0.02, ci_high: 0.04, p_value: 0.4, p_adjusted: 0.8 }),
    ];
    const forest = forestRows(rows, "control", ["dismissals"]);
    expect(forest.map((f) => [f.metric, f.lift, f.low, f.high, f.better])).toEqual([
      ["attempts", 0.2, 0.1, 0.3, true],
      ["dismissals", 0.5, 0.25, 0.75, false],
      ["accuracy", 0.01 / 0.6, -0.02 / 0.6, 0.04 / 0.6, null],
    ]);
  });

  it("skips a metric whose control mean is zero or missing", () => {
    const rows = [row("x", "control", 0), row("x", "b", 1, { abs_lift: 1, ci_low: 0, ci_high: 2 })];
    expect(forestRows(rows, "control", [])).toEqual([]);
  });
});
