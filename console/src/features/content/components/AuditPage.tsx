import { useState, type FormEvent } from "react";

import { Field } from "../../../components/Field";
import { Empty, ErrorNote, Loading } from "../../../components/Status";
import { when } from "../../../utils/format";
import { useChanges, type ChangeFilter, type ChangeRecord } from "../api/content";
import { diff } from "../diff";

/** The change log: filter by entity, author and time; each change with its before/after diff. */
export function AuditPage() {
  const [draft, setDraft] = useState<ChangeFilter>({ offset: 0 });
  const [filter, setFilter] = useState<ChangeFilter>({ offset: 0 });
  const changes = useChanges(filter);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft, offset: 0 });
  };
  return (
    <div className="stack">
      <form onSubmit={submit} className="row wrap" role="search">
        <Field label="Entity">
          <select value={draft.entity ?? ""} onChange={(e) => setDraft({ ...draft, entity: e.target.value || undefined })}>
            <option value="">any</option>
            <option value="concept">concept</option>
            <option value="unit">unit</option>
            <option value="question">question</option>
          </select>
        </Field>
        <Field label="Author">
          <input value={draft.author ?? ""} onChange={(e) => setDraft({ ...draft, author: e.target.value || undefined })} />
        </Field>
        <Field label="Since">
          <input type="datetime-local" value={draft.since?.slice(0, 16) ?? ""} onChange={(e) => setDraft({ ...draft, since: e.target.value ? new Date(e.target.value).toISOString() : undefined })} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      {changes.isPending ? <Loading what="changes" /> : changes.error ? <ErrorNote error={changes.error} /> : changes.data.items.length === 0 ? <Empty>No change matches.</Empty> : (
        <>
          <p className="muted">{changes.data.total ?? changes.data.items.length} changes</p>
          {changes.data.items.map((c) => <Change key={c.id} change={c} />)}
          <div className="row">
            <button type="button" disabled={filter.offset === 0} onClick={() => setFilter({ ...filter, offset: Math.max(0, filter.offset - 25) })}>Newer</button>
            <button type="button" disabled={!changes.data.next_cursor} onClick={() => setFilter({ ...filter, offset: filter.offset + 25 })}>Older</button>
          </div>
        </>
      )}
    </div>
  );
}

function Change({ change }: { change: ChangeRecord }) {
  const rows = diff(change.before ?? null, change.after ?? null);
  return (
    <details className="card change">
      <summary>
        <strong>{change.action}</strong> {change.entity} <code>{change.entity_id}</code> by {change.author} · {when(change.at)} · version {change.version}
      </summary>
      <table className="diff" aria-label={`Diff of ${change.entity_id}`}>
        <thead><tr><th>field</th><th>before</th><th>after</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.field} className={r.kind}>
              <th>{r.field}</th>
              <td className="before">{r.before}</td>
              <td className="after">{r.after}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
