import type { Message } from '../types.js';

/** What a reply shows of the message it answers: who wrote it and its first line. */
export interface ReplyQuote {
  seq: number;
  /** False when the message is not in the loaded part of the timeline (only its seq is known). */
  loaded: boolean;
  who: string;
  text: string;
  private: boolean;
}

/** "You" for this agent's own messages, else the sender's name (or "Customer" / the sender type). */
export function senderLabel(m: Pick<Message, 'sender'>, meId: string | null): string {
  const s = m.sender;
  if (s.type === 'agent' && s.id === meId) return 'You';
  return s.name ?? (s.type === 'contact' ? 'Customer' : s.type);
}

/**
 * The first non-empty line of a message, cut to `max` characters with "…"; a message with only
 * files shows their names.
 */
export function firstLine(m: Pick<Message, 'body' | 'attachments'>, max = 80): string {
  const line = m.body.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  const text = line || (m.attachments.length ? `📎 ${m.attachments.map((a) => a.name).join(', ')}` : '');
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** The message with this seq in a timeline ordered by seq (binary search), if loaded. */
export function findBySeq(messages: readonly Message[], seq: number): Message | undefined {
  let lo = 0;
  let hi = messages.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = messages[mid]!;
    if (m.seq === seq) return m;
    if (m.seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** The quote of message `seq` for a reply to it; an unloaded one is only "an earlier message". */
export function replyQuote(messages: readonly Message[], seq: number, meId: string | null): ReplyQuote {
  const m = findBySeq(messages, seq);
  if (!m) return { seq, loaded: false, who: 'An earlier message', text: '', private: false };
  return { seq, loaded: true, who: senderLabel(m, meId), text: firstLine(m), private: m.private };
}

/**
 * Why a message cannot be sent as an answer to `target`, or null when it can: only a private
 * note may answer a private note (the server refuses a public reply to one).
 */
export function replyBlocked(target: Pick<ReplyQuote, 'private'> | null, sendingPrivate: boolean): string | null {
  if (target?.private && !sendingPrivate) return 'A private note can only be answered with a private note: switch to Private note, or cancel the reply.';
  return null;
}
