import { describe, expect, it } from 'vitest';
import { countUnread, entryFromMessage, highestSeq, mergeMessage, upsertLocal, type LogEntry } from '../../../widget/src/core/messages.js';
import { message, outboxEntry, visitorMessage } from './fixtures.js';

const seqs = (log: LogEntry[]) => log.map((e) => e.seq);

describe('mergeMessage', () => {
  it('orders stored messages by seq, whatever order they arrive in, and tolerates gaps', () => {
    let log: LogEntry[] = [];
    for (const seq of [3, 1, 7, 2]) log = mergeMessage(log, message(seq));
    expect(seqs(log)).toEqual([1, 2, 3, 7]);
  });

  it('changes nothing for a message it already has (created + sync + ack)', () => {
    const log = mergeMessage([], message(1));
    expect(mergeMessage(log, message(1))).toBe(log);
  });

  it('replaces the local entry of a send by its ack, keeping the render key', () => {
    let log = upsertLocal([], outboxEntry('x'));
    expect(log[0]).toMatchObject({ key: 'x', state: 'sending', seq: null, own: true });
    log = mergeMessage(log, visitorMessage(4, { id: 'm4' }), 'x');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ key: 'x', id: 'm4', seq: 4, state: 'sent', own: true });
  });

  it('drops the local entry when message.created came before the ack', () => {
    let log = upsertLocal([], outboxEntry('x'));
    log = mergeMessage(log, visitorMessage(4));
    expect(log).toHaveLength(2);
    log = mergeMessage(log, visitorMessage(4), 'x');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: 'm4', state: 'sent' });
  });

  it('adopts the matching local entry when the own message arrives live before its ack (never shown twice)', () => {
    let log = upsertLocal([], outboxEntry('x'));
    log = mergeMessage(log, visitorMessage(4, { id: 'm4', body: 'text of x' }));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ key: 'x', id: 'm4', clientId: 'x', seq: 4 });
    expect(upsertLocal(log, outboxEntry('x', { state: 'sending' }))).toBe(log);
    log = mergeMessage(log, visitorMessage(4, { id: 'm4', body: 'text of x' }), 'x');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ key: 'x', id: 'm4', state: 'sent' });
  });

  it('keeps local entries after every stored message', () => {
    let log = upsertLocal(mergeMessage([], message(1)), outboxEntry('x'));
    log = mergeMessage(log, message(2));
    expect(log.map((e) => e.key)).toEqual(['m1', 'm2', 'x']);
  });

  it('ignores private notes', () => {
    const log = mergeMessage([], message(1, { private: true }));
    expect(log).toEqual([]);
  });
});

describe('upsertLocal', () => {
  it('updates the state of a local entry in place', () => {
    let log = upsertLocal(upsertLocal([], outboxEntry('a')), outboxEntry('b'));
    log = upsertLocal(log, outboxEntry('a', { state: 'failed', error: 'SB_ERR_RATE_LIMITED' }));
    expect(log.map((e) => [e.key, e.state])).toEqual([
      ['a', 'failed'],
      ['b', 'sending'],
    ]);
    expect(log[0]!.error).toBe('SB_ERR_RATE_LIMITED');
  });

  it('does not bring back a send that is already acknowledged', () => {
    const acked = mergeMessage(upsertLocal([], outboxEntry('a')), visitorMessage(1), 'a');
    expect(upsertLocal(acked, outboxEntry('a', { state: 'failed' }))).toBe(acked);
  });
});

describe('highestSeq and countUnread', () => {
  it('counts only the other side’s messages after the read mark', () => {
    let log: LogEntry[] = [];
    for (const m of [message(1), visitorMessage(2), message(3), message(5)]) log = mergeMessage(log, m);
    log = upsertLocal(log, outboxEntry('x'));
    expect(highestSeq(log)).toBe(5);
    expect(countUnread(log, 0)).toBe(3);
    expect(countUnread(log, 3)).toBe(1);
    expect(countUnread(log, 5)).toBe(0);
    expect(highestSeq([])).toBe(0);
  });

  it('marks agent, bot and system messages as not own', () => {
    expect(entryFromMessage(message(1, { sender: { type: 'bot', id: 'b', name: 'Bot' } })).own).toBe(false);
    expect(entryFromMessage(message(1, { sender: { type: 'system', id: null, name: null } })).state).toBeNull();
    expect(entryFromMessage(visitorMessage(1)).state).toBe('sent');
  });
});
