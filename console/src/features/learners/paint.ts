import type { Paint } from "../../components/GraphView";
import type { Mastery } from "./api/learners";

/** A colour from red (0) through amber to green (1) for a mastery level. */
export function levelColour(level: number): string {
  const clamped = Math.max(0, Math.min(1, level));
  const hue = Math.round(clamped * 120);
  return `hsl(${hue}, 70%, 72%)`;
}

/** Paint each concept with the learner's mastery; outline the ones due for review at `now`. */
export function masteryPaint(mastery: Mastery[], now: Date): Record<string, Paint> {
  return Object.fromEntries(
    mastery.map((m) => [
      m.concept_id,
      { fill: levelColour(m.level), outline: m.next_due != null && new Date(m.next_due) <= now, title: `${(m.level * 100).toFixed(0)}%` },
    ]),
  );
}
