import type { Bucket } from "../api/models";

const COLOURS = ["#2563eb", "#d97706"];
const S = 300;
const PAD = 36;

/** Predicted vs observed success per probability bucket; the diagonal is perfect calibration. */
export function ReliabilityDiagram({ series }: { series: { name: string; buckets: Bucket[] }[] }) {
  const at = (v: number) => PAD + v * (S - PAD - 10);
  const up = (v: number) => S - PAD - v * (S - PAD - 10);
  const drawable = series.map((s) => ({ ...s, points: s.buckets.filter((b) => b.n > 0 && b.predicted != null && b.observed != null) }));
  if (drawable.every((s) => s.points.length === 0))
    return <p className="empty">No calibration table stored for this version (trained before it was kept).</p>;
  return (
    <svg viewBox={`0 0 ${S + 150} ${S}`} className="reliability" role="img" aria-label="Reliability diagram: predicted against observed success per bucket" data-testid="reliability">
      <rect x={at(0)} y={up(1)} width={at(1) - at(0)} height={up(0) - up(1)} fill="none" stroke="#d1d5db" />
      <line x1={at(0)} y1={up(0)} x2={at(1)} y2={up(1)} stroke="#9ca3af" strokeDasharray="4 3" />
      {[0, 0.5, 1].map((t) => (
        <g key={t}>
          <text x={at(t)} y={S - PAD + 14} fontSize={10} textAnchor="middle">{t}</text>
          <text x={PAD - 6} y={up(t) + 3} fontSize={10} textAnchor="end">{t}</text>
        </g>
      ))}
      <text x={at(0.5)} y={S - 4} fontSize={11} textAnchor="middle">predicted P(correct)</text>
      <text x={10} y={up(0.5)} fontSize={11} transform={`rotate(-90 10 ${up(0.5)})`} textAnchor="middle">observed</text>
      {drawable.map((s, k) => (
        <g key={s.name}>
          <polyline fill="none" stroke={COLOURS[k % 2]} strokeWidth={2} points={s.points.map((b) => `${at(b.predicted!)},${up(b.observed!)}`).join(" ")} />
          {s.points.map((b) => (
            <circle key={b.lo} cx={at(b.predicted!)} cy={up(b.observed!)} r={2 + Math.min(6, Math.log10(b.n + 1) * 1.5)} fill={COLOURS[k % 2]}>
              <title>{`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}: predicted ${b.predicted!.toFixed(3)}, observed ${b.observed!.toFixed(3)}, n ${b.n}`}</title>
            </circle>
          ))}
          <text x={S + 4} y={20 + k * 16} fontSize={11} fill={COLOURS[k % 2]}>{s.name}</text>
        </g>
      ))}
    </svg>
  );
}
