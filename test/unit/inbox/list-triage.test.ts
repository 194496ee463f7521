import { describe, expect, it } from 'vitest';
import { applyConversation, DEFAULT_FILTER, listQuery, matchesFilter } from '../../../inbox/src/state/list.js';
import { conv } from './fixtures.js';

describe('conversation list: the Triage view', () => {
  const triage = { ...DEFAULT_FILTER, triage: true };

  it('asks the server for triage conversations only when the view is on', () => {
    expect(new URLSearchParams(listQuery(triage, null)).get('triage')).toBe('true');
    expect(new URLSearchParams(listQuery(DEFAULT_FILTER, null)).has('triage')).toBe(false);
  });

  it('matches only conversations waiting in triage, and every conversation when the view is off', () => {
    expect(matchesFilter(conv('a', { triage: true }), triage, 'me')).toBe(true);
    expect(matchesFilter(conv('b', { triage: false }), triage, 'me')).toBe(false);
    expect(matchesFilter(conv('b', { triage: false }), DEFAULT_FILTER, 'me')).toBe(true);
  });

  it('takes a conversation in when it enters triage live, and drops it once an agent sets its intent', () => {
    const at = '2025-01-01T10:05:00.000Z';
    const entered = applyConversation([], conv('a', { triage: true, updatedAt: at }), triage, 'me');
    expect(entered.map((c) => c.id)).toEqual(['a']);
    const corrected = conv('a', { triage: false, intent: 'order_status', intentConfidence: 1, updatedAt: '2025-01-01T10:06:00.000Z' });
    expect(applyConversation(entered, corrected, triage, 'me')).toEqual([]);
  });
});
