import { createHash } from 'node:crypto';
import { newCsrfToken } from './csrf.js';
import { newSessionId, openSessionCookie, sealSessionId } from './session-cookie.js';
import type { SessionRecord, SessionStore } from './session-store.js';

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

/** A session found valid for this request. */
export interface ActiveSession extends SessionRecord {
  idHash: string;
}

/** Activity is written at most this often: the idle timeout is kept to within a minute without a write per request. */
const TOUCH_EVERY_MS = 60_000;

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * The console's sessions: opened at sign-in with a new id (never one the browser brought: no
 * fixation), checked on every request against the idle and absolute timeouts (server-side, whatever
 * the cookie says), ended at sign-out.
 */
export class Sessions {
  constructor(
    private readonly store: SessionStore,
    private readonly secret: () => Promise<Buffer>,
    private readonly timeouts: SessionTimeouts,
  ) {}

  /** A new session for who signed in; returns the sealed cookie value and the session's CSRF token. */
  async open(principal: string, fingerprint: string, now = Date.now()): Promise<{ cookie: string; csrf: string }> {
    const id = newSessionId();
    const csrf = newCsrfToken();
    await this.store.create(hashOf(id), { principal, fingerprint, csrf, createdAt: now, lastSeenAt: now }, now + this.timeouts.absoluteMs);
    return { cookie: sealSessionId(id, await this.secret()), csrf };
  }

  /** The session a cookie names, if it is sealed by us, known, and within both timeouts. */
  async check(cookie: string | undefined, now = Date.now()): Promise<ActiveSession | undefined> {
    const id = openSessionCookie(cookie, await this.secret());
    if (!id) return undefined;
    const idHash = hashOf(id);
    const session = await this.store.get(idHash);
    if (!session) return undefined;
    if (now - session.createdAt >= this.timeouts.absoluteMs || now - session.lastSeenAt >= this.timeouts.idleMs) {
      await this.store.end(idHash);
      return undefined;
    }
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await this.store.touch(idHash, now);
    return { ...session, idHash };
  }

  /** Ends the session a cookie names (sign-out), if any. */
  async end(cookie: string | undefined): Promise<void> {
    const id = openSessionCookie(cookie, await this.secret());
    if (id) await this.store.end(hashOf(id));
  }

  async endSession(session: ActiveSession): Promise<void> {
    await this.store.end(session.idHash);
  }
}
