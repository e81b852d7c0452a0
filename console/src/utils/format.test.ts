import { describe, expect, it } from "vitest";

import { pValue } from "./format";

describe("pValue", () => {
  it("writes p-values as the API's summary does", () => {
    // The same cases as tests/unit/experiments/test_stats.py (the API's format_p), "–" for "n/a".
    const cases: [number | null, string][] = [
      [null, "–"], [1, "1.0000"], [0.034, "0.0340"], [0.0001, "0.0001"], [0.0000999, "1.0e-04"],
      [1.5e-12, "1.5e-12"], [0, "0.0e+00"],
    ];
    expect(cases.map(([p]) => pValue(p))).toEqual(cases.map(([, text]) => text));
  });
});
