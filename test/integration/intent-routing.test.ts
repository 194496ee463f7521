import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/** Every customer message is classified on the box (the shipped default model), off the hot path. */
describe('intent routing with the default model', () => {
  let server: RunningServer;
  let agent: ReturnType<typeof api>;
  let agentWs: WsClient;
  const sockets: WsClient[] = [];

  async function customerSays(body: string): Promise<string> {
    const v = await visitorSession(server.url, server.websiteToken);
    const ws = await WsClient.connect(server.wsUrl, v.token);
    sockets.push(ws);
    const ack = await ws.request({ type: 'message.send', clientId: 'c1', body }, (f) => f.type === 'message.ack');
    return ack.message.conversationId;
  }

  beforeAll(async () => {
    server = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    const token = await login(server.url, server.adminEmail, server.adminPassword);
    agent = api(server.url, token);
    agentWs = await WsClient.connect(server.wsUrl, token);
    sockets.push(agentWs);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server?.stop();
  });

  it('tags the conversation with the intent, live for agents, in English and Chinese', async () => {
    const refund = await customerSays('I want a refund for my order, please');
    const live = await agentWs.next((f) => f.type === 'conversation.updated' && f.conversation.id === refund && f.conversation.intent !== null, 10_000);
    expect(live.conversation.intent).toBe('refund');

    const password = await customerSays('我忘记密码了，登录不了');
    const zh = await agentWs.next((f) => f.type === 'conversation.updated' && f.conversation.id === password && f.conversation.intent !== null, 10_000);
    expect(zh.conversation.intent).toBe('password_reset');

    const listed = await agent.get('/api/v1/conversations?intent=refund');
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([refund]);
  });
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
        expect(c.body.intent).toBeNull();
        await ws.close();
      }
      expect(broken.output()).toContain('intent model not loaded');
    } finally {
      await off.stop();
      await broken.stop();
    }
  });
});
