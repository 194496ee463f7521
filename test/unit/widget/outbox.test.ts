import { describe, expect, it } from 'vitest';
import { dueForSend, newClientId, parseOutbox, putEntry, removeEntry } from '../../../widget/src/core/outbox.js';
import { outboxEntry } from './fixtures.js';

describe('outbox', () => {
  it('adds entries and replaces one with the same clientId in place', () => {
    let list = putEntry([], outboxEntry('a'));
    list = putEntry(list, outboxEntry('b'));
    list = putEntry(list, outboxEntry('a', { state: 'failed' }));
    expect(list.map((e) => [e.clientId, e.state])).toEqual([
      ['a', 'failed'],
      ['b', 'sending'],
    ]);
  });

  it('removes by clientId', () => {
    const list = [outboxEntry('a'), outboxEntry('b')];
    expect(removeEntry(list, 'a').map((e) => e.clientId)).toEqual(['b']);
    expect(removeEntry(list, 'zzz')).toHaveLength(2);
  });

  it('sends only entries waiting to be sent, oldest first', () => {
    const list = [
      outboxEntry('late', { createdAt: '2026-01-01T13:00:02.000Z' }),
      outboxEntry('failed', { state: 'failed', createdAt: '2026-01-01T12:00:00.000Z' }),
      outboxEntry('early', { createdAt: '2026-01-01T13:00:01.000Z' }),
    ];
    expect(dueForSend(list).map((e) => e.clientId)).toEqual(['early', 'late']);
  });

  it('keeps only well-formed entries from storage', () => {
    const good = outboxEntry('a');
    expect(parseOutbox([good, null, 7, { clientId: 'b' }, { ...good, state: 'weird' }])).toEqual([good]);
    expect(parseOutbox({ not: 'a list' })).toEqual([]);
  });

  it('makes distinct client ids, with or without crypto.randomUUID', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClientId()));
    expect(ids.size).toBe(50);
    const saved = globalThis.crypto;
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    try {
      const a = newClientId();
      expect(a).toMatch(/^[0-9a-f]{32}$/);
      expect(newClientId()).not.toBe(a);
    } finally {
      Object.defineProperty(globalThis, 'crypto', { value: saved, configurable: true });
    }
  });
});
