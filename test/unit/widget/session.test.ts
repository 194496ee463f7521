import { describe, expect, it } from 'vitest';
import { MemoryStorage, SessionStore, outboxKey, sessionKey, type StorageLike } from '../../../widget/src/core/session.js';
import { outboxEntry } from './fixtures.js';

const base = { visitorId: 'v1', token: 't1', contactId: 'k1' };

describe('SessionStore', () => {
  it('has nothing until a session is written, and refuses a patch without one', () => {
    const store = new SessionStore(new MemoryStorage(), 'site');
    expect(store.read()).toBeNull();
    expect(store.write({ lastSeq: 3 })).toBeNull();
    expect(store.read()).toBeNull();
  });

  it('round-trips a session through storage with defaults filled in', () => {
    const storage = new MemoryStorage();
    new SessionStore(storage, 'site').write(base);
    const again = new SessionStore(storage, 'site').read();
    expect(again).toMatchObject({ ...base, conversationId: null, lastSeq: 0, readSeq: 0, unread: 0, preChatDone: false, inbox: null });
    expect(storage.getItem(sessionKey('site'))).toContain('"visitorId":"v1"');
  });

  it('keeps sessions of different website tokens apart', () => {
    const storage = new MemoryStorage();
    new SessionStore(storage, 'a').write(base);
    expect(new SessionStore(storage, 'b').read()).toBeNull();
  });

  it('never moves seq marks back within a conversation (a tab that is behind)', () => {
    const storage = new MemoryStorage();
    const tabA = new SessionStore(storage, 'site');
    const tabB = new SessionStore(storage, 'site');
    tabA.write({ ...base, conversationId: 'c1', lastSeq: 9, readSeq: 7 });
    tabB.write({ lastSeq: 4, readSeq: 2 });
    expect(tabA.read()).toMatchObject({ lastSeq: 9, readSeq: 7 });
  });

  it('starts seq marks afresh for another conversation', () => {
    const store = new SessionStore(new MemoryStorage(), 'site');
    store.write({ ...base, conversationId: 'c1', lastSeq: 9, readSeq: 9 });
    store.write({ conversationId: 'c2', lastSeq: 0, readSeq: 0 });
    expect(store.read()).toMatchObject({ conversationId: 'c2', lastSeq: 0, readSeq: 0 });
  });

  it('keeps an outbox that survives reloads and is shared by tabs', () => {
    const storage = new MemoryStorage();
    const tabA = new SessionStore(storage, 'site');
    const tabB = new SessionStore(storage, 'site');
    tabA.putOutbox(outboxEntry('a'));
    tabB.putOutbox(outboxEntry('b'));
    expect(tabA.outbox().map((e) => e.clientId)).toEqual(['a', 'b']);
    tabA.removeOutbox('b');
    expect(tabB.outbox().map((e) => e.clientId)).toEqual(['a']);
  });

  it('forgets session and outbox on clear', () => {
    const storage = new MemoryStorage();
    const store = new SessionStore(storage, 'site');
    store.write(base);
    store.putOutbox(outboxEntry('a'));
    store.clear();
    expect(store.read()).toBeNull();
    expect(store.outbox()).toEqual([]);
    expect(storage.getItem(outboxKey('site'))).toBeNull();
  });

  it('treats corrupt storage as empty', () => {
    const storage = new MemoryStorage();
    storage.setItem(sessionKey('site'), '{not json');
    storage.setItem(outboxKey('site'), '"a string"');
    const store = new SessionStore(storage, 'site');
    expect(store.read()).toBeNull();
    expect(store.outbox()).toEqual([]);
  });

  it('falls back to memory when storage refuses writes, keeping what it could read', () => {
    const inner = new MemoryStorage();
    inner.setItem(sessionKey('site'), JSON.stringify({ ...base, lastSeq: 2 }));
    const full: StorageLike = {
      getItem: (k) => inner.getItem(k),
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: (k) => inner.removeItem(k),
    };
    const store = new SessionStore(full, 'site');
    expect(store.write({ readSeq: 2 })).toMatchObject({ visitorId: 'v1', lastSeq: 2, readSeq: 2 });
    store.putOutbox(outboxEntry('a'));
    expect(store.read()).toMatchObject({ readSeq: 2 });
    expect(store.outbox()).toHaveLength(1);
  });

  it('works without any storage', () => {
    const store = new SessionStore(null, 'site');
    store.write(base);
    expect(store.read()?.token).toBe('t1');
  });
});
