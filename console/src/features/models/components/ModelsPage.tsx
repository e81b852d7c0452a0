import { useState } from "react";

import { Confirm } from "../../../components/Confirm";
import { Field } from "../../../components/Field";
import { Empty, ErrorNote, Loading } from "../../../components/Status";
import { num, when } from "../../../utils/format";
import { useActivate, useModels, type ModelVersion } from "../api/models";
import { ReliabilityDiagram } from "./ReliabilityDiagram";

const METRICS = ["auc", "log_loss", "brier", "accuracy", "ece"] as const;

/** The served calibration in words: what the served next-best items were predicted at and how they were answered. */
function served(calibration: ModelVersion["metrics"]["served_calibration"]): string {
  if (!calibration) return "none served yet";
  const { items, predicted, observed, offset } = calibration;
  return `${items} answers: predicted ${num(predicted, 3)}, right ${num(observed, 3)}; offset ${offset >= 0 ? "+" : ""}${num(offset, 3)}`;
}

/** Model versions with their metrics, the reliability diagram, two versions compared, activation. */
export function ModelsPage({ canActivate }: { canActivate: boolean }) {
  const models = useModels();
  const [a, setA] = useState<string | null>(null);
  const [b, setB] = useState<string>("");
  const [activating, setActivating] = useState<string | null>(null);
  const activate = useActivate();
  if (models.isPending) return <Loading what="model versions" />;
  if (models.error) return <ErrorNote error={models.error} />;
  if (models.data.length === 0) return <Empty>No model trained yet: run `learner-graph train`.</Empty>;
  const versions = models.data;
  const first = versions.find((v) => v.id === a) ?? versions.find((v) => v.active) ?? versions[0]!;
  const second = versions.find((v) => v.id === b);
  const shown: ModelVersion[] = second ? [first, second] : [first];
  return (
    <div className="stack">
      <table>
        <thead>
          <tr><th>version</th><th>trained</th><th>active</th>{METRICS.map((m) => <th key={m}>{m}</th>)}<th /></tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.id} className={v.id === first.id ? "selected" : ""}>
              <td><button type="button" className="link" onClick={() => setA(v.id)}>{v.id}</button></td>
              <td>{when(v.trained_at)}</td>
              <td>{v.active ? "● active" : ""}</td>
              {METRICS.map((m) => <td key={m}>{num(v.metrics[m], 4)}</td>)}
              <td>{canActivate && !v.active && <button type="button" onClick={() => setActivating(v.id)}>Activate</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Field label="Compare with">
        <select value={b} onChange={(e) => setB(e.target.value)}>
          <option value="">(none)</option>
          {versions.filter((v) => v.id !== first.id).map((v) => <option key={v.id} value={v.id}>{v.id}</option>)}
        </select>
      </Field>
      <div className="split">
        <ReliabilityDiagram series={shown.map((v) => ({ name: v.id, buckets: v.metrics.calibration ?? [] }))} />
        <table aria-label="Comparison">
          <thead><tr><th>metric</th>{shown.map((v) => <th key={v.id}>{v.id}</th>)}</tr></thead>
          <tbody>
            {METRICS.map((m) => (
              <tr key={m}><th>{m}</th>{shown.map((v) => <td key={v.id}>{num(v.metrics[m], 4)}</td>)}</tr>
            ))}
            <tr>
              <th>served next items</th>
              {shown.map((v) => <td key={v.id}>{served(v.metrics.served_calibration)}</td>)}
            </tr>
            {Object.keys(first.metrics.baselines ?? {}).map((name) => (
              <tr key={name}><th>baseline {name} AUC</th>{shown.map((v) => <td key={v.id}>{num(v.metrics.baselines?.[name]?.auc, 4)}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </div>
      {activating && (
        <Confirm title={`Activate ${activating}?`} confirmLabel="Activate" busy={activate.isPending} onCancel={() => setActivating(null)}
          onConfirm={() => activate.mutate(activating, { onSuccess: () => setActivating(null) })}>
          <p>Every API replica serves this version within about a second.</p>
          <ErrorNote error={activate.error} />
        </Confirm>
      )}
    </div>
  );
}
