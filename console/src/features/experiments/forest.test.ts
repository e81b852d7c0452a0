import { describe, expect, it } from "vitest";

import type { MetricRow } from "./api/experiments";
import { axisFraction, forestMetrics } from "./forest";

const row = (metric: string, arm: string, mean: number, extra: Partial<MetricRow> = {}): MetricRow => ({
  metric, role: "primary", arm, n: 100, mean, std: 1, ...extra,
});

describe("forestMetrics", () => {
  const rows = [
    row("accuracy", "control", 0.6),
    row("accuracy", "easy", 0.64, { abs_lift: 0.04, rel_lift: 0.0667, ci_low: 0.03, ci_high: 0.05, p_value: 1e-9, p_adjusted: 2e-9 }),
    row("ability_gain", "control", -0.01),
    row("ability_gain", "easy", 0.2, { abs_lift: 0.21, ci_low: -1.5, ci_high: 1.9, p_value: 0.8, p_adjusted: 0.8 }),
    row("dismissals", "control", 2, { role: "guardrail" }),
    row("dismissals", "easy", 3, { role: "guardrail", abs_lift: 1, ci_low: 0.5, ci_high: 1.5, p_value: 0.01, p_adjusted: 0.01 }),
    row("dismissals", "hard", 1.8, { role: "guardrail", abs_lift: -0.2, ci_low: -0.4, ci_high: 0.0, p_value: 0.06 }),
  ];
  const forest = forestMetrics(rows, "control", ["dismissals"]);

  it("gives each metric its own axis, so a wide interval does not hide a narrow significant lift", () => {
    expect(forest.map((m) => [m.metric, m.role, m.rows.map((r) => r.arm)])).toEqual([
      ["accuracy", "primary", ["easy"]],
      ["ability_gain", "primary", ["easy"]],
      ["dismissals", "guardrail", ["easy", "hard"]],
    ]);
    expect(forest.map((m) => m.extent)).toEqual([0.05 * 1.1, 1.9 * 1.1, 1.5 * 1.1].map((e) => expect.closeTo(e, 12)));
    const accuracy = forest[0]!;
    // accuracy's interval clears zero by a visible share of its own axis (on ability_gain's it would be 1%).
    expect(axisFraction(accuracy.rows[0]!.low, accuracy.extent) - axisFraction(0, accuracy.extent)).toBeGreaterThan(0.25);
  });

  it("keeps lifts absolute, in the metric's unit, with the API's relative lift beside them", () => {
    const gain = forest[1]!.rows[0]!;
    expect([gain.lift, gain.low, gain.high, gain.relLift]).toEqual([0.21, -1.5, 1.9, null]); // control mean ≤ 0
    expect(forest[0]!.rows[0]!.relLift).toBe(0.0667);
  });

  it("marks significant lifts better or worse, lower being better for some metrics", () => {
    expect(forest.flatMap((m) => m.rows.map((r) => r.better))).toEqual([true, null, false, null]);
  });

  it("leaves out arms without a comparison and gives a zero-width block a unit axis", () => {
    const flat = [row("x", "control", 0), row("x", "b", 0, { abs_lift: 0, ci_low: 0, ci_high: 0 }), row("y", "b", 1)];
    expect(forestMetrics(flat, "control", []).map((m) => [m.metric, m.extent])).toEqual([["x", 1]]);
  });
});
