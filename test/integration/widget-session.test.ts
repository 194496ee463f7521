import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

const SESSIONS = '/api/v1/widget/sessions';
const IDENTITY_SECRET = 'identity-secret-for-tests-0123456789';
const SHOP = 'https://shop.example';
const EVIL = 'https://evil.example';
const hmac = (id: string, secret = IDENTITY_SECRET) => crypto.createHmac('sha256', secret).update(id).digest('hex');

describe('widget sessions through a real server', () => {
  let server: RunningServer;
  let admin: ReturnType<typeof api>;
  let shopInbox: { id: string; websiteToken: string };
  let identityInbox: { id: string; websiteToken: string };
  const open: WsClient[] = [];
  const connect = async (token: string, headers: Record<string, string> = {}) => {
    const c = await WsClient.connect(server.wsUrl, token, headers);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    // Generous session limit: this suite opens a few dozen sessions; the limit itself is tested below.
    server = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    admin = api(server.url, await login(server.url, server.adminEmail, server.adminPassword));
    const shop = await admin.post('/api/v1/inboxes', { name: 'Shop', channel: 'web', settings: { allowedOrigins: [`${SHOP}/checkout`] } });
    expect(shop.status).toBe(201);
    shopInbox = shop.body;
    const ident = await admin.post('/api/v1/inboxes', {
      name: 'Members',
      channel: 'web',
      settings: { requireIdentity: true, identitySecret: IDENTITY_SECRET, greeting: 'Welcome back', color: '#336699', position: 'left' },
    });
    expect(ident.status).toBe(201);
    identityInbox = ident.body;
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    expect(await server?.stop()).toBe(0);
  });

  describe('creating a session', () => {
    it('returns 201 {visitorId, token, contactId} with a working visitor token', async () => {
      const r = await api(server.url).post(SESSIONS, { inbox: server.websiteToken });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ visitorId: expect.any(String), token: expect.any(String), contactId: expect.any(String) });
      expect(r.body.visitorId.length).toBeGreaterThan(0);
      const ws = await connect(r.body.token);
      expect(ws.frames[0]).toMatchObject({ type: 'hello', actor: { type: 'contact', id: r.body.contactId } });
    });

    it('each new visitor gets its own visitorId and contact', async () => {
      const a = await visitorSession(server.url, server.websiteToken);
      const b = await visitorSession(server.url, server.websiteToken);
      expect(a.visitorId).not.toBe(b.visitorId);
      expect(a.contactId).not.toBe(b.contactId);
    });

    it('an unknown website token is 404 SB_ERR_INBOX_NOT_FOUND', async () => {
      const r = await api(server.url).post(SESSIONS, { inbox: 'no-such-website-token' });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('SB_ERR_INBOX_NOT_FOUND');
    });

    it('a malformed body is a structured 4xx error', async () => {
      const r = await api(server.url).post(SESSIONS, { visitorId: 'x' });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('SB_ERR_VALIDATION');
      const bad = await api(server.url).post(SESSIONS, '{"inbox":', {});
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('SB_ERR_BAD_JSON');
    });
  });

  describe('secrets', () => {
    it('the identity secret never appears in inbox responses or session responses', async () => {
      const created = await admin.post('/api/v1/inboxes', {
        name: 'Secretive',
        channel: 'web',
        settings: { requireIdentity: true, identitySecret: 'another-secret-that-must-not-leak' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'Secretive', channel: 'web', websiteToken: expect.any(String) });
      expect(created.body.settings).toMatchObject({ requireIdentity: true });
      const leaks = (body: unknown, secret: string) => {
        const text = JSON.stringify(body);
        return text.includes(secret) || text.includes('identitySecret');
      };
      expect(leaks(created.body, 'another-secret-that-must-not-leak')).toBe(false);

      const one = await admin.get(`/api/v1/inboxes/${identityInbox.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: identityInbox.id, websiteToken: identityInbox.websiteToken, settings: { requireIdentity: true } });
      expect(leaks(one.body, IDENTITY_SECRET)).toBe(false);

      const all = await admin.get('/api/v1/inboxes');
      expect(all.status).toBe(200);
      expect(all.body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([identityInbox.id, created.body.id]));
      expect(leaks(all.body, IDENTITY_SECRET)).toBe(false);
      expect(leaks(all.body, 'another-secret-that-must-not-leak')).toBe(false);

      const session = await api(server.url).post(SESSIONS, {
        inbox: identityInbox.websiteToken,
        identity: { id: 'secret-check', hash: hmac('secret-check') },
      });
      expect(session.status).toBe(201);
      expect(leaks(session.body, IDENTITY_SECRET)).toBe(false);
    });

    it('requireIdentity without a secret is refused with a field-level error', async () => {
      const r = await admin.post('/api/v1/inboxes', { name: 'Broken', channel: 'web', settings: { requireIdentity: true } });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('SB_ERR_VALIDATION');
      expect(r.body.error.details.fields).toEqual([{ path: 'settings.identitySecret', message: expect.any(String) }]);
    });
  });

  describe('returning visitors', () => {
    it('passing the visitorId back gives the same visitor and contact', async () => {
      const first = await visitorSession(server.url, server.websiteToken);
      const again = await visitorSession(server.url, server.websiteToken, { visitorId: first.visitorId });
      expect(again.visitorId).toBe(first.visitorId);
      expect(again.contactId).toBe(first.contactId);
      expect(again.token).toEqual(expect.any(String));
    });

    it('a returning visitor sees its earlier conversation', async () => {
      const first = await visitorSession(server.url, server.websiteToken);
      const ws1 = await connect(first.token);
      const ack = await ws1.request({ type: 'message.send', clientId: 'rv-1', body: 'I was here before' }, (f) => f.type === 'message.ack');
      const conversationId: string = ack.message.conversationId;
      await ws1.close();

      const again = await visitorSession(server.url, server.websiteToken, { visitorId: first.visitorId });
      const ws2 = await connect(again.token);
      const done = await ws2.request({ type: 'sync', conversationId, since: 0 }, (f) => f.type === 'sync.done' || f.type === 'error');
      expect(done).toMatchObject({ type: 'sync.done', conversationId, lastSeq: 1 });
      expect(ws2.ofType('message.created').map((f) => f.message.body)).toEqual(['I was here before']);
    });

    it('a made-up visitorId is not adopted: the server mints a new one', async () => {
      const madeUp = `made-up-${crypto.randomUUID()}`;
      const r = await visitorSession(server.url, server.websiteToken, { visitorId: madeUp });
      expect(r.visitorId).not.toBe(madeUp);
      expect(r.visitorId.length).toBeGreaterThan(0);
      // The minted id is the one that brings the visitor back; the made-up one still does not.
      const back = await visitorSession(server.url, server.websiteToken, { visitorId: r.visitorId });
      expect(back.contactId).toBe(r.contactId);
      const retry = await visitorSession(server.url, server.websiteToken, { visitorId: madeUp });
      expect(retry.visitorId).not.toBe(madeUp);
      expect(retry.contactId).not.toBe(r.contactId);
    });

    it("another inbox's visitorId is not adopted", async () => {
      const onDefault = await visitorSession(server.url, server.websiteToken);
      const onShop = await visitorSession(server.url, shopInbox.websiteToken, { visitorId: onDefault.visitorId });
      expect(onShop.visitorId).not.toBe(onDefault.visitorId);
      expect(onShop.contactId).not.toBe(onDefault.contactId);
    });
  });

  describe('allowed origins', () => {
    it('stores the allow-list in origin form', async () => {
      const r = await admin.get(`/api/v1/inboxes/${shopInbox.id}`);
      expect(r.body.settings.allowedOrigins).toEqual([SHOP]);
    });

    it('an allowed Origin gets 201 and an Access-Control-Allow-Origin echoing it', async () => {
      const r = await api(server.url).post(SESSIONS, { inbox: shopInbox.websiteToken }, { origin: SHOP });
      expect(r.status).toBe(201);
      expect(r.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(r.body).toMatchObject({ visitorId: expect.any(String), token: expect.any(String), contactId: expect.any(String) });
    });

    it('another Origin is 403 SB_ERR_ORIGIN_NOT_ALLOWED, without CORS approval', async () => {
      const r = await api(server.url).post(SESSIONS, { inbox: shopInbox.websiteToken }, { origin: EVIL });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('SB_ERR_ORIGIN_NOT_ALLOWED');
      expect(r.headers.get('access-control-allow-origin')).not.toBe(EVIL);
      expect(r.body).not.toHaveProperty('token');
      // Same host on another scheme is another origin.
      const http = await api(server.url).post(SESSIONS, { inbox: shopInbox.websiteToken }, { origin: 'http://shop.example' });
      expect(http.status).toBe(403);
    });

    it('an inbox without an allow-list accepts any Origin', async () => {
      const r = await api(server.url).post(SESSIONS, { inbox: server.websiteToken }, { origin: EVIL });
      expect(r.status).toBe(201);
      expect(r.headers.get('access-control-allow-origin')).toBe(EVIL);
    });

    it('the WebSocket upgrade of a visitor token is refused from another Origin and accepted from the allowed one', async () => {
      const session = await visitorSession(server.url, shopInbox.websiteToken, {}, { origin: SHOP });
      await expect(WsClient.connect(server.wsUrl, session.token, { origin: EVIL })).rejects.toThrow('upgrade refused: 403');
      const ok = await connect(session.token, { origin: SHOP });
      expect(ok.frames[0]).toMatchObject({ type: 'hello', actor: { type: 'contact', id: session.contactId } });
      const ack = await ok.request({ type: 'message.send', clientId: 'shop-1', body: 'hello from the shop' }, (f) => f.type === 'message.ack' || f.type === 'error');
      expect(ack).toMatchObject({ type: 'message.ack', message: { body: 'hello from the shop', channel: 'web' } });
    });
  });

  describe('verified identity (HMAC)', () => {
    const identity = (id: string, extra: Record<string, unknown> = {}) => ({ id, hash: hmac(id), ...extra });

    it('a correct hash gives 201', async () => {
      const r = await api(server.url).post(SESSIONS, {
        inbox: identityInbox.websiteToken,
        identity: identity('user-42', { email: 'ada@shop.example', name: 'Ada Lovelace' }),
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ visitorId: expect.any(String), token: expect.any(String), contactId: expect.any(String) });
    });

    it('the same identity on another device (no visitorId) is the same contact', async () => {
      const laptop = await visitorSession(server.url, identityInbox.websiteToken, { identity: identity('user-77') });
      const phone = await visitorSession(server.url, identityInbox.websiteToken, { identity: identity('user-77') });
      expect(phone.contactId).toBe(laptop.contactId);
      const other = await visitorSession(server.url, identityInbox.websiteToken, { identity: identity('user-78') });
      expect(other.contactId).not.toBe(laptop.contactId);
    });

    it('the hash is accepted in upper-case hex too', async () => {
      const lower = await visitorSession(server.url, identityInbox.websiteToken, { identity: identity('user-case') });
      const upper = await visitorSession(server.url, identityInbox.websiteToken, { identity: { id: 'user-case', hash: hmac('user-case').toUpperCase() } });
      expect(upper.contactId).toBe(lower.contactId);
    });

    it('a wrong hash is 401 SB_ERR_IDENTITY_INVALID', async () => {
      for (const hash of [hmac('user-43'), hmac('user-42', 'not-the-inbox-secret-at-all'), 'deadbeef', '']) {
        const r = await api(server.url).post(SESSIONS, { inbox: identityInbox.websiteToken, identity: { id: 'user-42', hash } });
        expect(r.status).toBe(401);
        expect(r.body.error.code).toBe('SB_ERR_IDENTITY_INVALID');
        expect(r.body).not.toHaveProperty('token');
      }
    });

    it('an identity without a hash is 401 on an inbox that requires identity', async () => {
      const r = await api(server.url).post(SESSIONS, {
        inbox: identityInbox.websiteToken,
        identity: { id: 'user-42', email: 'mallory@evil.example', name: 'Mallory' },
      });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('SB_ERR_IDENTITY_INVALID');
    });

    it("a failed identity check does not touch the real user's contact", async () => {
      const real = await visitorSession(server.url, identityInbox.websiteToken, { identity: identity('user-99', { name: 'Real Name', email: 'real@shop.example' }) });
      const forged = await api(server.url).post(SESSIONS, {
        inbox: identityInbox.websiteToken,
        identity: { id: 'user-99', name: 'Forged', email: 'forged@evil.example', hash: hmac('user-99', 'guessed-secret-value') },
      });
      expect(forged.status).toBe(401);
      const contact = await admin.get(`/api/v1/contacts/${real.contactId}`);
      expect(contact.body).toMatchObject({ name: 'Real Name', email: 'real@shop.example' });
    });

    it('the identity name and email land on the contact, and later updates apply', async () => {
      const s = await visitorSession(server.url, identityInbox.websiteToken, { identity: identity('user-55', { name: 'Grace Hopper', email: 'grace@shop.example' }) });
      const contact = await admin.get(`/api/v1/contacts/${s.contactId}`);
      expect(contact.status).toBe(200);
      expect(contact.body).toMatchObject({ id: s.contactId, name: 'Grace Hopper', email: 'grace@shop.example' });

      const renamed = await visitorSession(server.url, identityInbox.websiteToken, { identity: identity('user-55', { name: 'Rear Admiral Hopper', email: 'grace@navy.example' }) });
      expect(renamed.contactId).toBe(s.contactId);
      const after = await admin.get(`/api/v1/contacts/${s.contactId}`);
      expect(after.body).toMatchObject({ name: 'Rear Admiral Hopper', email: 'grace@navy.example' });
    });
  });

  describe('visitor token scope', () => {
    it('a visitor token cannot call agent REST routes (403 SB_ERR_FORBIDDEN)', async () => {
      const s = await visitorSession(server.url, server.websiteToken);
      const visitor = api(server.url, s.token);
      const calls = [
        visitor.get('/api/v1/conversations'),
        visitor.get('/api/v1/inboxes'),
        visitor.get(`/api/v1/inboxes/${identityInbox.id}`),
        visitor.get(`/api/v1/contacts/${s.contactId}`),
        visitor.get('/api/v1/contacts'),
        visitor.post('/api/v1/inboxes', { name: 'Mine now', channel: 'web', settings: {} }),
      ];
      for (const r of await Promise.all(calls)) {
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('SB_ERR_FORBIDDEN');
      }
      const me = await visitor.get('/api/v1/auth/me');
      expect(me.status).toBe(403);
    });

    it("visitor A cannot sync or write to visitor B's conversation", async () => {
      const a = await visitorSession(server.url, server.websiteToken);
      const b = await visitorSession(server.url, server.websiteToken);
      const wsA = await connect(a.token);
      const wsB = await connect(b.token);
      const ack = await wsB.request({ type: 'message.send', clientId: 'b-1', body: "B's private matter" }, (f) => f.type === 'message.ack');
      const bConversation: string = ack.message.conversationId;

      const syncErr = await wsA.request({ type: 'sync', conversationId: bConversation, since: 0 }, (f) => f.type === 'error' || f.type === 'sync.done');
      expect(syncErr).toMatchObject({ type: 'error', code: 'SB_ERR_CONVERSATION_NOT_FOUND' });

      const sendErr = await wsA.request(
        { type: 'message.send', clientId: 'a-1', conversationId: bConversation, body: 'let me in' },
        (f) => (f.type === 'error' && f.clientId === 'a-1') || f.type === 'message.ack',
      );
      expect(sendErr).toMatchObject({ type: 'error', code: 'SB_ERR_CONVERSATION_NOT_FOUND', clientId: 'a-1' });

      // The connection stays usable, and nothing of B's ever reached A.
      await wsA.request({ type: 'ping' }, (f) => f.type === 'pong');
      expect(JSON.stringify(wsA.frames)).not.toContain("B's private matter");
      const history = await admin.get(`/api/v1/conversations/${bConversation}/messages`);
      expect(history.body.items.map((m: { body: string }) => m.body)).toEqual(["B's private matter"]);
    });

    it('an inbox id is not a website token', async () => {
      const forged = await api(server.url).post(SESSIONS, { inbox: shopInbox.id });
      expect(forged.status).toBe(404);
      expect(forged.body.error.code).toBe('SB_ERR_INBOX_NOT_FOUND');
    });
  });
});

describe('rate limits through a real server', () => {
  const SESSION_LIMIT = 4;
  const LOGIN_LIMIT = 3;
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ env: { SESSION_RATE_PER_MINUTE: String(SESSION_LIMIT), LOGIN_RATE_PER_MINUTE: String(LOGIN_LIMIT) } });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('session creation past SESSION_RATE_PER_MINUTE is 429 SB_ERR_RATE_LIMITED with Retry-After', async () => {
    for (let i = 0; i < SESSION_LIMIT; i++) {
      const r = await api(server.url).post(SESSIONS, { inbox: server.websiteToken });
      expect(r.status).toBe(201);
    }
    const limited = await api(server.url).post(SESSIONS, { inbox: server.websiteToken });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('SB_ERR_RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Still limited, whatever the request says.
    const again = await api(server.url).post(SESSIONS, { inbox: 'anything' });
    expect(again.status).toBe(429);
  });

  it('many wrong logins are cut off with 429 SB_ERR_RATE_LIMITED, even for the right password', async () => {
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const r = await api(server.url).post('/api/v1/auth/login', { email: server.adminEmail, password: `wrong guess ${i}` });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('SB_ERR_INVALID_CREDENTIALS');
    }
    const limited = await api(server.url).post('/api/v1/auth/login', { email: server.adminEmail, password: 'wrong guess again' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('SB_ERR_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await api(server.url).post('/api/v1/auth/login', { email: server.adminEmail, password: server.adminPassword });
    expect(right.status).toBe(429);
    expect(right.body).not.toHaveProperty('token');
  });
});
