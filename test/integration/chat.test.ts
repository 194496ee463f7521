import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

describe.each(['sqlite', 'postgres'] as const)('visitor ↔ agent chat through a real server on %s', (backend) => {
  let server: RunningServer;
  let pgdb: TestDatabase | undefined;
  let agentToken: string;
  const open: WsClient[] = [];
  const connect = async (token: string) => {
    const c = await WsClient.connect(server.wsUrl, token);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    if (backend === 'postgres') pgdb = await createTestDatabase();
    server = await startServer(pgdb ? { databaseUrl: pgdb.url } : {});
    agentToken = await login(server.url, server.adminEmail, server.adminPassword);
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    expect(await server?.stop()).toBe(0);
    await pgdb?.drop();
  });

  it('delivers visitor messages to the agent live and agent replies to the visitor live', async () => {
    const agent = await connect(agentToken);
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await connect(session.token);
    expect(visitor.frames[0]).toMatchObject({ type: 'hello', actor: { type: 'contact', id: session.contactId } });

    const ack = await visitor.request({ type: 'message.send', clientId: 'v-1', body: 'Hi, my order is late' }, (f) => f.type === 'message.ack');
    expect(ack.clientId).toBe('v-1');
    expect(ack.message).toMatchObject({ seq: 1, direction: 'inbound', private: false, body: 'Hi, my order is late', channel: 'web', sender: { type: 'contact', id: session.contactId } });
    const conversationId: string = ack.message.conversationId;

    const live = await agent.next((f) => f.type === 'message.created' && f.message.conversationId === conversationId);
    expect(live.message).toEqual(ack.message);
    expect(agent.frames.some((f) => f.type === 'conversation.updated' && f.conversation.id === conversationId)).toBe(true);

    const list = await api(server.url, agentToken).get('/api/v1/conversations?status=open');
    expect(list.status).toBe(200);
    const conv = list.body.items.find((c: { id: string }) => c.id === conversationId);
    expect(conv).toMatchObject({ channel: 'web', status: 'open', contactId: session.contactId, lastSeq: 1, assigneeId: null });
    expect((await api(server.url, agentToken).get(`/api/v1/conversations/${conversationId}`)).body.id).toBe(conversationId);

    const reply = await api(server.url, agentToken).post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Let me check that for you.' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ seq: 2, direction: 'outbound', sender: { type: 'agent' } });
    const atVisitor = await visitor.next((f) => f.type === 'message.created' && f.message.seq === 2);
    expect(atVisitor.message.body).toBe('Let me check that for you.');

    // An agent can also reply over its socket.
    const wsAck = await agent.request({ type: 'message.send', clientId: 'a-1', conversationId, body: 'Found it.' }, (f) => f.type === 'message.ack');
    expect(wsAck.message.seq).toBe(3);
    await visitor.next((f) => f.type === 'message.created' && f.message.seq === 3);

    const history = await api(server.url, agentToken).get(`/api/v1/conversations/${conversationId}/messages`);
    expect(history.body.items.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3]);
    expect(history.body.nextCursor).toBeNull();
  });

  it('never sends private notes to the visitor', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await connect(session.token);
    const ack = await visitor.request({ type: 'message.send', clientId: 'p-1', body: 'hello' }, (f) => f.type === 'message.ack');
    const id = ack.message.conversationId;
    const note = await api(server.url, agentToken).post(`/api/v1/conversations/${id}/messages`, { body: 'internal: VIP customer', private: true });
    expect(note.body).toMatchObject({ seq: 2, private: true });
    await api(server.url, agentToken).post(`/api/v1/conversations/${id}/messages`, { body: 'public reply' });
    await visitor.next((f) => f.type === 'message.created' && f.message.seq === 3);
    const synced = await visitor.request({ type: 'sync', conversationId: id, since: 0 }, (f) => f.type === 'sync.done');
    expect(synced.lastSeq).toBe(3);
    expect(JSON.stringify(visitor.frames)).not.toContain('VIP customer');
  });

  it('resumes: a visitor that missed agent messages gets each exactly once, in order, via sync', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    let visitor = await connect(session.token);
    const ack = await visitor.request({ type: 'message.send', clientId: 'r-1', body: 'are you there?' }, (f) => f.type === 'message.ack');
    const id = ack.message.conversationId;
    await visitor.close();

    for (let i = 1; i <= 5; i++) {
      const r = await api(server.url, agentToken).post(`/api/v1/conversations/${id}/messages`, { body: `missed ${i}` });
      expect(r.status).toBe(201);
    }

    // The same visitor comes back (same visitorId → same contact) and resumes from seq 1.
    const again = await visitorSession(server.url, server.websiteToken, { visitorId: session.visitorId });
    expect(again.contactId).toBe(session.contactId);
    visitor = await connect(again.token);
    const from = visitor.frames.length;
    const done = await visitor.request({ type: 'sync', conversationId: id, since: 1 }, (f) => f.type === 'sync.done');
    expect(done).toMatchObject({ conversationId: id, lastSeq: 6 });
    const got = visitor.frames.slice(from).filter((f) => f.type === 'message.created');
    expect(got.map((f) => f.message.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(got.map((f) => f.message.body)).toEqual(['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5']);

    // Live delivery continues after the sync.
    await api(server.url, agentToken).post(`/api/v1/conversations/${id}/messages`, { body: 'live again' });
    const live = await visitor.next((f) => f.type === 'message.created' && f.message.seq === 7);
    expect(live.message.body).toBe('live again');
    expect(visitor.frames.filter((f) => f.type === 'message.created' && f.message.seq === 6)).toHaveLength(1);
  });

  it('is idempotent: resending a clientId stores nothing and returns the original ack', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await connect(session.token);
    const first = await visitor.request({ type: 'message.send', clientId: 'dup-1', body: 'only once' }, (f) => f.type === 'message.ack' && f.clientId === 'dup-1');
    const id = first.message.conversationId;
    const agentView = await connect(agentToken);
    const before = agentView.frames.length;

    // Resend on the same socket, and again after a reconnect (a retry after a lost ack).
    const second = await visitor.request({ type: 'message.send', clientId: 'dup-1', body: 'only once' }, (f) => f.type === 'message.ack' && f.clientId === 'dup-1');
    await visitor.close();
    const visitor2 = await connect((await visitorSession(server.url, server.websiteToken, { visitorId: session.visitorId })).token);
    const third = await visitor2.request({ type: 'message.send', clientId: 'dup-1', conversationId: id, body: 'only once' }, (f) => f.type === 'message.ack');
    expect(second.message).toEqual(first.message);
    expect(third.message).toEqual(first.message);

    const history = await api(server.url, agentToken).get(`/api/v1/conversations/${id}/messages`);
    expect(history.body.items).toHaveLength(1);
    // The next new message still gets seq 2: the retries consumed no sequence numbers.
    const next = await visitor2.request({ type: 'message.send', clientId: 'dup-2', conversationId: id, body: 'new' }, (f) => f.type === 'message.ack' && f.clientId === 'dup-2');
    expect(next.message.seq).toBe(2);
    // The agent was told about the first message once and never about the retries.
    await agentView.next((f) => f.type === 'message.created' && f.message.seq === 2 && f.message.conversationId === id);
    expect(agentView.frames.slice(before).filter((f) => f.type === 'message.created' && f.message.seq === 1 && f.message.conversationId === id)).toHaveLength(0);

    // The REST API honours an Idempotency-Key the same way.
    const r1 = await api(server.url, agentToken).post(`/api/v1/conversations/${id}/messages`, { body: 'rest once' }, { 'idempotency-key': 'k-1' });
    const r2 = await api(server.url, agentToken).post(`/api/v1/conversations/${id}/messages`, { body: 'rest once' }, { 'idempotency-key': 'k-1' });
    expect(r1.status).toBe(201);
    expect(r2.status).toBe(200);
    expect(r2.body).toEqual(r1.body);
  });

  it('reopens a resolved conversation when the customer writes again, live for agents', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await connect(session.token);
    const agent = await connect(agentToken);
    const ack = await visitor.request({ type: 'message.send', clientId: 'o-1', body: 'thanks, bye' }, (f) => f.type === 'message.ack');
    const id = ack.message.conversationId;
    const resolved = await api(server.url, agentToken).patch(`/api/v1/conversations/${id}`, { status: 'resolved' });
    expect(resolved.body.status).toBe('resolved');
    await agent.next((f) => f.type === 'conversation.updated' && f.conversation.id === id && f.conversation.status === 'resolved');
    const openIds = (await api(server.url, agentToken).get('/api/v1/conversations?status=open&limit=200')).body.items.map((c: { id: string }) => c.id);
    expect(openIds).not.toContain(id);

    await visitor.request({ type: 'message.send', clientId: 'o-2', body: 'one more thing' }, (f) => f.type === 'message.ack' && f.clientId === 'o-2');
    await agent.next((f) => f.type === 'conversation.updated' && f.conversation.id === id && f.conversation.status === 'open');
    // seq 2 is the activity line of the resolve: agents see it, the customer never does.
    expect((await api(server.url, agentToken).get(`/api/v1/conversations/${id}`)).body).toMatchObject({ status: 'open', lastSeq: 3 });
    const history = (await api(server.url, agentToken).get(`/api/v1/conversations/${id}/messages`)).body.items;
    expect(history.map((m: { seq: number; sender: { type: string }; private: boolean; body: string }) => [m.seq, m.sender.type, m.private, m.body])).toEqual([
      [1, 'contact', false, 'thanks, bye'],
      [2, 'system', true, 'Admin resolved the conversation'],
      [3, 'contact', false, 'one more thing'],
    ]);
    const synced = await visitor.request({ type: 'sync', conversationId: id, since: 0 }, (f) => f.type === 'sync.done');
    expect(synced.lastSeq).toBe(3);
    expect(JSON.stringify(visitor.frames)).not.toContain('resolved the conversation');
  });

  it('relays typing and read receipts between the parties', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await connect(session.token);
    const agent = await connect(agentToken);
    const ack = await visitor.request({ type: 'message.send', clientId: 't-1', body: 'typing test' }, (f) => f.type === 'message.ack');
    const id = ack.message.conversationId;
    visitor.send({ type: 'typing', conversationId: id, on: true });
    const typing = await agent.next((f) => f.type === 'typing' && f.conversationId === id);
    expect(typing).toMatchObject({ on: true, actor: { type: 'contact', id: session.contactId } });
    agent.send({ type: 'read', conversationId: id, seq: 1 });
    const read = await visitor.next((f) => f.type === 'read' && f.conversationId === id);
    expect(read).toMatchObject({ seq: 1, actor: { type: 'agent' } });
    expect(await visitor.request({ type: 'ping' }, (f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await api(server.url).get('/healthz')).status).toBe(200);
    expect((await api(server.url).get('/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await api(server.url).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/sb_messages_appended_total \d+/);
    expect(metrics.body).toMatch(/sb_ws_connections\{actor="visitor"\}/);
  });
});
