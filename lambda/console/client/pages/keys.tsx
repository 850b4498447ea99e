import { useState } from 'preact/hooks';
import type { ListedKey } from '../../key-admin.js';
import { api, messageOf } from '../api.js';
import type { Budget } from '../figures.js';
import { dollars, when } from '../format.js';
import { Alert, NotYet, useApi } from '../use-api.js';

/** A key as the console's API lists it, with its spend. */
interface Key extends Omit<ListedKey, 'budget_start'> {
  spend_30d_usd: number;
  budget_status: Budget | null;
  last_used: string | null;
}

interface Listing {
  store: string | null;
  master: { stored: 'hash' | 'generated'; rotation: 'none' | 'pending' | 'invalid'; problem?: string } | null;
  keys: Key[];
  manage_keys: boolean;
  cli: Record<string, string>;
}

/** Every key; writes where the config allows them (ui.manage_keys), the CLI's commands where it does not. */
export function KeysPage() {
  const { data, error, setError, reload } = useApi<Listing>('/keys');
  const [shown, setShown] = useState<{ title: string; key: string } | undefined>();
  const act = async (work: () => Promise<void>) => {
    setError('');
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
    }
    await reload();
  };
  if (!data) return <NotYet error={error} />;
  if (!data.store)
    return (
      <section>
        <h1>Keys</h1>
        <p>This gateway has no key store (only the master key from its config), so there are no keys to list.</p>
      </section>
    );
  const writable = data.manage_keys;
  return (
    <section>
      <h1>Keys</h1>
      <Alert message={error} />
      {shown && <ShownOnce title={shown.title} value={shown.key} onDone={() => setShown(undefined)} />}
      {!writable && (
        <div class="notice">
          <p>
            Read-only: this console does not write the key store (<code>ui.manage_keys</code> is off). The CLI does:
          </p>
          <ul class="cli">
            {Object.entries(data.cli).map(([action, command]) => (
              <li key={action}>
                <code>{command}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {writable && (
        <CreateKey
          onCreate={(body) =>
            act(async () => {
              const created = await api<{ key: string; record: Key }>('/keys', { method: 'POST', body });
              setShown({ title: `Key ${created.record.id} (${created.record.name})`, key: created.key });
            })
          }
        />
      )}
      <div class="scroll">
        <table class="keys">
          <caption>{data.keys.length} key(s)</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Status</th>
              <th scope="col">Models</th>
              <th scope="col">Limits</th>
              <th scope="col">Budget</th>
              <th scope="col">Spend (30 d)</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              {writable && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {data.keys.map((k) => (
              <tr key={k.id} data-key-id={k.id}>
                <td>
                  <span class="key-name">{k.name}</span>
                  {k.admin && <span class="badge">admin</span>}
                  <br />
                  <small class="muted">{k.id}</small>
                </td>
                <td>
                  <code>{k.hint}</code>
                </td>
                <td>
                  <span class={`status ${k.status}`}>{k.status}</span>
                </td>
                <td>{k.models === '*' ? 'all' : k.models.join(', ')}</td>
                <td>{[k.rpm && `${k.rpm} rpm`, k.tpm && `${k.tpm} tpm`].filter(Boolean).join(', ') || '-'}</td>
                <td>
                  {k.budget_status
                    ? `${dollars(k.budget_status.spent_usd)} of ${dollars(k.budget_status.max_budget_usd)} / ${k.budget_status.budget_duration}`
                    : '-'}
                </td>
                <td class="num">{dollars(k.spend_30d_usd)}</td>
                <td>{k.last_used ? when(k.last_used.length === 13 ? `${k.last_used}:00Z` : k.last_used) : 'never (30 d)'}</td>
                <td>{when(k.expires_at)}</td>
                {writable && (
                  <td>
                    {k.status === 'active' && (
                      <KeyActions
                        k={k}
                        onUpdate={(body) => act(() => api(`/keys/${encodeURIComponent(k.id)}`, { method: 'PATCH', body }).then(() => undefined))}
                        onRevoke={() =>
                          act(() => api(`/keys/${encodeURIComponent(k.id)}/revoke`, { method: 'POST', body: {} }).then(() => undefined))
                        }
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data.master && (
        <MasterKey
          master={data.master}
          writable={writable}
          cli={data.cli}
          onStage={() =>
            act(async () => {
              const staged = await api<{ key: string }>('/master/stage', { method: 'POST', body: {} });
              setShown({ title: 'The new master key (staged: the old one still works until you finish)', key: staged.key });
            })
          }
          onFinish={() => act(() => api('/master/finish', { method: 'POST', body: {} }).then(() => undefined))}
          onAbort={() => act(() => api('/master/abort', { method: 'POST', body: {} }).then(() => undefined))}
        />
      )}
    </section>
  );
}

/** A key shown once, with a copy button; gone from the page once dismissed. */
function ShownOnce({ title, value, onDone }: { title: string; value: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="shown-once" role="status">
      <h2>{title}</h2>
      <p>Shown once: store it now. The console cannot show it again.</p>
      <p>
        <code class="secret">{value}</code>
      </p>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>{' '}
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

const numberOrUndefined = (text: string) => (text.trim() === '' ? undefined : Number(text));

function CreateKey({ onCreate }: { onCreate: (body: Record<string, unknown>) => void }) {
  const [form, setForm] = useState({ name: '', models: '', expires: '', rpm: '', tpm: '', budget: '', budget_duration: '', admin: false });
  const field = (name: keyof typeof form, label: string, hint = '') => (
    <label>
      {label}
      <input
        name={name}
        value={form[name] as string}
        placeholder={hint}
        required={name === 'name'}
        onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  const submit = (event: Event) => {
    event.preventDefault();
    const models = form.models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    onCreate({
      name: form.name,
      ...(models.length && { models }),
      ...(form.expires.trim() && { expires: form.expires.trim() }),
      ...(numberOrUndefined(form.rpm) !== undefined && { rpm: numberOrUndefined(form.rpm) }),
      ...(numberOrUndefined(form.tpm) !== undefined && { tpm: numberOrUndefined(form.tpm) }),
      ...(numberOrUndefined(form.budget) !== undefined && { budget: numberOrUndefined(form.budget) }),
      ...(form.budget_duration.trim() && { budget_duration: form.budget_duration.trim() }),
      ...(form.admin && { admin: true }),
    });
  };
  return (
    <form class="create-key" onSubmit={submit} aria-label="Create a key">
      <h2>Create a key</h2>
      <div class="fields">
        {field('name', 'Name', 'team-a')}
        {field('models', 'Models', 'all, or a,b')}
        {field('expires', 'Expires in', 'never, or 30d')}
        {field('rpm', 'Requests / min', 'none')}
        {field('tpm', 'Tokens / min', 'none')}
        {field('budget', 'Budget (USD)', 'none')}
        {field('budget_duration', 'Budget period', '1mo')}
        <label class="check">
          <input type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: (e.target as HTMLInputElement).checked })} /> May
          sign in to this console (admin)
        </label>
      </div>
      <button type="submit">Create key</button>
    </form>
  );
}

function KeyActions({ k, onUpdate, onRevoke }: { k: Key; onUpdate: (body: Record<string, unknown>) => void; onRevoke: () => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ rpm: String(k.rpm ?? ''), tpm: String(k.tpm ?? ''), budget: String(k.budget ?? '') });
  const value = (text: string, before: number | undefined) => (text.trim() === '' ? (before === undefined ? undefined : null) : Number(text));
  if (!open)
    return (
      <span class="actions">
        <button type="button" onClick={() => setOpen(true)}>
          Limits
        </button>{' '}
        <button
          type="button"
          class="danger"
          onClick={() => window.confirm(`Revoke ${k.name} (${k.id})? Its clients stop working within the key cache TTL.`) && onRevoke()}
        >
          Revoke
        </button>
      </span>
    );
  return (
    <form
      class="limits"
      onSubmit={(e) => {
        e.preventDefault();
        const body = { rpm: value(form.rpm, k.rpm), tpm: value(form.tpm, k.tpm), budget: value(form.budget, k.budget) };
        onUpdate(Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));
        setOpen(false);
      }}
    >
      {(['rpm', 'tpm', 'budget'] as const).map((name) => (
        <label key={name}>
          {name}
          <input size={6} value={form[name]} placeholder="none" onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })} />
        </label>
      ))}
      <button type="submit">Save</button>{' '}
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

function MasterKey(props: {
  master: NonNullable<Listing['master']>;
  writable: boolean;
  cli: Record<string, string>;
  onStage: () => void;
  onFinish: () => void;
  onAbort: () => void;
}) {
  const { master, writable, cli } = props;
  return (
    <div class="card master">
      <h2>Master key</h2>
      <p>
        {master.stored === 'generated' ? 'Generated by the stack and stored in the clear: rotate it to keep only its hash.' : 'Stored as a hash.'}{' '}
        {master.rotation === 'pending' && 'A rotation is pending: the old and the new master key both work.'}
        {master.rotation === 'invalid' && `A rotation is pending but its version is invalid (${master.problem}): abort it.`}
      </p>
      {writable ? (
        <p>
          {master.rotation === 'none' && (
            <button
              type="button"
              onClick={() => window.confirm('Stage a new master key? The old one keeps working until you finish.') && props.onStage()}
            >
              Rotate: stage a new master key
            </button>
          )}
          {master.rotation === 'pending' && (
            <button type="button" onClick={() => window.confirm('Finish the rotation? The old master key stops working.') && props.onFinish()}>
              Finish the rotation
            </button>
          )}{' '}
          {master.rotation !== 'none' && (
            <button type="button" class="danger" onClick={props.onAbort}>
              Abort the rotation
            </button>
          )}
        </p>
      ) : (
        <p>
          <code>{master.rotation === 'none' ? cli.stage : `${cli.finish}   |   ${cli.abort}`}</code>
        </p>
      )}
    </div>
  );
}
