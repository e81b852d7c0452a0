import { pValue } from "../../../utils/format";
import { axisFraction, type ForestMetric } from "../forest";

const W = 640;
const LEFT = 170; // metric and arm labels
const RIGHT = 120; // the lift written out
const ROW = 22;
const AXIS = 24; // each metric's own tick labels

/** Lift with its 95% CI per metric and arm, each metric on its own axis (its own unit, zero dashed);
 * guardrails marked ⚑. */
export function ForestPlot({ metrics }: { metrics: ForestMetric[] }) {
  if (metrics.length === 0) return <p className="empty">No metric has data to compare yet.</p>;
  const plotWidth = W - LEFT - RIGHT;
  let top = 8;
  const blocks = metrics.map((m) => {
    const y = top;
    top += m.rows.length * ROW + AXIS + 8;
    return { m, y };
  });
  return (
    <svg viewBox={`0 0 ${W} ${top}`} className="forest" role="img" data-testid="forest-plot"
      aria-label="Forest plot: each metric's lift vs control with its 95% confidence interval, one axis per metric">
      {blocks.map(({ m, y }) => {
        const x = (v: number) => LEFT + axisFraction(v, m.extent) * plotWidth;
        const bottom = y + m.rows.length * ROW;
        return (
          <g key={m.metric} data-testid={`forest-${m.metric}`}>
            <rect x={LEFT} y={y} width={plotWidth} height={bottom - y} fill="#f9fafb" />
            <line x1={x(0)} x2={x(0)} y1={y} y2={bottom} stroke="#6b7280" strokeDasharray="4 3" />
            <line x1={LEFT} x2={LEFT + plotWidth} y1={bottom} y2={bottom} stroke="#d1d5db" />
            {[-m.extent, 0, m.extent].map((t) => (
              <text key={t} x={x(t)} y={bottom + 13} fontSize={9} textAnchor="middle" fill="#4b5563">{tick(t)}</text>
            ))}
            {m.rows.map((r, i) => {
              const ry = y + i * ROW + ROW / 2;
              const colour = r.better === null ? "#6b7280" : r.better ? "#15803d" : "#b91c1c";
              return (
                <g key={r.arm}>
                  <title>{`${m.metric} ${r.arm}: ${signed(r.lift)} [${signed(r.low)}, ${signed(r.high)}], p ${pValue(r.p)}, Holm p ${pValue(r.pAdjusted)}`}</title>
                  <text x={4} y={ry + 4} fontSize={11}>
                    {i === 0 ? `${m.role === "guardrail" ? "⚑ " : ""}${m.metric}` : ""}
                  </text>
                  <text x={LEFT - 6} y={ry + 4} fontSize={10} textAnchor="end" fill="#4b5563">{r.arm}</text>
                  <line x1={x(r.low)} x2={x(r.high)} y1={ry} y2={ry} stroke={colour} strokeWidth={2} />
                  <rect x={x(r.lift) - 4} y={ry - 4} width={8} height={8} fill={colour} />
                  <text x={LEFT + plotWidth + 6} y={ry + 4} fontSize={10}>
                    {signed(r.lift)}{r.relLift == null ? "" : ` (${r.relLift > 0 ? "+" : ""}${(r.relLift * 100).toFixed(1)}%)`}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}

function signed(value: number, digits = 3): string {
  const text = Math.abs(value) >= 1000 || (value !== 0 && Math.abs(value) < 0.001) ? value.toExponential(1) : value.toPrecision(digits);
  return value > 0 ? `+${text}` : text;
}

function tick(value: number): string {
  return value === 0 ? "0" : signed(value, 2);
}
