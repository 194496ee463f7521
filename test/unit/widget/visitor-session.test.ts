import { describe, expect, it } from 'vitest';
import { ApiError, WidgetApi } from '../../../widget/src/core/api.js';
import { MemoryStorage, SessionStore } from '../../../widget/src/core/session.js';
import type { InboxInfo } from '../../../widget/src/core/types.js';
import { VisitorSession } from '../../../widget/src/core/visitor-session.js';
import { fakeFetch } from './fakes.js';

const inbox: InboxInfo = { id: 'i1', name: 'Support', greeting: null, color: null, position: 'right', preChatForm: false, agentsOnline: false };

function setup(opts: { contactFor?: (visitorId?: string) => string; conversationsStatus?: number[] } = {}) {
  let now = 1_000_000;
  let n = 0;
  let newContacts = 0;
  const statuses = opts.conversationsStatus ?? [];
  const http = fakeFetch({
    'POST /api/v1/widget/sessions': (body) => {
      const b = body as { visitorId?: string };
      return { status: 201, body: { visitorId: b.visitorId ?? `v${n + 1}`, token: `tok${++n}`, contactId: opts.contactFor?.(b.visitorId) ?? 'k1', inbox } };
    },
    'GET /api/v1/widget/conversations': () => {
      const status = statuses.shift() ?? 200;
      return status === 200 ? { status, body: { items: [] } } : { status, body: { error: { code: 'SB_ERR_INVALID_TOKEN', message: 'expired' } } };
    },
  });
  const store = new SessionStore(new MemoryStorage(), 'site');
  const api = new WidgetApi('http://hub', http.fetch);
  const session = new VisitorSession({ websiteToken: 'site', api, store, now: () => now, onNewContact: () => newContacts++ });
  return { session, store, api, http, advance: (ms: number) => (now += ms), newContacts: () => newContacts, posts: () => http.calls.filter((c) => c.key.startsWith('POST')) };
}

describe('VisitorSession', () => {
  it('callers asking at the same time share one session request (one contact, one token)', async () => {
    const t = setup({ contactFor: (visitorId) => `contact-of-${visitorId ?? 'new'}-${Math.random()}` });
    const [a, b, c] = await Promise.all([t.session.ensure(), t.session.ensure(), t.session.authed(async (token) => token)]);
    expect(t.posts()).toHaveLength(1);
    expect(b.contactId).toBe(a.contactId);
    expect(c).toBe(a.token);
    expect(t.newContacts()).toBe(1);
  });

  it('creates a session once and reuses it', async () => {
    const t = setup();
    const a = await t.session.ensure();
    const b = await t.session.ensure();
    expect(a.token).toBe('tok1');
    expect(b).toBe(a);
    expect(t.posts()).toHaveLength(1);
    expect(t.newContacts()).toBe(1);
    expect(t.store.read()).toMatchObject({ visitorId: 'v1', token: 'tok1', inbox });
  });

  it('renews a suspected token at most every 30 s', async () => {
    const t = setup();
    await t.session.ensure();
    t.session.suspectToken();
    await t.session.ensure();
    expect(t.posts()).toHaveLength(1);
    t.advance(30_000);
    expect((await t.session.ensure()).token).toBe('tok2');
    expect(t.posts()[1]!.body).toEqual({ inbox: 'site', visitorId: 'v1' });
    expect(t.newContacts()).toBe(1);
  });

  it('renews and retries once when an HTTP call is refused with 401', async () => {
    const t = setup({ conversationsStatus: [401, 200] });
    await t.session.ensure();
    await t.session.authed((token) => t.api.conversations(token));
    const gets = t.http.calls.filter((c) => c.key.startsWith('GET'));
    expect(gets.map((g) => g.headers['Authorization'])).toEqual(['Bearer tok1', 'Bearer tok2']);
  });

  it('passes other refusals through', async () => {
    const t = setup({ conversationsStatus: [401, 401] });
    await expect(t.session.authed((token) => t.api.conversations(token))).rejects.toBeInstanceOf(ApiError);
  });

  it('starts the conversation afresh when the server puts the visitor on another contact', async () => {
    let contact = 'k1';
    const t = setup({ contactFor: () => contact });
    await t.session.ensure();
    t.session.update({ conversationId: 'c1', lastSeq: 5 });
    contact = 'k2';
    t.session.renewSoon();
    await t.session.ensure();
    expect(t.newContacts()).toBe(2);
    expect(t.store.read()).toMatchObject({ contactId: 'k2', conversationId: null, lastSeq: 0 });
  });

  it('classifies what setUser means', async () => {
    const t = setup();
    expect(t.session.classify({ id: 'u1' })).toBe('identify'); // no session yet
    t.session.identity = { id: 'u1', name: 'Ada', hash: 'h' };
    await t.session.ensure();
    expect(t.session.classify({ id: 'u1', name: 'Ada', hash: 'h' })).toBe('same');
    expect(t.session.classify({ id: 'u1', name: 'Ada L.', hash: 'h' })).toBe('details');
    expect(t.session.classify({ id: 'u1', name: 'Ada', hash: 'h2' })).toBe('identify');
    expect(t.session.classify({ id: 'u2' })).toBe('other-user');
  });

  it('drops a stored session of another user on load, keeps an anonymous one for renewal', () => {
    const t = setup();
    t.store.write({ visitorId: 'v1', token: 'tok', contactId: 'k1', identity: { id: 'alice' } });
    t.session.identity = { id: 'bob' };
    expect(t.session.load()).toBeNull();

    const u = setup();
    u.store.write({ visitorId: 'v1', token: 'tok', contactId: 'k1' });
    u.session.identity = { id: 'bob' };
    expect(u.session.load()?.visitorId).toBe('v1');
  });
});
