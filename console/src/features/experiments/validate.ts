// Live validation of the experiment form with the bounds the API declares (/v1/experiment-rules).
export type OverrideRule = { key: string; type: "number" | "string"; min?: number | null; max?: number | null };

export type ArmForm = { name: string; weight: string; overrides: { key: string; value: string }[] };

export type ExperimentForm = {
  key: string;
  description: string;
  hypothesis: string;
  coverage: string;
  arms: ArmForm[];
  control: string;
  primary_metrics: string[];
  secondary_metrics: string[];
  guardrail_metrics: string[];
  namespace: string;
  range_start: string;
  range_end: string;
};

export type Problems = Record<string, string>;

const KEY = /^[a-z0-9][a-z0-9_.-]*$/;
const ARM = /^[A-Za-z0-9_.-]+$/;

function inUnit(text: string): boolean {
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) && value >= 0 && value <= 1;
}

/** Every problem of the form, keyed by the API's field names (e.g. `arms.1.overrides.target_p`). */
export function validate(form: ExperimentForm, rules: OverrideRule[], metrics: string[]): Problems {
  const problems: Problems = {};
  if (!KEY.test(form.key) || form.key.length > 64)
    problems.key = "lower-case letters, digits, _ . - ; starting with a letter or digit; at most 64";
  if (!inUnit(form.coverage)) problems.coverage = "a number from 0 to 1";
  if (form.arms.length < 2 || form.arms.length > 10) problems.arms = "2 to 10 arms";
  const names = form.arms.map((a) => a.name);
  form.arms.forEach((arm, i) => {
    if (!ARM.test(arm.name) || arm.name.length > 64) problems[`arms.${i}.name`] = "letters, digits, _ . - (at most 64)";
    else if (names.indexOf(arm.name) !== i) problems[`arms.${i}.name`] = "arm names must be unique";
    if (!inUnit(arm.weight)) problems[`arms.${i}.weight`] = "a number from 0 to 1";
    arm.overrides.forEach(({ key, value }) => {
      const rule = rules.find((r) => r.key === key);
      const where = `arms.${i}.overrides.${key}`;
      if (!rule) problems[where] = `unknown override ${key}`;
      else if (rule.type === "string") {
        if (!value.trim()) problems[where] = "must be a non-empty string";
      } else {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n)) problems[where] = "must be a number";
        else if (rule.min != null && rule.max != null && (n < rule.min || n > rule.max))
          problems[where] = `must be between ${rule.min} and ${rule.max}`;
      }
    });
  });
  const total = form.arms.reduce((sum, a) => sum + Number(a.weight || 0), 0);
  if (!problems.arms && Math.abs(total - 1) > 1e-6) problems.arms = `arm weights must sum to 1 (they sum to ${+total.toFixed(6)})`;
  if (!names.includes(form.control)) problems.control = "must be one of the arms";
  const chosen = [...form.primary_metrics, ...form.secondary_metrics, ...form.guardrail_metrics];
  const unknown = chosen.filter((m) => !metrics.includes(m));
  if (unknown.length) problems.primary_metrics = `unknown metrics: ${unknown.join(", ")}`;
  if (form.namespace.trim()) {
    const a = Number(form.range_start);
    const b = Number(form.range_end);
    if (!inUnit(form.range_start) || !inUnit(form.range_end) || a >= b) problems["namespace.range"] = "0 ≤ start < end ≤ 1";
  }
  return problems;
}

/** The API body of a valid form. */
export function toBody(form: ExperimentForm, rules: OverrideRule[]) {
  return {
    key: form.key,
    description: form.description,
    hypothesis: form.hypothesis,
    coverage: Number(form.coverage),
    control: form.control,
    arms: form.arms.map((arm) => ({
      name: arm.name,
      weight: Number(arm.weight),
      overrides: Object.fromEntries(
        arm.overrides.map(({ key, value }) => [key, rules.find((r) => r.key === key)?.type === "string" ? value : Number(value)]),
      ),
    })),
    primary_metrics: form.primary_metrics,
    secondary_metrics: form.secondary_metrics,
    guardrail_metrics: form.guardrail_metrics,
    namespace: form.namespace.trim() ? { name: form.namespace.trim(), range: [Number(form.range_start), Number(form.range_end)] as [number, number] } : null,
  };
}

export function emptyForm(): ExperimentForm {
  return {
    key: "",
    description: "",
    hypothesis: "",
    coverage: "1",
    arms: [
      { name: "control", weight: "0.5", overrides: [] },
      { name: "treatment", weight: "0.5", overrides: [] },
    ],
    control: "control",
    primary_metrics: ["ability_gain"],
    secondary_metrics: [],
    guardrail_metrics: ["dismissals"],
    namespace: "",
    range_start: "0",
    range_end: "1",
  };
}
