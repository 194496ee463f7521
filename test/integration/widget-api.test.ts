import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

const SHOP = 'https://shop.example';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const MAX_BYTES = 4096;

/** Posts raw bytes the way the widget uploads a file. */
async function upload(base: string, path: string, token: string, data: Buffer | string, type: string, name = 'pic.png', origin?: string) {
  const res = await fetch(`${base}${path}?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type, ...(origin ? { origin } : {}) },
    body: data,
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

describe('the widget API and attachments, through a real server', () => {
  let server: RunningServer;
  let admin: ReturnType<typeof api>;
  let adminToken: string;
  let shop: { id: string; websiteToken: string };
  const sockets: WsClient[] = [];
  const connect = async (token: string, headers: Record<string, string> = {}) => {
    const c = await WsClient.connect(server.wsUrl, token, headers);
    sockets.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000', MAX_ATTACHMENT_BYTES: String(MAX_BYTES) } });
    adminToken = await login(server.url, server.adminEmail, server.adminPassword);
    admin = api(server.url, adminToken);
    const r = await admin.post('/api/v1/inboxes', {
      name: 'Shop help',
      channel: 'web',
      settings: { allowedOrigins: [SHOP], preChatForm: true, greeting: 'Hi there', color: '#aa3300' },
    });
    expect(r.status).toBe(201);
    shop = r.body;
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server?.stop();
  });

  it('a session tells the widget its settings and whether an agent is online', async () => {
    const before = await api(server.url).post('/api/v1/widget/sessions', { inbox: shop.websiteToken }, { origin: SHOP });
    expect(before.status).toBe(201);
    expect(before.body.inbox).toEqual({
      id: shop.id,
      name: 'Shop help',
      greeting: 'Hi there',
      color: '#aa3300',
      position: 'right',
      preChatForm: true,
      agentsOnline: false,
      maxAttachmentBytes: MAX_BYTES,
    });
    await connect(adminToken);
    const after = await api(server.url).post('/api/v1/widget/sessions', { inbox: shop.websiteToken }, { origin: SHOP });
    expect(after.body.inbox.agentsOnline).toBe(true);
  });

  it('answers CORS preflights for every widget route and refuses other origins without CORS headers', async () => {
    for (const path of ['/api/v1/widget/contact', '/api/v1/widget/conversations', '/api/v1/widget/attachments']) {
      const pre = await fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: SHOP, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
      expect(pre.headers.get('access-control-allow-methods')).toContain('PATCH');
    }
    const v = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const ok = await api(server.url, v.token).get('/api/v1/widget/conversations', { origin: SHOP });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP);
    const evil = await api(server.url, v.token).get('/api/v1/widget/conversations', { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe('SB_ERR_ORIGIN_NOT_ALLOWED');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // A bad token is readable by the widget (so it can start a new session).
    const bad = await api(server.url, 'not-a-token').get('/api/v1/widget/conversations', { origin: SHOP });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('access-control-allow-origin')).toBe(SHOP);
  });

  it('lists only the visitor’s own conversations, and refuses agent tokens', async () => {
    const a = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const b = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const wsA = await connect(a.token, { origin: SHOP });
    const ack = await wsA.request({ type: 'message.send', clientId: 'a1', body: 'where is my order?' }, (f) => f.type === 'message.ack');
    const conversationId = ack.message.conversationId;

    const mine = await api(server.url, a.token).get('/api/v1/widget/conversations', { origin: SHOP });
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([conversationId]);
    expect(mine.body.items[0].lastSeq).toBe(1);
    const theirs = await api(server.url, b.token).get('/api/v1/widget/conversations', { origin: SHOP });
    expect(theirs.body.items).toEqual([]);
    const asAgent = await api(server.url, adminToken).get('/api/v1/widget/conversations');
    expect(asAgent.status).toBe(403);
  });

  it('the pre-chat form and setAttributes update the visitor’s contact, validated', async () => {
    const v = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const visitor = api(server.url, v.token);
    const r = await visitor.patch('/api/v1/widget/contact', { name: 'Ada', email: 'ada@example.com', attributes: { plan: 'pro', seats: 3 } }, { origin: SHOP });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: v.contactId, name: 'Ada', email: 'ada@example.com', attributes: { plan: 'pro', seats: 3 } });
    const merged = await visitor.patch('/api/v1/widget/contact', { attributes: { seats: 4 } }, { origin: SHOP });
    expect(merged.body.attributes).toEqual({ plan: 'pro', seats: 4 });
    const seen = await admin.get(`/api/v1/contacts/${v.contactId}`);
    expect(seen.body).toMatchObject({ name: 'Ada', email: 'ada@example.com' });

    const badEmail = await visitor.patch('/api/v1/widget/contact', { email: 'not an email' }, { origin: SHOP });
    expect(badEmail.status).toBe(422);
    expect(badEmail.body.error.code).toBe('SB_ERR_VALIDATION');
    const unknown = await visitor.patch('/api/v1/widget/contact', { role: 'admin' }, { origin: SHOP });
    expect(unknown.status).toBe(422);
    const nested = await visitor.patch('/api/v1/widget/contact', { attributes: { deep: { x: 1 } } }, { origin: SHOP });
    expect(nested.status).toBe(422);
  });

  it('uploads a file, serves it safely, and puts it on a visitor message over WebSocket', async () => {
    const v = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const up = await upload(server.url, '/api/v1/widget/attachments', v.token, PNG, 'image/png', '../../etc/pic.png', SHOP);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: 'pic.png', contentType: 'image/png', size: PNG.length });
    expect(up.headers.get('access-control-allow-origin')).toBe(SHOP);
    // The stored URL uses PUBLIC_URL (localhost here); fetch the same path on the test address.
    const file = await fetch(`${server.url}${new URL(up.body.url).pathname}`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toContain('sandbox');

    const ws = await connect(v.token, { origin: SHOP });
    const ack = await ws.request({ type: 'message.send', clientId: 'with-file', body: '', attachments: [up.body.id] }, (f) => f.type === 'message.ack');
    expect(ack.message.body).toBe('');
    expect(ack.message.attachments).toEqual([up.body]);
    const history = await admin.get(`/api/v1/conversations/${ack.message.conversationId}/messages`);
    expect(history.body.items[0].attachments).toEqual([up.body]);

    // Neither text nor files: refused.
    const empty = await ws.request({ type: 'message.send', clientId: 'empty', body: '  ' }, (f) => f.type === 'error');
    expect(empty.code).toBe('SB_ERR_VALIDATION');
  });

  it('refuses wrong types, disguised content and oversized files', async () => {
    const v = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const html = await upload(server.url, '/api/v1/widget/attachments', v.token, '<script>alert(1)</script>', 'image/png', 'x.png', SHOP);
    expect(html.status).toBe(415);
    expect(html.body.error.code).toBe('SB_ERR_ATTACHMENT_TYPE');
    const svg = await upload(server.url, '/api/v1/widget/attachments', v.token, '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml', 'x.svg', SHOP);
    expect(svg.status).toBe(415);
    const big = await upload(server.url, '/api/v1/widget/attachments', v.token, Buffer.concat([PNG, Buffer.alloc(MAX_BYTES)]), 'image/png', 'big.png', SHOP);
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('SB_ERR_ATTACHMENT_TOO_LARGE');
    const anonymous = await fetch(`${server.url}/api/v1/widget/attachments?name=a.png`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
    expect(anonymous.status).toBe(401);
  });

  it('a visitor cannot attach another visitor’s upload; an agent can attach its own on a REST reply', async () => {
    const owner = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const thief = await visitorSession(server.url, shop.websiteToken, {}, { origin: SHOP });
    const up = await upload(server.url, '/api/v1/widget/attachments', owner.token, PNG, 'image/png', 'mine.png', SHOP);
    const ws = await connect(thief.token, { origin: SHOP });
    const err = await ws.request({ type: 'message.send', clientId: 'steal', body: 'look', attachments: [up.body.id] }, (f) => f.type === 'error');
    expect(err.code).toBe('SB_ERR_ATTACHMENT_NOT_FOUND');
    expect(err.clientId).toBe('steal');

    const started = await ws.request({ type: 'message.send', clientId: 'hello', body: 'hello' }, (f) => f.type === 'message.ack');
    const agentFile = await upload(server.url, '/api/v1/attachments', adminToken, 'Invoice 42\n', 'text/plain', 'invoice.txt');
    expect(agentFile.status).toBe(201);
    const reply = await admin.post(`/api/v1/conversations/${started.message.conversationId}/messages`, { body: 'Here you go', attachments: [agentFile.body.id] });
    expect(reply.status).toBe(201);
    expect(reply.body.attachments).toEqual([agentFile.body]);
    const seen = await ws.next((f) => f.type === 'message.created' && f.message.id === reply.body.id);
    expect(seen.message.attachments[0].name).toBe('invoice.txt');
    const download = await fetch(`${server.url}${new URL(agentFile.body.url).pathname}`);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(await download.text()).toBe('Invoice 42\n');

    const missing = await admin.post(`/api/v1/conversations/${started.message.conversationId}/messages`, { body: 'x', attachments: ['nope'] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SB_ERR_ATTACHMENT_NOT_FOUND');
  });

  it('admins change widget settings later; the channel validates them and secrets stay secret', async () => {
    const created = await admin.post('/api/v1/inboxes', {
      name: 'Members',
      channel: 'web',
      settings: { requireIdentity: true, identitySecret: 'members-identity-secret-0123456789' },
    });
    const id = created.body.id;
    const changed = await admin.patch(`/api/v1/inboxes/${id}`, { name: 'Members area', settings: { greeting: 'Welcome back', color: '#123456', preChatForm: true } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Members area', settings: { requireIdentity: true, greeting: 'Welcome back', color: '#123456', preChatForm: true } });
    expect(JSON.stringify(changed.body)).not.toContain('members-identity-secret');

    // The identity secret given at creation still verifies identities.
    const crypto = await import('node:crypto');
    const hash = crypto.createHmac('sha256', 'members-identity-secret-0123456789').update('u-1').digest('hex');
    const session = await api(server.url).post('/api/v1/widget/sessions', { inbox: created.body.websiteToken, identity: { id: 'u-1', hash } });
    expect(session.status).toBe(201);
    expect(session.body.inbox).toMatchObject({ name: 'Members area', greeting: 'Welcome back', preChatForm: true });

    // A returning visitor's widget reads the current settings with its existing token.
    const current = await api(server.url, session.body.token).get('/api/v1/widget/inbox');
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ id, name: 'Members area', greeting: 'Welcome back', preChatForm: true, maxAttachmentBytes: MAX_BYTES });
    await admin.patch(`/api/v1/inboxes/${id}`, { settings: { greeting: 'Hello again' } });
    expect((await api(server.url, session.body.token).get('/api/v1/widget/inbox')).body.greeting).toBe('Hello again');

    const bad = await admin.patch(`/api/v1/inboxes/${id}`, { settings: { color: 'red' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('settings.color');
    const missing = await admin.patch('/api/v1/inboxes/nope', { name: 'x' });
    expect(missing.status).toBe(404);
    const nothing = await admin.patch(`/api/v1/inboxes/${id}`, {});
    expect(nothing.status).toBe(422);
  });

  it('serves the built widget: loader and app, gzipped on request, cacheable, CORS-open', async () => {
    const loader = await fetch(`${server.url}/widget.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(loader.status).toBe(200);
    expect(loader.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(loader.headers.get('content-encoding')).toBe('gzip');
    expect(loader.headers.get('access-control-allow-origin')).toBe('*');
    expect(loader.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await loader.text()).toContain('Switchboard');
    const app = await fetch(`${server.url}/widget/app.js?v=abc`);
    expect(app.status).toBe(200);
    expect(app.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${server.url}/widget/nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/widget/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('serves the demo page with the default inbox embedded', async () => {
    const demo = await fetch(`${server.url}/demo`);
    expect(demo.status).toBe(200);
    expect(demo.headers.get('content-type')).toContain('text/html');
    const html = await demo.text();
    expect(html).toContain(`/widget.js" data-inbox="${server.websiteToken}" defer></script>`);
    const other = await (await fetch(`${server.url}/demo?inbox=${shop.websiteToken}`)).text();
    expect(other).toContain(`data-inbox="${shop.websiteToken}"`);
    const injected = await (await fetch(`${server.url}/demo?inbox=%22%3E%3Cscript%3E`)).text();
    expect(injected).not.toContain('"><script>');
  });
});
