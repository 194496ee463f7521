import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisClient } from '../../server/redis/client.js';
import { api, login, visitorSession } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { redisCounters, TestRedis } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * A warm history read asks Redis for the conversation (the access check) and for the tail
 * window in one write, not one after the other. Counted on a Redis of its own, so no other
 * test's traffic counts. (That the window asked for ahead of the check never reaches a caller
 * who may not see the conversation: test/integration/tenant-isolation.test.ts.)
 */
describe('warm history read: one Redis write for access check and page (PostgreSQL + Redis)', () => {
  let server: RunningServer;
  let pg: TestDatabase;
  let redis: TestRedis;
  let stats: RedisClient;

  beforeAll(async () => {
    pg = await createTestDatabase();
    redis = await TestRedis.start();
    stats = connectRedis({ url: redis.url, cluster: false });
    server = await startServer({ databaseUrl: pg.url, env: { REDIS_URL: redis.url, INTENT_MODEL_DIR: 'off' } });
  });
  afterAll(async () => {
    await server?.stop();
    stats?.disconnect();
    await redis?.stop();
    await pg?.drop();
  });

  it('reads a page of a warm conversation with about one Redis write per request, and the page is right', async () => {
    const agent = api(server.url, await login(server.url, server.adminEmail, server.adminPassword));
    const session = await visitorSession(server.url, server.websiteToken);
    const ws = await WsClient.connect(server.wsUrl, session.token);
    const first = await ws.request({ type: 'message.send', clientId: 'm0', body: 'message 1' }, (f) => f.type === 'message.ack');
    const id = first.message.conversationId as string;
    for (let i = 2; i <= 8; i++) await ws.request({ type: 'message.send', clientId: `m${i}`, conversationId: id, body: `message ${i}` }, (f) => f.type === 'message.ack');
    await ws.close();
    await agent.get(`/api/v1/conversations/${id}/messages`); // warms the summary and the tail

    const n = 40;
    const before = (await redisCounters(stats)).reads;
    for (let i = 0; i < n; i++) {
      const page = await agent.get(`/api/v1/conversations/${id}/messages?limit=3`);
      expect(page.body.items.map((m: { body: string }) => m.body)).toEqual(['message 6', 'message 7', 'message 8']);
    }
    const reads = (await redisCounters(stats)).reads - before - 1; // the INFO call itself
    // Two writes per request (summary, then window) would be ~80; background loops (queue
    // consumers polling every second) add a few.
    expect(reads).toBeGreaterThanOrEqual(n);
    expect(reads).toBeLessThan(n * 1.5);
  });
});
