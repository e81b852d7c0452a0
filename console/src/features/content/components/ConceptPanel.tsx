import { useEffect, useRef, useState, type FormEvent } from "react";

import { Confirm } from "../../../components/Confirm";
import { Field } from "../../../components/Field";
import { Empty, ErrorNote, FieldError, Loading } from "../../../components/Status";
import { ApiError } from "../../../lib/api";
import { useConcept, useConceptUnits, useDeleteConcept, useQuestions, useRemovePrerequisite, useUpdateConcept, type ConceptGraph } from "../api/content";

type Props = { id: string; graph: ConceptGraph; canEdit: boolean; onSelect: (id: string | null) => void };

/** One concept: its description, prerequisites, dependents, units and questions; edited in place. */
export function ConceptPanel({ id, graph, canEdit, onSelect }: Props) {
  const concept = useConcept(id);
  const questions = useQuestions({ concept: id, offset: 0 }, 10);
  const units = useConceptUnits(id);
  const name = (cid: string) => graph.concepts.find((c) => c.id === cid)?.name ?? cid;
  const prerequisites = graph.edges.filter(([c]) => c === id).map(([, p]) => p);
  const dependents = graph.edges.filter(([, p]) => p === id).map(([c]) => c);
  const removeEdge = useRemovePrerequisite();
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening a concept (by search, a link or the graph) moves keyboard focus to its panel.
  useEffect(() => heading.current?.focus(), [id, concept.isPending]);

  if (concept.isPending) return <Loading what="the concept" />;
  if (concept.error) return <ErrorNote error={concept.error} />;
  if (!concept.data) return null; // just deleted
  const c = concept.data;
  return (
    <section className="panel" aria-label={`Concept ${c.name}`}>
      <h2 ref={heading} tabIndex={-1}>{c.name}</h2>
      <p className="muted">
        <code>{c.id}</code> · {c.subject}
      </p>
      {canEdit ? <EditConcept key={c.id} id={c.id} name={c.name} description={c.description ?? ""} subject={c.subject} /> : <p>{c.description || <em>No description.</em>}</p>}
      <h3>Prerequisites</h3>
      {prerequisites.length === 0 && <Empty>None: a root concept.</Empty>}
      <ul>
        {prerequisites.map((p) => (
          <li key={p}>
            <button type="button" className="link" onClick={() => onSelect(p)}>
              {name(p)}
            </button>
            {canEdit && (
              <button type="button" className="small" aria-label={`Remove prerequisite ${name(p)}`} onClick={() => removeEdge.mutate({ concept: id, prerequisite: p })}>
                remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorNote error={removeEdge.error} />
      <h3>Dependents</h3>
      {dependents.length === 0 && <Empty>Nothing requires it.</Empty>}
      <ul>
        {dependents.map((d) => (
          <li key={d}>
            <button type="button" className="link" onClick={() => onSelect(d)}>
              {name(d)}
            </button>
          </li>
        ))}
      </ul>
      <h3>Units {units.data ? `(${units.data.total})` : ""}</h3>
      {units.data?.items.length === 0 && <Empty>No unit holds a question on it.</Empty>}
      <ErrorNote error={units.error} />
      <ul aria-label="Units">
        {units.data?.items.map((u) => (
          <li key={u.id}>
            <code>{u.id}</code> {u.name} <span className="muted">({u.kind})</span>
          </li>
        ))}
      </ul>
      <h3>Questions {questions.data ? `(${questions.data.total})` : ""}</h3>
      {questions.data?.items.length === 0 && <Empty>No question assesses it yet.</Empty>}
      <ul>
        {questions.data?.items.map((q) => (
          <li key={q.id}>
            <code>{q.id}</code> {q.text.slice(0, 80)}
          </li>
        ))}
      </ul>
      {canEdit && <DeleteConcept id={c.id} onDeleted={() => onSelect(null)} />}
    </section>
  );
}

function EditConcept(props: { id: string; name: string; description: string; subject: string }) {
  const [name, setName] = useState(props.name);
  const [description, setDescription] = useState(props.description);
  const [subject, setSubject] = useState(props.subject);
  const update = useUpdateConcept();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ id: props.id, name, description, subject });
  };
  return (
    <form onSubmit={submit} className="stack" aria-label="Edit concept">
      <Field label="Name" error={<FieldError error={update.error} field="name" />}>
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={500} />
      </Field>
      <Field label="Description" error={<FieldError error={update.error} field="description" />}>
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      </Field>
      <Field label="Subject" error={<FieldError error={update.error} field="subject" />}>
        <input value={subject} onChange={(e) => setSubject(e.target.value)} required maxLength={500} />
      </Field>
      <button type="submit" disabled={update.isPending}>
        Save
      </button>
      {update.isSuccess && <span className="ok">Saved.</span>}
    </form>
  );
}

/** Delete: ask without cascade first; a 409 lists what a cascade would remove, to confirm. */
function DeleteConcept({ id, onDeleted }: { id: string; onDeleted: () => void }) {
  const remove = useDeleteConcept();
  const [asking, setAsking] = useState(false);
  const blocked = remove.error instanceof ApiError && remove.error.status === 409 ? remove.error : null;
  const start = () => {
    setAsking(true);
    remove.reset();
  };
  const confirm = () =>
    remove.mutate({ id, cascade: blocked !== null }, { onSuccess: () => { setAsking(false); onDeleted(); } });
  return (
    <>
      <button type="button" className="danger" onClick={start}>
        Delete concept
      </button>
      {asking && (
        <Confirm
          title={`Delete ${id}?`}
          confirmLabel={blocked ? "Delete with everything listed" : "Delete"}
          onConfirm={confirm}
          onCancel={() => setAsking(false)}
          busy={remove.isPending}
        >
          {blocked ? (
            <>
              <p>Others depend on it. Deleting also removes these edges:</p>
              <ul className="cascade">
                {blocked.details.map((d, i) => (
                  <li key={i}>{d.message}</li>
                ))}
              </ul>
            </>
          ) : (
            <p>The concept goes, with its audit record kept.</p>
          )}
          {remove.error && !blocked && <ErrorNote error={remove.error} />}
        </Confirm>
      )}
    </>
  );
}
