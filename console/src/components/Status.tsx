import type { ReactNode } from "react";

import { ApiError } from "../lib/api";

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An API error: its message, and every field it named. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {d.field && <code>{d.field}</code>} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The message an API error gave for one field, shown next to that field. */
export function FieldError({ error, field }: { error: unknown; field: string }) {
  const message = error instanceof ApiError ? error.forField(field) : undefined;
  return message ? (
    <span className="field-error" role="alert">
      {message}
    </span>
  ) : null;
}
