import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

type Hit = { conversation: { id: string }; message: { body: string; private: boolean } | null };

describe.each(['sqlite', 'postgres'] as const)('search across conversations and messages on %s', (backend) => {
  let server: RunningServer;
  let pgdb: TestDatabase | undefined;
  let agent: ReturnType<typeof api>;
  const conversations: string[] = [];
  const sockets: WsClient[] = [];

  /** A visitor (with a name) writes `texts`; returns the conversation id. */
  async function visitorWrites(name: string, email: string, texts: string[]): Promise<string> {
    const v = await visitorSession(server.url, server.websiteToken, { identity: { id: email, name, email } });
    const ws = await WsClient.connect(server.wsUrl, v.token);
    sockets.push(ws);
    let conversationId = '';
    for (const [i, body] of texts.entries()) {
      const ack = await ws.request({ type: 'message.send', clientId: `${email}-${i}`, body }, (f) => f.type === 'message.ack');
      conversationId = ack.message.conversationId;
    }
    return conversationId;
  }
  const search = async (q: string) => {
    const r = await agent.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
    expect(r.status).toBe(200);
    return r.body.items as Hit[];
  };

  beforeAll(async () => {
    if (backend === 'postgres') pgdb = await createTestDatabase();
    server = await startServer({ ...(pgdb ? { databaseUrl: pgdb.url } : {}), env: { SESSION_RATE_PER_MINUTE: '1000' } });
    agent = api(server.url, await login(server.url, server.adminEmail, server.adminPassword));
    conversations.push(await visitorWrites('Grace Hopper', 'grace@navy.example', ['My parcel never arrived', 'Tracking number is ZX-99']));
    conversations.push(await visitorWrites('Alan Turing', 'alan@bletchley.example', ['How do I reset my password?']));
    conversations.push(await visitorWrites('李雷', 'lilei@example.cn', ['我的订单还没有发货']));
    const note = await agent.post(`/api/v1/conversations/${conversations[1]}/messages`, { body: 'Internal: customer is a VIP', private: true });
    expect(note.status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server?.stop();
    await pgdb?.drop();
  });

  it('finds messages by words, newest first, with their conversation', async () => {
    const hits = await search('parcel');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.conversation.id).toBe(conversations[0]);
    expect(hits[0]!.message!.body).toBe('My parcel never arrived');
    expect((await search('password reset')).map((h) => h.conversation.id)).toEqual([conversations[1]]);
  });

  it('includes private notes for agents', async () => {
    const hits = await search('VIP');
    expect(hits.map((h) => [h.conversation.id, h.message?.private])).toEqual([[conversations[1], true]]);
  });

  it('finds Chinese text without a word segmenter', async () => {
    expect((await search('订单')).map((h) => h.conversation.id)).toEqual([conversations[2]]);
  });

  it('finds conversations by the contact’s name or email', async () => {
    const hits = await search('hopper');
    expect(hits.map((h) => [h.conversation.id, h.message])).toEqual([[conversations[0], null]]);
    expect((await search('bletchley')).map((h) => h.conversation.id)).toEqual([conversations[1]]);
  });

  it('treats LIKE wildcards literally and validates the query', async () => {
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    expect((await agent.get('/api/v1/search?q=')).status).toBe(422);
    expect((await agent.get(`/api/v1/search?q=${'x'.repeat(201)}`)).status).toBe(422);
    expect((await api(server.url).get('/api/v1/search?q=parcel')).status).toBe(401);
  });
});
