import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, visitorSession } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/** The agent inbox's session: an HttpOnly, SameSite=Strict cookie set at login. */
describe('agent session cookie', () => {
  let server: RunningServer;
  let cookie: string;
  let setCookie: string;
  const host = () => new URL(server.url).host;

  beforeAll(async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
    });
    expect(res.status).toBe(200);
    setCookie = res.headers.get('set-cookie') ?? '';
    cookie = setCookie.split(';')[0]!;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('login sets an HttpOnly, SameSite=Strict session cookie scoped to the whole site', () => {
    expect(cookie).toMatch(/^sb_session=.+/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=\d+/);
  });

  it('the cookie authenticates same-origin API calls and refuses cross-origin ones', async () => {
    const me = await api(server.url).get('/api/v1/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(server.adminEmail);
    const sameSite = await api(server.url).get('/api/v1/conversations', { cookie, origin: `http://${host()}` });
    expect(sameSite.status).toBe(200);
    const crossSite = await api(server.url).patch('/api/v1/inboxes/x', { name: 'evil' }, { cookie, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('SB_ERR_FORBIDDEN');
    const none = await api(server.url).get('/api/v1/auth/me');
    expect(none.status).toBe(401);
    const forged = await api(server.url).get('/api/v1/auth/me', { cookie: 'sb_session=forged' });
    expect(forged.status).toBe(401);
  });

  it('the WebSocket accepts the cookie from our own pages only, and only for agents', async () => {
    const ws = await WsClient.connect(server.wsUrl, '', { cookie, origin: `http://${host()}` }).catch((e: Error) => e);
    // WsClient puts ?token= in the URL; an empty token means "use the cookie".
    expect(ws).toBeInstanceOf(WsClient);
    const hello = (ws as WsClient).ofType('hello')[0]!;
    expect(hello.actor.type).toBe('agent');
    await (ws as WsClient).close();

    await expect(WsClient.connect(server.wsUrl, '', { cookie, origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const visitor = await visitorSession(server.url, server.websiteToken);
    await expect(WsClient.connect(server.wsUrl, '', { cookie: `sb_session=${visitor.token}` })).rejects.toThrow(/401/);
  });

  it('logout clears the cookie', async () => {
    const res = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(res.status).toBe(204);
    const cleared = res.headers.get('set-cookie') ?? '';
    expect(cleared).toMatch(/^sb_session=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
  });
});
