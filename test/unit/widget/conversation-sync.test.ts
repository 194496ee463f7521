import { describe, expect, it } from 'vitest';
import { WidgetApi } from '../../../widget/src/core/api.js';
import { IDLE_STATE, type ChatState } from '../../../widget/src/core/chat-state.js';
import { ConversationSync } from '../../../widget/src/core/conversation-sync.js';
import { upsertLocal } from '../../../widget/src/core/messages.js';
import { MemoryStorage, SessionStore, type StoredSession } from '../../../widget/src/core/session.js';
import type { Message, OutgoingFrame } from '../../../widget/src/core/types.js';
import { ReadTracker } from '../../../widget/src/core/unread.js';
import { VisitorSession } from '../../../widget/src/core/visitor-session.js';
import { fakeFetch } from './fakes.js';
import { message, outboxEntry, visitorMessage } from './fixtures.js';

/**
 * A page of the widget starting from the stored session `stored` (a visitor with a session; a
 * conversation if it says so), wired like ChatClient: the real ReadTracker with the panel closed.
 */
function setup(opts: { stored?: Partial<StoredSession>; conversations?: { id: string }[]; conversationsStatus?: number } = {}) {
  const store = new SessionStore(new MemoryStorage(), 'site');
  store.write({ visitorId: 'v1', token: 'tok1', contactId: 'k1', ...opts.stored });
  const http = fakeFetch({
    'GET /api/v1/widget/conversations': () =>
      opts.conversationsStatus
        ? { status: opts.conversationsStatus, body: { error: { code: 'SB_ERR_INTERNAL', message: 'down' } } }
        : { status: 200, body: { items: opts.conversations ?? [] } },
  });
  const api = new WidgetApi('http://hub', http.fetch);
  const visitor = new VisitorSession({ websiteToken: 'site', api, store, now: Date.now, onNewContact: () => {} });
  const sent: OutgoingFrame[] = [];
  const announced: Message[] = [];
  const unread: number[] = [];
  const socket = {
    send: (f: OutgoingFrame) => {
      sent.push(f);
      return true;
    },
  };
  let state: ChatState = IDLE_STATE;
  const set = (patch: Partial<ChatState>) => (state = { ...state, ...patch });
  const reads = new ReadTracker({
    visitor,
    socket,
    log: () => state.log,
    synced: () => sync.synced,
    shown: () => state.unread,
    onUnread: (n) => {
      set({ unread: n });
      unread.push(n);
    },
  });
  const sync: ConversationSync = new ConversationSync({ visitor, api, socket, reads, state: () => state, set, events: { message: (m) => announced.push(m) } });

  const s = visitor.load();
  sync.restore(s);
  set({ unread: s?.unread ?? 0 });
  return {
    sync,
    store,
    visitor,
    http,
    sent,
    unread,
    state: () => state,
    set,
    announced: () => announced.map((m) => m.seq),
    seqs: () => state.log.map((e) => e.seq),
    syncs: () => sent.filter((f) => f.type === 'sync'),
  };
}

const syncFrame = (conversationId: string, since: number) => ({ type: 'sync', conversationId, since });

describe('ConversationSync', () => {
  it('after a reload syncs the stored conversation from 0; messages seen before are history, not news', () => {
    const t = setup({ stored: { conversationId: 'c1', lastSeq: 2, unread: 1 } });
    expect(t.sync.synced).toBe(false);
    t.sync.connected();
    expect(t.syncs()).toEqual([syncFrame('c1', 0)]);
    for (const seq of [1, 2, 3]) t.sync.receive(message(seq));
    expect(t.seqs()).toEqual([1, 2, 3]);
    expect(t.announced()).toEqual([3]);
    expect(t.unread).toEqual([]); // the stored count stands until the log is complete
    expect(t.store.read()?.unread).toBe(1);

    t.sync.syncDone('c9'); // about another conversation
    expect(t.sync.synced).toBe(false);
    t.sync.syncDone('c1');
    expect(t.sync.synced).toBe(true);
    expect(t.store.read()).toMatchObject({ lastSeq: 3, unread: 3 });
    expect(t.unread).toEqual([3]);
  });

  it('shows a message that comes as ack, live frame and sync once, in place of the local copy, and announces it once', () => {
    const t = setup();
    t.set({ log: upsertLocal([], outboxEntry('cl1', { body: 'hi', conversationId: null })) });
    t.sync.receive(visitorMessage(1, { body: 'hi' }), 'cl1'); // the ack opened conversation c1
    t.sync.receive(visitorMessage(1, { body: 'hi' }));
    t.sync.syncDone('c1');
    t.sync.receive(message(2));
    t.set({ typing: 'Ada' });
    t.sync.receive(visitorMessage(1, { body: 'hi' })); // again through a resync
    t.sync.receive(message(2));
    expect(t.state().typing).toBe('Ada'); // an old message repeated says nothing about typing now
    expect(t.state().log.map((e) => [e.key, e.seq, e.state])).toEqual([
      ['cl1', 1, 'sent'],
      ['m2', 2, null],
    ]);
    expect(t.announced()).toEqual([1, 2]);
    expect(t.store.read()).toMatchObject({ conversationId: 'c1', lastSeq: 2 });
  });

  it("names the agent who wrote, ends the agent's typing indicator, and never shows private notes", () => {
    const t = setup({ stored: { conversationId: 'c1' } });
    t.sync.syncDone('c1');
    t.set({ typing: 'Sam' });
    t.sync.receive(message(1, { sender: { type: 'agent', id: 'a2', name: 'Sam' } }));
    expect(t.state()).toMatchObject({ typing: null, agentName: 'Sam' });
    t.set({ typing: 'Sam' });
    t.sync.receive(visitorMessage(2));
    t.sync.receive(message(3, { private: true, body: 'VIP customer' }));
    expect(t.state().typing).toBe('Sam');
    expect(t.seqs()).toEqual([1, 2]);
    expect(t.announced()).toEqual([1, 2]);
  });

  it('after a reconnect or a resync asks only for what it lacks; without a conversation it settles the count', () => {
    const t = setup({ stored: { conversationId: 'c1' } });
    for (const seq of [1, 2, 4]) t.sync.receive(message(seq));
    t.sync.syncDone('c1');
    t.sync.connected();
    t.sync.resync();
    expect(t.syncs()).toEqual([syncFrame('c1', 4), syncFrame('c1', 4)]);

    const none = setup();
    none.sync.connected();
    none.sync.resync();
    expect(none.sent).toEqual([]);
    expect(none.unread).toEqual([0]);
  });

  it("ignores a live message of another conversation, but follows the visitor's own send into a new one", () => {
    const t = setup({ stored: { conversationId: 'c1' } });
    t.sync.receive(message(1));
    t.sync.syncDone('c1');
    t.sync.receive(message(7, { id: 'x7', conversationId: 'c2' }));
    expect(t.seqs()).toEqual([1]);
    expect(t.store.read()?.conversationId).toBe('c1');

    t.set({ log: upsertLocal(t.state().log, outboxEntry('cl2', { body: 'new question' })) });
    t.sync.receive(visitorMessage(1, { id: 'n1', conversationId: 'c2', body: 'new question' }), 'cl2');
    expect(t.store.read()).toMatchObject({ conversationId: 'c2', lastSeq: 0, readSeq: 0 });
    expect(t.state().log.map((e) => e.id)).toEqual(['n1']);
    expect(t.state().agentName).toBeNull();
    expect(t.sync.synced).toBe(false);
    expect(t.syncs()).toEqual([syncFrame('c2', 0)]);
  });

  it("picks up a returning visitor's newest conversation, asking the server once", async () => {
    const t = setup({ conversations: [{ id: 'c7' }, { id: 'c3' }] });
    expect(t.sync.lookupDue).toBe(true);
    await t.sync.lookUp();
    expect(t.sync.id).toBe('c7');
    expect(t.sync.lookupDue).toBe(false);
    expect(t.sync.synced).toBe(false);
    expect(t.store.read()?.conversationId).toBe('c7');
    t.sync.connected();
    expect(t.syncs()).toEqual([syncFrame('c7', 0)]);
    expect(t.http.calls.map((c) => c.key)).toEqual(['GET /api/v1/widget/conversations']);
  });

  it('starts without a conversation when the visitor has none or the lookup fails, and does not ask again', async () => {
    const none = setup();
    await none.sync.lookUp();
    expect(none.sync.id).toBeNull();
    expect(none.sync.lookupDue).toBe(false);

    const down = setup({ conversationsStatus: 500 });
    await expect(down.sync.lookUp()).resolves.toBeUndefined();
    expect(down.sync.id).toBeNull();
    expect(down.sync.lookupDue).toBe(false);
    expect(down.sync.synced).toBe(true);
  });

  it('drops a stored conversation the server does not know, but not once its log is complete', () => {
    const t = setup({ stored: { conversationId: 'c1', lastSeq: 4, readSeq: 2, unread: 2 } });
    t.set({ log: upsertLocal([], outboxEntry('cl1')) });
    t.sync.receive(message(3));
    t.sync.notFound();
    expect(t.sync.id).toBeNull();
    expect(t.store.read()).toMatchObject({ conversationId: null, lastSeq: 0, readSeq: 0, unread: 0 });
    expect(t.state().log.map((e) => e.clientId)).toEqual(['cl1']); // the unsent message stays
    expect(t.unread).toEqual([0]);

    const synced = setup({ stored: { conversationId: 'c1' } });
    synced.sync.syncDone('c1');
    synced.sync.notFound();
    expect(synced.sync.id).toBe('c1');
  });

  it('follows a conversation another tab started', () => {
    const t = setup();
    t.store.write({ conversationId: 'c5' }); // the other tab
    t.visitor.reload();
    t.sync.follow('c5');
    expect(t.sync.synced).toBe(false);
    expect(t.syncs()).toEqual([syncFrame('c5', 0)]);
  });

  it('after a logout nothing counts as seen before: the next conversation is news from its first message', () => {
    const t = setup({ stored: { conversationId: 'c1', lastSeq: 5 } });
    t.sync.receive(message(5));
    t.visitor.forget();
    t.sync.reset();
    expect(t.state().log).toEqual([]);
    expect(t.sync.synced).toBe(true);
    t.store.write({ visitorId: 'v2', token: 'tok2', contactId: 'k2' });
    t.visitor.reload();
    t.sync.receive(visitorMessage(2, { conversationId: 'c8' }), 'cl1');
    expect(t.announced()).toEqual([2]);
  });
});
