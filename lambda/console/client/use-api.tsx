import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, messageOf } from './api.js';

export interface Fetched<T> {
  data: T | undefined;
  error: string;
  setError: (message: string) => void;
  /** Fetches the path again (after a write); an error stays shown until the next change of path. */
  reload: () => Promise<void>;
}

/** One GET of the console's API, fetched again whenever the path changes; a late answer to an old path is dropped. */
export function useApi<T>(path: string): Fetched<T> {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState('');
  const load = useCallback(
    (current: () => boolean = () => true) =>
      api<T>(path).then(
        (d) => current() && setData(d),
        (e) => current() && setError(messageOf(e)),
      ),
    [path],
  );
  useEffect(() => {
    let current = true;
    setError('');
    load(() => current);
    return () => {
      current = false;
    };
  }, [load]);
  const reload = useCallback(() => load().then(() => undefined), [load]);
  return { data, error, setError, reload };
}

/** An error in words, announced to screen readers; nothing when there is none. */
export function Alert({ message }: { message: string }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}

/** What a page shows before its data: the error that stopped it, else that it is on its way. */
export function NotYet({ error }: { error: string }) {
  return error ? <Alert message={error} /> : <p aria-busy="true">Loading…</p>;
}
