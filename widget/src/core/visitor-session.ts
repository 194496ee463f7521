import { ApiError, type WidgetApi } from './api.js';
import type { SessionStore, StoredSession } from './session.js';
import type { VisitorIdentity } from './types.js';

/** A refused token renews the session at most this often, so a broken proxy cannot make us mint sessions in a loop. */
const RENEW_INTERVAL_MS = 30_000;

export interface VisitorSessionDeps {
  websiteToken: string;
  api: WidgetApi;
  store: SessionStore;
  now: () => number;
  /** The server put us on another contact (first visit, unknown visitor id, a new identity): old history is not ours. */
  onNewContact: () => void;
}

/** What `setUser` means for the current session. */
export type IdentityChange = 'same' | 'details' | 'identify' | 'other-user';

/**
 * The visitor's session with the hub: created on first use, reused from storage across reloads
 * and tabs, renewed with the stored visitor id when the server refuses the token.
 */
export class VisitorSession {
  current: StoredSession | null = null;
  /** The identity the host page gave with `setUser` (kept across renewals). */
  identity: VisitorIdentity | null = null;
  #tokenSuspect = false;
  #renewWanted = false;
  #lastRenewAt = -Infinity;
  #inFlight: Promise<StoredSession> | null = null;

  readonly #deps: VisitorSessionDeps;

  constructor(deps: VisitorSessionDeps) {
    this.#deps = deps;
  }

  /** Takes the stored session, unless it belongs to another user than `identity`. */
  load(): StoredSession | null {
    const stored = this.#deps.store.read();
    if (stored?.identity && this.identity && stored.identity.id !== this.identity.id) this.#deps.store.clear();
    this.current = this.#deps.store.read();
    // Identifying an anonymous visitor, a new hash or new details: the session request carries them.
    if (this.current && this.identity && this.classify(this.identity) !== 'same') this.#renewWanted = true;
    return this.current;
  }

  /** Re-reads storage after another tab changed it. */
  reload(): StoredSession | null {
    this.current = this.#deps.store.read();
    return this.current;
  }

  /** How `identity` relates to the current session. */
  classify(identity: VisitorIdentity): IdentityChange {
    const cur = this.current?.identity;
    if (!cur) return 'identify';
    if (cur.id !== identity.id) return 'other-user';
    if (cur.hash !== identity.hash) return 'identify';
    return cur.name === identity.name && cur.email === identity.email ? 'same' : 'details';
  }

  /** The next `ensure()` asks the server for a new session (keeping the visitor id). */
  renewSoon(): void {
    this.#renewWanted = true;
  }

  /** A socket closed before `hello`: the server may have refused the token. */
  suspectToken(): void {
    this.#tokenSuspect = true;
  }

  /** Merges `patch` into the stored session. */
  update(patch: Partial<StoredSession>): void {
    this.current = this.#deps.store.write(patch) ?? this.current;
  }

  /** Forgets the session and outbox (logout, or another user). */
  forget(): void {
    this.#deps.store.clear();
    this.current = null;
    this.#tokenSuspect = this.#renewWanted = false;
    this.#lastRenewAt = -Infinity;
  }

  /**
   * The current session, created or renewed when needed. Throws ApiError or NetworkError.
   * Callers that ask at the same time share one request: two racing requests would make two
   * contacts, and an upload made with one token could not be attached by the other.
   */
  ensure(): Promise<StoredSession> {
    const cur = this.current;
    const renewDue = this.#tokenSuspect && this.#deps.now() - this.#lastRenewAt >= RENEW_INTERVAL_MS;
    if (cur && !this.#renewWanted && !renewDue) return Promise.resolve(cur);
    this.#inFlight ??= this.#request().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  async #request(): Promise<StoredSession> {
    const cur = this.current;
    const identity = this.identity ?? cur?.identity ?? null;
    const res = await this.#deps.api.createSession({
      inbox: this.#deps.websiteToken,
      ...(cur ? { visitorId: cur.visitorId } : {}),
      ...(identity ? { identity } : {}),
    });
    this.#lastRenewAt = this.#deps.now();
    this.#tokenSuspect = this.#renewWanted = false;
    const sameContact = cur?.contactId === res.contactId;
    const fresh = sameContact ? {} : { conversationId: null, lastSeq: 0, readSeq: 0, unread: 0, preChatDone: false };
    if (!sameContact) this.#deps.onNewContact();
    this.update({ ...fresh, visitorId: res.visitorId, token: res.token, contactId: res.contactId, inbox: res.inbox, identity });
    return this.current!;
  }

  /** Runs an authenticated HTTP call, renewing the session once when the token is refused. */
  async authed<T>(call: (token: string) => Promise<T>): Promise<T> {
    const s = await this.ensure();
    try {
      return await call(s.token);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      this.#renewWanted = true;
      return call((await this.ensure()).token);
    }
  }
}
