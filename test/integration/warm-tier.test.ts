import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisClient } from '../../server/redis/client.js';
import { api, login, visitorSession } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/** The value of one Prometheus counter sample, 0 when absent. */
async function counter(base: string, sample: string): Promise<number> {
  const text = (await api(base).get('/metrics')).body as string;
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
const fromCache = (base: string) => counter(base, 'sb_history_reads_total{source="cache"}');
const fromDb = (base: string) => counter(base, 'sb_history_reads_total{source="database"}');

describe.each(['PostgreSQL + Redis', 'SQLite + in-process'] as const)('history reads through the warm tier (%s)', (mode) => {
  let server: RunningServer;
  let pg: TestDatabase | undefined;
  let redis: RedisClient | undefined;
  const prefix = uniquePrefix('warm');
  let token: string;

  beforeAll(async () => {
    // Without intent routing: its conversation changes land a few ms after each customer
    // message and rightly refuse a concurrent tail fill (a miss is always correct), which
    // would make the exact hit/miss counts below depend on timing.
    const env = { CACHE_MAX_MESSAGES: '20', WS_FRAME_BURST: '500', INTENT_MODEL_DIR: 'off' };
    if (mode === 'PostgreSQL + Redis') {
      pg = await createTestDatabase();
      redis = connectRedis({ url: SHARED_REDIS_URL, cluster: false });
      server = await startServer({ databaseUrl: pg.url, env: { ...env, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix } });
    } else {
      server = await startServer({ env });
    }
    token = await login(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => {
    await server?.stop();
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await pg?.drop();
  });

  async function conversationWith(n: number): Promise<string> {
    const session = await visitorSession(server.url, server.websiteToken);
    const ws = await WsClient.connect(server.wsUrl, session.token);
    const first = await ws.request({ type: 'message.send', clientId: 'm0', body: 'message 1' }, (f) => f.type === 'message.ack');
    for (let i = 1; i < n; i++) ws.send({ type: 'message.send', clientId: `m${i}`, conversationId: first.message.conversationId, body: `message ${i + 1}` });
    await ws.next((f) => f.type === 'message.ack' && f.clientId === `m${n - 1}`, 10_000);
    await ws.close();
    return first.message.conversationId;
  }

  it('serves a recent conversation from the warm tier, and stays correct as it grows', async () => {
    const id = await conversationWith(12);
    const agent = api(server.url, token);
    await agent.get(`/api/v1/conversations/${id}/messages`); // may fill the tail
    const [cache0, db0] = [await fromCache(server.url), await fromDb(server.url)];
    const page = await agent.get(`/api/v1/conversations/${id}/messages?limit=5`);
    expect(page.body.items.map((m: { seq: number }) => m.seq)).toEqual([8, 9, 10, 11, 12]);
    const since = await agent.get(`/api/v1/conversations/${id}/messages?after=10`);
    expect(since.body.items.map((m: { body: string }) => m.body)).toEqual(['message 11', 'message 12']);
    expect(await fromCache(server.url)).toBe(cache0 + 2);
    expect(await fromDb(server.url)).toBe(db0);
    if (redis) expect(await redis.exists(`${prefix}:{${(await agent.get('/api/v1/auth/me')).body.tenantId}:${id}}:m`)).toBe(1);

    // A write goes through to the tail: the next read is still a hit and includes it.
    await agent.post(`/api/v1/conversations/${id}/messages`, { body: 'agent reply' });
    await agent.post(`/api/v1/conversations/${id}/messages`, { body: 'internal note', private: true });
    const after = await agent.get(`/api/v1/conversations/${id}/messages?after=12`);
    expect(after.body.items.map((m: { body: string }) => m.body)).toEqual(['agent reply', 'internal note']);
    expect(await fromCache(server.url)).toBe(cache0 + 3);
  });

  it('reads old history (beyond the warm tail) from the database', async () => {
    const id = await conversationWith(30); // tail keeps the newest 20
    const agent = api(server.url, token);
    await agent.get(`/api/v1/conversations/${id}/messages`);
    const db0 = await fromDb(server.url);
    const old = await agent.get(`/api/v1/conversations/${id}/messages?before=6`);
    expect(old.body.items.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(old.body.nextCursor).toBeNull();
    const fromStart = await agent.get(`/api/v1/conversations/${id}/messages?after=0&limit=3`);
    expect(fromStart.body.items.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3]);
    expect(await fromDb(server.url)).toBe(db0 + 2);
  });

  it('answers scrolling back in a cold conversation with one database page, and opening it warms it', async () => {
    const id = await conversationWith(12);
    const agent = api(server.url, token);
    const tenantId = (await agent.get('/api/v1/auth/me')).body.tenantId as string;
    // Make it cold: Redis loses the conversation's keys (eviction); in-process, it was never read.
    if (redis) {
      const keys = await redis.keys(`${prefix}:{${tenantId}:${id}}:*`);
      if (keys.length) await redis.del(...keys);
    }
    const [cache0, db0] = [await fromCache(server.url), await fromDb(server.url)];
    const back = await agent.get(`/api/v1/conversations/${id}/messages?before=11&limit=4`);
    expect(back.body.items.map((m: { seq: number }) => m.seq)).toEqual([7, 8, 9, 10]);
    const again = await agent.get(`/api/v1/conversations/${id}/messages?before=7&limit=4`);
    expect(again.body.items.map((m: { seq: number }) => m.seq)).toEqual([3, 4, 5, 6]);
    // Both from the database, and neither loaded the tail into the warm tier.
    expect(await fromDb(server.url)).toBe(db0 + 2);
    expect(await fromCache(server.url)).toBe(cache0);
    if (redis) expect(await redis.exists(`${prefix}:{${tenantId}:${id}}:m`)).toBe(0);
    // Opening the conversation (its newest page) warms it; scrolling back is then a hit.
    await agent.get(`/api/v1/conversations/${id}/messages`);
    const warm = await agent.get(`/api/v1/conversations/${id}/messages?before=11&limit=4`);
    expect(warm.body.items.map((m: { seq: number }) => m.seq)).toEqual([7, 8, 9, 10]);
    expect(await fromCache(server.url)).toBe(cache0 + 1);
  });

  it('keeps private notes out of a visitor sync served from the warm tier', async () => {
    const session = await visitorSession(server.url, server.websiteToken);
    const ws = await WsClient.connect(server.wsUrl, session.token);
    const ack = await ws.request({ type: 'message.send', clientId: 'p0', body: 'hi' }, (f) => f.type === 'message.ack');
    const id = ack.message.conversationId;
    await api(server.url, token).post(`/api/v1/conversations/${id}/messages`, { body: 'secret note', private: true });
    await api(server.url, token).post(`/api/v1/conversations/${id}/messages`, { body: 'public reply' });
    await api(server.url, token).get(`/api/v1/conversations/${id}/messages`);
    const cache0 = await fromCache(server.url);
    const from = ws.frames.length;
    await ws.request({ type: 'sync', conversationId: id, since: 0 }, (f) => f.type === 'sync.done');
    const synced = ws.frames.slice(from).filter((f) => f.type === 'message.created').map((f) => f.message.body);
    expect(synced).toEqual(['hi', 'public reply']);
    expect(await fromCache(server.url)).toBeGreaterThan(cache0);
    await ws.close();
  });
});
