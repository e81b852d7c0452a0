import { useState, type FormEvent } from "react";

import { Field } from "../../../components/Field";
import { Empty, ErrorNote, Loading } from "../../../components/Status";
import type { Schemas } from "../../../lib/api";
import { useTopUnits, useUnitMember, useUnitTree } from "../api/content";

type Tree = Schemas["UnitTree"];

/** The unit tree (subject > chapter > section > goal units); editors add and remove children. */
export function UnitsPage({ canEdit }: { canEdit: boolean }) {
  const top = useTopUnits();
  const [root, setRoot] = useState<string | null>(null);
  const chosen = root ?? top.data?.items[0]?.id ?? null;
  const tree = useUnitTree(chosen);
  if (top.isPending) return <Loading what="units" />;
  if (top.error) return <ErrorNote error={top.error} />;
  if (top.data.items.length === 0) return <Empty>No subject units yet: import a curriculum.</Empty>;
  return (
    <div className="split">
      <section aria-label="Unit tree">
        <Field label="Subject">
          <select value={chosen ?? ""} onChange={(e) => setRoot(e.target.value)}>
            {top.data.items.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </Field>
        {tree.isPending ? <Loading what="the tree" /> : tree.error ? <ErrorNote error={tree.error} /> : <TreeNode node={tree.data} canEdit={canEdit} parent={null} />}
      </section>
      {canEdit && chosen && <Membership />}
    </div>
  );
}

function TreeNode({ node, canEdit, parent }: { node: Tree; canEdit: boolean; parent: string | null }) {
  const member = useUnitMember();
  return (
    <details open={parent === null} className="tree">
      <summary>
        <strong>{node.name}</strong> <span className="muted">{node.kind} · <code>{node.id}</code> · {node.questions.length} questions</span>
      </summary>
      {/* not inside <summary>: a control in a control is out of reach of screen readers */}
      {canEdit && parent && (
        <button type="button" className="small" aria-label={`Remove ${node.id} from ${parent}`} onClick={() => member.mutate({ unit: parent, child: node.id, kind: "unit", remove: true })}>
          remove from {parent}
        </button>
      )}
      <ErrorNote error={member.error} />
      {node.units.map((child) => (
        <TreeNode key={child.id} node={child} canEdit={canEdit} parent={node.id} />
      ))}
      {node.units.length === 0 && node.questions.length > 0 && (
        <ul className="questions">
          {node.questions.slice(0, 20).map((q) => (
            <li key={q}>
              <code>{q}</code>
              {canEdit && (
                <button type="button" className="small" aria-label={`Remove question ${q} from ${node.id}`} onClick={() => member.mutate({ unit: node.id, child: q, kind: "question", remove: true })}>
                  remove
                </button>
              )}
            </li>
          ))}
          {node.questions.length > 20 && <li className="muted">… {node.questions.length - 20} more</li>}
        </ul>
      )}
    </details>
  );
}

function Membership() {
  const [unit, setUnit] = useState("");
  const [child, setChild] = useState("");
  const [kind, setKind] = useState<"unit" | "question">("unit");
  const member = useUnitMember();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    member.mutate({ unit, child, kind, remove: false });
  };
  return (
    <form onSubmit={submit} className="stack card" aria-label="Add to a unit">
      <h3>Add a child</h3>
      <Field label="Parent unit id">
        <input value={unit} onChange={(e) => setUnit(e.target.value)} required />
      </Field>
      <Field label="Child kind">
        <select value={kind} onChange={(e) => setKind(e.target.value as "unit" | "question")}>
          <option value="unit">unit</option>
          <option value="question">question</option>
        </select>
      </Field>
      <Field label="Child id">
        <input value={child} onChange={(e) => setChild(e.target.value)} required />
      </Field>
      <button type="submit" disabled={member.isPending}>
        Add
      </button>
      {member.isSuccess && <span className="ok">Added.</span>}
      <ErrorNote error={member.error} />
    </form>
  );
}
