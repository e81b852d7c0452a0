export type DiffRow = { field: string; before: string; after: string; kind: "added" | "removed" | "changed" | "same" };

const show = (value: unknown): string => (value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value));

/** Field-by-field before/after of an audited change, changed fields first. */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown> | null): DiffRow[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const rows = fields.map((field): DiffRow => {
    const b = before?.[field];
    const a = after?.[field];
    const kind = b === undefined ? "added" : a === undefined ? "removed" : show(a) === show(b) ? "same" : "changed";
    return { field, before: show(b), after: show(a), kind };
  });
  return [...rows.filter((r) => r.kind !== "same"), ...rows.filter((r) => r.kind === "same")];
}
