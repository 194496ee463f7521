import { describe, expect, it } from 'vitest';
import { applyConversation, compareConversations, DEFAULT_FILTER, listQuery, matchesFilter, mergePage } from '../../../inbox/src/state/list.js';
import { conv } from './fixtures.js';

const at = (min: number) => new Date(Date.UTC(2025, 0, 1, 10, min)).toISOString();

describe('conversation list: live merge and sort', () => {
  const f = DEFAULT_FILTER;

  it('inserts a new matching conversation in activity order', () => {
    const list = [conv('a', { lastActivityAt: at(5) }), conv('b', { lastActivityAt: at(1) })];
    const next = applyConversation(list, conv('c', { lastActivityAt: at(3) }), f, 'me');
    expect(next.map((c) => c.id)).toEqual(['a', 'c', 'b']);
  });

  it('moves an updated conversation to the top on new activity', () => {
    const list = [conv('a', { lastActivityAt: at(5) }), conv('b', { lastActivityAt: at(1) })];
    const next = applyConversation(list, conv('b', { lastActivityAt: at(9), lastSeq: 2 }), f, 'me');
    expect(next.map((c) => c.id)).toEqual(['b', 'a']);
    expect(next).toHaveLength(2);
  });

  it('drops a conversation that no longer matches (resolved from the open list)', () => {
    const list = [conv('a'), conv('b')];
    expect(applyConversation(list, conv('a', { status: 'resolved', updatedAt: at(30) }), f, 'me').map((c) => c.id)).toEqual(['b']);
  });

  it('ignores an update for a conversation that never matched', () => {
    const list = [conv('a')];
    expect(applyConversation(list, conv('z', { status: 'resolved' }), f, 'me')).toEqual(list);
  });

  it('never rolls a newer copy back to an older one', () => {
    const list = [conv('a', { lastSeq: 5, updatedAt: at(10), priority: 'high' })];
    const next = applyConversation(list, conv('a', { lastSeq: 4, updatedAt: at(5), priority: 'low' }), f, 'me');
    expect(next[0]!.priority).toBe('high');
    expect(next[0]!.lastSeq).toBe(5);
  });

  it('matches the Mine / Unassigned / team / inbox / channel / intent filters', () => {
    const c = conv('a', { assigneeId: 'me', teamId: 't1', intent: 'refund' });
    expect(matchesFilter(c, { ...f, assignee: 'me' }, 'me')).toBe(true);
    expect(matchesFilter(c, { ...f, assignee: 'me' }, 'other')).toBe(false);
    expect(matchesFilter(c, { ...f, assignee: 'unassigned' }, 'me')).toBe(false);
    expect(matchesFilter(c, { ...f, teamId: 't2' }, 'me')).toBe(false);
    expect(matchesFilter(c, { ...f, inboxId: 'in2' }, 'me')).toBe(false);
    expect(matchesFilter(c, { ...f, channel: 'telegram' }, 'me')).toBe(false);
    expect(matchesFilter(c, { ...f, intent: 'refund' }, 'me')).toBe(true);
    expect(matchesFilter(c, { ...f, intent: 'billing' }, 'me')).toBe(false);
  });

  it('sorts by waiting time: the longest-waiting first; ties break on id', () => {
    const items = [conv('b', { lastActivityAt: at(5) }), conv('a', { lastActivityAt: at(5) }), conv('c', { lastActivityAt: at(1) })];
    expect(items.slice().sort(compareConversations('waiting')).map((c) => c.id)).toEqual(['c', 'a', 'b']);
    expect(items.slice().sort(compareConversations('activity')).map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });

  it('appends a page without duplicates', () => {
    const merged = mergePage([conv('a', { lastActivityAt: at(9) }), conv('b', { lastActivityAt: at(8) })], [conv('b', { lastActivityAt: at(8) }), conv('c', { lastActivityAt: at(2) })], 'activity');
    expect(merged.map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });

  it('builds the list query, leaving out empty filters', () => {
    expect(listQuery(f, null)).toBe('status=open&limit=25&sort=activity');
    const q = new URLSearchParams(listQuery({ ...f, assignee: 'me', channel: 'email', intent: 'refund', sort: 'waiting' }, 'CUR', 10));
    expect(Object.fromEntries(q)).toEqual({ status: 'open', limit: '10', sort: 'waiting', assignee: 'me', channel: 'email', intent: 'refund', cursor: 'CUR' });
  });
});
