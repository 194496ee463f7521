import { afterEach, describe, expect, it, vi } from 'vitest';
import { initialState, Store } from '../../../inbox/src/state/store.js';
import type { Outgoing } from '../../../inbox/src/state/timeline.js';
import { TimelineLoader } from '../../../inbox/src/state/timeline-loader.js';
import type { Message } from '../../../inbox/src/types.js';
import { ME, settle, stubApi, type Answer } from './fakes.js';
import { conv, msg } from './fixtures.js';

/** The server's messages of conversation c1: seqs 1..`last`, answered 3 per page like `?before=`. */
function messagesOf(last: number, perPage = 3) {
  return (q: URLSearchParams): Answer => {
    const before = Number(q.get('before'));
    const from = Math.max(1, before - perPage);
    const items: Message[] = [];
    for (let seq = from; seq < before && seq <= last; seq++) items.push(msg(seq));
    return { status: 200, body: { items, nextCursor: from > 1 ? String(from) : null } };
  };
}

function setup() {
  const store = new Store({ ...initialState('/'), me: ME });
  const toasts: string[] = [];
  const timelines = new TimelineLoader(store, (m) => toasts.push(m));
  return { store, timelines, toasts, seqs: (id = 'c1') => timelines.get(id).messages.map((m) => m.seq) };
}

const sending = (clientId: string, body: string): Outgoing => ({ clientId, body, private: false, attachmentIds: [], attachmentNames: [], state: 'sending' });
const mine = (seq: number, body: string) => msg(seq, { direction: 'outbound', sender: { type: 'agent', id: 'me', name: 'Me' }, body });

describe('TimelineLoader', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('opens a conversation with its newest page, up to its last seq', async () => {
    const http = stubApi({ 'GET /conversations/c1/messages': messagesOf(5) });
    const { store, timelines, seqs } = setup();
    expect(timelines.get('c1')).toMatchObject({ messages: [], loading: false });
    const done = timelines.loadLatest(conv('c1', { lastSeq: 5 }));
    expect(timelines.get('c1').loading).toBe(true);
    await done;
    expect(http.to('GET /conversations/c1/messages')[0]!.query.get('before')).toBe('6');
    expect(seqs()).toEqual([3, 4, 5]);
    expect(timelines.get('c1')).toMatchObject({ loading: false, hasEarlier: true, error: null });
    expect(store.get().previews['c1']).toBe('message 5');
    expect(http.to('GET /conversations/c1/deliveries')).toEqual([]); // web chat: no provider deliveries
  });

  it('loads where the replies of a provider conversation stand; live states that came first win', async () => {
    stubApi({
      'GET /conversations/c1/messages': messagesOf(2),
      'GET /conversations/c1/deliveries': () => ({
        status: 200,
        body: { items: [{ messageId: 'm1', status: 'delivered', error: null }, { messageId: 'm2', status: 'sent', error: null }] },
      }),
    });
    const { store, timelines } = setup();
    store.set({ deliveries: { m2: { status: 'failed', error: 'blocked by user' } } });
    await timelines.loadLatest(conv('c1', { lastSeq: 2, channel: 'telegram' }));
    await settle();
    expect(store.get().deliveries).toEqual({ m1: { status: 'delivered', error: null }, m2: { status: 'failed', error: 'blocked by user' } });
  });

  it('opens a provider conversation on a server without the deliveries endpoint', async () => {
    const http = stubApi({ 'GET /conversations/c1/messages': messagesOf(2) });
    const { store, timelines, seqs } = setup();
    await timelines.loadLatest(conv('c1', { lastSeq: 2, channel: 'email' }));
    await settle();
    expect(http.to('GET /conversations/c1/deliveries')).toHaveLength(1);
    expect(seqs()).toEqual([1, 2]);
    expect(store.get().deliveries).toEqual({});
  });

  it('merges arriving messages in seq order once, settles my pending sends they show, ignores unopened timelines', () => {
    const { store, timelines, seqs } = setup();
    timelines.add('c9', [msg(1)]);
    expect(store.get().timelines).toEqual({});

    timelines.set('c1', { messages: [msg(2), msg(3)], pending: [sending('x', 'on it'), sending('y', 'later')] });
    timelines.add('c1', [msg(3), msg(1), mine(4, 'on it')]);
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(timelines.get('c1').pending.map((p) => p.clientId)).toEqual(['y']);
    expect(store.get().previews['c1']).toBe('on it');
  });

  it('loads earlier pages before the first message on demand, until there are none', async () => {
    const http = stubApi({ 'GET /conversations/c1/messages': messagesOf(7) });
    const { timelines, seqs } = setup();
    await timelines.loadLatest(conv('c1', { lastSeq: 7 }));
    expect(seqs()).toEqual([5, 6, 7]);
    await timelines.loadEarlier('c1');
    expect(seqs()).toEqual([2, 3, 4, 5, 6, 7]);
    await timelines.loadEarlier('c1');
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(timelines.get('c1').hasEarlier).toBe(false);
    expect(http.to('GET /conversations/c1/messages').map((c) => c.query.get('before'))).toEqual(['8', '5', '2']);
  });

  it('asks for one earlier page at a time, and none for an empty timeline', async () => {
    const http = stubApi({ 'GET /conversations/c1/messages': messagesOf(9) });
    const { timelines, seqs } = setup();
    await timelines.loadEarlier('c1');
    expect(http.calls).toEqual([]);
    timelines.set('c1', { messages: [msg(8), msg(9)], hasEarlier: true });
    await Promise.all([timelines.loadEarlier('c1'), timelines.loadEarlier('c1')]);
    expect(http.calls).toHaveLength(1);
    expect(seqs()).toEqual([5, 6, 7, 8, 9]);
  });

  it('tells the agent why earlier messages did not load, and lets them try again', async () => {
    stubApi({ 'GET /conversations/c1/messages': () => ({ status: 503, body: { error: { code: 'SB_ERR_UNAVAILABLE', message: 'Try again shortly.' } } }) });
    const { timelines, toasts, seqs } = setup();
    timelines.set('c1', { messages: [msg(4)], hasEarlier: true });
    await timelines.loadEarlier('c1');
    expect(toasts).toEqual(['Try again shortly.']);
    expect(timelines.get('c1')).toMatchObject({ loading: false, hasEarlier: true });
    expect(seqs()).toEqual([4]);
  });

  it('loads earlier pages until a quoted message is in the timeline', async () => {
    const http = stubApi({ 'GET /conversations/c1/messages': messagesOf(20) });
    const { timelines, seqs } = setup();
    await timelines.loadLatest(conv('c1', { lastSeq: 20 }));
    await timelines.loadUntil('c1', 12);
    expect(seqs()[0]).toBe(12);
    await timelines.loadUntil('c1', 15); // already there
    expect(http.calls.map((c) => c.query.get('before'))).toEqual(['21', '18', '15']);
  });

  it('stops looking for a quoted message when nothing earlier is left or a page brings nothing new', async () => {
    const http = stubApi({ 'GET /conversations/c1/messages': messagesOf(4) });
    const { timelines, seqs } = setup();
    await timelines.loadLatest(conv('c1', { lastSeq: 4 }));
    await timelines.loadUntil('c1', 0); // seq 0 never exists
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(http.calls).toHaveLength(2);

    // A server that keeps saying "there is more" but sends nothing earlier (for a while: a loop ends either way).
    let answers = 0;
    const stuck = stubApi({
      'GET /conversations/c2/messages': () => ({ status: 200, body: { items: [msg(5, { conversationId: 'c2' })], nextCursor: ++answers < 5 ? '5' : null } }),
    });
    timelines.set('c2', { messages: [msg(5, { conversationId: 'c2' })], hasEarlier: true });
    await timelines.loadUntil('c2', 1);
    expect(stuck.calls).toHaveLength(1);
  });
});
