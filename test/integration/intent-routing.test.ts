import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { eventually } from '../helpers/browser.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * Every customer message is classified on the box (the shipped default model), off the hot
 * path, and routed by the tenant's rules; an unclear one waits in triage for a human.
 */
describe('intent routing with the default model', () => {
  let server: RunningServer;
  let admin: ReturnType<typeof api>;
  let adminWs: WsClient;
  let fulfilment: string;
  let triageTeam: string;
  const sockets: WsClient[] = [];

  let visitorWs: WsClient | undefined;
  /** A new visitor's first message, unless `conversationId` continues the last visitor's conversation. */
  async function customerSays(body: string, conversationId?: string): Promise<string> {
    if (!conversationId || !visitorWs) {
      const v = await visitorSession(server.url, server.websiteToken);
      visitorWs = await WsClient.connect(server.wsUrl, v.token);
      sockets.push(visitorWs);
    }
    const clientId = `c${Math.random()}`;
    const ack = await visitorWs.request({ type: 'message.send', clientId, body, ...(conversationId ? { conversationId } : {}) }, (f) => f.type === 'message.ack' && f.clientId === clientId);
    return ack.message.conversationId;
  }

  /** The conversation once routing has looked at it (the job runs after the ack). */
  async function routed(id: string, done: (c: any) => boolean) {
    return eventually(async () => {
      const c = (await admin.get(`/api/v1/conversations/${id}`)).body;
      return done(c) ? c : undefined;
    }, `routing of ${id}`);
  }

  beforeAll(async () => {
    server = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    const token = await login(server.url, server.adminEmail, server.adminPassword);
    admin = api(server.url, token);
    adminWs = await WsClient.connect(server.wsUrl, token);
    sockets.push(adminWs);
    fulfilment = (await admin.post('/api/v1/teams', { name: 'Fulfilment' })).body.id;
    triageTeam = (await admin.post('/api/v1/teams', { name: 'Triage' })).body.id;
    const rule = await admin.post('/api/v1/intent/rules', { intent: 'order_status', teamId: fulfilment, priority: 'high' });
    expect(rule.status).toBe(201);
    expect((await admin.put('/api/v1/intent/settings', { triageThreshold: 0.5, triageTeamId: triageTeam })).status).toBe(200);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server?.stop();
  });

  it('labels "where is my order #123" order_status and the rule routes it to the team, live for agents', async () => {
    const id = await customerSays('where is my order #123');
    const live = await adminWs.next((f) => f.type === 'conversation.updated' && f.conversation.id === id && f.conversation.teamId !== null, 10_000);
    expect(live.conversation).toMatchObject({ intent: 'order_status', teamId: fulfilment, priority: 'high', triage: false });
    expect(live.conversation.intentConfidence).toBeGreaterThan(0.5);
    const history = await routed(id, () => true).then(() => admin.get(`/api/v1/conversations/${id}/messages`));
    const note = await eventually(async () => {
      const items = (await admin.get(`/api/v1/conversations/${id}/messages`)).body.items;
      return items.find((m: any) => m.sender.type === 'system');
    }, 'routing note');
    expect(history.status).toBe(200);
    expect(note).toMatchObject({ private: true, body: expect.stringContaining('Routed by intent order_status') });
    expect((await admin.get('/api/v1/conversations?intent=order_status')).body.items.map((c: any) => c.id)).toContain(id);
  });

  it('sends gibberish to human triage (the triage team), and a correction routes it and becomes training data', async () => {
    const id = await customerSays('asdf qwerty zxcv');
    const c = await routed(id, (c) => c.triage);
    expect(c).toMatchObject({ intent: null, teamId: triageTeam, triage: true });
    expect((await admin.get('/api/v1/conversations?triage=true')).body.items.map((x: any) => x.id)).toEqual([id]);

    const corrected = await admin.put(`/api/v1/conversations/${id}/intent`, { intent: 'order_status' });
    expect(corrected.status).toBe(200);
    // Out of triage; the triage team had it, not a rule, so the order_status rule routes it now.
    expect(corrected.body).toMatchObject({ intent: 'order_status', intentConfidence: 1, triage: false, teamId: fulfilment, priority: 'high' });
    expect((await admin.get('/api/v1/conversations?triage=true')).body.items).toEqual([]);

    const feedback = await admin.get('/api/v1/intent/feedback');
    expect(feedback.body.items).toEqual([expect.objectContaining({ conversationId: id, text: 'asdf qwerty zxcv', label: 'order_status' })]);
    const csv = await fetch(`${server.url}/api/v1/intent/feedback?format=csv`, { headers: { authorization: (await bearer()) } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toBe('text,label\nasdf qwerty zxcv,order_status\n');
    const metrics = (await api(server.url).get('/metrics')).body as string;
    expect(metrics).toMatch(/sb_intent_feedback_total\{model="default",agree="false"\} 1/);
    expect(metrics).toMatch(/sb_intent_predictions_total\{model="default",role="routing"\} [1-9]/);
  });

  it('never moves a conversation an agent already has', async () => {
    const id = await customerSays('hello there');
    await routed(id, (c) => c.intent === 'greeting');
    const me = (await admin.get('/api/v1/agents')).body.items[0].id;
    await admin.patch(`/api/v1/conversations/${id}`, { assigneeId: me });
    await customerSays('where is my order #77', id);
    // The order_status rule would route it, but an agent has it: only the intent follows the customer.
    const after = await routed(id, (c) => c.intent === 'order_status');
    expect(after).toMatchObject({ assigneeId: me, teamId: null, priority: 'none', triage: false });
  });

  it('routes a burst of customers together (one batch of routing jobs) and records each prediction once', async () => {
    const before = (await admin.get('/api/v1/intent/models/default')).body.stats.predictions as number;
    const BURST = 24;
    const sessions = await Promise.all(Array.from({ length: BURST }, () => visitorSession(server.url, server.websiteToken)));
    const burstSockets = await Promise.all(sessions.map((s) => WsClient.connect(server.wsUrl, s.token)));
    sockets.push(...burstSockets);
    // Sent in the same moment, so their routing jobs arrive together and are handled as batches.
    const ids = await Promise.all(
      burstSockets.map(async (ws, i) => {
        const clientId = `burst-${i}`;
        const body = i % 2 ? `where is my order #${1000 + i}` : 'asdf qwerty zxcv';
        const ack = await ws.request({ type: 'message.send', clientId, body }, (f) => f.type === 'message.ack' && f.clientId === clientId);
        return ack.message.conversationId as string;
      }),
    );
    for (const [i, id] of ids.entries()) {
      const c = await routed(id, (c) => c.teamId !== null);
      if (i % 2) expect(c).toMatchObject({ intent: 'order_status', teamId: fulfilment, priority: 'high', triage: false });
      else expect(c).toMatchObject({ intent: null, teamId: triageTeam, triage: true });
    }
    const after = (await admin.get('/api/v1/intent/models/default')).body.stats.predictions as number;
    expect(after - before).toBe(BURST);
  });

  it('tags Chinese messages too', async () => {
    const id = await customerSays('我忘记密码了，登录不了');
    const c = await routed(id, (c) => c.intent !== null);
    expect(c.intent).toBe('password_reset');
  });

  it('validates rules and keeps them admin-only', async () => {
    expect((await admin.post('/api/v1/intent/rules', { intent: 'refund' })).body.error.code).toBe('SB_ERR_VALIDATION');
    expect((await admin.post('/api/v1/intent/rules', { intent: 'refund', teamId: 'nope' })).body.error.code).toBe('SB_ERR_TEAM_NOT_FOUND');
    expect((await admin.post('/api/v1/intent/rules', { intent: 'bad label!', priority: 'high' })).status).toBe(422);
    await admin.post('/api/v1/agents', { email: 'kim@example.com', name: 'Kim', password: 'kim-password-1' });
    const kim = api(server.url, await login(server.url, 'kim@example.com', 'kim-password-1'));
    expect((await kim.post('/api/v1/intent/rules', { intent: 'refund', priority: 'high' })).status).toBe(403);
    expect((await kim.get('/api/v1/intent/rules')).body.items).toHaveLength(1);
    expect((await kim.get('/api/v1/intent/feedback')).status).toBe(403);
    expect((await kim.get('/api/v1/intent/labels')).body.items).toContain('order_status');
    const rule = (await admin.get('/api/v1/intent/rules')).body.items[0];
    expect((await admin.patch(`/api/v1/intent/rules/${rule.id}`, { teamId: null, priority: null })).body.error.code).toBe('SB_ERR_VALIDATION');
    expect((await admin.patch(`/api/v1/intent/rules/${rule.id}`, { minConfidence: 0.8 })).body.minConfidence).toBe(0.8);
    expect((await admin.delete('/api/v1/intent/rules/unknown')).body.error.code).toBe('SB_ERR_RULE_NOT_FOUND');
  });

  async function bearer() {
    return `Bearer ${await login(server.url, server.adminEmail, server.adminPassword)}`;
  }
});

describe('intent routing switched off', () => {
  it('leaves conversations unclassified with INTENT_MODEL_DIR=off, and a broken model dir does not stop the hub', async () => {
    const off = await startServer({ env: { INTENT_MODEL_DIR: 'off' } });
    const broken = await startServer({ env: { INTENT_MODEL_DIR: '/nonexistent/model' } });
    try {
      for (const server of [off, broken]) {
        const token = await login(server.url, server.adminEmail, server.adminPassword);
        const v = await visitorSession(server.url, server.websiteToken);
        const ws = await WsClient.connect(server.wsUrl, v.token);
        const ack = await ws.request({ type: 'message.send', clientId: 'c1', body: 'I want a refund for my order, please' }, (f) => f.type === 'message.ack');
        await new Promise((r) => setTimeout(r, 1000));
        const c = await api(server.url, token).get(`/api/v1/conversations/${ack.message.conversationId}`);
        expect(c.body).toMatchObject({ intent: null, triage: false });
        await ws.close();
      }
      expect(broken.output()).toContain('intent model not loaded');
    } finally {
      await off.stop();
      await broken.stop();
    }
  });
});
