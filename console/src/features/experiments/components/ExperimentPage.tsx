import { useState } from "react";
import { Link, useParams } from "react-router-dom";

import { Confirm } from "../../../components/Confirm";
import { Field } from "../../../components/Field";
import { ErrorNote, Loading } from "../../../components/Status";
import { download, num, pValue, when } from "../../../utils/format";
import { fetchResultsCsv, useCoverage, useExperiment, useExposures, useResults, useRules, useTransition, type Experiment, type Results } from "../api/experiments";
import { forestMetrics } from "../forest";
import { ExperimentForm } from "./ExperimentForm";
import { ExposuresChart } from "./ExposuresChart";
import { ForestPlot } from "./ForestPlot";

const PRE_DAYS = 28; // learner_graph/experiments/results.py PRE_PERIOD_DAYS

/** One experiment: its definition, start/stop/ramp with confirmation, and its results. */
export function ExperimentPage({ canEdit }: { canEdit: boolean }) {
  const { key = "" } = useParams();
  const experiment = useExperiment(key);
  const [editing, setEditing] = useState(false);
  if (experiment.isPending) return <Loading what="the experiment" />;
  if (experiment.error) return <ErrorNote error={experiment.error} />;
  const e = experiment.data;
  return (
    <div className="stack">
      <p><Link to="/experiments">← Experiments</Link></p>
      <h2>
        {e.key} <span className={`badge ${e.status}`}>{e.status}</span>
      </h2>
      {e.hypothesis && <p><strong>Hypothesis:</strong> {e.hypothesis}</p>}
      <p className="muted">
        {when(e.start)} → {when(e.end)} · coverage {Math.round((e.coverage ?? 1) * 100)}% · control {e.control} · arms{" "}
        {e.arms.map((a) => `${a.name} (${a.weight}${Object.keys(a.overrides ?? {}).length ? ` ${JSON.stringify(a.overrides)}` : ""})`).join(", ")}
      </p>
      {canEdit && e.status !== "stopped" && <Controls experiment={e} onEdit={() => setEditing(true)} />}
      {editing && <ExperimentForm existing={e} onDone={() => setEditing(false)} />}
      {e.status !== "draft" && <ResultsView experiment={e} />}
    </div>
  );
}

function Controls({ experiment, onEdit }: { experiment: Experiment; onEdit: () => void }) {
  const transition = useTransition();
  const ramp = useCoverage();
  const [asking, setAsking] = useState<null | "start" | "stop" | "ramp">(null);
  const [coverage, setCoverage] = useState(String(experiment.coverage ?? 1));
  const go = () => {
    const done = { onSuccess: () => setAsking(null) };
    if (asking === "ramp") ramp.mutate({ key: experiment.key, coverage: Number(coverage) }, done);
    else if (asking) transition.mutate({ key: experiment.key, to: asking }, done);
  };
  const text = {
    start: "Start it: users are assigned and exposed from the next recommendation.",
    stop: "Stop it: the results window ends now and no one is assigned any more.",
    ramp: `Set coverage to ${Math.round(Number(coverage) * 100)}%: raising it moves nobody already assigned.`,
  };
  return (
    <div className="row wrap card">
      {experiment.status === "draft" && <button type="button" onClick={onEdit}>Edit draft</button>}
      {experiment.status === "draft" && <button type="button" onClick={() => setAsking("start")}>Start</button>}
      {experiment.status === "running" && (
        <>
          <button type="button" className="danger" onClick={() => setAsking("stop")}>Stop</button>
          <Field label="Coverage (0–1)">
            <input value={coverage} onChange={(e) => setCoverage(e.target.value)} inputMode="decimal" />
          </Field>
          <button type="button" onClick={() => setAsking("ramp")} disabled={!(Number(coverage) >= 0 && Number(coverage) <= 1)}>Ramp</button>
        </>
      )}
      {asking && (
        <Confirm title={`${asking[0]!.toUpperCase()}${asking.slice(1)} ${experiment.key}?`} confirmLabel={`Yes, ${asking}`} onConfirm={go} onCancel={() => setAsking(null)} busy={transition.isPending || ramp.isPending}>
          <p>{text[asking]}</p>
          <ErrorNote error={transition.error ?? ramp.error} />
        </Confirm>
      )}
    </div>
  );
}

function ResultsView({ experiment }: { experiment: Experiment }) {
  const results = useResults(experiment.key);
  const exposures = useExposures(experiment.key);
  const rules = useRules();
  const [csvError, setCsvError] = useState<unknown>(null);
  if (results.isPending) return <Loading what="results" />;
  if (results.error) return <ErrorNote error={results.error} />;
  const r: Results = results.data;
  const forest = forestMetrics(r.metrics, r.control, rules.data?.lower_is_better ?? ["dismissals"]);
  const csv = async () => {
    try {
      download(`${experiment.key}-results.csv`, await fetchResultsCsv(experiment.key), "text/csv");
    } catch (error) {
      setCsvError(error);
    }
  };
  return (
    <section className="stack" aria-label="Results">
      <h3>Results</h3>
      {r.srm_warning && (
        <div className="banner warn" role="alert" data-testid="srm-banner">
          <strong>Sample ratio mismatch</strong> (p = {pValue(r.srm_p_value)}): the arms' sizes differ from their weights more
          than chance allows. Assignment or exposure logging may be broken; do not trust these results until it is explained.
        </div>
      )}
      <ul className="summary" aria-label="Summary">
        {r.summary.map((line, i) => <li key={i}>{line}</li>)}
      </ul>
      <table>
        <thead><tr><th>arm</th><th>weight</th><th>assigned</th><th>exposed</th></tr></thead>
        <tbody>
          {r.arms.map((a) => (
            <tr key={a.name}><td>{a.name}</td><td>{a.weight}</td><td>{a.assigned_users}</td><td>{a.exposed_users}</td></tr>
          ))}
        </tbody>
      </table>
      <h4>Lift vs {r.control}: each arm's mean minus {r.control}'s, with its 95% CI, each metric on its own axis in its own unit</h4>
      <p className="muted">Relative lift in brackets where {r.control}'s mean is positive. Green: significantly better (Holm-adjusted p &lt; 0.05); red: significantly worse; ⚑ guardrail.</p>
      <ForestPlot metrics={forest} />
      <p className="muted">
        CUPED: the same comparison after regressing out each learner's value of a covariate from the {PRE_DAYS} days before
        their first exposure (e.g. their accuracy then); same expected lift, less noise. "variance" is how much smaller the
        lift's variance is than the raw one's; the summary decides on the CUPED estimate where there is one.
      </p>
      <table className="metrics">
        <thead>
          <tr>
            <th>metric</th><th>role</th><th>arm</th><th>n</th><th>mean</th><th>lift</th><th>95% CI</th><th>p</th><th>Holm p</th><th>d</th>
            <th>CUPED lift</th><th>CUPED 95% CI</th><th>CUPED Holm p</th><th>variance</th>
          </tr>
        </thead>
        <tbody>
          {r.metrics.map((m) => (
            <tr key={`${m.metric}-${m.arm}`} className={m.role === "guardrail" ? "guardrail" : ""}>
              <td>{m.metric}</td>
              <td>{m.role === "guardrail" ? "⚑ guardrail" : m.role}</td>
              <td>{m.arm}</td>
              <td>{m.n}</td>
              <td>{num(m.mean)}</td>
              <td>{m.rel_lift == null ? "–" : `${num(m.rel_lift * 100, 1)}%`}</td>
              <td>{m.ci_low == null ? "–" : `[${num(m.ci_low)}, ${num(m.ci_high)}]`}</td>
              <td>{pValue(m.p_value)}</td>
              <td>{pValue(m.p_adjusted)}</td>
              <td>{num(m.cohens_d)}</td>
              <td>{m.cuped_abs_lift == null ? "–" : num(m.cuped_abs_lift)}</td>
              <td>{m.cuped_ci_low == null ? "–" : `[${num(m.cuped_ci_low)}, ${num(m.cuped_ci_high)}]`}</td>
              <td>{m.cuped_p_value == null ? "–" : pValue(m.cuped_p_adjusted)}</td>
              <td title={m.cuped_covariate ?? undefined}>
                {m.cuped_variance_reduction == null ? "–" : `${num(-m.cuped_variance_reduction * 100, 0)}%`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Exposures over time</h4>
      {exposures.data ? <ExposuresChart days={exposures.data} /> : <ErrorNote error={exposures.error} />}
      <div>
        <button type="button" onClick={() => void csv()}>Download CSV</button>
        <ErrorNote error={csvError} />
      </div>
    </section>
  );
}
