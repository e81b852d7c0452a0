import type { DailyExposures } from "../api/experiments";

const COLOURS = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777"];

/** Cumulative first exposures per arm over days: the arms should grow in their weights' ratio. */
export function ExposuresChart({ days }: { days: DailyExposures[] }) {
  if (days.length === 0) return <p className="empty">No exposures yet.</p>;
  const dates = [...new Set(days.map((d) => d.day))].sort();
  const arms = [...new Set(days.map((d) => d.arm))].sort();
  const series = arms.map((arm) => {
    let total = 0;
    return dates.map((day) => (total += days.find((d) => d.day === day && d.arm === arm)?.exposed ?? 0));
  });
  const top = Math.max(1, ...series.flat());
  const W = 640;
  const H = 180;
  const x = (i: number) => 40 + (dates.length === 1 ? 0 : (i / (dates.length - 1)) * (W - 60));
  const y = (v: number) => H - 25 - (v / top) * (H - 45);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Cumulative exposures per arm by day" className="chart">
      <text x={4} y={y(top) + 4} fontSize={10}>{top}</text>
      <text x={4} y={y(0)} fontSize={10}>0</text>
      <text x={x(0)} y={H - 6} fontSize={10}>{dates[0]}</text>
      <text x={x(dates.length - 1)} y={H - 6} fontSize={10} textAnchor="end">{dates[dates.length - 1]}</text>
      {series.map((values, a) => (
        <g key={arms[a]}>
          <polyline fill="none" stroke={COLOURS[a % COLOURS.length]} strokeWidth={2} points={values.map((v, i) => `${x(i)},${y(v)}`).join(" ")} />
          <text x={W - 10} y={14 + a * 14} fontSize={11} textAnchor="end" fill={COLOURS[a % COLOURS.length]}>{`${arms[a]}: ${values[values.length - 1]}`}</text>
        </g>
      ))}
    </svg>
  );
}
