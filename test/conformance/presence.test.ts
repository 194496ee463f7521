import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Presence } from '../../server/presence/presence.js';
import { MemoryPresence } from '../../server/presence/memory.js';
import { RedisPresence } from '../../server/presence/redis.js';
import { connectRedis, RedisKeys } from '../../server/redis/client.js';
import { SHARED_REDIS_URL, TestRedisCluster, uniquePrefix } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** Two instances standing for two nodes (one shared map in-process, two clients on Redis). */
interface Backend {
  name: string;
  make(): Promise<{ a: Presence; b: Presence; key(tenantId: string): Promise<{ exists: boolean; pttl: number }> }>;
}

const redisBackend = (name: string, url: () => string, isCluster: boolean): Backend => ({
  name,
  make: async () => {
    const keys = new RedisKeys(uniquePrefix('presence'));
    const clients = [connectRedis({ url: url(), cluster: isCluster }), connectRedis({ url: url(), cluster: isCluster })] as const;
    const tenants = ['t1', 't2'];
    onTestFinished(async () => {
      for (const t of tenants) await clients[0].del(keys.tenant(t, 'presence'));
      clients.forEach((c) => c.disconnect());
    });
    return {
      a: new RedisPresence(clients[0], keys),
      b: new RedisPresence(clients[1], keys),
      key: async (t) => {
        const k = keys.tenant(t, 'presence');
        return { exists: (await clients[0].exists(k)) === 1, pttl: await clients[0].pttl(k) };
      },
    };
  },
});

const backends: Backend[] = [
  {
    name: 'in-process',
    make: async () => {
      const p = new MemoryPresence();
      return { a: p, b: p, key: async () => ({ exists: false, pttl: -2 }) };
    },
  },
  redisBackend('standalone Redis', () => SHARED_REDIS_URL, false),
  redisBackend('Redis Cluster', () => cluster.url, true),
];

describe.each(backends)('presence conformance: $name', (backend) => {
  it('shows an agent online after a heartbeat, and offline after it expires', async () => {
    const { a, b } = await backend.make();
    expect(await a.online('t1')).toEqual([]);
    await a.heartbeat('t1', 'zoe', 'node-a', 300);
    await b.heartbeat('t1', 'bob', 'node-b', 5000);
    await a.heartbeat('t1', 'alice', 'node-a', 5000);
    expect(await b.online('t1')).toEqual(['alice', 'bob', 'zoe']);
    await sleep(400);
    expect(await a.online('t1')).toEqual(['alice', 'bob']);
  });

  it('extends an agent with each heartbeat', async () => {
    const { a } = await backend.make();
    await a.heartbeat('t1', 'alice', 'node-a', 400);
    await sleep(250);
    await a.heartbeat('t1', 'alice', 'node-a', 400);
    await sleep(250);
    expect(await a.online('t1')).toEqual(['alice']);
    await sleep(250);
    expect(await a.online('t1')).toEqual([]);
  });

  it('keeps an agent online while another node still has it', async () => {
    const { a, b } = await backend.make();
    await a.heartbeat('t1', 'alice', 'node-a', 5000);
    await b.heartbeat('t1', 'alice', 'node-b', 5000);
    expect(await a.online('t1')).toEqual(['alice']); // once, however many nodes
    await a.leave('t1', 'alice', 'node-a');
    expect(await b.online('t1')).toEqual(['alice']);
    await a.leave('t1', 'alice', 'node-a'); // leaving twice is harmless
    await b.leave('t1', 'alice', 'node-b');
    expect(await a.online('t1')).toEqual([]);
  });

  it('is not cut short by a shorter heartbeat from another node', async () => {
    const { a, b } = await backend.make();
    await a.heartbeat('t1', 'alice', 'node-a', 5000);
    await b.heartbeat('t1', 'alice', 'node-b', 100);
    await sleep(300);
    expect(await b.online('t1')).toEqual(['alice']);
  });

  it('keeps tenants apart, and takes agent ids containing "|"', async () => {
    const { a, b } = await backend.make();
    await a.heartbeat('t1', 'alice', 'node-a', 5000);
    await b.heartbeat('t2', 'ops|bob', 'node-b', 5000);
    expect(await a.online('t2')).toEqual(['ops|bob']);
    await a.leave('t2', 'alice', 'node-a');
    expect(await b.online('t1')).toEqual(['alice']);
    await expect(a.heartbeat('t1', 'alice', 'bad|node', 5000)).rejects.toThrow(RangeError);
  });
});

describe.each(backends.slice(1))('presence on $name', (backend) => {
  it('lets an idle tenant’s set expire by itself, twice the longest ttl after the last heartbeat', async () => {
    const { a, b, key } = await backend.make();
    await a.heartbeat('t1', 'alice', 'node-a', 60_000);
    await b.heartbeat('t1', 'bob', 'node-b', 1000);
    const { exists, pttl } = await key('t1');
    expect(exists).toBe(true);
    expect(pttl).toBeGreaterThan(100_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
  });
});
