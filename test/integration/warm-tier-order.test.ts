import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisClient } from '../../server/redis/client.js';
import { api, login, visitorSession } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * A send issues its warm-tier commit and its publishes together (one write on one Redis
 * connection). What must still hold: whoever hears of a message on the bus — another node —
 * finds it in the warm tail already, and the sender's ack comes after the commit.
 */
describe('warm commit before publish (PostgreSQL + Redis)', () => {
  let server: RunningServer;
  let pg: TestDatabase;
  let subscriber: RedisClient;
  let reader: RedisClient;
  const prefix = uniquePrefix('order');

  beforeAll(async () => {
    pg = await createTestDatabase();
    subscriber = connectRedis({ url: SHARED_REDIS_URL, cluster: false });
    reader = connectRedis({ url: SHARED_REDIS_URL, cluster: false });
    server = await startServer({ databaseUrl: pg.url, env: { REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, INTENT_MODEL_DIR: 'off', WS_FRAME_BURST: '500' } });
  });
  afterAll(async () => {
    await server?.stop();
    const keys = await reader.keys(`${prefix}:*`);
    if (keys.length) await reader.del(...keys);
    subscriber.disconnect();
    reader.disconnect();
    await pg?.drop();
  });

  it('another node that hears of a message finds it in the warm tail, for every message of a burst', async () => {
    const agent = api(server.url, await login(server.url, server.adminEmail, server.adminPassword));
    const tenantId = (await agent.get('/api/v1/auth/me')).body.tenantId as string;
    const session = await visitorSession(server.url, server.websiteToken);
    const ws = await WsClient.connect(server.wsUrl, session.token);
    const first = await ws.request({ type: 'message.send', clientId: 'm0', body: 'hello' }, (f) => f.type === 'message.ack');
    const conversationId = first.message.conversationId as string;
    await agent.get(`/api/v1/conversations/${conversationId}/messages`); // fills the tail
    const tailKey = `${prefix}:{${tenantId}:${conversationId}}:t`;
    expect(await reader.get(tailKey)).toBe('1');

    // The "other node": hears the tenant's events and at once asks the warm tier how far the tail goes.
    const seen: { seq: number; tail: Promise<string | null> }[] = [];
    subscriber.on('message', (_channel: string, payload: string) => {
      const event = JSON.parse(payload) as { kind: string; message?: { seq: number } };
      if (event.kind === 'message.created') seen.push({ seq: event.message!.seq, tail: reader.get(tailKey) });
    });
    await subscriber.subscribe(`${prefix}:bus:t:{${tenantId}}`);

    const n = 60;
    const acks: ReturnType<WsClient['request']>[] = [];
    for (let i = 1; i <= n; i++) {
      acks.push(ws.request({ type: 'message.send', clientId: `m${i}`, conversationId, body: `burst ${i}` }, (f) => f.type === 'message.ack' && f.clientId === `m${i}`, 10_000));
    }
    // Each ack: the tail already holds the message (a read right after the ack is never stale).
    for (const ack of acks) {
      const { message } = await ack;
      expect(Number(await reader.get(tailKey))).toBeGreaterThanOrEqual(message.seq);
    }
    const deadline = Date.now() + 5000;
    while (seen.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((s) => s.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    const tails = await Promise.all(seen.map((s) => s.tail));
    seen.forEach((s, i) => expect(Number(tails[i]), `tail when seq ${s.seq} was heard`).toBeGreaterThanOrEqual(s.seq));
    await ws.close();
  });
});
