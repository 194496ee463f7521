import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_FILTER } from '../../../inbox/src/state/list.js';
import { ListLoader } from '../../../inbox/src/state/list-loader.js';
import { initialState, Store } from '../../../inbox/src/state/store.js';
import type { Contact, InboxConversation, Page } from '../../../inbox/src/types.js';
import { later, ME, settle, stubApi, type Answer } from './fakes.js';
import { conv } from './fixtures.js';

const at = (min: number) => new Date(Date.UTC(2025, 0, 1, 10, min)).toISOString();

const contact = (id: string): Contact => ({ id, name: `Name of ${id}`, email: null, phone: null, attributes: {}, identities: [], createdAt: at(0), updatedAt: at(0) });
const page = (items: InboxConversation[], nextCursor: string | null = null): Answer => ({ status: 200, body: { items, nextCursor } satisfies Page<InboxConversation> });

/** Contact routes that answer for every id given. */
const contacts = (...ids: string[]) => Object.fromEntries(ids.map((id) => [`GET /contacts/${id}`, () => ({ status: 200, body: contact(id) })]));

function setup(signedIn = true) {
  const store = new Store({ ...initialState('/'), me: signedIn ? ME : null });
  return { store, loader: new ListLoader(store), ids: () => store.get().list.map((c) => c.id) };
}

describe('ListLoader', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('loads the first page for the filter, shows loading meanwhile, and fetches each contact once', async () => {
    const http = stubApi({
      'GET /conversations': () => page([conv('a', { lastActivityAt: at(9) }), conv('b', { lastActivityAt: at(5), contactId: 'ct-a' })], 'CUR1'),
      ...contacts('ct-a'),
    });
    const { store, loader, ids } = setup();
    store.set({ filter: { ...DEFAULT_FILTER, channel: 'web' } });
    const done = loader.load(true);
    expect(store.get()).toMatchObject({ listLoading: true, listError: null });
    await done;
    await settle();
    expect(Object.fromEntries(http.to('GET /conversations')[0]!.query)).toEqual({ status: 'open', limit: '25', sort: 'activity', channel: 'web' });
    expect(ids()).toEqual(['a', 'b']);
    expect(store.get()).toMatchObject({ listLoading: false, nextCursor: 'CUR1' });
    expect(Object.keys(store.get().conversations)).toEqual(['a', 'b']);
    expect(http.to('GET /contacts/ct-a')).toHaveLength(1);
    expect(store.get().contacts['ct-a']?.name).toBe('Name of ct-a');
  });

  it('loads the next page with the cursor and appends it without duplicates; no cursor, no request', async () => {
    const http = stubApi({
      'GET /conversations': (q) =>
        q.get('cursor') === 'CUR1'
          ? page([conv('b', { lastActivityAt: at(5) }), conv('c', { lastActivityAt: at(1) })])
          : page([conv('a', { lastActivityAt: at(9) }), conv('b', { lastActivityAt: at(5) })], 'CUR1'),
      ...contacts('ct-a', 'ct-b', 'ct-c'),
    });
    const { store, loader, ids } = setup();
    await loader.load(true);
    await loader.load(false);
    expect(ids()).toEqual(['a', 'b', 'c']);
    expect(store.get().nextCursor).toBeNull();
    await loader.load(false); // the end of the list
    expect(http.to('GET /conversations').map((c) => c.query.get('cursor'))).toEqual([null, 'CUR1']);
  });

  it('ignores the answer of a load that a newer one overtook (another filter)', async () => {
    const slow = later();
    stubApi({
      'GET /conversations': (q) => (q.get('status') === 'open' ? slow.promise : page([conv('r', { status: 'resolved' })])),
      ...contacts('ct-a', 'ct-r'),
    });
    const { store, loader, ids } = setup();
    const first = loader.load(true);
    store.set({ filter: { ...DEFAULT_FILTER, status: 'resolved' } });
    await loader.load(true);
    slow.answer(page([conv('a')], 'STALE'));
    await first;
    expect(ids()).toEqual(['r']);
    expect(store.get().nextCursor).toBeNull();

    // An overtaken load that fails does not show its error either.
    const failing = later();
    stubApi({ 'GET /conversations': (q) => (q.get('status') === 'open' ? failing.promise : page([conv('r', { status: 'resolved' })])) });
    store.set({ filter: DEFAULT_FILTER });
    const stale = loader.load(true);
    store.set({ filter: { ...DEFAULT_FILTER, status: 'resolved' } });
    await loader.load(true);
    failing.answer({ status: 500, body: { error: { code: 'SB_ERR_INTERNAL', message: 'boom' } } });
    await stale;
    expect(store.get()).toMatchObject({ listError: null, listLoading: false });
    expect(ids()).toEqual(['r']);
  });

  it('shows why a load failed and stops loading', async () => {
    stubApi({ 'GET /conversations': () => ({ status: 403, body: { error: { code: 'SB_ERR_FORBIDDEN', message: 'Not allowed here.' } } }) });
    const { store, loader } = setup();
    await loader.load(true);
    expect(store.get()).toMatchObject({ listLoading: false, listError: 'Not allowed here.' });

    stubApi({
      'GET /conversations': () => {
        throw new TypeError('fetch failed');
      },
    });
    await loader.load(true);
    expect(store.get().listError).toBe('The server cannot be reached.');
  });

  it('remembers a conversation: merges its copy, puts it in or out of the list, collects intents', async () => {
    stubApi(contacts('ct-a', 'ct-b'));
    const { store, loader, ids } = setup();
    loader.remember(conv('a', { intent: 'refund', lastActivityAt: at(1) }));
    loader.remember(conv('b', { intent: 'billing', lastActivityAt: at(2) }));
    loader.remember(conv('a', { intent: 'refund', lastActivityAt: at(1) })); // again: no duplicate intent
    expect(ids()).toEqual(['b', 'a']);
    expect(store.get().intents).toEqual(['billing', 'refund']);

    loader.remember(conv('a', { status: 'resolved', updatedAt: at(30) }));
    expect(ids()).toEqual(['b']); // out of the open list…
    expect(store.get().conversations['a']).toMatchObject({ status: 'resolved', intent: null }); // …but its copy is current
  });

  it('remembers nothing before the agent is known', () => {
    const http = stubApi(contacts('ct-a'));
    const { store, loader } = setup(false);
    loader.remember(conv('a'));
    expect(store.get()).toMatchObject({ list: [], conversations: {} });
    expect(http.calls).toEqual([]);
  });

  it('loads a contact once, and again only after a failed load', async () => {
    let fail = true;
    const http = stubApi({ 'GET /contacts/ct-a': () => (fail ? { status: 500, body: { error: { code: 'SB_ERR_INTERNAL', message: 'x' } } } : { status: 200, body: contact('ct-a') }) });
    const { store, loader } = setup();
    await loader.loadContact('ct-a');
    expect(store.get().contacts).toEqual({});
    fail = false;
    await Promise.all([loader.loadContact('ct-a'), loader.loadContact('ct-a')]);
    await loader.loadContact('ct-a');
    expect(http.to('GET /contacts/ct-a')).toHaveLength(2);
    expect(store.get().contacts['ct-a']?.id).toBe('ct-a');
  });

  it("loads a contact's other conversations, and shows none when that fails", async () => {
    stubApi({
      'GET /contacts/ct-a/conversations': () => page([conv('a'), conv('old', { status: 'resolved' })]),
      'GET /contacts/ct-b/conversations': () => ({ status: 500, body: { error: { code: 'SB_ERR_INTERNAL', message: 'x' } } }),
    });
    const { store, loader } = setup();
    await loader.loadContactHistory('ct-a');
    await loader.loadContactHistory('ct-b');
    expect(Object.keys(store.get().contactHistory)).toEqual(['ct-a']);
    expect(store.get().contactHistory['ct-a']!.map((c) => c.id)).toEqual(['a', 'old']);
  });
});
