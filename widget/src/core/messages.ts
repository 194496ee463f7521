import type { OutboxEntry } from './outbox.js';
import type { Attachment, Message, Sender } from './types.js';

export type DeliveryState = 'sending' | 'sent' | 'failed';

/** One line of the chat log: a stored message, or one of the visitor's not yet acknowledged. */
export interface LogEntry {
  /** Stable render key: the clientId for the visitor's own sends, else the message id. */
  key: string;
  id: string | null;
  clientId: string | null;
  /** Null while the message is only local. */
  seq: number | null;
  /** Written by the visitor (the conversation's contact). */
  own: boolean;
  sender: Sender;
  body: string;
  attachments: Attachment[];
  createdAt: string;
  /** Delivery state of the visitor's own messages; null for everyone else's. */
  state: DeliveryState | null;
  error?: string;
}

/** A log entry for a stored message. */
export function entryFromMessage(m: Message, key?: string, clientId?: string): LogEntry {
  const own = m.sender.type === 'contact';
  return {
    key: key ?? m.id,
    id: m.id,
    clientId: clientId ?? null,
    seq: m.seq,
    own,
    sender: m.sender,
    body: m.body,
    attachments: m.attachments ?? [],
    createdAt: m.createdAt,
    state: own ? 'sent' : null,
  };
}

/** A log entry for an outbox entry (the visitor's message on its way). */
export function entryFromOutbox(o: OutboxEntry): LogEntry {
  return {
    key: o.clientId,
    id: null,
    clientId: o.clientId,
    seq: null,
    own: true,
    sender: { type: 'contact', id: null, name: null },
    body: o.body,
    attachments: o.attachments,
    createdAt: o.createdAt,
    state: o.state,
    ...(o.error !== undefined ? { error: o.error } : {}),
  };
}

const sameFiles = (a: readonly Attachment[], b: readonly Attachment[]) => a.length === b.length && a.every((x, i) => x.id === b[i]!.id);

/**
 * Puts a stored message into the log. The same message can arrive as `message.ack`, as
 * `message.created` and again through `sync`: a known id changes nothing (the same array is
 * returned), and an ack (`clientId` given) replaces the local entry of that send, keeping its
 * render key. Stored messages are ordered by seq; local ones stay after them in send order.
 * Seq gaps are normal (private notes are hidden from visitors).
 */
export function mergeMessage(log: readonly LogEntry[], m: Message, clientId?: string): LogEntry[] {
  if (m.private) return log as LogEntry[];
  const known = log.some((e) => e.id === m.id);
  // The visitor's own send may arrive live before its ack: adopt the local copy it matches
  // (same text and files), as the ack would, instead of showing the message twice until then.
  const local = clientId
    ? log.find((e) => e.clientId === clientId && e.id === null)
    : m.sender.type === 'contact'
      ? log.find((e) => e.id === null && e.own && e.body === m.body && sameFiles(e.attachments, m.attachments))
      : undefined;
  if (known) {
    if (!clientId) return log as LogEntry[];
    // message.created came first: drop the local copy, remember the clientId on the stored one.
    return log.filter((e) => e !== local).map((e) => (e.id === m.id ? { ...e, clientId } : e));
  }
  const entry = entryFromMessage(m, local?.key, clientId ?? local?.clientId ?? undefined);
  const rest = local ? log.filter((e) => e !== local) : log.slice();
  // Insert after the last stored message with a lower seq; local entries come after all stored ones.
  let at = 0;
  for (let i = 0; i < rest.length; i++) {
    const s = rest[i]!.seq;
    if (s !== null && s < m.seq) at = i + 1;
  }
  rest.splice(at, 0, entry);
  return rest;
}

/** Adds or updates the local entry of an outbox entry (state changes, Retry). */
export function upsertLocal(log: readonly LogEntry[], o: OutboxEntry): LogEntry[] {
  // Already acknowledged (the ack beat this update): nothing to show twice.
  if (log.some((e) => e.clientId === o.clientId && e.id !== null)) return log as LogEntry[];
  const entry = entryFromOutbox(o);
  const i = log.findIndex((e) => e.clientId === o.clientId);
  if (i < 0) return [...log, entry];
  const next = log.slice();
  next[i] = entry;
  return next;
}

/** Highest seq in the log (0 when empty). */
export const highestSeq = (log: readonly LogEntry[]): number => log.reduce((max, e) => Math.max(max, e.seq ?? 0), 0);

/** Messages from the other side (agents, bots, system) the visitor has not read yet. */
export const countUnread = (log: readonly LogEntry[], readSeq: number): number =>
  log.filter((e) => !e.own && e.seq !== null && e.seq > readSeq).length;

/** The name the log last shows for sender `id` ('' when it shows none). */
export function senderName(log: readonly LogEntry[], id: string): string {
  for (let i = log.length - 1; i >= 0; i--) {
    const s = log[i]!.sender;
    if (s.id === id && s.name) return s.name;
  }
  return '';
}
