import { describe, expect, it } from 'vitest';
import { WidgetApi } from '../../../widget/src/core/api.js';
import { mergeMessage, type LogEntry } from '../../../widget/src/core/messages.js';
import { MemoryStorage, SessionStore, type StoredSession } from '../../../widget/src/core/session.js';
import type { Message, OutgoingFrame } from '../../../widget/src/core/types.js';
import { ReadTracker } from '../../../widget/src/core/unread.js';
import { VisitorSession } from '../../../widget/src/core/visitor-session.js';
import { fakeFetch } from './fakes.js';
import { message, visitorMessage } from './fixtures.js';

function setup(opts: { stored?: Partial<StoredSession>; synced?: boolean; socketOpen?: boolean } = {}) {
  const store = new SessionStore(new MemoryStorage(), 'site');
  store.write({ visitorId: 'v1', token: 'tok1', contactId: 'k1', conversationId: 'c1', ...opts.stored });
  const visitor = new VisitorSession({ websiteToken: 'site', api: new WidgetApi('http://hub', fakeFetch({}).fetch), store, now: Date.now, onNewContact: () => {} });
  visitor.load();
  const t = {
    log: [] as LogEntry[],
    synced: opts.synced ?? true,
    socketOpen: opts.socketOpen ?? true,
    /** The badge, as the chat shows it (the stored count until told otherwise). */
    shown: store.read()?.unread ?? 0,
    sent: [] as OutgoingFrame[],
    reported: [] as number[],
  };
  const reads = new ReadTracker({
    visitor,
    socket: {
      send: (f) => {
        if (!t.socketOpen) return false;
        t.sent.push(f);
        return true;
      },
    },
    log: () => t.log,
    synced: () => t.synced,
    shown: () => t.shown,
    onUnread: (n) => {
      t.shown = n;
      t.reported.push(n);
    },
  });
  const receive = (...ms: Message[]) => {
    for (const m of ms) t.log = mergeMessage(t.log, m);
  };
  return { t, reads, store, visitor, receive };
}

const read = (seq: number, conversationId = 'c1') => ({ type: 'read', conversationId, seq });

describe('ReadTracker', () => {
  it('counts agent messages the visitor has not seen, stores the count, and reports the first count and every change', () => {
    const { t, reads, store, receive } = setup();
    reads.refresh();
    reads.refresh();
    expect(t.reported).toEqual([0]);
    receive(message(1), visitorMessage(2), message(3));
    reads.refresh();
    reads.refresh();
    expect(t.reported).toEqual([0, 2]);
    expect(store.read()).toMatchObject({ unread: 2, readSeq: 0 });
    expect(t.sent).toEqual([]); // the panel is closed
  });

  it('keeps the stored count (from before the reload) until the log is synced', () => {
    const { t, reads, store, receive } = setup({ stored: { unread: 3 }, synced: false });
    receive(message(4));
    reads.refresh();
    reads.setOpen(true);
    expect(t.reported).toEqual([]);
    expect(t.sent).toEqual([]);
    expect(store.read()?.unread).toBe(3);
    t.synced = true;
    reads.markRead();
    expect(t.sent).toEqual([read(4)]);
    expect(t.reported).toEqual([0]);
  });

  it('an open panel on a visible page reads up to the newest message and says so once per new message', () => {
    const { t, reads, store, receive } = setup();
    receive(message(1), message(2), message(3));
    reads.setOpen(true);
    expect(t.sent).toEqual([read(3)]);
    expect(store.read()).toMatchObject({ readSeq: 3, unread: 0 });
    expect(t.reported).toEqual([0]);
    reads.markRead();
    expect(t.sent).toEqual([read(3)]);
    receive(message(5));
    reads.markRead();
    expect(t.sent).toEqual([read(3), read(5)]);
  });

  it('reads nothing while the page is hidden or the panel closed, or without a conversation', () => {
    const { t, reads, store, receive } = setup();
    receive(message(1));
    reads.setPageVisible(false);
    reads.setOpen(true);
    reads.markRead();
    expect(t.sent).toEqual([]);
    expect(store.read()?.readSeq).toBe(0);
    expect(t.reported).toEqual([]);
    reads.setPageVisible(true);
    expect(t.sent).toEqual([read(1)]);
    reads.setOpen(false);
    receive(message(2));
    reads.refresh();
    expect(t.reported).toEqual([0, 1]);

    const none = setup({ stored: { conversationId: null } });
    none.receive(message(1));
    none.reads.setOpen(true);
    expect(none.t.sent).toEqual([]);
  });

  it('clears the count at once when the socket cannot take the read, and sends the read once it can', () => {
    const { t, reads, store, receive } = setup({ socketOpen: false });
    receive(message(2));
    reads.setOpen(true);
    expect(t.sent).toEqual([]);
    expect(store.read()).toMatchObject({ readSeq: 2, unread: 0 });
    t.socketOpen = true;
    reads.markRead();
    expect(t.sent).toEqual([read(2)]);
  });

  it('after a conversation change reads the new one from the start', () => {
    const { t, reads, visitor, receive } = setup();
    receive(message(5));
    reads.setOpen(true);
    visitor.update({ conversationId: 'c2', lastSeq: 0, readSeq: 0 });
    t.log = [];
    receive(message(2, { conversationId: 'c2' }));
    reads.conversationChanged();
    reads.markRead();
    expect(t.sent).toEqual([read(5), read(2, 'c2')]);
  });
});
