import { useMemo, useState, type FormEvent } from "react";

import { Field } from "../../../components/Field";
import { ErrorNote, FieldError, Loading } from "../../../components/Status";
import { ApiError } from "../../../lib/api";
import { useAddPrerequisite, useConceptGraph, useCreateConcept, type ConceptGraph } from "../api/content";
import { ConceptPanel } from "./ConceptPanel";
import { GraphView } from "../../../components/GraphView";

/** The concept graph: filter by subject, search, select to open a concept; editors change it in place. */
export function GraphPage({ canEdit }: { canEdit: boolean }) {
  const graph = useConceptGraph();
  const [selected, setSelected] = useState<string | null>(null);
  const [hidden, setHidden] = useState<string[]>([]);
  const [cycle, setCycle] = useState<string[]>([]);
  const subjects = useMemo(
    () => [...new Set((graph.data?.concepts ?? []).map((c) => c.subject ?? ""))].sort(),
    [graph.data],
  );

  if (graph.isPending) return <Loading what="the concept graph" />;
  if (graph.error) return <ErrorNote error={graph.error} />;
  const data = graph.data;
  return (
    <div className="graph-page">
      <div className="toolbar">
        <Search graph={data} onFound={setSelected} />
        <fieldset className="subjects">
          <legend>Subjects</legend>
          {subjects.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                checked={!hidden.includes(s)}
                onChange={() => setHidden(hidden.includes(s) ? hidden.filter((h) => h !== s) : [...hidden, s])}
              />
              {s || "(none)"}
            </label>
          ))}
        </fieldset>
        <span className="muted">
          {data.concepts.length} concepts · {data.edges.length} edges
        </span>
      </div>
      <div className="split">
        <GraphView nodes={data.concepts} edges={data.edges} selected={selected} onSelect={setSelected} highlight={cycle} hiddenSubjects={hidden} />
        <aside>
          {canEdit && <CreateConcept onCreated={setSelected} />}
          {canEdit && <AddPrerequisite graph={data} onCycle={setCycle} />}
          {selected ? <ConceptPanel id={selected} graph={data} canEdit={canEdit} onSelect={setSelected} /> : <p className="muted">Select a concept to see it.</p>}
        </aside>
      </div>
    </div>
  );
}

function ConceptOptions({ graph, id }: { graph: ConceptGraph; id: string }) {
  return (
    <datalist id={id}>
      {graph.concepts.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </datalist>
  );
}

const MATCHES_SHOWN = 8;

/** Find a concept by id or name: Enter opens the best match, and the matches are listed as buttons,
 * the keyboard's way onto the graph (Tab to one, Enter opens it and moves focus to its panel). */
function Search({ graph, onFound }: { graph: ConceptGraph; onFound: (id: string) => void }) {
  const [text, setText] = useState("");
  const [missing, setMissing] = useState(false);
  const needle = text.trim().toLowerCase();
  const matches = useMemo(() => {
    if (!needle) return [];
    const exact = graph.concepts.filter((c) => c.id.toLowerCase() === needle);
    const rest = graph.concepts.filter(
      (c) => c.id.toLowerCase() !== needle && (c.name.toLowerCase().includes(needle) || c.id.toLowerCase().includes(needle)),
    );
    return [...exact, ...rest];
  }, [graph, needle]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissing(matches.length === 0);
    if (matches[0]) onFound(matches[0].id);
  };
  return (
    <form onSubmit={submit} role="search" className="row wrap">
      <label className="field inline">
        <span>Find a concept</span>
        <input value={text} onChange={(e) => { setText(e.target.value); setMissing(false); }} placeholder="id or name" />
      </label>
      <button type="submit">Find</button>
      {missing && <span className="field-error">No concept matches.</span>}
      {matches.length > 0 && (
        <ul className="matches" aria-label="Matching concepts">
          {matches.slice(0, MATCHES_SHOWN).map((c) => (
            <li key={c.id}>
              <button type="button" className="link" onClick={() => onFound(c.id)}>
                {c.name} <span className="muted">({c.id})</span>
              </button>
            </li>
          ))}
          {matches.length > MATCHES_SHOWN && <li className="muted">and {matches.length - MATCHES_SHOWN} more: type more of the name</li>}
        </ul>
      )}
    </form>
  );
}

function CreateConcept({ onCreated }: { onCreated: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ id: "", name: "", subject: "", description: "" });
  const create = useCreateConcept();
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ ...form, requires: [] }, { onSuccess: (c) => { onCreated(c.id); setOpen(false); } });
  };
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        New concept
      </button>
    );
  return (
    <form onSubmit={submit} className="stack card" aria-label="New concept">
      <Field label="Id" error={<FieldError error={create.error} field="id" />}>
        <input value={form.id} onChange={set("id")} required pattern="[A-Za-z0-9_.:\-]+" maxLength={200} />
      </Field>
      <Field label="Name" error={<FieldError error={create.error} field="name" />}>
        <input value={form.name} onChange={set("name")} required maxLength={500} />
      </Field>
      <Field label="Subject" error={<FieldError error={create.error} field="subject" />}>
        <input value={form.subject} onChange={set("subject")} required maxLength={500} />
      </Field>
      <Field label="Description">
        <textarea value={form.description} onChange={set("description")} rows={2} />
      </Field>
      <div className="row">
        <button type="submit" disabled={create.isPending}>
          Create
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {create.error instanceof ApiError && !create.error.details.length && <ErrorNote error={create.error} />}
    </form>
  );
}

/** Pick two concepts; a refused cycle is drawn on the graph and spelled out here. */
function AddPrerequisite({ graph, onCycle }: { graph: ConceptGraph; onCycle: (path: string[]) => void }) {
  const [concept, setConcept] = useState("");
  const [prerequisite, setPrerequisite] = useState("");
  const add = useAddPrerequisite();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onCycle([]);
    add.mutate(
      { concept, prerequisite },
      {
        onError: (error) => {
          const raw = error instanceof ApiError ? (error.raw as { error?: { details?: { path?: string[] }[] } }) : null;
          const path = raw?.error?.details?.find((d) => Array.isArray(d.path))?.path;
          if (path) onCycle(path);
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="stack card" aria-label="Add a prerequisite">
      <ConceptOptions graph={graph} id="concept-ids" />
      <Field label="Concept">
        <input value={concept} onChange={(e) => setConcept(e.target.value)} list="concept-ids" required />
      </Field>
      <Field label="requires">
        <input value={prerequisite} onChange={(e) => setPrerequisite(e.target.value)} list="concept-ids" required />
      </Field>
      <button type="submit" disabled={add.isPending}>
        Add prerequisite
      </button>
      {add.isSuccess && <span className="ok">Edge added (version {add.data.version}).</span>}
      <ErrorNote error={add.error} />
    </form>
  );
}
