import { useState } from "react";

import { Field } from "../../../components/Field";
import { ErrorNote } from "../../../components/Status";
import { download } from "../../../utils/format";
import { fetchExport, useImport } from "../api/content";

type Counts = Record<string, number>;
type Result = { created: Counts; updated: Counts; unchanged: Counts; version: number };

/** Upload a curriculum: a dry run lists every problem by field before anything is written; then apply. */
export function ImportPage({ canEdit }: { canEdit: boolean }) {
  const [document, setDocument] = useState<Record<string, unknown> | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const dry = useImport();
  const apply = useImport();
  const [exportError, setExportError] = useState<unknown>(null);

  async function read(file: File | undefined) {
    dry.reset();
    apply.reset();
    setDocument(null);
    if (!file) return;
    try {
      const parsed = JSON.parse(await file.text()) as Record<string, unknown>;
      setParseError(null);
      setDocument(parsed);
      dry.mutate({ document: parsed, dryRun: true });
    } catch (error) {
      setParseError(`not JSON: ${String(error)}`);
    }
  }

  async function exportAll() {
    try {
      const doc = await fetchExport();
      download("curriculum.json", JSON.stringify(doc, null, 2), "application/json");
    } catch (error) {
      setExportError(error);
    }
  }

  return (
    <div className="stack">
      <section className="card stack" aria-label="Import">
        <h2>Import a curriculum</h2>
        {canEdit ? (
          <>
            <Field label="Curriculum document (JSON)">
              <input type="file" accept="application/json,.json" onChange={(e) => void read(e.target.files?.[0])} />
            </Field>
            {parseError && <p className="field-error">{parseError}</p>}
            {dry.isPending && <p role="status">Checking…</p>}
            {dry.error && (
              <div data-testid="dry-run-problems">
                <p>Dry run: nothing was written.</p>
                <ErrorNote error={dry.error} />
              </div>
            )}
            {dry.data && (
              <div data-testid="dry-run-ok">
                <p>Dry run: no problems. Applying would change:</p>
                <Summary result={dry.data as Result} />
                <button type="button" onClick={() => document && apply.mutate({ document, dryRun: false })} disabled={apply.isPending || apply.isSuccess}>
                  Apply import
                </button>
              </div>
            )}
            {apply.data && (
              <div role="status" data-testid="import-applied">
                <p className="ok">Imported: content version {(apply.data as Result).version}.</p>
                <Summary result={apply.data as Result} />
              </div>
            )}
            <ErrorNote error={apply.error} />
          </>
        ) : (
          <p className="muted">Your role may not import.</p>
        )}
      </section>
      <section className="card" aria-label="Export">
        <h2>Export</h2>
        <button type="button" onClick={() => void exportAll()}>
          Download curriculum.json
        </button>
        <ErrorNote error={exportError} />
      </section>
    </div>
  );
}

function Summary({ result }: { result: Result }) {
  const sections = Object.keys(result.created);
  return (
    <table>
      <thead>
        <tr><th /><th>created</th><th>updated</th><th>unchanged</th></tr>
      </thead>
      <tbody>
        {sections.map((s) => (
          <tr key={s}>
            <th>{s}</th>
            <td>{result.created[s]}</td>
            <td>{result.updated[s]}</td>
            <td>{result.unchanged[s]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
