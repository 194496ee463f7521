import type { InboxConversation, Message } from '../types.js';

/**
 * Unread messages of `c` for this agent: the server's `unreadCount` when it sends one,
 * otherwise the messages after the highest seq this agent has read (`readSeq`).
 */
export function unreadCount(c: InboxConversation, readSeq: number | undefined): number {
  if (typeof c.unreadCount === 'number') return c.unreadCount;
  return Math.max(0, c.lastSeq - (readSeq ?? 0));
}

/** The new read mark after seeing `seq`; read marks never move backwards. */
export function advanceRead(current: number | undefined, seq: number): number {
  return Math.max(current ?? 0, seq);
}

/** A message the agent wrote itself counts as read up to its seq. */
export function readAfterOwnMessage(current: number | undefined, m: Message, meId: string): number | undefined {
  return m.sender.type === 'agent' && m.sender.id === meId ? advanceRead(current, m.seq) : current;
}

/** Sum of unread over a list (for the tab title). */
export function totalUnread(list: readonly InboxConversation[], readSeq: (id: string) => number | undefined): number {
  return list.reduce((n, c) => n + unreadCount(c, readSeq(c.id)), 0);
}
