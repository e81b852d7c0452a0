import { useState, type FormEvent } from "react";

import { ErrorNote } from "../../../components/Status";
import { api, unwrap } from "../../../lib/api";
import { clearKey, setKey } from "../../../lib/session";

/** Sign in with an API key: checked against /v1/me, then kept in sessionStorage. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setValue] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setKey(key.trim());
    try {
      await unwrap(api.GET("/v1/me"));
      onSignedIn();
    } catch (caught) {
      clearKey();
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <h1>learner-graph console</h1>
      <form onSubmit={submit}>
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setValue(e.target.value)}
            required
            autoFocus
          />
        </label>
        <button type="submit" disabled={busy || !key.trim()}>
          Sign in
        </button>
        <ErrorNote error={error} />
        <p className="muted">The key stays in this tab (sessionStorage) and is sent as a Bearer token.</p>
      </form>
    </main>
  );
}
