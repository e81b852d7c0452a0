import { useMemo, useState, type FormEvent } from "react";

import { Field } from "../../../components/Field";
import { GraphView } from "../../../components/GraphView";
import { Empty, ErrorNote, Loading } from "../../../components/Status";
import { num, when } from "../../../utils/format";
import { useAttempts, useGaps, useLearnerGraph, useLearners, useMastery, useRecommendations, useStreak, type Streak } from "../api/learners";
import { masteryPaint } from "../paint";

/** Find a learner, then see their mastery on the graph, gaps, streak, attempts and recommendations. */
export function LearnersPage() {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useLearners(query, cursors[cursors.length - 1] ?? null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(text.trim());
    setCursors([null]);
  };
  return (
    <div className="stack">
      <form onSubmit={submit} className="row" role="search">
        <Field label="Find a learner (id or name)">
          <input value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        <button type="submit">Find</button>
      </form>
      {list.isPending ? <Loading what="learners" /> : list.error ? <ErrorNote error={list.error} /> : list.data.items.length === 0 ? <Empty>No learner matches.</Empty> : (
        <div className="row wrap learners">
          {list.data.items.map((u) => (
            <button type="button" key={u.id} className={u.id === selected ? "chip selected" : "chip"} onClick={() => setSelected(u.id)}>
              {u.display_name ? `${u.display_name} (${u.id})` : u.id}
            </button>
          ))}
          {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>}
          {list.data.next_cursor && <button type="button" onClick={() => setCursors([...cursors, list.data.next_cursor ?? null])}>More</button>}
        </div>
      )}
      {selected && <Learner key={selected} id={selected} />}
    </div>
  );
}

function Learner({ id }: { id: string }) {
  const graph = useLearnerGraph();
  const mastery = useMastery(id);
  const [target, setTarget] = useState("");
  const gaps = useGaps(id, target);
  const paint = useMemo(() => masteryPaint(mastery.data ?? [], new Date()), [mastery.data]);
  const known = useMemo(() => new Set((mastery.data ?? []).map((m) => m.concept_id)), [mastery.data]);
  const nodes = useMemo(() => (graph.data?.concepts ?? []), [graph.data]);
  const edges = useMemo(() => (graph.data?.edges ?? []) as [string, string][], [graph.data]);
  return (
    <section className="stack" aria-label={`Learner ${id}`}>
      <h2>{id}</h2>
      <div className="split">
        <div>
          <h3>Mastery on the graph</h3>
          <p className="muted">Colour: mastery (red 0 → green 1); amber outline: due for review; grey: never practised ({nodes.length - known.size} concepts).</p>
          {graph.isPending || mastery.isPending ? <Loading what="mastery" /> : graph.error || mastery.error ? <ErrorNote error={graph.error ?? mastery.error} /> : (
            <GraphView nodes={nodes} edges={edges} paint={paint} selected={target || null} onSelect={(c) => setTarget(c ?? "")} highlight={(gaps.data ?? []).map((g) => g.concept_id)} label={`Mastery of ${id}`} />
          )}
        </div>
        <aside className="stack">
          <Field label="Gaps toward concept">
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">(choose a concept)</option>
              {nodes.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </Field>
          {target && (gaps.isPending ? <Loading what="gaps" /> : gaps.error ? <ErrorNote error={gaps.error} /> : gaps.data.length === 0 ? <Empty>No gaps: every prerequisite is mastered.</Empty> : (
            <ol aria-label="Gaps, root first">
              {gaps.data.map((g) => <li key={g.concept_id}>{g.name ?? g.concept_id} <span className="muted">level {num(g.level, 2)}, depth {g.depth}</span></li>)}
            </ol>
          ))}
          <StreakCalendar id={id} />
        </aside>
      </div>
      <Attempts id={id} />
      <Recommendations id={id} />
    </section>
  );
}

function StreakCalendar({ id }: { id: string }) {
  const streak = useStreak(id);
  if (streak.isPending) return <Loading what="the streak" />;
  if (streak.error) return <ErrorNote error={streak.error} />;
  const s: Streak = streak.data;
  const byDay = new Map(s.recent_days.map((d) => [d.day, d.questions]));
  const today = new Date(`${s.today.day}T00:00:00Z`);
  const days = Array.from({ length: 35 }, (_, i) => {
    const d = new Date(today);
    d.setUTCDate(today.getUTCDate() - (34 - i));
    return d.toISOString().slice(0, 10);
  });
  return (
    <div>
      <h3>Streak</h3>
      <p>Current {s.current} days · longest {s.longest} · today {s.today.questions}/{s.daily_goal} {s.goal_met ? "✓ goal met" : ""}</p>
      <div className="calendar" role="grid" aria-label="Practice over the last 5 weeks">
        {days.map((day) => {
          const n = byDay.get(day) ?? 0;
          return <span key={day} role="gridcell" className={n === 0 ? "day" : n >= s.daily_goal ? "day goal" : "day some"} title={`${day}: ${n} questions`} aria-label={`${day}: ${n} questions`} />;
        })}
      </div>
    </div>
  );
}

function Attempts({ id }: { id: string }) {
  const attempts = useAttempts(id);
  return (
    <div>
      <h3>Recent attempts</h3>
      {attempts.isPending ? <Loading what="attempts" /> : attempts.error ? <ErrorNote error={attempts.error} /> : attempts.data.length === 0 ? <Empty>No attempts yet.</Empty> : (
        <table>
          <thead><tr><th>when</th><th>question</th><th>correct</th><th>seconds</th></tr></thead>
          <tbody>
            {attempts.data.map((a) => (
              <tr key={a.id}><td>{when(a.at)}</td><td><code>{a.question_id}</code></td><td>{a.correct ? "✓" : "✗"}</td><td>{a.time_ms ? Math.round(a.time_ms / 1000) : "–"}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Recommendations({ id }: { id: string }) {
  const recs = useRecommendations(id);
  return (
    <div>
      <h3>Recent recommendations</h3>
      {recs.isPending ? <Loading what="recommendations" /> : recs.error ? <ErrorNote error={recs.error} /> : recs.data.length === 0 ? <Empty>None served yet.</Empty> : recs.data.map((r) => (
        <details key={r.id} className="card">
          <summary>{when(r.served_at)} · {r.items.length} items · model {r.model_version ?? "–"}{r.arm ? ` · arm ${r.arm}` : ""}</summary>
          <ol>
            {r.items.map((item) => {
              const it = item as unknown as { question_id: string; kind: string; p_correct: number; explanation?: { reasons?: string[]; confidence?: number } };
              return (
                <li key={it.question_id}>
                  <code>{it.question_id}</code> <span className="badge">{it.kind}</span> P = {num(it.p_correct, 2)}
                  <ul>{(it.explanation?.reasons ?? []).map((reason, i) => <li key={i}>{reason}</li>)}</ul>
                </li>
              );
            })}
          </ol>
        </details>
      ))}
    </div>
  );
}
