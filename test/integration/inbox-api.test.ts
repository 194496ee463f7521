import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../server/storage/db.js';
import { api, login, visitorSession } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

type Conv = { id: string; unreadCount: number; lastSeq: number };

/** What the agent inbox needs from the API beyond the core: unread counts, filters, sorting, activity lines. */
describe('inbox-facing API', () => {
  let server: RunningServer;
  let token: string;
  let agent: ReturnType<typeof api>;
  const sockets: WsClient[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    token = await login(server.url, server.adminEmail, server.adminPassword);
    agent = api(server.url, token);
    // Three conversations, written in order: ids[0] is the least recently active.
    for (const text of ['first customer', 'second customer', 'third customer']) {
      const v = await visitorSession(server.url, server.websiteToken);
      const ws = await WsClient.connect(server.wsUrl, v.token);
      sockets.push(ws);
      const ack = await ws.request({ type: 'message.send', clientId: 'a', body: text }, (f) => f.type === 'message.ack');
      await ws.request({ type: 'message.send', clientId: 'b', body: `${text}, again` }, (f) => f.type === 'message.ack');
      ids.push(ack.message.conversationId);
      await new Promise((r) => setTimeout(r, 5));
    }
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server?.stop();
  });

  it('counts unread messages per agent until the agent marks them read', async () => {
    const list = (await agent.get('/api/v1/conversations')).body.items as Conv[];
    expect(list.map((c) => c.unreadCount)).toEqual([2, 2, 2]);
    const ws = await WsClient.connect(server.wsUrl, token);
    sockets.push(ws);
    ws.send({ type: 'read', conversationId: ids[2], seq: 1 });
    await ws.next((f) => f.type === 'read' && f.conversationId === ids[2]);
    expect((await agent.get(`/api/v1/conversations/${ids[2]}`)).body.unreadCount).toBe(1);
    ws.send({ type: 'read', conversationId: ids[2], seq: 99 });
    await ws.next((f) => f.type === 'read' && f.conversationId === ids[2] && f.seq === 2);
    expect((await agent.get(`/api/v1/conversations/${ids[2]}`)).body.unreadCount).toBe(0);
    // Another agent's reads are its own.
    await agent.post('/api/v1/agents', { email: 'kim@example.com', name: 'Kim', password: 'kim-password-1' });
    const kim = api(server.url, await login(server.url, 'kim@example.com', 'kim-password-1'));
    expect((await kim.get(`/api/v1/conversations/${ids[2]}`)).body.unreadCount).toBe(2);
  });

  it('sorts by waiting time (least recently active first) and pages through that order', async () => {
    const waiting = await agent.get('/api/v1/conversations?sort=waiting&limit=2');
    expect(waiting.body.items.map((c: Conv) => c.id)).toEqual([ids[0], ids[1]]);
    const next = await agent.get(`/api/v1/conversations?sort=waiting&limit=2&cursor=${encodeURIComponent(waiting.body.nextCursor)}`);
    expect(next.body.items.map((c: Conv) => c.id)).toEqual([ids[2]]);
    expect(next.body.nextCursor).toBeNull();
    const recent = await agent.get('/api/v1/conversations');
    expect(recent.body.items.map((c: Conv) => c.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await agent.get('/api/v1/conversations?sort=alphabetical')).status).toBe(422);
  });

  it('filters by intent', async () => {
    const db = createDb({ dataDir: server.dataDir });
    try {
      await db('conversations').where({ id: ids[1] }).update({ intent: 'refund' });
    } finally {
      await db.destroy();
    }
    expect((await agent.get('/api/v1/conversations?intent=refund')).body.items.map((c: Conv) => c.id)).toEqual([ids[1]]);
    expect((await agent.get('/api/v1/conversations?intent=billing')).body.items).toEqual([]);
  });

  it('an agent can set itself away: connected but not taking conversations, and the widget says so', async () => {
    const ws = await WsClient.connect(server.wsUrl, token);
    sockets.push(ws);
    const me = (await agent.get('/api/v1/auth/me')).body;
    const agentsOnline = async () => (await api(server.url).post('/api/v1/widget/sessions', { inbox: server.websiteToken })).body.inbox.agentsOnline;
    expect((await agent.get('/api/v1/presence')).body).toEqual({ online: [me.id], away: [] });
    expect(await agentsOnline()).toBe(true);

    expect((await agent.put('/api/v1/presence/me', { status: 'away' })).body).toEqual({ status: 'away' });
    expect((await agent.get('/api/v1/presence')).body).toEqual({ online: [], away: [me.id] });
    expect(await agentsOnline()).toBe(false);

    await agent.put('/api/v1/presence/me', { status: 'online' });
    expect((await agent.get('/api/v1/presence')).body).toEqual({ online: [me.id], away: [] });
    expect((await agent.put('/api/v1/presence/me', { status: 'busy' })).status).toBe(422);
  });

  it('an assignment shows live as an activity line for agents, never for the customer', async () => {
    const watcher = await WsClient.connect(server.wsUrl, token);
    sockets.push(watcher);
    const me = (await agent.get('/api/v1/auth/me')).body;
    const r = await agent.patch(`/api/v1/conversations/${ids[0]}`, { assigneeId: me.id, priority: 'urgent' });
    expect(r.status).toBe(200);
    const line = await watcher.next((f) => f.type === 'message.created' && f.message.conversationId === ids[0] && f.message.sender.type === 'system');
    expect(line.message).toMatchObject({ private: true, body: 'Admin self-assigned the conversation' });
    await watcher.next((f) => f.type === 'message.created' && f.message.body === 'Admin set the priority to urgent');
    const customer = sockets[0]!;
    const synced = await customer.request({ type: 'sync', conversationId: ids[0], since: 0 }, (f) => f.type === 'sync.done');
    expect(synced.lastSeq).toBe(4);
    expect(customer.ofType('message.created').map((f) => f.message.sender.type)).not.toContain('system');
  });
});
