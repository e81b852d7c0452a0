import { num } from "../../../utils/format";
import type { ForestRow } from "../forest";

const W = 640;
const LEFT = 190;
const ROW = 26;

/** Lift with its 95% CI per metric and arm; guardrails marked; zero (no effect) as a line. */
export function ForestPlot({ rows }: { rows: ForestRow[] }) {
  if (rows.length === 0) return <p className="empty">No metric has data to compare yet.</p>;
  const extent = Math.max(0.05, ...rows.flatMap((r) => [Math.abs(r.low), Math.abs(r.high)])) * 1.1;
  const x = (v: number) => LEFT + ((v + extent) / (2 * extent)) * (W - LEFT - 20);
  const height = rows.length * ROW + 40;
  return (
    <svg viewBox={`0 0 ${W} ${height}`} className="forest" role="img" aria-label="Forest plot of lifts with 95% confidence intervals" data-testid="forest-plot">
      <line x1={x(0)} x2={x(0)} y1={10} y2={height - 25} stroke="#6b7280" strokeDasharray="4 3" />
      {[-extent, -extent / 2, 0, extent / 2, extent].map((t) => (
        <text key={t} x={x(t)} y={height - 8} fontSize={10} textAnchor="middle">{`${(t * 100).toFixed(0)}%`}</text>
      ))}
      {rows.map((r, i) => {
        const y = 20 + i * ROW;
        const colour = r.better === null ? "#6b7280" : r.better ? "#15803d" : "#b91c1c";
        return (
          <g key={`${r.metric}-${r.arm}`}>
            <title>{`${r.metric} ${r.arm}: ${num(r.lift * 100, 1)}% [${num(r.low * 100, 1)}, ${num(r.high * 100, 1)}], p ${num(r.p)}, Holm p ${num(r.pAdjusted)}`}</title>
            <text x={4} y={y + 4} fontSize={11}>
              {r.role === "guardrail" ? "⚑ " : ""}{r.metric} · {r.arm}
            </text>
            <line x1={x(r.low)} x2={x(r.high)} y1={y} y2={y} stroke={colour} strokeWidth={2} />
            <rect x={x(r.lift) - 4} y={y - 4} width={8} height={8} fill={colour} />
          </g>
        );
      })}
    </svg>
  );
}
