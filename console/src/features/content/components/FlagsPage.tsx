import { Empty, ErrorNote, Loading } from "../../../components/Status";
import { when } from "../../../utils/format";
import { useFlags, useResolveFlag } from "../api/content";

/** Questions several learners reported broken, with the reports; editors mark them resolved. */
export function FlagsPage({ canResolve }: { canResolve: boolean }) {
  const flags = useFlags();
  const resolve = useResolveFlag();
  if (flags.isPending) return <Loading what="flags" />;
  if (flags.error) return <ErrorNote error={flags.error} />;
  if (flags.data.length === 0) return <Empty>No open flags: nothing reported broken.</Empty>;
  return (
    <div className="stack">
      <ErrorNote error={resolve.error} />
      <table>
        <thead><tr><th>Question</th><th>Text</th><th>Reports</th><th>Last</th><th>Reported by</th><th /></tr></thead>
        <tbody>
          {flags.data.map((f) => (
            <tr key={f.question_id}>
              <td><code>{f.question_id}</code></td>
              <td>{f.text}</td>
              <td>{f.reports}</td>
              <td>{when(f.last_reported)}</td>
              <td>{f.reported_by.map((r) => r.user_id).join(", ")}</td>
              <td>
                {canResolve && (
                  <button type="button" onClick={() => resolve.mutate(f.question_id)} disabled={resolve.isPending} aria-label={`Resolve ${f.question_id}`}>
                    Resolve
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
