import type { ReactNode } from "react";

/** A labelled form control with room for the error the API names for it. */
export function Field({ label, children, error }: { label: string; children: ReactNode; error?: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {error}
    </label>
  );
}
