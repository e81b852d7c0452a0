import { describe, expect, it } from "vitest";

import { diff } from "./diff";

describe("diff", () => {
  it("marks added, removed and changed fields, changed ones first", () => {
    const rows = diff({ name: "A", subject: "math", gone: 1 }, { name: "B", subject: "math", requires: ["x"] });
    expect(rows.map((r) => [r.field, r.kind])).toEqual([
      ["gone", "removed"],
      ["name", "changed"],
      ["requires", "added"],
      ["subject", "same"],
    ]);
    expect(rows.find((r) => r.field === "requires")?.after).toBe('["x"]');
  });

  it("treats a create as every field added", () => {
    expect(diff(null, { id: "a" })).toEqual([{ field: "id", before: "", after: "a", kind: "added" }]);
  });
});
