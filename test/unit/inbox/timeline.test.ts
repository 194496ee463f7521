import { describe, expect, it } from 'vitest';
import { hasGap, highestSeq, isSystemEvent, mergeMessages, settleEchoes, settleOutgoing, type Outgoing } from '../../../inbox/src/state/timeline.js';
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

describe('settleEchoes', () => {
  const out = (clientId: string, body: string, extra: Partial<Outgoing> = {}): Outgoing => ({
    clientId,
    body,
    private: false,
    attachmentIds: [],
    attachmentNames: [],
    state: 'sending',
    ...extra,
  });
  const mine = (seq: number, body: string, extra: Partial<Parameters<typeof msg>[1]> = {}) =>
    msg(seq, { direction: 'outbound', sender: { type: 'agent', id: 'me', name: 'Me' }, body, ...extra });

  it('drops the sending entry whose message arrived live before the send returned', () => {
    const pending = [out('a', 'hello'), out('b', 'second')];
    expect(settleEchoes(pending, [mine(5, 'hello')], 'me').map((p) => p.clientId)).toEqual(['b']);
  });

  it('leaves entries of other senders, other text, other privacy and failed ones alone', () => {
    const pending = [out('a', 'hello'), out('n', 'note', { private: true }), out('f', 'oops', { state: 'failed' })];
    const incoming = [
      msg(5, { body: 'hello', sender: { type: 'agent', id: 'colleague', name: 'C' } }),
      mine(6, 'note'),
      mine(7, 'oops'),
      mine(8, 'different'),
    ];
    expect(settleEchoes(pending, incoming, 'me')).toBe(pending);
    expect(settleEchoes(pending, [mine(9, 'hello')], null)).toBe(pending);
  });

  it('tells a reply to a message from the same text sent without one', () => {
    const pending = [out('plain', 'yes'), out('reply', 'yes', { replyToSeq: 2 })];
    expect(settleEchoes(pending, [mine(5, 'yes', { replyToSeq: 2 })], 'me').map((p) => p.clientId)).toEqual(['plain']);
    expect(settleEchoes(pending, [mine(5, 'yes')], 'me').map((p) => p.clientId)).toEqual(['reply']);
  });

  it('matches two identical sends one by one', () => {
    const pending = [out('a', 'ok'), out('b', 'ok')];
    expect(settleEchoes(pending, [mine(3, 'ok')], 'me').map((p) => p.clientId)).toEqual(['b']);
    expect(settleEchoes(pending, [mine(3, 'ok'), mine(4, 'ok')], 'me')).toEqual([]);
  });
});
