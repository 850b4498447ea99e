import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, whenSignedOut } from './api.js';
import { KeysPage } from './pages/keys.js';
import { ModelsPage } from './pages/models.js';
import { OverviewPage } from './pages/overview.js';
import { SignIn } from './pages/sign-in.js';
import { UsagePage } from './pages/usage.js';
import type { SessionInfo } from './session.js';

const PAGES = [
  { id: 'overview', label: 'Overview', Page: OverviewPage },
  { id: 'usage', label: 'Usage', Page: UsagePage },
  { id: 'keys', label: 'Keys', Page: KeysPage },
  { id: 'models', label: 'Models', Page: ModelsPage },
] as const;

const pageOf = () => PAGES.find((p) => `#/${p.id}` === window.location.hash) ?? PAGES[0];

/** The shell: sign-in until there is a session, then the pages (one per `#/name`) and sign-out. */
export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [page, setPage] = useState(pageOf());
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    api<SessionInfo>('/session').then(
      (s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      },
      () => setSession(null),
    );
    const onHash = () => setPage(pageOf());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (session === undefined) return <p aria-busy="true">Loading…</p>;
  if (session === null)
    return (
      <SignIn
        onSignedIn={(s) => {
          setCsrfToken(s.csrf_token);
          setSession(s);
        }}
      />
    );
  const signOut = async () => {
    await api('/sign-out', { method: 'POST', body: {} }).catch(() => undefined);
    setCsrfToken('');
    setSession(null);
  };
  const { Page } = page;
  return (
    <>
      <header>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <span class="brand">sagegate</span>
        <nav aria-label="Console pages">
          {PAGES.map((p) => (
            <a key={p.id} href={`#/${p.id}`} aria-current={p.id === page.id ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.principal === 'master' ? 'master key' : session.principal}{' '}
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </>
  );
}
