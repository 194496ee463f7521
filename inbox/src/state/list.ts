import type { ChannelName, ConversationStatus, InboxConversation, Message } from '../types.js';

/** What the conversation list shows; mirrors the query of `GET /api/v1/conversations`. */
export interface ListFilter {
  status: ConversationStatus;
  /** `me`, `unassigned` or `all`. */
  assignee: 'me' | 'unassigned' | 'all';
  inboxId: string;
  channel: ChannelName | '';
  teamId: string;
  intent: string;
  /** Only conversations waiting for a human to route them (`?triage=true`). */
  triage: boolean;
  sort: 'activity' | 'waiting';
}

export const DEFAULT_FILTER: ListFilter = { status: 'open', assignee: 'all', inboxId: '', channel: '', teamId: '', intent: '', triage: false, sort: 'activity' };

/** Query string for `GET /api/v1/conversations` (unknown keys are ignored by older servers). */
export function listQuery(f: ListFilter, cursor: string | null, limit = 25): string {
  const p = new URLSearchParams({ status: f.status, limit: String(limit), sort: f.sort });
  if (f.assignee !== 'all') p.set('assignee', f.assignee);
  if (f.inboxId) p.set('inboxId', f.inboxId);
  if (f.channel) p.set('channel', f.channel);
  if (f.teamId) p.set('teamId', f.teamId);
  if (f.intent) p.set('intent', f.intent);
  if (f.triage) p.set('triage', 'true');
  if (cursor) p.set('cursor', cursor);
  return p.toString();
}

/** True when `c` belongs in a list filtered by `f`, for the agent `meId`. */
export function matchesFilter(c: InboxConversation, f: ListFilter, meId: string): boolean {
  if (c.status !== f.status) return false;
  if (f.assignee === 'me' && c.assigneeId !== meId) return false;
  if (f.assignee === 'unassigned' && c.assigneeId !== null) return false;
  if (f.inboxId && c.inboxId !== f.inboxId) return false;
  if (f.channel && c.channel !== f.channel) return false;
  if (f.teamId && c.teamId !== f.teamId) return false;
  if (f.intent && c.intent !== f.intent) return false;
  if (f.triage && !c.triage) return false;
  return true;
}

const activity = (c: InboxConversation) => Date.parse(c.lastActivityAt ?? c.updatedAt) || 0;

/**
 * Orders a list: `activity` puts the latest activity first; `waiting` puts the conversation
 * that has waited longest (oldest activity) first. Ties break on id, so the order is stable.
 */
export function compareConversations(sort: ListFilter['sort']): (a: InboxConversation, b: InboxConversation) => number {
  return (a, b) => {
    const d = sort === 'waiting' ? activity(a) - activity(b) : activity(b) - activity(a);
    return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/** Whether `a` is not older than `b` (a live event never rolls a newer copy back). */
function newer(a: InboxConversation, b: InboxConversation): boolean {
  if (a.lastSeq !== b.lastSeq) return a.lastSeq > b.lastSeq;
  return (Date.parse(a.updatedAt) || 0) >= (Date.parse(b.updatedAt) || 0);
}

/**
 * Applies a live `conversation.updated` to a loaded list: updates it in place, inserts it
 * when it now matches, drops it when it no longer does, and keeps the order.
 */
export function applyConversation(list: readonly InboxConversation[], c: InboxConversation, f: ListFilter, meId: string): InboxConversation[] {
  const i = list.findIndex((x) => x.id === c.id);
  const existing = i >= 0 ? list[i] : undefined;
  const next = existing && !newer(c, existing) ? { ...c, ...existing, unreadCount: c.unreadCount ?? existing.unreadCount } : c;
  const rest = i >= 0 ? list.filter((x) => x.id !== c.id) : list.slice();
  if (!matchesFilter(next, f, meId)) return i >= 0 ? rest : list.slice();
  rest.push(next);
  return rest.sort(compareConversations(f.sort));
}

/** Appends a fetched page to a list, without duplicates, keeping the order. */
export function mergePage(list: readonly InboxConversation[], page: readonly InboxConversation[], sort: ListFilter['sort']): InboxConversation[] {
  const byId = new Map(list.map((c) => [c.id, c]));
  for (const c of page) {
    const old = byId.get(c.id);
    byId.set(c.id, old && newer(old, c) ? old : c);
  }
  return [...byId.values()].sort(compareConversations(sort));
}

/** One line of text for the list. */
export function preview(m: Message): string {
  const text = m.body || (m.attachments.length ? `📎 ${m.attachments.map((a) => a.name).join(', ')}` : '');
  return m.private ? `Note: ${text}` : text;
}
