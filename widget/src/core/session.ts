import { parseOutbox, putEntry, removeEntry, type OutboxEntry } from './outbox.js';
import type { InboxInfo, VisitorIdentity } from './types.js';

/** The part of `Storage` the widget uses, so tests and fallbacks can stand in for localStorage. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What survives a reload, per website token, shared by every tab of the site. */
export interface StoredSession {
  visitorId: string;
  token: string;
  contactId: string;
  inbox: InboxInfo | null;
  /** The identity the session was made for, so a refused token can be renewed for the same user. */
  identity: VisitorIdentity | null;
  conversationId: string | null;
  /** Highest seq seen in `conversationId`. */
  lastSeq: number;
  /** Highest seq the visitor has seen with the panel open. */
  readSeq: number;
  /** Unread agent messages, for the launcher badge before the app has loaded. */
  unread: number;
  /** The pre-chat form was filled (or not needed). */
  preChatDone: boolean;
}

/** localStorage key of the session; the loader reads it too. */
export const sessionKey = (websiteToken: string) => `switchboard:${websiteToken}:session`;
export const outboxKey = (websiteToken: string) => `switchboard:${websiteToken}:outbox`;

/** In-memory stand-in when localStorage is missing or throws (Safari private mode, sandboxed frames). */
export class MemoryStorage implements StorageLike {
  readonly #map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#map.set(key, value);
  }
  removeItem(key: string): void {
    this.#map.delete(key);
  }
}

/** Parses stored JSON, or null when it is missing or not an object. */
function readJson(storage: StorageLike, key: string): unknown {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    return null;
  }
}

const DEFAULTS = {
  contactId: '',
  inbox: null,
  identity: null,
  conversationId: null,
  lastSeq: 0,
  readSeq: 0,
  unread: 0,
  preChatDone: false,
};

function isSession(v: unknown): v is StoredSession {
  const s = v as StoredSession | null;
  return !!s && typeof s === 'object' && typeof s.visitorId === 'string' && typeof s.token === 'string';
}

/**
 * The visitor's session and outbox in storage. Every call reads and writes storage directly
 * (no cached copy), so several tabs can update it without overwriting each other's changes.
 * A storage that throws is replaced by memory for the rest of the page's life.
 */
export class SessionStore {
  #storage: StorageLike;

  constructor(
    storage: StorageLike | null,
    readonly websiteToken: string,
  ) {
    this.#storage = storage ?? new MemoryStorage();
  }

  /** The stored session, or null. */
  read(): StoredSession | null {
    const v = readJson(this.#storage, sessionKey(this.websiteToken));
    return isSession(v) ? { ...DEFAULTS, ...v } : null;
  }

  /**
   * Merges `patch` into the stored session (a patch without visitorId and token needs one to
   * exist). Within one conversation `lastSeq` and `readSeq` only grow, so a tab that is behind
   * cannot move another tab's progress back.
   */
  write(patch: Partial<StoredSession>): StoredSession | null {
    const cur = this.read();
    const next = { ...DEFAULTS, ...cur, ...patch };
    if (!isSession(next)) return null;
    if (cur && (patch.conversationId === undefined || patch.conversationId === cur.conversationId)) {
      next.lastSeq = Math.max(cur.lastSeq, next.lastSeq);
      next.readSeq = Math.max(cur.readSeq, next.readSeq);
    }
    this.#save(sessionKey(this.websiteToken), next);
    return next;
  }

  /** The unacknowledged messages, oldest first. */
  outbox(): OutboxEntry[] {
    return parseOutbox(readJson(this.#storage, outboxKey(this.websiteToken)));
  }

  putOutbox(entry: OutboxEntry): void {
    this.#save(outboxKey(this.websiteToken), putEntry(this.outbox(), entry));
  }

  removeOutbox(clientId: string): void {
    const list = this.outbox();
    const next = removeEntry(list, clientId);
    if (next.length !== list.length) this.#save(outboxKey(this.websiteToken), next);
  }

  /** Forgets the visitor (logout): session and outbox. */
  clear(): void {
    for (const key of [sessionKey(this.websiteToken), outboxKey(this.websiteToken)]) {
      try {
        this.#storage.removeItem(key);
      } catch {
        this.#fallBackToMemory();
      }
    }
  }

  #save(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    try {
      this.#storage.setItem(key, json);
    } catch {
      // Quota or a storage that refuses writes: keep working in memory.
      this.#fallBackToMemory();
      this.#storage.setItem(key, json);
    }
  }

  #fallBackToMemory(): void {
    if (this.#storage instanceof MemoryStorage) return;
    const mem = new MemoryStorage();
    for (const key of [sessionKey(this.websiteToken), outboxKey(this.websiteToken)]) {
      try {
        const v = this.#storage.getItem(key);
        if (v !== null) mem.setItem(key, v);
      } catch {
        // Unreadable too: start empty.
      }
    }
    this.#storage = mem;
  }
}

/** `window.localStorage`, or null when the page may not use it (the getter itself can throw). */
export function browserStorage(): StorageLike | null {
  try {
    const s = (globalThis as { localStorage?: StorageLike }).localStorage;
    if (!s) return null;
    const probe = '__switchboard_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null;
  }
}
