import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WidgetApi } from '../../../widget/src/core/api.js';
import { ChatClient } from '../../../widget/src/core/chat.js';
import { MemoryStorage, SessionStore } from '../../../widget/src/core/session.js';
import type { InboxInfo, Message } from '../../../widget/src/core/types.js';
import { fakeFetch, socketFactory } from './fakes.js';
import { message, visitorMessage } from './fixtures.js';

const inbox: InboxInfo = { id: 'i1', name: 'Support', greeting: 'Hi!', color: '#112233', position: 'right', preChatForm: false, agentsOnline: true };

interface Options {
  storage?: MemoryStorage;
  sessionStatus?: number;
  conversations?: { id: string }[];
}

function setup(opts: Options = {}) {
  const storage = opts.storage ?? new MemoryStorage();
  let tokens = 0;
  const http = fakeFetch({
    'POST /api/v1/widget/sessions': (body) => {
      if (opts.sessionStatus) return { status: opts.sessionStatus, body: { error: { code: 'SB_ERR_ORIGIN_NOT_ALLOWED', message: 'no' } } };
      const b = body as { visitorId?: string };
      return { status: 201, body: { visitorId: b.visitorId ?? 'v1', token: `tok${++tokens}`, contactId: 'k1', inbox } };
    },
    'GET /api/v1/widget/conversations': () => ({ status: 200, body: { items: opts.conversations ?? [] } }),
    'PATCH /api/v1/widget/contact': (body) => ({ status: 200, body }),
  });
  const ws = socketFactory();
  const events = { ready: 0, messages: [] as Message[], unread: [] as number[] };
  const store = new SessionStore(storage, 'site');
  const client = new ChatClient({
    websiteToken: 'site',
    wsBase: 'ws://hub',
    api: new WidgetApi('http://hub', http.fetch),
    store,
    openSocket: ws.open,
    events: { ready: () => events.ready++, message: (m) => events.messages.push(m), unread: (n) => events.unread.push(n) },
    random: () => 0.5,
  });
  return { client, http, ws, events, store, storage };
}

/** Starts the client and lets the session request and socket open settle. */
async function connect(t: ReturnType<typeof setup>) {
  t.client.start();
  await vi.advanceTimersByTimeAsync(0);
  t.ws.last().accept();
  await vi.advanceTimersByTimeAsync(0);
}

describe('ChatClient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('creates a session for a new visitor, connects with its token and becomes ready', async () => {
    const t = setup();
    await connect(t);
    expect(t.http.calls[0]).toMatchObject({ key: 'POST /api/v1/widget/sessions', body: { inbox: 'site' } });
    expect(t.ws.last().url).toBe('ws://hub/ws?token=tok1');
    expect(t.http.calls[1]).toMatchObject({ key: 'GET /api/v1/widget/conversations', headers: { Authorization: 'Bearer tok1' } });
    expect(t.client.getState()).toMatchObject({ status: 'online', inbox });
    expect(t.events.ready).toBe(1);
    expect(t.store.read()).toMatchObject({ visitorId: 'v1', token: 'tok1', inbox });
  });

  it('sends, shows sending then sent, and stores the conversation from the ack', async () => {
    const t = setup();
    await connect(t);
    t.client.send('  hello  ');
    const [frame] = t.ws.last().framesOf('message.send');
    expect(frame).toMatchObject({ body: 'hello' });
    expect(frame).not.toHaveProperty('conversationId');
    expect(t.client.getState().log[0]).toMatchObject({ state: 'sending', body: 'hello' });
    t.ws.last().deliver({ type: 'message.ack', clientId: frame!.clientId, message: visitorMessage(1, { body: 'hello' }) });
    t.ws.last().deliver({ type: 'message.created', message: visitorMessage(1, { body: 'hello' }) });
    expect(t.client.getState().log).toHaveLength(1);
    expect(t.client.getState().log[0]).toMatchObject({ state: 'sent', seq: 1 });
    expect(t.store.outbox()).toEqual([]);
    expect(t.store.read()?.conversationId).toBe('c1');
    expect(t.events.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('holds further messages until the first one created the conversation', async () => {
    const t = setup();
    await connect(t);
    t.client.send('one');
    t.client.send('two');
    const sends = t.ws.last().framesOf('message.send');
    expect(sends.map((f) => f.body)).toEqual(['one']);
    t.ws.last().deliver({ type: 'message.ack', clientId: sends[0]!.clientId, message: visitorMessage(1) });
    const after = t.ws.last().framesOf('message.send');
    expect(after.map((f) => [f.body, f.conversationId])).toEqual([
      ['one', undefined],
      ['two', 'c1'],
    ]);
  });

  it('queues messages typed offline and sends each once on reconnect, with the same clientId', async () => {
    const t = setup({ conversations: [{ id: 'c1' }] });
    await connect(t);
    t.ws.last().drop();
    t.client.send('while offline');
    expect(t.client.getState().status).toBe('offline');
    expect(t.store.outbox()).toHaveLength(1);
    const clientId = t.store.outbox()[0]!.clientId;

    await vi.advanceTimersByTimeAsync(1000);
    t.ws.last().accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.ws.last().framesOf('message.send').map((f) => f.clientId)).toEqual([clientId]);

    // Dropped again before the ack: the retry carries the same clientId, so the server dedups.
    t.ws.last().drop();
    await vi.advanceTimersByTimeAsync(1000);
    t.ws.last().accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.ws.last().framesOf('message.send').map((f) => f.clientId)).toEqual([clientId]);
    t.ws.last().deliver({ type: 'message.ack', clientId, message: visitorMessage(3) });
    expect(t.client.getState().log.map((e) => [e.seq, e.state])).toEqual([[3, 'sent']]);
  });

  it('survives a reload: outbox and conversation come back, the log is synced from 0', async () => {
    const storage = new MemoryStorage();
    const first = setup({ storage });
    await connect(first);
    first.ws.last().deliver({ type: 'message.created', message: message(1, { conversationId: 'c1' }) });
    first.ws.last().deliver({ type: 'sync.done', conversationId: 'c1', lastSeq: 1 });
    expect(first.events.messages.map((m) => m.seq)).toEqual([1]);
    first.ws.last().drop();
    first.client.send('pending');
    // The tab is reloaded: a second client on the same storage.

    const second = setup({ storage });
    second.client.start();
    expect(second.client.getState().log.map((e) => [e.body, e.state])).toEqual([['pending', 'sending']]);
    await vi.advanceTimersByTimeAsync(0);
    expect(second.http.calls.filter((c) => c.key.startsWith('POST'))).toEqual([]); // stored token reused
    second.ws.last().accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.ws.last().framesOf('sync')).toEqual([{ type: 'sync', conversationId: 'c1', since: 0 }]);
    expect(second.ws.last().framesOf('message.send')).toHaveLength(1);
    second.ws.last().deliver({ type: 'message.created', message: message(1) });
    second.ws.last().deliver({ type: 'sync.done', conversationId: 'c1', lastSeq: 1 });
    // Seen before the reload: history, not news.
    expect(second.events.messages).toEqual([]);
    expect(second.client.getState().log.map((e) => e.seq)).toEqual([1, null]);
  });

  it('renews the session with the stored visitor id when the stored token is refused', async () => {
    const storage = new MemoryStorage();
    new SessionStore(storage, 'site').write({ visitorId: 'v9', token: 'expired', contactId: 'k1', conversationId: 'c1', lastSeq: 4 });
    const t = setup({ storage });
    t.client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.ws.last().url).toBe('ws://hub/ws?token=expired');
    t.ws.last().drop(); // refused upgrade: closed before hello
    await vi.advanceTimersByTimeAsync(1000);
    const posts = t.http.calls.filter((c) => c.key === 'POST /api/v1/widget/sessions');
    expect(posts.map((p) => p.body)).toEqual([{ inbox: 'site', visitorId: 'v9' }]);
    expect(t.ws.last().url).toBe('ws://hub/ws?token=tok1');
    // Same contact: the conversation is kept.
    expect(t.store.read()).toMatchObject({ token: 'tok1', conversationId: 'c1', lastSeq: 4 });
  });

  it('does not mint a new session for every failed connect of a fresh one', async () => {
    const t = setup();
    t.client.start();
    await vi.advanceTimersByTimeAsync(0);
    t.ws.last().drop();
    await vi.advanceTimersByTimeAsync(1000);
    t.ws.last().drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.ws.sockets).toHaveLength(3);
    expect(t.http.calls.filter((c) => c.key === 'POST /api/v1/widget/sessions')).toHaveLength(1);
  });

  it('stops for good when the server refuses the widget (origin not allowed)', async () => {
    const t = setup({ sessionStatus: 403 });
    t.client.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.client.getState()).toMatchObject({ status: 'error', errorCode: 'SB_ERR_ORIGIN_NOT_ALLOWED' });
    expect(t.http.calls).toHaveLength(1);
    expect(t.ws.sockets).toHaveLength(0);
  });

  it('marks a refused send failed, and Retry sends it again with its clientId', async () => {
    const t = setup({ conversations: [{ id: 'c1' }] });
    await connect(t);
    t.client.send('too fast');
    const clientId = t.ws.last().framesOf('message.send')[0]!.clientId;
    t.ws.last().deliver({ type: 'error', code: 'SB_ERR_RATE_LIMITED', message: 'slow down', clientId });
    expect(t.client.getState().log[0]).toMatchObject({ state: 'failed', error: 'SB_ERR_RATE_LIMITED' });
    expect(t.store.outbox()[0]!.state).toBe('failed');
    t.client.retry(clientId);
    expect(t.client.getState().log[0]!.state).toBe('sending');
    expect(t.ws.last().framesOf('message.send').map((f) => f.clientId)).toEqual([clientId, clientId]);
  });

  it('marks a send failed when no ack comes', async () => {
    const t = setup({ conversations: [{ id: 'c1' }] });
    await connect(t);
    t.client.send('lost');
    await vi.advanceTimersByTimeAsync(15_000);
    expect(t.client.getState().log[0]!.state).toBe('failed');
  });

  it('counts unread agent messages and reads them when the panel is open on a visible page', async () => {
    const t = setup({ conversations: [{ id: 'c1' }] });
    await connect(t);
    t.ws.last().deliver({ type: 'sync.done', conversationId: 'c1', lastSeq: 0 });
    t.ws.last().deliver({ type: 'message.created', message: message(1) });
    t.ws.last().deliver({ type: 'message.created', message: message(3) }); // seq 2 was a private note
    expect(t.client.getState().unread).toBe(2);
    expect(t.events.unread).toEqual([0, 1, 2]); // the first count, then every change
    t.client.setPageVisible(false);
    t.client.setOpen(true);
    expect(t.ws.last().framesOf('read')).toEqual([]);
    t.client.setPageVisible(true);
    expect(t.ws.last().framesOf('read')).toEqual([{ type: 'read', conversationId: 'c1', seq: 3 }]);
    expect(t.client.getState().unread).toBe(0);
    expect(t.store.read()).toMatchObject({ readSeq: 3, unread: 0 });
  });

  it('follows reads from the visitor’s other tabs', async () => {
    const t = setup({ conversations: [{ id: 'c1' }] });
    await connect(t);
    t.ws.last().deliver({ type: 'sync.done', conversationId: 'c1', lastSeq: 0 });
    t.ws.last().deliver({ type: 'message.created', message: message(1) });
    expect(t.client.getState().unread).toBe(1);
    t.ws.last().deliver({ type: 'read', conversationId: 'c1', actor: { type: 'contact', id: 'k1' }, seq: 1 });
    expect(t.client.getState().unread).toBe(0);
  });

  it('shows who types and throttles its own typing frames', async () => {
    const t = setup({ conversations: [{ id: 'c1' }] });
    await connect(t);
    t.ws.last().deliver({ type: 'message.created', message: message(1) });
    t.ws.last().deliver({ type: 'typing', conversationId: 'c1', actor: { type: 'agent', id: 'a1' }, on: true });
    expect(t.client.getState().typing).toBe('Ada');
    await vi.advanceTimersByTimeAsync(8000);
    expect(t.client.getState().typing).toBeNull();

    for (let i = 0; i < 5; i++) t.client.composing(true);
    expect(t.ws.last().framesOf('typing')).toEqual([{ type: 'typing', conversationId: 'c1', on: true }]);
    await vi.advanceTimersByTimeAsync(4000);
    expect(t.ws.last().framesOf('typing').at(-1)).toEqual({ type: 'typing', conversationId: 'c1', on: false });
  });

  it('setUser on an anonymous visitor renews the session with the identity, keeping the visitor id', async () => {
    const t = setup();
    await connect(t);
    t.client.setUser({ id: 'u42', email: 'a@b.c', hash: 'abc' });
    await vi.advanceTimersByTimeAsync(0);
    const posts = t.http.calls.filter((c) => c.key === 'POST /api/v1/widget/sessions');
    expect(posts.at(-1)!.body).toEqual({ inbox: 'site', visitorId: 'v1', identity: { id: 'u42', email: 'a@b.c', hash: 'abc' } });
    expect(t.store.read()?.identity).toMatchObject({ id: 'u42' });
    expect(t.ws.sockets[0]!.closed).toBe(true);
    expect(t.ws.last().url).toBe('ws://hub/ws?token=tok2');
    // The same user again (every page view calls setUser): nothing happens.
    t.client.setUser({ id: 'u42', email: 'a@b.c', hash: 'abc' });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.http.calls.filter((c) => c.key === 'POST /api/v1/widget/sessions')).toHaveLength(2);
  });

  it('setUser before start identifies a returning anonymous visitor', async () => {
    const storage = new MemoryStorage();
    new SessionStore(storage, 'site').write({ visitorId: 'v7', token: 'old', contactId: 'k1' });
    const t = setup({ storage });
    t.client.setUser({ id: 'u1' });
    t.client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.http.calls[0]).toMatchObject({ body: { visitorId: 'v7', identity: { id: 'u1' } } });
    expect(t.ws.last().url).toBe('ws://hub/ws?token=tok1');
  });

  it('another user on the same browser does not inherit the previous user’s session', async () => {
    const storage = new MemoryStorage();
    new SessionStore(storage, 'site').write({ visitorId: 'v7', token: 'old', contactId: 'k1', identity: { id: 'alice' }, conversationId: 'c-alice' });
    const t = setup({ storage });
    t.client.setUser({ id: 'bob' });
    t.client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.http.calls[0]!.body).toEqual({ inbox: 'site', identity: { id: 'bob' } });
    expect(t.store.read()).toMatchObject({ identity: { id: 'bob' }, conversationId: null });
  });

  it('reset forgets everything and closes the socket', async () => {
    const t = setup({ conversations: [{ id: 'c1' }] });
    await connect(t);
    t.client.send('bye');
    t.client.reset();
    expect(t.store.read()).toBeNull();
    expect(t.store.outbox()).toEqual([]);
    expect(t.ws.last().closed).toBe(true);
    expect(t.client.getState()).toMatchObject({ status: 'idle', log: [] });
  });

  it('sends attributes once a session exists', async () => {
    const t = setup();
    t.client.setAttributes({ plan: 'pro' });
    await connect(t);
    const patch = t.http.calls.find((c) => c.key === 'PATCH /api/v1/widget/contact');
    expect(patch).toMatchObject({ body: { attributes: { plan: 'pro' } }, headers: { Authorization: 'Bearer tok1' } });
  });
});
