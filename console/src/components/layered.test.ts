import { describe, expect, it } from "vitest";

import { layeredPositions } from "./layered";

describe("layeredPositions", () => {
  it("puts each concept one layer below its deepest prerequisite", () => {
    const at = layeredPositions(["a", "b", "c", "d"], [["b", "a"], ["c", "b"], ["d", "a"], ["d", "c"]], 100, 10);
    expect([at.a!.y, at.b!.y, at.c!.y, at.d!.y]).toEqual([0, 10, 20, 30]);
  });

  it("orders a layer under its prerequisites and centres it", () => {
    const at = layeredPositions(["l", "r", "x", "y"], [["y", "r"], ["x", "l"]], 100, 10);
    expect(at.l).toEqual({ x: -50, y: 0 });
    expect(at.r).toEqual({ x: 50, y: 0 });
    expect(at.x!.x).toBeLessThan(at.y!.x); // x sits under l, y under r
  });

  it("ignores edges to unknown concepts and survives a cycle", () => {
    const at = layeredPositions(["a", "b"], [["a", "b"], ["b", "a"], ["a", "zzz"]]);
    expect(Object.keys(at).sort()).toEqual(["a", "b"]);
  });

  it("lays out 2,000 concepts", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `c${i}`);
    const edges = ids.slice(40).map((id, i): [string, string] => [id, ids[i]!]);
    const at = layeredPositions(ids, edges);
    expect(Object.keys(at)).toHaveLength(2000);
    expect(at.c1999!.y).toBe(49 * 80);
  });
});
