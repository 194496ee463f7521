import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../server/redis/client.js';
import { api } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';

describe('rate limits shared by every node through Redis', () => {
  let pg: TestDatabase;
  const nodes: RunningServer[] = [];
  const prefix = uniquePrefix('rl');

  beforeAll(async () => {
    pg = await createTestDatabase();
    const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, LOGIN_RATE_PER_MINUTE: '4' };
    nodes.push(await startServer({ databaseUrl: pg.url, env }));
    nodes.push(await startServer({ databaseUrl: pg.url, env }));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await pg?.drop();
    const redis = connectRedis({ url: SHARED_REDIS_URL, cluster: false });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts login attempts on all nodes together', async () => {
    const attempt = (i: number) => api(nodes[i % 2]!.url).post('/api/v1/auth/login', { email: 'admin@example.com', password: 'wrong password' });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(i)).status);
    // Four attempts are allowed per minute in total, not four per node.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
