import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { TestRedis, uniquePrefix } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { textUpdate, user } from '../fakes/telegram-updates.js';

const POLLING = 'telegram polling started on this node';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Telegram long polling on two nodes (PostgreSQL + Redis)', () => {
  let pg: TestDatabase;
  let redis: TestRedis;
  let fake: FakeTelegramBotApi;
  let botToken: string;
  const nodes: RunningServer[] = [];
  let token: string;

  beforeAll(async () => {
    [pg, redis, fake] = await Promise.all([createTestDatabase(), TestRedis.start(), FakeTelegramBotApi.start()]);
    botToken = fake.addBot();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix('tg').replace(/[^A-Za-z0-9_.:-]/g, ''), CHANNEL_LEASE_MS: '3000', LOG_LEVEL: 'info' };
    nodes.push(await startServer({ databaseUrl: pg.url, env: { ...env, NODE_ID: 'node-a' } }));
    nodes.push(await startServer({ databaseUrl: pg.url, env: { ...env, NODE_ID: 'node-b' } }));
    token = await login(nodes[0]!.url, nodes[0]!.adminEmail, nodes[0]!.adminPassword);
  });

  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await fake?.close();
    await redis?.stop();
    await pg?.drop();
  });

  const pollers = () => nodes.filter((n) => n.output().includes(POLLING));

  async function storedBodies(base: string): Promise<string[]> {
    const convs = (await api(base, token).get('/api/v1/conversations?limit=200')).body.items as { id: string; channel: string }[];
    const bodies: string[] = [];
    for (const c of convs.filter((x) => x.channel === 'telegram')) {
      bodies.push(...((await api(base, token).get(`/api/v1/conversations/${c.id}/messages?limit=200`)).body.items as { body: string }[]).map((m) => m.body));
    }
    return bodies;
  }

  async function waitForBody(base: string, body: string, timeoutMs = 15_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const bodies = await storedBodies(base);
      if (bodies.includes(body)) return bodies;
      if (Date.now() > deadline) throw new Error(`"${body}" not stored; have ${JSON.stringify(bodies)}`);
      await sleep(100);
    }
  }

  it('polls on exactly one node, and the other takes over when it is killed', async () => {
    const res = await api(nodes[0]!.url, token).post('/api/v1/inboxes', { name: 'Telegram', channel: 'telegram', settings: { botToken, apiRoot: fake.url } });
    expect(res.status).toBe(201);

    // Both nodes know the inbox (node B finds it on its rescan) and compete for its lease.
    await sleep(7000);
    expect(pollers()).toHaveLength(1);
    expect(fake.maxConcurrentPolls.get(botToken)).toBe(1);
    expect(fake.conflicts).toBe(0);

    fake.pushUpdate(botToken, textUpdate(user(9001, 'Ada'), 'before the crash'));
    await waitForBody(nodes[1]!.url, 'before the crash');

    const leader = pollers()[0]!;
    const survivor = nodes.find((n) => n !== leader)!;
    await leader.kill();
    // Sent while nobody polls: kept by Telegram (the fake) until the survivor takes the lease.
    fake.pushUpdate(botToken, textUpdate(user(9001, 'Ada'), 'after the crash'));
    const bodies = await waitForBody(survivor.url, 'after the crash', 15_000);
    expect(survivor.output()).toContain(POLLING);
    expect(bodies.filter((b) => b === 'before the crash')).toHaveLength(1);
    expect(bodies.filter((b) => b === 'after the crash')).toHaveLength(1);
    expect(fake.maxConcurrentPolls.get(botToken)).toBe(1);
    expect(fake.conflicts).toBe(0);
  });
});
