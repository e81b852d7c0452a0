export function num(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits);
}

const SCIENTIFIC_BELOW = 1e-4;

/** A p-value as every report writes it: 4 decimals, scientific under 1e-4 ("1.5e-12"); the API's
 * summary sentences use the same rule (`learner_graph.experiments.stats.format_p`). */
export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (value >= SCIENTIFIC_BELOW) return value.toFixed(4);
  return value.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2"); // Python pads the exponent: e-05
}

export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(digits)}%`;
}

export function when(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : "–";
}

/** Save text as a file the browser downloads. */
export function download(name: string, text: string, type = "text/plain"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}
