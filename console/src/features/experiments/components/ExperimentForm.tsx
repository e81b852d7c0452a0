import { useMemo, useState, type FormEvent } from "react";

import { Field } from "../../../components/Field";
import { ErrorNote, Loading } from "../../../components/Status";
import { ApiError } from "../../../lib/api";
import { useRules, useSaveExperiment, type Experiment } from "../api/experiments";
import { emptyForm, toBody, validate, type ExperimentForm as Form } from "../validate";

function fromExperiment(e: Experiment): Form {
  return {
    key: e.key,
    description: e.description ?? "",
    hypothesis: e.hypothesis ?? "",
    coverage: String(e.coverage ?? 1),
    arms: e.arms.map((a) => ({
      name: a.name,
      weight: String(a.weight),
      overrides: Object.entries(a.overrides ?? {}).map(([key, value]) => ({ key, value: String(value) })),
    })),
    control: e.control,
    primary_metrics: e.primary_metrics ?? [],
    secondary_metrics: e.secondary_metrics ?? [],
    guardrail_metrics: e.guardrail_metrics ?? [],
    namespace: e.namespace?.name ?? "",
    range_start: String(e.namespace?.range[0] ?? 0),
    range_end: String(e.namespace?.range[1] ?? 1),
  };
}

/** Create (or edit a draft): every problem shown live beside its field, the API's own answer too. */
export function ExperimentForm({ existing, onDone }: { existing?: Experiment; onDone: () => void }) {
  const rules = useRules();
  const [form, setForm] = useState<Form>(existing ? fromExperiment(existing) : emptyForm());
  const [touched, setTouched] = useState(false);
  const save = useSaveExperiment();
  const problems = useMemo(
    () => (rules.data ? validate(form, rules.data.overrides, rules.data.metrics) : {}),
    [form, rules.data],
  );
  if (rules.isPending) return <Loading what="the experiment rules" />;
  if (rules.error) return <ErrorNote error={rules.error} />;
  const overrideRules = rules.data.overrides;

  const problem = (field: string) => {
    const local = touched || form.key ? problems[field] : undefined;
    const remote = save.error instanceof ApiError ? save.error.details.find((d) => d.field === field || d.field === `body.${field}`)?.message : undefined;
    const text = local ?? remote;
    return text ? <span className="field-error" role="alert">{text}</span> : null;
  };
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const setArm = (i: number, patch: Partial<Form["arms"][number]>) =>
    set({ arms: form.arms.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  const toggle = (list: "primary_metrics" | "secondary_metrics" | "guardrail_metrics", metric: string) =>
    set({ [list]: form[list].includes(metric) ? form[list].filter((m) => m !== metric) : [...form[list], metric] });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length) return;
    save.mutate({ body: toBody(form, overrideRules), isNew: !existing }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} className="card stack" aria-label={existing ? "Edit draft experiment" : "New experiment"} noValidate>
      <h2>{existing ? `Edit ${existing.key}` : "New experiment"}</h2>
      <div className="row wrap">
        <Field label="Key" error={problem("key")}>
          <input value={form.key} onChange={(e) => set({ key: e.target.value })} readOnly={!!existing} aria-invalid={!!problems.key} />
        </Field>
        <Field label="Coverage (0–1)" error={problem("coverage")}>
          <input value={form.coverage} onChange={(e) => set({ coverage: e.target.value })} inputMode="decimal" />
        </Field>
        <Field label="Control arm" error={problem("control")}>
          <select value={form.control} onChange={(e) => set({ control: e.target.value })}>
            {form.arms.map((a, i) => <option key={i} value={a.name}>{a.name}</option>)}
          </select>
        </Field>
      </div>
      <Field label="Hypothesis">
        <textarea value={form.hypothesis} onChange={(e) => set({ hypothesis: e.target.value })} rows={2} maxLength={2000} />
      </Field>
      <Field label="Description">
        <textarea value={form.description} onChange={(e) => set({ description: e.target.value })} rows={2} maxLength={2000} />
      </Field>
      <fieldset>
        <legend>Arms {problem("arms")}</legend>
        {form.arms.map((arm, i) => (
          <div key={i} className="arm">
            <div className="row wrap">
              <Field label={`Arm ${i + 1} name`} error={problem(`arms.${i}.name`)}>
                <input value={arm.name} onChange={(e) => setArm(i, { name: e.target.value })} />
              </Field>
              <Field label={`Arm ${i + 1} weight`} error={problem(`arms.${i}.weight`)}>
                <input value={arm.weight} onChange={(e) => setArm(i, { weight: e.target.value })} inputMode="decimal" />
              </Field>
              {form.arms.length > 2 && <button type="button" onClick={() => set({ arms: form.arms.filter((_, j) => j !== i) })}>Remove arm</button>}
            </div>
            {arm.overrides.map((o, k) => {
              const rule = overrideRules.find((r) => r.key === o.key);
              return (
                <div key={k} className="row wrap override">
                  <Field label="Setting">
                    <select value={o.key} onChange={(e) => setArm(i, { overrides: arm.overrides.map((x, j) => (j === k ? { ...x, key: e.target.value } : x)) })}>
                      {overrideRules.map((r) => <option key={r.key} value={r.key}>{r.key}</option>)}
                    </select>
                  </Field>
                  <Field label={rule?.min != null ? `Value (${rule.min}–${rule.max})` : "Value"} error={problem(`arms.${i}.overrides.${o.key}`)}>
                    <input value={o.value} onChange={(e) => setArm(i, { overrides: arm.overrides.map((x, j) => (j === k ? { ...x, value: e.target.value } : x)) })} />
                  </Field>
                  <button type="button" onClick={() => setArm(i, { overrides: arm.overrides.filter((_, j) => j !== k) })}>Remove setting</button>
                </div>
              );
            })}
            <button type="button" className="small" onClick={() => setArm(i, { overrides: [...arm.overrides, { key: overrideRules[0]?.key ?? "target_p", value: "" }] })}>
              Add setting to arm {i + 1}
            </button>
          </div>
        ))}
        {form.arms.length < 10 && (
          <button type="button" onClick={() => set({ arms: [...form.arms, { name: `arm${form.arms.length + 1}`, weight: "0", overrides: [] }] })}>Add arm</button>
        )}
      </fieldset>
      <fieldset>
        <legend>Metrics {problem("primary_metrics")}</legend>
        <table className="compact">
          <thead><tr><th>metric</th><th>primary</th><th>secondary</th><th>guardrail</th></tr></thead>
          <tbody>
            {rules.data.metrics.map((m) => (
              <tr key={m}>
                <th>{m}</th>
                {(["primary_metrics", "secondary_metrics", "guardrail_metrics"] as const).map((list) => (
                  <td key={list}>
                    <input type="checkbox" aria-label={`${m} ${list.split("_")[0]}`} checked={form[list].includes(m)} onChange={() => toggle(list, m)} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <fieldset>
        <legend>Namespace (mutually exclusive experiments) {problem("namespace.range")}</legend>
        <div className="row wrap">
          <Field label="Namespace name"><input value={form.namespace} onChange={(e) => set({ namespace: e.target.value })} /></Field>
          <Field label="Range start"><input value={form.range_start} onChange={(e) => set({ range_start: e.target.value })} /></Field>
          <Field label="Range end"><input value={form.range_end} onChange={(e) => set({ range_end: e.target.value })} /></Field>
        </div>
      </fieldset>
      <div className="row">
        <button type="submit" disabled={save.isPending}>{existing ? "Save draft" : "Create draft"}</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
      {save.error && <ErrorNote error={save.error} />}
    </form>
  );
}
