import { describe, expect, it } from 'vitest';
import { hasGap, highestSeq, isSystemEvent, mergeMessages, settleOutgoing } from '../../../inbox/src/state/timeline.js';
import { msg } from './fixtures.js';

describe('timeline merge', () => {
  it('orders by seq whatever order pages and live events arrive in', () => {
    const live = mergeMessages([], [msg(5)]);
    const withPage = mergeMessages(live, [msg(2), msg(3), msg(4)]);
    const earlier = mergeMessages(withPage, [msg(1)]);
    expect(earlier.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });
  it('keeps a seq once (a sync after reconnect repeats messages)', () => {
    const t = mergeMessages([msg(1), msg(2)], [msg(2), msg(3), msg(3)]);
    expect(t.map((m) => m.seq)).toEqual([1, 2, 3]);
  });
  it('returns the same array when nothing is new (no re-render)', () => {
    const t = [msg(1), msg(2)];
    expect(mergeMessages(t, [msg(2)])).toBe(t);
    expect(mergeMessages(t, [])).toBe(t);
  });
  it('knows the highest seq and spots holes', () => {
    expect(highestSeq([])).toBe(0);
    expect(highestSeq([msg(1), msg(4)])).toBe(4);
    expect(hasGap([msg(1), msg(2), msg(4)])).toBe(true);
    expect(hasGap([msg(3), msg(4)])).toBe(false);
  });
  it('settles outgoing messages the server stored', () => {
    const out = (clientId: string) => ({ clientId, body: 'x', private: false, attachmentIds: [], attachmentNames: [], state: 'sending' as const });
    expect(settleOutgoing([out('a'), out('b')], new Set(['a'])).map((o) => o.clientId)).toEqual(['b']);
  });
  it('tells system events from messages', () => {
    expect(isSystemEvent(msg(1, { sender: { type: 'system', id: null, name: null }, private: true }))).toBe(true);
    expect(isSystemEvent(msg(1))).toBe(false);
  });
});
