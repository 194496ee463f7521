import type { Message } from '../types.js';

/** A message being sent from this inbox, before the server stored it. */
export interface Outgoing {
  clientId: string;
  body: string;
  private: boolean;
  attachmentIds: string[];
  attachmentNames: string[];
  /** The seq of the message this one answers, when the agent chose "Reply to this message". */
  replyToSeq?: number;
  state: 'sending' | 'failed';
  error?: string;
}

/**
 * Merges messages into a timeline ordered by seq: a seq seen before is kept once (the
 * server's copy of a seq never changes), whatever order pages and live events arrive in.
 */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const bySeq = new Map<number, Message>();
  for (const m of current) bySeq.set(m.seq, m);
  let changed = false;
  for (const m of incoming) {
    if (!bySeq.has(m.seq)) {
      bySeq.set(m.seq, m);
      changed = true;
    }
  }
  if (!changed) return current as Message[];
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Highest seq held, 0 for none. */
export function highestSeq(messages: readonly Message[]): number {
  return messages.length ? messages[messages.length - 1]!.seq : 0;
}

/** True when seqs from the first held one up to the last have no holes (a sync is needed otherwise). */
export function hasGap(messages: readonly Message[]): boolean {
  for (let i = 1; i < messages.length; i++) if (messages[i]!.seq !== messages[i - 1]!.seq + 1) return true;
  return false;
}

/** Drops outgoing entries the server has now stored (matched by clientId). */
export function settleOutgoing(pending: readonly Outgoing[], storedClientIds: ReadonlySet<string>): Outgoing[] {
  return pending.filter((p) => !storedClientIds.has(p.clientId));
}

/** A system event (assignment, status change…) shows as an inline line, not a bubble. */
export const isSystemEvent = (m: Message): boolean => m.sender.type === 'system';

/**
 * Drops the outgoing entries that `incoming` shows stored: the live echo of this agent's own
 * message can arrive before the send request returns, and the two must not both show. A
 * message matches the oldest sending entry with the same text, privacy, number of files and
 * reply target.
 */
export function settleEchoes(pending: readonly Outgoing[], incoming: readonly Message[], myId: string | null): Outgoing[] {
  if (!myId || pending.length === 0) return pending as Outgoing[];
  let left = [...pending];
  for (const m of incoming) {
    if (m.sender.type !== 'agent' || m.sender.id !== myId) continue;
    const i = left.findIndex((p) => p.state === 'sending' && p.body === m.body && p.private === m.private && p.attachmentIds.length === m.attachments.length && p.replyToSeq === m.replyToSeq);
    if (i >= 0) left = [...left.slice(0, i), ...left.slice(i + 1)];
  }
  return left.length === pending.length ? (pending as Outgoing[]) : left;
}
