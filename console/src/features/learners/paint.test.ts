import { describe, expect, it } from "vitest";

import type { Mastery } from "./api/learners";
import { levelColour, masteryPaint } from "./paint";

const m = (concept_id: string, level: number, next_due: string | null): Mastery => ({
  concept_id, name: concept_id, level, mastered: level >= 0.7, evidence: level, retrievability: 1,
  stability_days: 3, next_due, last_review: null, reps: 1, lapses: 0,
});

describe("masteryPaint", () => {
  it("colours by level and outlines concepts due by now", () => {
    const paint = masteryPaint([m("a", 0, "2026-01-01T00:00:00Z"), m("b", 1, "2026-03-01T00:00:00Z")], new Date("2026-02-01T00:00:00Z"));
    expect(paint.a).toEqual({ fill: "hsl(0, 70%, 72%)", outline: true, title: "0%" });
    expect(paint.b).toEqual({ fill: "hsl(120, 70%, 72%)", outline: false, title: "100%" });
  });

  it("clamps levels outside 0..1", () => {
    expect(levelColour(1.5)).toBe(levelColour(1));
    expect(levelColour(-1)).toBe(levelColour(0));
  });
});
