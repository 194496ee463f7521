import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession, type ApiResponse } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

type Frame = { type: string; [k: string]: any };

/** Asserts an HTTP error in the documented shape: exactly `{error:{code,message}}`. */
function expectHttpError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

/** Asserts a WebSocket `error` frame; `clientId` is echoed exactly when given. */
function expectErrorFrame(f: Frame, code: string, clientId?: string): void {
  expect(f).toMatchObject({ type: 'error', code });
  expect(typeof f.message).toBe('string');
  if (clientId === undefined) expect(f).not.toHaveProperty('clientId');
  else expect(f.clientId).toBe(clientId);
}

/** Status and JSON body of a refused WebSocket upgrade. */
function refusal(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => reject(new Error('upgrade was accepted')));
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('bad input gets a clear error, never a crash', () => {
  let server: RunningServer;
  let agentToken: string;
  let agent: ReturnType<typeof api>;
  const open: WsClient[] = [];

  const connect = async (token: string) => {
    const c = await WsClient.connect(server.wsUrl, token);
    open.push(c);
    return c;
  };
  /** A fresh visitor with one stored message; returns its socket and conversation. */
  const visitorWithConversation = async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const ws = await connect(session.token);
    const ack = await ws.request({ type: 'message.send', clientId: 'first', body: 'owner private text' }, (f) => f.type === 'message.ack');
    return { session, ws, conversationId: ack.message.conversationId as string };
  };
  const stored = async (conversationId: string) => {
    const conv = await agent.get(`/api/v1/conversations/${conversationId}`);
    const msgs = await agent.get(`/api/v1/conversations/${conversationId}/messages?limit=200`);
    expect(conv.status).toBe(200);
    return { lastSeq: conv.body.lastSeq as number, status: conv.body.status as string, seqs: msgs.body.items.map((m: { seq: number }) => m.seq) };
  };
  const pong = (c: WsClient) => c.request({ type: 'ping' }, (f) => f.type === 'pong' || f.type === 'error');

  beforeAll(async () => {
    server = await startServer();
    agentToken = await login(server.url, server.adminEmail, server.adminPassword);
    agent = api(server.url, agentToken);
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    expect(await server?.stop()).toBe(0);
  });

  describe('WebSocket frames', () => {
    it('answers malformed JSON, unknown types and binary frames with error frames and keeps the socket', async () => {
      const session = await visitorSession(server.url, server.websiteToken);
      const ws = await connect(session.token);
      const isError = (f: Frame) => f.type === 'error';

      expectErrorFrame(await ws.request('{"type":"message.send",', isError), 'SB_ERR_BAD_JSON');
      expectErrorFrame(await ws.request('not json at all', isError), 'SB_ERR_BAD_JSON');
      expectErrorFrame(await ws.request({ type: 'banana' }, isError), 'SB_ERR_UNKNOWN_FRAME');
      expectErrorFrame(await ws.request({ type: 'banana', clientId: 'b-1' }, isError), 'SB_ERR_UNKNOWN_FRAME', 'b-1');
      expectErrorFrame(await ws.request({ type: '__proto__' }, isError), 'SB_ERR_UNKNOWN_FRAME');
      expectErrorFrame(await ws.request({ type: 'toString' }, isError), 'SB_ERR_UNKNOWN_FRAME');
      expectErrorFrame(await ws.request({ body: 'no type' }, isError), 'SB_ERR_UNKNOWN_FRAME');
      expectErrorFrame(await ws.request('null', isError), 'SB_ERR_UNKNOWN_FRAME');
      expectErrorFrame(await ws.request('42', isError), 'SB_ERR_UNKNOWN_FRAME');

      const from = ws.frames.length;
      ws.ws.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
      expectErrorFrame(await ws.next(isError, 5000, from), 'SB_ERR_BAD_REQUEST');

      expect((await pong(ws)).type).toBe('pong');
      expect(ws.closed).toBeUndefined();
      // Nothing above created a conversation for this visitor.
      const convs = await agent.get(`/api/v1/conversations?contactId=${session.contactId}`);
      expect(convs.body.items).toEqual([]);
    });

    it('rejects a frame over WS_MAX_FRAME_BYTES with SB_ERR_FRAME_TOO_LARGE and stores nothing', async () => {
      const { ws, conversationId } = await visitorWithConversation();
      const before = await stored(conversationId);
      const big = { type: 'message.send', clientId: 'big-1', conversationId, body: 'x'.repeat(100 * 1024) };
      expectErrorFrame(await ws.request(big, (f) => f.type === 'error'), 'SB_ERR_FRAME_TOO_LARGE');
      expect((await pong(ws)).type).toBe('pong');
      expect(ws.closed).toBeUndefined();
      expect(ws.ofType('message.ack').filter((f) => f.clientId === 'big-1')).toEqual([]);
      expect(await stored(conversationId)).toEqual(before);
    });

    it('rejects an invalid message.send with SB_ERR_VALIDATION, echoing the clientId, and stores nothing', async () => {
      const { ws, conversationId } = await visitorWithConversation();
      const before = await stored(conversationId);
      expect(before.seqs).toEqual([1]);
      const isError = (f: Frame) => f.type === 'error';

      expectErrorFrame(await ws.request({ type: 'message.send', conversationId, body: 'no client id' }, isError), 'SB_ERR_VALIDATION');
      expectErrorFrame(await ws.request({ type: 'message.send', clientId: 'v-empty', conversationId, body: '' }, isError), 'SB_ERR_VALIDATION', 'v-empty');
      expectErrorFrame(await ws.request({ type: 'message.send', clientId: 'v-blank', conversationId, body: '   \n ' }, isError), 'SB_ERR_VALIDATION', 'v-blank');
      expectErrorFrame(await ws.request({ type: 'message.send', clientId: 'v-nobody', conversationId }, isError), 'SB_ERR_VALIDATION', 'v-nobody');
      expectErrorFrame(await ws.request({ type: 'message.send', clientId: 'v-num', conversationId, body: 42 }, isError), 'SB_ERR_VALIDATION', 'v-num');
      const long = { type: 'message.send', clientId: 'v-long', conversationId, body: 'y'.repeat(10_001) };
      expectErrorFrame(await ws.request(long, isError), 'SB_ERR_VALIDATION', 'v-long');
      expectErrorFrame(await ws.request({ type: 'sync', conversationId, since: -1 }, isError), 'SB_ERR_VALIDATION');
      expectErrorFrame(await ws.request({ type: 'typing', conversationId, on: 'yes' }, isError), 'SB_ERR_VALIDATION');

      expect((await pong(ws)).type).toBe('pong');
      expect(ws.ofType('message.ack').map((f) => f.clientId)).toEqual(['first']);
      expect(await stored(conversationId)).toEqual(before);
      // Exactly MAX_MESSAGE_CHARS is still accepted.
      const ok = await ws.request({ type: 'message.send', clientId: 'v-max', conversationId, body: 'z'.repeat(10_000) }, (f) => f.clientId === 'v-max');
      expect(ok).toMatchObject({ type: 'message.ack', message: { seq: 2 } });
      // PostgreSQL text cannot hold NUL, so both databases refuse it as invalid input.
      const nul = await ws.request({ type: 'message.send', clientId: 'v-nul', conversationId, body: 'a\u0000b' }, (f) => f.clientId === 'v-nul');
      expectErrorFrame(nul, 'SB_ERR_VALIDATION', 'v-nul');
      expect((await stored(conversationId)).seqs).toEqual([1, 2]);
    });

    it('hides conversations that are not the visitor’s own (send and sync)', async () => {
      const owner = await visitorWithConversation();
      const before = await stored(owner.conversationId);
      const session = await visitorSession(server.url, server.websiteToken);
      const intruder = await connect(session.token);

      const send = { type: 'message.send', clientId: 'steal-1', conversationId: owner.conversationId, body: 'let me in' };
      expectErrorFrame(await intruder.request(send, (f) => f.type === 'error'), 'SB_ERR_CONVERSATION_NOT_FOUND', 'steal-1');
      expectErrorFrame(await intruder.request({ type: 'sync', conversationId: owner.conversationId, since: 0 }, (f) => f.type === 'error'), 'SB_ERR_CONVERSATION_NOT_FOUND');
      expectErrorFrame(await intruder.request({ type: 'sync', conversationId: 'no-such-conversation', since: 0 }, (f) => f.type === 'error'), 'SB_ERR_CONVERSATION_NOT_FOUND');

      expect((await pong(intruder)).type).toBe('pong');
      expect(intruder.ofType('message.created')).toEqual([]);
      expect(intruder.ofType('sync.done')).toEqual([]);
      expect(JSON.stringify(intruder.frames)).not.toContain('owner private text');
      expect(await stored(owner.conversationId)).toEqual(before);
      expect((await agent.get(`/api/v1/conversations?contactId=${session.contactId}`)).body.items).toEqual([]);
    });

    it('rate-limits a frame flood without crashing, then serves the socket again', async () => {
      const session = await visitorSession(server.url, server.websiteToken);
      const ws = await connect(session.token);
      const from = ws.frames.length;
      for (let i = 0; i < 200; i++) ws.send({ type: 'ping' });
      const replies = () => ws.frames.slice(from);
      await waitFor(() => replies().length >= 200);
      const limited = replies().filter((f) => f.type === 'error');
      const pongs = replies().filter((f) => f.type === 'pong');
      expect(limited.length).toBeGreaterThan(0);
      for (const f of limited) expectErrorFrame(f, 'SB_ERR_RATE_LIMITED');
      expect(pongs.length).toBeGreaterThan(0);
      expect(pongs.length + limited.length).toBe(200);
      expect(ws.closed).toBeUndefined();

      // Other clients are unaffected, and the flooder recovers once its window passes.
      const other = await connect(session.token);
      expect((await pong(other)).type).toBe('pong');
      expect((await api(server.url).get('/healthz')).status).toBe(200);
      let reply: Frame | undefined;
      const until = Date.now() + 8000;
      while (Date.now() < until) {
        reply = await pong(ws);
        if (reply.type === 'pong') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(reply?.type).toBe('pong');
    });

    it('refuses upgrades with a bad or missing token (401) or a wrong path (404)', async () => {
      await expect(WsClient.connect(server.wsUrl, 'garbage.token.here')).rejects.toThrow('upgrade refused: 401');
      await expect(WsClient.connect(server.wsUrl, '')).rejects.toThrow('upgrade refused: 401');
      await expect(WsClient.connect(`${server.url.replace('http', 'ws')}/not-ws`, agentToken)).rejects.toThrow('upgrade refused: 404');

      const bad = await refusal(`${server.wsUrl}?token=garbage`);
      expect(bad).toEqual({ status: 401, body: { error: { code: 'SB_ERR_INVALID_TOKEN', message: expect.any(String) } } });
      const none = await refusal(server.wsUrl);
      expect(none).toEqual({ status: 401, body: { error: { code: 'SB_ERR_UNAUTHENTICATED', message: expect.any(String) } } });
      const path = await refusal(`${server.url.replace('http', 'ws')}/wsx?token=${agentToken}`);
      expect(path).toEqual({ status: 404, body: { error: { code: 'SB_ERR_NOT_FOUND', message: expect.any(String) } } });

      // The gateway still serves good tokens.
      const ok = await connect(agentToken);
      expect((await pong(ok)).type).toBe('pong');
    });
  });

  describe('REST', () => {
    it('answers malformed JSON with 400 SB_ERR_BAD_JSON and changes nothing', async () => {
      const { conversationId } = await visitorWithConversation();
      const before = await stored(conversationId);
      expectHttpError(await api(server.url).post('/api/v1/auth/login', '{"email": "admin@example.com",'), 400, 'SB_ERR_BAD_JSON');
      expectHttpError(await agent.patch(`/api/v1/conversations/${conversationId}`, '{"status": resolved}'), 400, 'SB_ERR_BAD_JSON');
      expectHttpError(await agent.post(`/api/v1/conversations/${conversationId}/messages`, '"just a string"'), 400, 'SB_ERR_BAD_JSON');
      expect(await stored(conversationId)).toEqual(before);
    });

    it('answers invalid bodies and queries with 422 SB_ERR_VALIDATION and changes nothing', async () => {
      const { conversationId } = await visitorWithConversation();
      const before = await stored(conversationId);
      const inboxesBefore = (await agent.get('/api/v1/inboxes')).body.items.length;
      const base = `/api/v1/conversations/${conversationId}`;

      expectHttpError(await agent.patch(base, { status: 'banana' }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.patch(base, {}), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.patch(base, { status: 'resolved', colour: 'red' }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.post(`${base}/messages`, { body: '' }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.post(`${base}/messages`, { body: '   ' }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.post(`${base}/messages`, {}), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.post(`${base}/messages`, { body: 'q'.repeat(10_001) }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.get(`${base}/messages?after=-1`), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.get(`${base}/messages?cursor=sideways:3`), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.get('/api/v1/conversations?cursor=not-a-cursor'), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.get('/api/v1/contacts?cursor=not-a-cursor'), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.post('/api/v1/inboxes', { name: 'Pigeons', channel: 'carrier-pigeon', settings: {} }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await agent.post('/api/v1/inboxes', { name: 'Web', channel: 'web', settings: { color: 'red' } }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await api(server.url).post('/api/v1/auth/login', {}), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await api(server.url).post('/api/v1/auth/login', { email: server.adminEmail }), 422, 'SB_ERR_VALIDATION');
      expectHttpError(await api(server.url).post('/api/v1/widget/sessions', {}), 422, 'SB_ERR_VALIDATION');

      expect(await stored(conversationId)).toEqual(before);
      expect(before.status).toBe('open');
      expect((await agent.get('/api/v1/inboxes')).body.items.length).toBe(inboxesBefore);
    });

    it('answers auth problems with 401/403 and the right code', async () => {
      const session = await visitorSession(server.url, server.websiteToken);
      expectHttpError(await api(server.url).get('/api/v1/conversations'), 401, 'SB_ERR_UNAUTHENTICATED');
      expectHttpError(await api(server.url).get('/api/v1/conversations', { authorization: 'Basic YWRtaW46YWRtaW4=' }), 401, 'SB_ERR_UNAUTHENTICATED');
      expectHttpError(await api(server.url, 'garbage').get('/api/v1/conversations'), 401, 'SB_ERR_INVALID_TOKEN');
      const forged = await new SignJWT({ typ: 'agent', tid: 'x', role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('someone')
        .setIssuer('switchboard')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('a'.repeat(48)));
      expectHttpError(await api(server.url, forged).get('/api/v1/conversations'), 401, 'SB_ERR_INVALID_TOKEN');
      expectHttpError(await api(server.url, session.token).get('/api/v1/conversations'), 403, 'SB_ERR_FORBIDDEN');
      expectHttpError(await api(server.url, session.token).post('/api/v1/inboxes', { name: 'x', channel: 'web' }), 403, 'SB_ERR_FORBIDDEN');
      expectHttpError(await api(server.url, session.token).get('/api/v1/auth/me'), 403, 'SB_ERR_FORBIDDEN');
      expectHttpError(await api(server.url).post('/api/v1/auth/login', { email: server.adminEmail, password: 'wrong password' }), 401, 'SB_ERR_INVALID_CREDENTIALS');
      expectHttpError(await api(server.url).post('/api/v1/auth/login', { email: 'nobody@example.com', password: 'whatever' }), 401, 'SB_ERR_INVALID_CREDENTIALS');
    });

    it('caps nesting depth of free-form JSON instead of failing with a 500', async () => {
      const session = await visitorSession(server.url, server.websiteToken);
      const path = `/api/v1/contacts/${session.contactId}`;
      const before = await agent.get(path);
      const deep = `{"attributes":{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
      const res = await agent.patch(path, deep);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(['SB_ERR_VALIDATION', 'SB_ERR_PAYLOAD_TOO_LARGE', 'SB_ERR_BAD_REQUEST']).toContain(res.body?.error?.code);
      const after = await agent.get(path);
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before.body);
    });

    it('answers an oversized body with 413 and unknown routes or ids with 404', async () => {
      const { conversationId } = await visitorWithConversation();
      const before = await stored(conversationId);
      const huge = JSON.stringify({ body: 'h'.repeat(300 * 1024) });
      expectHttpError(await agent.post(`/api/v1/conversations/${conversationId}/messages`, huge), 413, 'SB_ERR_PAYLOAD_TOO_LARGE');
      expect(await stored(conversationId)).toEqual(before);

      expectHttpError(await agent.get('/api/v1/no-such-route'), 404, 'SB_ERR_NOT_FOUND');
      expectHttpError(await agent.post('/api/v1/conversations/x/nope', { body: 'x' }), 404, 'SB_ERR_NOT_FOUND');
      expectHttpError(await api(server.url).get('/no-such-page'), 404, 'SB_ERR_NOT_FOUND');
      expectHttpError(await agent.get('/api/v1/conversations/does-not-exist'), 404, 'SB_ERR_CONVERSATION_NOT_FOUND');
      expectHttpError(await agent.get('/api/v1/contacts/does-not-exist'), 404, 'SB_ERR_CONTACT_NOT_FOUND');
      expectHttpError(await agent.get('/api/v1/inboxes/does-not-exist'), 404, 'SB_ERR_INBOX_NOT_FOUND');
    });
  });

  it('is still up and serving after all of the above', async () => {
    expect(server.child.exitCode).toBeNull();
    expect((await api(server.url).get('/healthz')).status).toBe(200);
    const list = await agent.get('/api/v1/conversations');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(server.output()).not.toMatch(/uncaught|unhandled/i);
  });
});
