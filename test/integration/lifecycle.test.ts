import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

describe('connection heartbeats and timed conversation state', () => {
  let server: RunningServer;
  let agentToken: string;

  beforeAll(async () => {
    server = await startServer({ env: { WS_HEARTBEAT_MS: '200', SNOOZE_CHECK_MS: '200' } });
    agentToken = await login(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('drops a peer that stops answering pings and keeps one that answers', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const dead = new WebSocket(`${server.wsUrl}?token=${session.token}`, { autoPong: false });
    const healthy = await WsClient.connect(server.wsUrl, session.token);
    const closed = await new Promise<number>((resolve) => dead.on('close', (code) => resolve(code)));
    expect(closed).toBe(1006); // terminated without a close frame
    await new Promise((r) => setTimeout(r, 600));
    expect(healthy.closed).toBeUndefined();
    expect(await healthy.request({ type: 'ping' }, (f) => f.type === 'pong')).toEqual({ type: 'pong' });
    await healthy.close();
  });

  it('wakes a snoozed conversation at its time and tells the agents', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await WsClient.connect(server.wsUrl, session.token);
    const agent = await WsClient.connect(server.wsUrl, agentToken);
    const ack = await visitor.request({ type: 'message.send', clientId: 's-1', body: 'call me tomorrow' }, (f) => f.type === 'message.ack');
    const id = ack.message.conversationId;
    const until = new Date(Date.now() + 500).toISOString();
    await agent.next((f) => f.type === 'message.created' && f.message.conversationId === id);
    const from = agent.frames.length;
    const snoozed = await api(server.url, agentToken).patch(`/api/v1/conversations/${id}`, { status: 'snoozed', snoozedUntil: until });
    expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    // Intent routing also updates the conversation (status open) around this time: wait for the wake itself.
    const woke = await agent.next(
      (f) => f.type === 'conversation.updated' && f.conversation.id === id && f.conversation.status === 'open' && Date.parse(f.conversation.updatedAt) >= Date.parse(until),
      5000,
      from,
    );
    expect(woke.conversation.snoozedUntil).toBeNull();
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
    await Promise.all([visitor.close(), agent.close()]);
  });

  it('assigns to an agent and a team, and rejects ids from nowhere', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await WsClient.connect(server.wsUrl, session.token);
    const ack = await visitor.request({ type: 'message.send', clientId: 'as-1', body: 'billing question' }, (f) => f.type === 'message.ack');
    const id = ack.message.conversationId;
    const me = (await api(server.url, agentToken).get('/api/v1/auth/me')).body;
    const team = await api(server.url, agentToken).post('/api/v1/teams', { name: `Billing ${Date.now()}` });
    expect(team.status).toBe(201);
    const patched = await api(server.url, agentToken).patch(`/api/v1/conversations/${id}`, { assigneeId: me.id, teamId: team.body.id, priority: 'high' });
    expect(patched.body).toMatchObject({ assigneeId: me.id, teamId: team.body.id, priority: 'high' });
    const mine = await api(server.url, agentToken).get('/api/v1/conversations?assignee=me');
    expect(mine.body.items.map((c: { id: string }) => c.id)).toContain(id);
    const unassigned = await api(server.url, agentToken).get('/api/v1/conversations?assignee=unassigned&limit=200');
    expect(unassigned.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await api(server.url, agentToken).patch(`/api/v1/conversations/${id}`, { assigneeId: 'nobody' })).body.error.code).toBe('SB_ERR_AGENT_NOT_FOUND');
    expect((await api(server.url, agentToken).patch(`/api/v1/conversations/${id}`, { teamId: 'no-team' })).body.error.code).toBe('SB_ERR_TEAM_NOT_FOUND');
    await visitor.close();
  });
});
