import { useState, type FormEvent } from "react";

import { Field } from "../../../components/Field";
import { Empty, ErrorNote, FieldError, Loading } from "../../../components/Status";
import { useQuestions, useSaveQuestion, type Question, type QuestionFilter } from "../api/content";

const PAGE = 20;

/** A paginated, searchable question table and an editor with a preview. */
export function QuestionsPage({ canEdit }: { canEdit: boolean }) {
  const [filter, setFilter] = useState<QuestionFilter>({ offset: 0 });
  const [draft, setDraft] = useState<QuestionFilter>({ offset: 0 });
  const [editing, setEditing] = useState<{ question: Question; isNew: boolean } | null>(null);
  const page = useQuestions(filter, PAGE);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft, offset: 0 });
  };
  const text = (field: "q" | "unit" | "concept") => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [field]: e.target.value || undefined });
  return (
    <div className="split">
      <section aria-label="Questions">
        <form onSubmit={apply} className="row wrap" role="search">
          <Field label="Text"><input value={draft.q ?? ""} onChange={text("q")} /></Field>
          <Field label="Unit"><input value={draft.unit ?? ""} onChange={text("unit")} /></Field>
          <Field label="Concept"><input value={draft.concept ?? ""} onChange={text("concept")} /></Field>
          <Field label="Difficulty">
            <select value={draft.difficulty ?? ""} onChange={(e) => setDraft({ ...draft, difficulty: e.target.value ? Number(e.target.value) : undefined })}>
              <option value="">any</option>
              {[1, 2, 3, 4, 5].map((d) => <option key={d} value={d}>{d}</option>)}
            </select>
          </Field>
          <button type="submit">Search</button>
          {canEdit && (
            <button type="button" onClick={() => setEditing({ isNew: true, question: { id: "", text: "", difficulty_tag: 2, concepts: [], answer: { kind: "numeric", value: "" } } })}>
              New question
            </button>
          )}
        </form>
        {page.isPending ? <Loading what="questions" /> : page.error ? <ErrorNote error={page.error} /> : page.data.items.length === 0 ? <Empty>No question matches.</Empty> : (
          <>
            <table>
              <thead><tr><th>Id</th><th>Text</th><th>Concepts</th><th>Difficulty</th></tr></thead>
              <tbody>
                {page.data.items.map((q) => (
                  <tr key={q.id} onClick={() => setEditing({ question: q, isNew: false })} className="clickable">
                    <td><button type="button" className="link" onClick={() => setEditing({ question: q, isNew: false })}>{q.id}</button></td>
                    <td>{q.text.slice(0, 90)}</td>
                    <td>{q.concepts.map((c) => c.id).join(", ")}</td>
                    <td>{q.difficulty_tag}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="row">
              <button type="button" disabled={filter.offset === 0} onClick={() => setFilter({ ...filter, offset: Math.max(0, filter.offset - PAGE) })}>Previous</button>
              <span>{filter.offset + 1}–{filter.offset + page.data.items.length} of {page.data.total ?? "?"}</span>
              <button type="button" disabled={!page.data.next_cursor} onClick={() => setFilter({ ...filter, offset: filter.offset + PAGE })}>Next</button>
            </div>
          </>
        )}
      </section>
      {editing && <Editor key={editing.question.id || "new"} {...editing} readOnly={!canEdit} onDone={() => setEditing(null)} />}
    </div>
  );
}

function Editor({ question, isNew, readOnly, onDone }: { question: Question; isNew: boolean; readOnly: boolean; onDone: () => void }) {
  const [form, setForm] = useState(question);
  const [concepts, setConcepts] = useState(question.concepts.map((c) => `${c.id}:${c.weight}`).join(", "));
  const save = useSaveQuestion();
  const answer = (form.answer ?? {}) as Record<string, unknown>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = concepts.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
      const [id = "", weight] = s.split(":");
      return { id: id.trim(), weight: weight ? Number(weight) : 1 };
    });
    save.mutate({ question: { ...form, concepts: parsed }, isNew }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={submit} className="stack card" aria-label="Question editor">
      <h3>{isNew ? "New question" : `Question ${question.id}`}</h3>
      {isNew && <Field label="Id" error={<FieldError error={save.error} field="id" />}><input value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} required /></Field>}
      <Field label="Text" error={<FieldError error={save.error} field="text" />}>
        <textarea value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} rows={4} required readOnly={readOnly} />
      </Field>
      <Field label="Answer" error={<FieldError error={save.error} field="answer" />}>
        <input value={String(answer.value ?? "")} onChange={(e) => setForm({ ...form, answer: { ...answer, kind: answer.kind ?? "text", value: e.target.value } })} readOnly={readOnly} />
      </Field>
      <Field label="Difficulty (1–5)" error={<FieldError error={save.error} field="difficulty_tag" />}>
        <input type="number" min={1} max={5} value={form.difficulty_tag} onChange={(e) => setForm({ ...form, difficulty_tag: Number(e.target.value) })} readOnly={readOnly} />
      </Field>
      <Field label="Concepts (id:weight, …)" error={<FieldError error={save.error} field="concepts" />}>
        <input value={concepts} onChange={(e) => setConcepts(e.target.value)} readOnly={readOnly} />
      </Field>
      <div className="preview" aria-label="Preview">
        <p className="muted">Preview</p>
        <p>{form.text || <em>(no text)</em>}</p>
        <p className="muted">Answer: {String(answer.value ?? "–")} · difficulty {form.difficulty_tag}</p>
      </div>
      <div className="row">
        {!readOnly && <button type="submit" disabled={save.isPending}>Save</button>}
        <button type="button" onClick={onDone}>Close</button>
      </div>
      <ErrorNote error={save.error} />
    </form>
  );
}
