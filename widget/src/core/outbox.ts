import type { Attachment } from './types.js';

/**
 * A message the visitor wrote that the server has not acknowledged yet. It carries its
 * `clientId` from the first try on, so sending it again (after a reconnect, from another tab,
 * or by "Retry") can never store it twice: the server answers a known clientId with the
 * original ack.
 */
export interface OutboxEntry {
  clientId: string;
  /** Null until the visitor's first message created the conversation. */
  conversationId: string | null;
  body: string;
  /** Already uploaded; only their ids go on the wire. */
  attachments: Attachment[];
  createdAt: string;
  /** `sending` goes out on every (re)connect; `failed` waits for "Retry". */
  state: 'sending' | 'failed';
  /** Why it failed, for the UI (a server error code or message). */
  error?: string;
}

/** The outbox with `entry` added, or replacing the entry with the same clientId in place. */
export function putEntry(list: readonly OutboxEntry[], entry: OutboxEntry): OutboxEntry[] {
  const i = list.findIndex((e) => e.clientId === entry.clientId);
  if (i < 0) return [...list, entry];
  const next = list.slice();
  next[i] = entry;
  return next;
}

/** The outbox without `clientId` (acknowledged or given up). */
export const removeEntry = (list: readonly OutboxEntry[], clientId: string): OutboxEntry[] =>
  list.filter((e) => e.clientId !== clientId);

/** Entries that go out on the next (re)connect, oldest first. */
export const dueForSend = (list: readonly OutboxEntry[]): OutboxEntry[] =>
  list.filter((e) => e.state === 'sending').sort((a, b) => a.createdAt.localeCompare(b.createdAt));

/** Drops anything in a stored outbox that is not a well-formed entry (storage is user-editable). */
export function parseOutbox(raw: unknown): OutboxEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (e): e is OutboxEntry =>
      !!e &&
      typeof e === 'object' &&
      typeof (e as OutboxEntry).clientId === 'string' &&
      typeof (e as OutboxEntry).body === 'string' &&
      Array.isArray((e as OutboxEntry).attachments) &&
      typeof (e as OutboxEntry).createdAt === 'string' &&
      ((e as OutboxEntry).state === 'sending' || (e as OutboxEntry).state === 'failed'),
  );
}

/** A fresh client id: random, so two tabs never collide. */
export function newClientId(random: () => number = Math.random): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}
