import { describe, expect, it } from "vitest";

import { emptyForm, toBody, validate, type OverrideRule } from "./validate";

const RULES: OverrideRule[] = [
  { key: "target_p", type: "number", min: 0.05, max: 0.95 },
  { key: "model_version", type: "string", min: null, max: null },
];
const METRICS = ["attempts", "ability_gain", "dismissals"];

describe("validate", () => {
  it("accepts the default form once it has a key", () => {
    expect(validate({ ...emptyForm(), key: "easier-p" }, RULES, METRICS)).toEqual({});
  });

  it("names every problem by the API's field path", () => {
    const form = emptyForm();
    form.key = "Bad Key";
    form.arms[1] = { name: "control", weight: "0.7", overrides: [{ key: "target_p", value: "1.5" }, { key: "nope", value: "1" }] };
    form.control = "x";
    form.guardrail_metrics = ["speed"];
    const problems = validate(form, RULES, METRICS);
    expect(Object.keys(problems).sort()).toEqual([
      "arms",
      "arms.1.name",
      "arms.1.overrides.nope",
      "arms.1.overrides.target_p",
      "control",
      "key",
      "primary_metrics",
    ]);
    expect(problems["arms.1.overrides.target_p"]).toBe("must be between 0.05 and 0.95");
    expect(problems.arms).toBe("arm weights must sum to 1 (they sum to 1.2)");
  });

  it("checks a namespace range", () => {
    const form = { ...emptyForm(), key: "k", namespace: "ns", range_start: "0.6", range_end: "0.2" };
    expect(validate(form, RULES, METRICS)).toEqual({ "namespace.range": "0 ≤ start < end ≤ 1" });
  });

  it("builds the API body with typed overrides", () => {
    const form = emptyForm();
    form.key = "k";
    form.arms[1]!.overrides = [{ key: "target_p", value: "0.7" }, { key: "model_version", value: "m1" }];
    const body = toBody(form, RULES);
    expect(body.arms[1]).toEqual({ name: "treatment", weight: 0.5, overrides: { target_p: 0.7, model_version: "m1" } });
    expect(body.namespace).toBeNull();
  });
});
