import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadReadMarks, saveReadMarks } from '../../../inbox/src/state/read-marks.js';

declare global {
  // The inbox runs in a browser; Node 20 (and its types) have no Web Storage, so the test brings its own.
  var localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
}

/** A browser's localStorage; `blocked` makes every call throw (storage disabled), `full` only writes (quota). */
function stubStorage(opts: { blocked?: boolean; full?: boolean } = {}) {
  const items = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => {
      if (opts.blocked) throw new Error('SecurityError');
      return items.get(key) ?? null;
    },
    setItem: (key: string, value: string) => {
      if (opts.blocked || opts.full) throw new Error('QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key: string) => items.delete(key),
  });
  return items;
}

describe('read marks', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('come back for the same agent and are kept apart from other agents', () => {
    stubStorage();
    saveReadMarks('a1', { c1: 4, c2: 9 });
    saveReadMarks('a2', { c1: 1 });
    expect(loadReadMarks('a1')).toEqual({ c1: 4, c2: 9 });
    expect(loadReadMarks('a2')).toEqual({ c1: 1 });
    expect(loadReadMarks('a3')).toEqual({});
  });

  it('stay readable from the key earlier versions wrote', () => {
    const items = stubStorage();
    items.set('sb-inbox-read:a1', JSON.stringify({ c7: 3 }));
    expect(loadReadMarks('a1')).toEqual({ c7: 3 });
    saveReadMarks('a1', { c7: 5 });
    expect(JSON.parse(items.get('sb-inbox-read:a1')!)).toEqual({ c7: 5 });
  });

  it('start empty when what is stored is not JSON', () => {
    stubStorage().set('sb-inbox-read:a1', '{not json');
    expect(loadReadMarks('a1')).toEqual({});
  });

  it('live in memory only when storage is full or blocked, without breaking the inbox', () => {
    const full = stubStorage({ full: true });
    expect(() => saveReadMarks('a1', { c1: 2 })).not.toThrow();
    expect(full.size).toBe(0);

    stubStorage({ blocked: true });
    expect(() => saveReadMarks('a1', { c1: 2 })).not.toThrow();
    expect(loadReadMarks('a1')).toEqual({});
  });
});
