/** One signed-in admin, as the store keeps it. */
export interface SessionRecord {
  /** `master`, or the admin key's id. */
  principal: string;
  /** HMAC of the key digest signed in with: the session ends once that key no longer signs in (rotated, revoked). */
  fingerprint: string;
  /** The per-session CSRF token every write must carry. */
  csrf: string;
  /** Epoch ms. */
  createdAt: number;
  lastSeenAt: number;
}

/**
 * Where sessions live: one process's memory, or the usage table (shared by every container). Keyed
 * by the SHA-256 of the session id; ended sessions are marked, and expire by TTL.
 */
export interface SessionStore {
  create(idHash: string, session: SessionRecord, expiresAt: number): Promise<void>;
  get(idHash: string): Promise<SessionRecord | undefined>;
  /** Records activity (for the idle timeout). */
  touch(idHash: string, at: number): Promise<void>;
  end(idHash: string): Promise<void>;
}

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, { session: SessionRecord; expiresAt: number }>();

  async create(idHash: string, session: SessionRecord, expiresAt: number): Promise<void> {
    const now = Date.now();
    for (const [key, entry] of this.sessions) if (entry.expiresAt <= now) this.sessions.delete(key);
    this.sessions.set(idHash, { session: { ...session }, expiresAt });
  }

  async get(idHash: string): Promise<SessionRecord | undefined> {
    const entry = this.sessions.get(idHash);
    return entry && entry.expiresAt > Date.now() ? { ...entry.session } : undefined;
  }

  async touch(idHash: string, at: number): Promise<void> {
    const entry = this.sessions.get(idHash);
    if (entry) entry.session.lastSeenAt = at;
  }

  async end(idHash: string): Promise<void> {
    this.sessions.delete(idHash);
  }
}
