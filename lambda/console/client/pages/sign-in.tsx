import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.js';
import type { SessionInfo } from '../session.js';
import { Alert } from '../use-api.js';

/** The master key or an admin key; never kept by the page beyond this form. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: SessionInfo) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const session = await api<SessionInfo>('/sign-in', { method: 'POST', body: { key } });
      setKey('');
      onSignedIn(session);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>sagegate console</h1>
      <form onSubmit={submit}>
        <label for="key">API key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="current-password"
          required
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <p class="hint">
          The master key, or a key created with <code>npx sagegate keys create --admin</code>.
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <Alert message={error} />
      </form>
    </main>
  );
}
