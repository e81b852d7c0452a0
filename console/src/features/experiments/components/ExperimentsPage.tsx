import { useState } from "react";
import { Link } from "react-router-dom";

import { Empty, ErrorNote, Loading } from "../../../components/Status";
import { when } from "../../../utils/format";
import { useExperiments } from "../api/experiments";
import { ExperimentForm } from "./ExperimentForm";

/** Experiments with status, dates and arms; experimenters create new ones. */
export function ExperimentsPage({ canEdit }: { canEdit: boolean }) {
  const list = useExperiments();
  const [creating, setCreating] = useState(false);
  return (
    <div className="stack">
      {canEdit && !creating && (
        <button type="button" onClick={() => setCreating(true)}>
          New experiment
        </button>
      )}
      {creating && <ExperimentForm onDone={() => setCreating(false)} />}
      {list.isPending ? <Loading what="experiments" /> : list.error ? <ErrorNote error={list.error} /> : list.data.length === 0 ? <Empty>No experiments yet.</Empty> : (
        <table>
          <thead>
            <tr><th>Key</th><th>Status</th><th>Start</th><th>End</th><th>Coverage</th><th>Arms</th></tr>
          </thead>
          <tbody>
            {list.data.map((e) => (
              <tr key={e.key}>
                <td><Link to={`/experiments/${e.key}`}>{e.key}</Link></td>
                <td><span className={`badge ${e.status}`}>{e.status}</span></td>
                <td>{when(e.start)}</td>
                <td>{when(e.end)}</td>
                <td>{Math.round((e.coverage ?? 1) * 100)}%</td>
                <td>{e.arms.map((a) => `${a.name} ${Math.round(a.weight * 100)}%`).join(" · ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
